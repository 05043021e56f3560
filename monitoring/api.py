"""The checks JSON API: ``GET /api/v1/checks``, ``GET /api/v1/checks/<id>``, ``POST /api/v1/checks/<id>/run``.

Session or Bearer-token authentication, any role. The run-now script of the checks pages polls the second
until the check's ``last_run_at`` passes the request time; ``scheduler_running`` tells it whether to wait.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_login import current_user

from desk import web
from monitoring import service, words
from monitoring.checkspec import DOMAINS

bp = Blueprint("monitoring_api", __name__, url_prefix="/api/v1/checks")


@bp.route("")
@web.any_role
def list_checks() -> Any:
    """Every check's latest state; ``?domain=info|comms`` and ``?state=OK|WARNING|CRITICAL|UNKNOWN|PENDING``."""
    session = web.db()
    domain, state = request.args.get("domain") or None, request.args.get("state") or None
    if domain not in (None, *DOMAINS) or state not in (None, *service.STATES, service.PENDING):
        return web.api_error(400, "bad_filter", "domain is info or comms; state is OK, WARNING, CRITICAL, "
                                                "UNKNOWN or PENDING")
    rows = service.list_checks(session, domain=domain, state=state, tz=web.settings().timezone)
    return {"checks": [service.status_dict(r) for r in rows],
            "scheduler_running": service.scheduler_running(session)}


@bp.route("/<int:check_id>/runs")
@web.any_role
def runs(check_id: int) -> Any:
    """A check's runs, newest first, ``?page=`` (from 1) of ``?per_page=`` (1-500, default 100)."""
    session = web.db()
    if service.get_check(session, check_id) is None:
        return web.api_error(404, "not_found", f"no check with id {check_id}")
    page, per_page = request.args.get("page", "1"), request.args.get("per_page", "100")
    if not (_number(page) and _number(per_page) and int(page) >= 1 and 1 <= int(per_page) <= 500):
        return web.api_error(400, "bad_page", "page is 1 or more; per_page is 1 to 500")
    result = service.runs_page(session, check_id=check_id, page=int(page), per_page=int(per_page))
    return {"runs": [_run_dict(r) for r in result.runs], "page": result.page, "pages": result.pages,
            "total": result.total}


@bp.route("/<int:check_id>")
@web.any_role
def get_check(check_id: int) -> Any:
    session = web.db()
    check = service.get_check(session, check_id)
    if check is None:
        return web.api_error(404, "not_found", f"no check with id {check_id}")
    data = service.status_dict(service.check_row(session, check, tz=web.settings().timezone))
    latest = service.latest_run(session, check_id=check.id)
    data["last_run"] = _run_dict(latest) if latest else None
    data["scheduler_running"] = service.scheduler_running(session)
    return data


def _number(text: str) -> bool:
    """ASCII digits of a size an int can sensibly hold (a page past the last is answered as the last)."""
    return text.isascii() and text.isdigit() and len(text) < 20


def _run_dict(run: Any) -> dict[str, Any]:
    return {"started_at": run.started_at.isoformat(), "duration": run.duration, "state": run.state,
            "state_type": run.state_type, "attempt": run.attempt,
            "summary": words.summary(run.message, run.summary), "message": run.message,
            "long_output": run.long_output, "metrics": run.metrics, "runner": run.runner,
            "in_maintenance": run.in_maintenance}


@bp.route("/<int:check_id>/run", methods=["POST"])
@web.any_role
def run_now(check_id: int) -> Any:
    session = web.db()
    check = service.get_check(session, check_id)
    if check is None:
        return web.api_error(404, "not_found", f"no check with id {check_id}")
    if not check.enabled:
        return web.api_error(409, "disabled", "this check is disabled: enable it to run it")
    try:
        requested = service.request_run(session, actor=current_user.username, check=check)
    except service.AlreadyQueued:
        session.rollback()
        return web.api_error(409, "already_queued", "a run of this check is already queued")
    session.commit()
    return {"requested_at": requested.isoformat(), "scheduler_running": service.scheduler_running(session)}, 202
