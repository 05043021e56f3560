"""The duty board (值班看板): ``/board`` (the page; ``?full=1`` for a wall screen) and ``/board/data`` (its JSON,
polled every few seconds with ``If-None-Match``; 304 while nothing changed). The page's buttons call the alert API
(``/api/v1/alerts/<id>/ack|resolve|reassign|comment``) from static/board.js."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlmodel import Session, col, select

from alerts import board, board_service
from alerts.board import Filters
from desk import features, web
from desk.i18n import select_locale
from desk.models import Person
from desk.timeutil import utcnow
from roster.domain import OnDuty

bp = Blueprint("board", __name__)
EVERYONE = ("manager", "leader", "watcher")
NAV = (features.nav("board.index", _l("Board"), EVERYONE, order=1),)
SEATS = ("leader", "info", "comms")


def labels() -> dict[str, dict[str, str]]:
    """The board's codes in the reader's language (severity, domain, status, source, shift, seat)."""
    return {
        "severity": {"critical": _("Critical"), "major": _("Major"), "minor": _("Minor"), "info": _("Info")},
        "domain": {"info": _("Information"), "comms": _("Communications"), "": _("Whole desk")},
        "status": {"open": _("Unacknowledged"), "acknowledged": _("Acknowledged"), "resolved": _("Resolved")},
        "source": {"patrol": _("Patrol"), "alertmanager": _("Alertmanager"), "webhook": _("Webhook"),
                   "manual": _("By hand")},
        "shift": {"D": _("Day shift"), "N": _("Night shift")},
        "seat": {"leader": _("Shift leader on duty"), "info": _("Information watcher"),
                 "comms": _("Communications watcher")},
    }


@bp.route("/board")
@web.any_role
def index() -> Any:
    filters = board.parse_filters(request.args)
    wall = request.args.get("full") == "1"
    return render_template("board/index.html", filters=filters, wall=wall, labels=labels(),
                           people=_reassignable(web.db()), can_reassign=current_user.role != "watcher")


@bp.route("/board/data")
@web.any_role
def data() -> Any:
    session, now = web.db(), utcnow()
    filters = board.parse_filters(request.args)
    markers = board_service.change_markers(session)
    etag = board.stamp(markers, viewer=current_user.username, filters=filters, language=select_locale(), now=now)
    if request.if_none_match.contains(etag):
        return _cached(Response(status=304), etag)
    return _cached(jsonify(board_data(session, filters=filters, now=now, markers=markers)), etag)


def _cached(response: Response, etag: str) -> Response:
    """Every poll asks again (no-cache), and a private cache may keep the body to revalidate it."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def board_data(session: Session, *, filters: Filters, now: datetime,
               markers: tuple[Any, ...] | None = None) -> dict[str, Any]:
    """The board's JSON for the current viewer, from the snapshot all viewers share
    (:func:`board_service.snapshot`)."""
    tz, words = web.settings().timezone, labels()
    snap = board_service.snapshot(session, markers=markers or board_service.change_markers(session), now=now, tz=tz)
    current = snap.duty.now
    seat = board_service.seat_of(current, current_user.username)
    first = board.first_domain_of(current_user.role, seat, current_user.skill_set)
    shown = board.board_alerts(snap.alerts, filters, first_domain=first)
    return {
        "now": now.isoformat(),
        "viewer": {"username": current_user.username, "role": current_user.role, "seat": seat,
                   "first_domain": first},
        "duty": {"now": _duty_json(current, snap.people, words),
                 "next": _duty_json(snap.duty.next, snap.people, words)},
        "alerts": [snap.rows[a.id] for a in shown],
        "labels": {field: words[field] for field in ("severity", "domain", "status", "source")},
        "counts": dict(board.counts(snap.alerts), shown=len(shown), total=len(snap.alerts)),
        "warnings": _warnings(snap, now=now, words=words),
    }


def _duty_json(duty: OnDuty | None, people: dict[str, dict[str, str]], words: dict[str, dict[str, str]]
               ) -> dict[str, Any] | None:
    if duty is None:
        return None
    return {"day": duty.day.isoformat(), "shift": duty.shift, "shift_label": words["shift"].get(duty.shift, duty.shift),
            "starts_at": duty.starts_at.isoformat(), "ends_at": duty.ends_at.isoformat(),
            "seats": [{"seat": s, "label": words["seat"][s],
                       "people": [board.person_json(u, people) for u in duty.people.get(s, ())]} for s in SEATS]}


def _warnings(snap: board_service.Snapshot, *, now: datetime, words: dict[str, dict[str, str]]
              ) -> list[dict[str, str]]:
    """The banner: an uncovered shift, notifications given up on, a late handover."""
    out = []
    if snap.duty.now is None:
        out.append({"kind": "uncovered", "text": _(
            "No published roster covers this moment: new alerts go to the managers.")})
    failed, latest = snap.failed
    if failed:
        text = ngettext("%(num)d notification could not be delivered in the last 24 hours.",
                        "%(num)d notifications could not be delivered in the last 24 hours.", failed)
        detail = latest[0]
        out.append({"kind": "failed", "text": text + " " + _(
            "Latest: %(kind)s %(target)s for alert #%(alert)s: %(error)s", kind=detail.kind, target=detail.target,
            alert=detail.alert_id or "—", error=detail.error[:200])})
    late = board_service.late_handover(snap, now=now)
    if late is not None:
        shift = words["shift"].get(late.shift_code, late.shift_code)
        out.append({"kind": "late_handover", "text": _(
            "The handover of the %(shift)s of %(day)s was not confirmed within 30 minutes of the change.",
            shift=shift, day=late.shift_day) + (" " + _("Its alerts moved to the incoming leader automatically.")
                                                if late.status != "missing" else "")})
    return out


def _reassignable(session: Session) -> list[Person]:
    """Who an alert can be handed to: active leaders, watchers and managers, by name."""
    return list(session.exec(select(Person).where(Person.active == True)  # noqa: E712
                             .order_by(col(Person.role), col(Person.display_name))))


def home_panel(session: Session, person: Any) -> dict[str, Any] | None:
    """The home page's "alerts of my shift" for the leader or watcher on duty now (None for anyone else)."""
    now = utcnow()
    current = board_service.duty(session, now=now, tz=web.settings().timezone).now
    seat = board_service.seat_of(current, person.username)
    if seat is None:
        return None
    usernames, people = board_service.people(session)
    first = board.first_domain_of(person.role, seat, person.skill_set)
    everything = board_service.active_alerts(session, usernames)
    shown = [a for a in board.order(everything, first_domain=first) if first is None or a.domain in (first, None)]
    return {"template": "board/_home_panel.html", "alerts": shown[:5], "counts": board.counts(shown),
            "seat": seat, "labels": labels(), "people": people}
