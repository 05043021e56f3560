"""The alerts JSON API (blueprint ``alerts_api``): people's reads and actions under ``/api/v1/alerts``, and the
integrations' deliveries (``POST /api/v1/alerts`` generic JSON, ``POST /api/v1/integrations/alertmanager``).

``GET /api/v1/alerts`` is for people (session or personal token); ``POST /api/v1/alerts`` is for integrations
(their own ``ddi_`` bearer token, never a personal one): two routes told apart by method.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from alerts import integrations, service
from alerts.ingest import PayloadError, parse_alertmanager, parse_generic
from alerts.metrics import AlertCollector
from alerts.models import DOMAINS, SEVERITIES
from alerts.words import event_text
from desk import web
from desk.timeutil import utcnow

bp = Blueprint("alerts_api", __name__, url_prefix="/api/v1")
# /metrics (monitoring) renders the collectors the installed packages add: here the alert counts.
bp.record_once(lambda state: state.app.extensions.setdefault("dutydesk.metrics", []).append(AlertCollector))
MAX_PER_PAGE = 200
RESOLVERS = ("leader", "manager", "watcher")  # watchers: their own domain only (service.can_resolve)


# --- people's side ----------------------------------------------------------------------------------------------

@bp.route("/alerts", methods=["GET"])
@web.any_role
def list_alerts() -> Any:
    try:
        filters, page, per_page = parse_filters(request.args)
    except ValueError as exc:
        return web.api_error(400, "bad_request", str(exc))
    rows, total = service.list_alerts(web.db(), filters=filters, page=page, per_page=per_page)
    people = service.people_by_id(web.db(), rows)
    return {"alerts": [service.alert_json(a, people) for a in rows], "page": page, "per_page": per_page,
            "total": total}


def parse_filters(args: Any) -> tuple[service.AlertFilter, int, int]:
    """The list's filters and paging from the query string (API and page); ValueError naming a bad one."""
    status, domain, severity = args.get("status") or None, args.get("domain") or None, args.get("severity") or None
    for name, value, allowed in (("status", status, service.STATUS_FILTERS), ("domain", domain, DOMAINS),
                                 ("severity", severity, SEVERITIES)):
        if value is not None and value not in allowed:
            raise ValueError(f"{name}: one of {', '.join(allowed)}")
    page, per_page = _int(args, "page", 1), _int(args, "per_page", 50)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page: 1 to {MAX_PER_PAGE}")
    since, until = _moment(args.get("from"), "from"), _moment(args.get("to"), "to", end=True)
    return service.AlertFilter(status, domain, severity, since, until), page, per_page


