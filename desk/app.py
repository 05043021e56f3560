"""The application factory: ``create_app(test_config)`` as in Flask's tutorial."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, g, request
from flask_babel import Babel
from flask_babel import gettext as _
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from alerts.feature import FEATURE as ALERTS
from desk import features, security, sessions, web
from desk.db import make_engine
from desk.feature import FEATURE as DESK
from desk.i18n import babel_locale
from desk.settings import LANGUAGES, Settings, load_settings
from monitoring.feature import FEATURE as MONITORING
from reports.feature import FEATURE as REPORTS
from roster.feature import FEATURE as ROSTER

ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()
RETRY_AFTER = 30
_ENV_KEYS = ("DATABASE_URL", "DUTYDESK_ENV", "DUTYDESK_SECRET_KEY", "DUTYDESK_TIMEZONE", "DUTYDESK_PROXY_HOPS",
             "DUTYDESK_SECURE_COOKIES")

# Everything the app is made of, in the order its blueprints, header links and home panels appear.
FEATURES = (
    DESK,  # login, home, people, audit trail, the API base; db/users/tokens/demo commands
    ROSTER,  # rosters, leave and swaps, calendar feeds, exports; roster/leave commands
    MONITORING,  # patrol checks, maintenance, /metrics; checks commands
    ALERTS,  # the alert layer: board and handover, alerts, their API and webhooks, escalation, channels
    REPORTS,  # coverage, load and fairness, patrol figures, KPIs, audit trail; exports and API
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app. ``test_config`` may set ``DATABASE_URL``, ``DUTYDESK_ENV`` and any Flask key."""
    test_config = test_config or {}
    app = Flask("desk", root_path=str(ROOT), instance_path=str(ROOT / "instance"),
                template_folder="templates", static_folder="static")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    settings = _settings(app, test_config)
    secure = settings.env == "production" and settings.secure_cookies
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_DURATION=sessions.REMEMBER_LIMIT,
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=security.MAX_CONTENT_LENGTH,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=14),
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        BABEL_DEFAULT_TIMEZONE="UTC",
    )
    app.config.update({k: v for k, v in test_config.items() if k.isupper() and k not in _ENV_KEYS})
    app.extensions["dutydesk.settings"] = settings
    app.extensions["dutydesk.engine"] = make_engine(settings.database_url)
    if settings.proxy_hops:  # only the operator knows how many proxies add X-Forwarded-For; never trust it blindly
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)  # type: ignore
    security.install_converters(app)
    app.after_request(security.add_security_headers)
    _init_extensions(app)
    features.install(app, FEATURES)
    _register_errors(app)
    app.teardown_appcontext(web.close_db)
    return app


def _settings(app: Flask, test_config: dict[str, Any]) -> Settings:
    """Settings from the environment, whose keys in ``_ENV_KEYS`` ``test_config`` may override."""
    overrides = {key: str(value) for key, value in test_config.items() if key in _ENV_KEYS}
    return load_settings({**os.environ, **overrides}, instance_path=app.instance_path)


def _init_extensions(app: Flask) -> None:
    from desk.auth import init_login

    csrf.init_app(app)
    Babel(app, locale_selector=babel_locale, timezone_selector=lambda: app.extensions[
        "dutydesk.settings"].timezone)
    login_manager = LoginManager(app)
    init_login(login_manager)
    app.before_request(_refuse_nul_characters)
    app.before_request(_protect_forms)
    from desk.templating import init_templating

    init_templating(app)


def _refuse_nul_characters() -> None:
    """A NUL character in a parameter, form field or path is refused with a 400 before any view sees it:
    no field accepts one, and PostgreSQL cannot store it in text (it answered 500)."""
    given = [*request.args.items(multi=True), *request.form.items(multi=True), *(request.view_args or {}).items()]
    if any("\x00" in f"{key}{value}" for key, value in given):
        abort(400, description=_("The request contains a NUL character, which no field accepts."))


def _protect_forms() -> None:
    """CSRF on every state-changing request, except token-authenticated API calls and webhooks."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "csrf_exempt", False):
        return
    if web.is_api_request() and current_user.is_authenticated and g.get("authenticated_by_token"):
        return  # a Bearer token, not a cookie, opened this request: there is nothing for a forged form to ride on
    csrf.protect()


def _register_errors(app: Flask) -> None:
    from flask import render_template

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Any:
        if web.is_api_request():
            return web.api_error(400, "csrf", exc.description)
        return render_template("error.html", code=400, message=exc.description), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        if web.is_api_request():
            return web.api_error(code, (exc.name or "error").lower().replace(" ", "_"), exc.description or "")
        own = exc.description if exc.description != type(exc).description else None  # Werkzeug's English: ours
        return render_template("error.html", code=code, message=own), code

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: RequestEntityTooLarge) -> Any:
        message = _("The request is too large: the desk accepts at most %(mb)d MB.",
                    mb=security.MAX_CONTENT_LENGTH // (1024 * 1024))
        if web.is_api_request():
            return web.api_error(413, "too_large", message)
        return render_template("error.html", code=413, message=message), 413

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(_exc: Exception) -> Any:
        app.logger.error("database unreachable: %s", _exc)
        app.login_manager._update_request_context_with_user()  # type: ignore[attr-defined]  # render as anonymous
        message = _("The database cannot be reached. Try again in a minute.")
        if web.is_api_request():
            response = web.api_error(503, "database_unavailable", message)
        else:
            response = app.make_response((render_template("error.html", code=503, message=message), 503))
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response


__all__ = ["LANGUAGES", "create_app"]
