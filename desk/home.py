"""The home page of each role: what this person needs first, with honest empty states."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import select

from desk import accounts, features, web
from desk.models import Person

bp = Blueprint("home", __name__)
NAV = (features.nav("home.index", _l("Home"), ("manager", "leader", "watcher"), order=0),
       features.nav("home.audit_trail", _l("Audit trail"), ("manager",), order=90))


@bp.route("/")
@web.any_role
def index() -> Any:
    session = web.db()
    teammates: list[Person] = []
    if current_user.team_code:
        teammates = accounts.list_people(session, include_inactive=False, team_code=current_user.team_code)
    counts = accounts.count_by_role(session)
    panels = [p for p in (panel(session, current_user) for panel in features.home_panels()) if p]
    return render_template("home/index.html", teammates=teammates, counts=counts, panels=panels)


@bp.route("/audit")
@web.roles("manager")
def audit_trail() -> Any:
    """The audit trail lives with the reports (each event told as a sentence); old links land there."""
    return redirect(url_for("reports.audit"))


@bp.route("/healthz")
@web.public
def healthz() -> Any:
    try:
        web.db().exec(select(1)).one()
    except Exception as exc:  # any database failure means "not healthy"
        return {"status": "error", "reason": type(exc).__name__}, 503
    return {"status": "ok"}
