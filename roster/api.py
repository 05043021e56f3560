"""JSON API of the roster: the published roster over a range, and who is on duty at a moment.

- ``GET /api/v1/roster?from=YYYY-MM-DD&to=YYYY-MM-DD`` → ``[{"date", "shift", "position", "starts_at", "ends_at",
  "source", "person": {"username", "name"}}]`` (times ISO 8601 with the desk's offset);
- ``GET /api/v1/oncall/now`` and ``GET /api/v1/oncall?at=<ISO 8601>`` → the shift and the people in each seat,
  or 404 when no published roster covers that moment.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, jsonify, request

from desk import web
from desk.timeutil import in_desk_range
from roster import clock, duty_lookup, refusals, seat_holders, settings_store, versions
from roster.domain import POSITIONS, OnDuty

bp = Blueprint("roster_api", __name__, url_prefix="/api/v1")
OUT_OF_RANGE = "Dates must lie between the years 2000 and 2100."


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name, "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@bp.route("/roster")
@web.any_role
def roster() -> Any:
    start, end = _date_arg("from"), _date_arg("to")
    if start is None or end is None:
        return web.api_error(400, "bad_dates", "Give from=YYYY-MM-DD and to=YYYY-MM-DD (inclusive).")
    if not (in_desk_range(start) and in_desk_range(end)):
        return web.api_error(400, "bad_dates", OUT_OF_RANGE)
    if end < start:
        return web.api_error(400, "bad_dates", "'to' is before 'from'.")
    if refusals.period_days(start, end) > refusals.MAX_DAYS:
        return web.api_error(400, "range_too_long", f"Ask for at most {refusals.MAX_DAYS} days at a time.")
    session = web.db()
    tz = web.settings().tz
    defs = {s.code: s for s in settings_store.current(session).shifts}
    people = seat_holders.display_names(session)
    out = [{"date": a.day.isoformat(), "shift": a.shift, "position": a.position,
            "starts_at": defs[a.shift].starts_at(a.day).replace(tzinfo=tz).isoformat(),
            "ends_at": defs[a.shift].ends_at(a.day).replace(tzinfo=tz).isoformat(),
            "source": a.source, "person": {"username": a.username, "name": people.get(a.username, a.username)}}
           for a in versions.published_assignments(session, start=start, end=end)]
    return jsonify(out)


def _duty_json(duty: OnDuty) -> dict[str, Any]:
    people = seat_holders.display_names(web.db())
    return {"date": duty.day.isoformat(), "shift": duty.shift, "starts_at": duty.starts_at.isoformat(),
            "ends_at": duty.ends_at.isoformat(),
            "positions": {q: [{"username": u, "name": people.get(u, u)} for u in duty.people.get(q, ())]
                          for q in POSITIONS}}


def _answer(at: datetime) -> Any:
    duty = duty_lookup.on_duty_at(web.db(), at=at, tz=web.settings().timezone)
    if duty is None:
        local = at.astimezone(web.settings().tz).isoformat(timespec="minutes")
        return web.api_error(404, "no_roster", f"No published roster covers {local}.")
    return jsonify({"at": at.isoformat(), **_duty_json(duty)})


@bp.route("/oncall/now")
@web.any_role
def oncall_now() -> Any:
    return _answer(clock.now())


@bp.route("/oncall")
@web.any_role
def oncall_at() -> Any:
    raw = request.args.get("at", "").strip().replace(" ", "+")  # an unencoded '+' arrives as a space
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return web.api_error(400, "bad_time", "Give at=<ISO 8601>, e.g. 2027-01-05T09:30:00+08:00.")
    if not in_desk_range(at.replace(tzinfo=None)):  # the year as written: an offset may not cross year 1 or 9999
        return web.api_error(400, "bad_time", OUT_OF_RANGE)
    if at.tzinfo is None:
        at = at.replace(tzinfo=web.settings().tz)  # a time without offset is the desk's local time
    return _answer(at)