def _int(args: Any, name: str, default: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    if not str(raw).isdigit() or int(raw) < 1:
        raise ValueError(f"{name}: a positive whole number")
    return int(raw)


def _moment(raw: str | None, name: str, end: bool = False) -> datetime | None:
    """An ISO date or datetime; a date or a naive time is in the desk's zone (a ``to`` date includes its day)."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{name}: an ISO 8601 date or date-time") from None
    if len(raw) == 10 and end:
        value = datetime.combine(value.date(), time.max)
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(web.settings().timezone))


@bp.route("/alerts/<int:alert_id>")
@web.any_role
def show(alert_id: int) -> Any:
    session = web.db()
    alert = session.get(service.Alert, alert_id)
    if alert is None:
        return web.api_error(404, "not_found", "No such alert.")
    data = service.alert_json(alert, service.people_by_id(session, [alert]))
    data["timeline"] = [{**service.event_json(e), "text": event_text(e.kind, e.params)}
                        for e in service.timeline(session, alert_id)]
    return data


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _act(alert_id: int, action: Callable[..., Any], **kwargs: Any) -> Any:
    """Run one service action for the current person; JSON of the alert, or 404/409/422."""
    session = web.db()
    try:
        alert = action(session, actor=current_user.username, alert_id=alert_id, now=utcnow(), **kwargs)
    except service.AlertNotFound:
        session.rollback()
        return web.api_error(404, "not_found", "No such alert.")
    except service.AlertConflict:
        session.rollback()
        return web.api_error(409, "conflict", _("Someone else changed this alert first; reload it."))
    except service.AlertError as exc:
        session.rollback()
        return web.api_error(422, "invalid", "; ".join(f"{k}: {_(v)}" for k, v in exc.errors.items()))
    session.commit()
    return service.alert_json(alert, service.people_by_id(session, [alert]))


def _version() -> int | None:
    value = _body().get("version")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@bp.route("/alerts/<int:alert_id>/ack", methods=["POST"])
@web.any_role
def ack(alert_id: int) -> Any:
    return _act(alert_id, service.acknowledge, comment=str(_body().get("comment") or ""), version=_version())


@bp.route("/alerts/<int:alert_id>/comment", methods=["POST"])
@web.any_role
def comment(alert_id: int) -> Any:
    return _act(alert_id, service.comment, note=str(_body().get("note") or ""))


def _may_resolve(alert_id: int) -> Any:
    """None when the current person may resolve/reopen the alert, else the error response."""
    alert = web.db().get(service.Alert, alert_id)
    if alert is None:
        return web.api_error(404, "not_found", "No such alert.")
    if not service.can_resolve(current_user, alert):
        return web.api_error(403, "forbidden", _("Only leaders, managers and the watchers of its domain may do that."))
    return None


@bp.route("/alerts/<int:alert_id>/resolve", methods=["POST"])
@web.roles(*RESOLVERS)
def resolve(alert_id: int) -> Any:
    body = _body()
    refused = _may_resolve(alert_id)
    if refused is not None:
        return refused
    return _act(alert_id, service.resolve, impact=str(body.get("impact") or ""),
                summary=str(body.get("summary") or ""), version=_version())


@bp.route("/alerts/<int:alert_id>/reopen", methods=["POST"])
@web.roles(*RESOLVERS)
def reopen(alert_id: int) -> Any:
    refused = _may_resolve(alert_id)
    return refused if refused is not None else _act(alert_id, service.reopen, version=_version())


@bp.route("/alerts/<int:alert_id>/reassign", methods=["POST"])
@web.roles("leader", "manager")
def reassign(alert_id: int) -> Any:
    return _act(alert_id, service.reassign, username=str(_body().get("username") or ""), version=_version())


# --- integrations' side -----------------------------------------------------------------------------------------

def _deliver(kind: str, parse: Callable[..., list[Any]]) -> Any:
    """Authenticate the integration, parse the whole payload, then store it; 401/400/422 store nothing."""
    session, now = web.db(), utcnow()
    secret = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    integration = integrations.authenticate(session, secret=secret, kind=kind, now=now)
    if integration is None:
        session.rollback()
        response = web.api_error(401, "unauthorized", "Send Authorization: Bearer <the integration's token>.")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    data = request.get_json(silent=True)
    if data is None:
        session.rollback()
        return web.api_error(400, "bad_json", "The body is not JSON (send Content-Type: application/json).")
    try:
        items = parse(data, default_domain=integration.default_domain)
        counts = integrations.receive(session, integration=integration, items=items, now=now)
    except PayloadError as exc:
        session.rollback()
        return web.api_error(422, "invalid_payload", str(exc))
    except service.AlertError as exc:
        session.rollback()
        return web.api_error(422, "invalid_payload", str(exc))
    session.commit()
    return jsonify({"received": len(items), **counts}), 202


@bp.route("/alerts", methods=["POST"])
@web.public
@web.csrf_exempt
def webhook() -> Any:
    return _deliver("generic", parse_generic)


@bp.route("/integrations/alertmanager", methods=["POST"])
@web.public
@web.csrf_exempt
def alertmanager() -> Any:
    return _deliver("alertmanager", parse_alertmanager)
