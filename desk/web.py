"""Web plumbing shared by every blueprint: the request's database session, role checks, JSON errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.engine import Engine
from sqlmodel import Session

from desk.models import ROLES
from desk.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
ALL_ROLES = ROLES


def engine() -> Engine:
    """The application's database engine."""
    return current_app.extensions["dutydesk.engine"]


def settings() -> Settings:
    """The application's settings."""
    return current_app.extensions["dutydesk.settings"]


def db() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's session, rolling back whatever was not committed."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def is_api_request() -> bool:
    """Whether this request is for the JSON API (which never answers with HTML)."""
    return request.path.startswith("/api/")


def roles(*allowed: str) -> Callable[[F], F]:
    """Allow a view only to logged-in people of these roles; anonymous → login (401 for the API), others → 403.

    The allowed roles are kept on the view, so a test can walk every route and check them.
    """
    unknown = set(allowed) - set(ALL_ROLES)
    if unknown or not allowed:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def any_role(view: F) -> F:
    """Allow a view to every logged-in person."""
    return roles(*ALL_ROLES)(view)


def public(view: F) -> F:
    """Mark a view as open to anonymous visitors (login page, health check, token-authenticated webhooks)."""
    view.allowed_roles = None  # type: ignore[attr-defined]
    view.public = True  # type: ignore[attr-defined]
    return view


def csrf_exempt(view: F) -> F:
    """Mark a view whose callers authenticate by token (webhooks), so no CSRF token is expected."""
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view


def api_error(status: int, code: str, message: str) -> Any:
    """A JSON error response ``{"error": {"code", "message"}}`` with this status."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def safe_next(target: str | None, default: str | None = None) -> str:
    """A ``next=`` to follow after a POST: only a path on this site, else ``default`` (the home page)."""
    from desk.security import safe_next as check

    return check(target, default)


def redirect_to_login() -> Any:
    """Send an anonymous visitor to the login page, remembering where they wanted to go."""
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
