"""A small desk whose every report figure is computed by hand in the tests (see the table in each test).

Period 2026-10-07 (Wed, National Day holiday) .. 2026-10-12 (Mon); 10-11 is a plain Sunday. The default rotation
DNOO puts C on nights and D on days on 10-07 (see ``roster.settings_store.defaults``). Published version 1 covers
10-07..10-11, version 2 (a swap's amendment) re-publishes 10-09; 10-12 has no roster. Seats (leader, info, comms):

    10-07 D ld id cd          10-07 N lc ic cc
    10-08 D la sp* ca         10-08 N ld id ib(hand edit, not comms-qualified)
    10-09 D lb ib cc(swap)    10-09 N la ia —(comms seat empty)
    10-10 D lc ic cc          10-10 N lb ib(on single-shift leave) cb
    10-11 D ld id cd          10-11 N lc ic cc
    * sp (a spare, no team) substitutes for ia, on leave on 10-08.

Patrols: check "web" (60 s, created 10-01) on 10-07 has a one-hour maintenance window (02:00–03:00 UTC), 1300 runs
outside it (1290 OK, 10 CRITICAL) and 60 CRITICAL runs inside it; a second scheduler process took over after the
first 700 runs; one flapping period. Check "db" (300 s) is disabled and never ran.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert
from sqlmodel import Session

from desk.models import Person, Team
from monitoring.models import AnomalyEventRow, Check, CheckRun, MaintenanceWindowRow
from roster.models import LeaveRequest, RosterAssignment, RosterVersion, SwapRequest

START, END = date(2026, 10, 7), date(2026, 10, 12)
UTC = timezone.utc  # noqa: UP017 (the name reads better in the tables above)
PEOPLE = {  # username: (role, skills, team)
    "la": ("leader", "", "A"), "ia": ("watcher", "info", "A"), "ca": ("watcher", "comms", "A"),
    "lb": ("leader", "", "B"), "ib": ("watcher", "info", "B"), "cb": ("watcher", "comms", "B"),
    "lc": ("leader", "", "C"), "ic": ("watcher", "info", "C"), "cc": ("watcher", "comms", "C"),
    "ld": ("leader", "", "D"), "id": ("watcher", "info", "D"), "cd": ("watcher", "comms", "D"),
    "sp": ("watcher", "info,comms", None),
}
V1 = {  # (day, shift): [(position, username, source)]
    ("10-07", "D"): [("leader", "ld", "pattern"), ("info", "id", "pattern"), ("comms", "cd", "pattern")],
    ("10-07", "N"): [("leader", "lc", "pattern"), ("info", "ic", "pattern"), ("comms", "cc", "pattern")],
    ("10-08", "D"): [("leader", "la", "pattern"), ("info", "sp", "substitute"), ("comms", "ca", "pattern")],
    ("10-08", "N"): [("leader", "ld", "pattern"), ("info", "id", "pattern"), ("comms", "ib", "pinned")],
    ("10-09", "D"): [("leader", "lb", "pattern"), ("info", "ib", "pattern"), ("comms", "cb", "pattern")],
    ("10-09", "N"): [("leader", "la", "pattern"), ("info", "ia", "pattern")],
    ("10-10", "D"): [("leader", "lc", "pattern"), ("info", "ic", "pattern"), ("comms", "cc", "pattern")],
    ("10-10", "N"): [("leader", "lb", "pattern"), ("info", "ib", "pattern"), ("comms", "cb", "pattern")],
    ("10-11", "D"): [("leader", "ld", "pattern"), ("info", "id", "pattern"), ("comms", "cd", "pattern")],
    ("10-11", "N"): [("leader", "lc", "pattern"), ("info", "ic", "pattern"), ("comms", "cc", "pattern")],
}
V2 = {  # the swap's amendment of 10-09: cb gave the day shift to cc
    ("10-09", "D"): [("leader", "lb", "pattern"), ("info", "ib", "pattern"), ("comms", "cc", "substitute")],
    ("10-09", "N"): [("leader", "la", "pattern"), ("info", "ia", "pattern")],
}
CHECK_DAY = date(2026, 10, 7)  # local day 2026-10-06 16:00 UTC .. 2026-10-07 16:00 UTC
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def day(mmdd: str) -> date:
    return date.fromisoformat(f"2026-{mmdd}")


def build(session: Session, password_hash: str = "") -> dict[str, int]:
    """Insert the desk; returns ``{username: id}``."""
    for code in "ABCD":
        if session.get(Team, code) is None:
            session.add(Team(code=code, name=f"Team {code}"))
    ids = {}
    for username, (role, skills, team) in PEOPLE.items():
        person = Person(username=username, display_name=username.upper(), role=role, skills=skills,
                        team_code=team, password_hash=password_hash)
        session.add(person)
        session.flush()
        ids[username] = person.id
    v1 = _version(session, 1, START, date(2026, 10, 11), V1, ids)
    v2 = _version(session, 2, day("10-09"), day("10-09"), V2, ids)
    session.add(SwapRequest(requester_id=ids["cb"], requester_day=day("10-09"), requester_shift="D",
                            requester_position="comms", target_id=ids["cc"], status="approved", amendment_id=v2))
    session.add(LeaveRequest(person_id=ids["ia"], start=day("10-08"), end=day("10-08"), status="approved"))
    session.add(LeaveRequest(person_id=ids["ib"], start=day("10-10"), end=day("10-10"), status="approved",
                             shifts=[["2026-10-10", "N"]]))
    session.add(LeaveRequest(person_id=ids["ic"], start=day("10-10"), end=day("10-10"), status="rejected"))
    ids["_v1"] = v1
    return ids


def _version(session: Session, number: int, start: date, end: date, seats: dict, ids: dict[str, int]) -> int:
    version = RosterVersion(number=number, status="published", start=start, end=end, created_by="lc",
                            published_by="lc", published_at=datetime(2026, 10, 1, tzinfo=UTC))
    session.add(version)
    session.flush()
    for (mmdd, shift), rows in seats.items():
        for position, username, source in rows:
            session.add(RosterAssignment(version_id=version.id, day=day(mmdd), shift=shift, position=position,
                                         person_id=ids[username], source=source))
    return version.id


def build_patrols(session: Session) -> int:
    """The two checks, their runs, the window and the flapping period; returns the id of "web"."""
    web = Check(name="web", kind="tcp", domain="info", interval=60, created_at=datetime(2026, 10, 1, tzinfo=UTC))
    db = Check(name="db", kind="tcp", domain="info", interval=300, enabled=False,
               created_at=datetime(2026, 10, 1, tzinfo=UTC))
    session.add_all([web, db])
    session.flush()
    lo = datetime(2026, 10, 6, 16, 0, tzinfo=UTC)
    maint_lo, maint_hi = datetime(2026, 10, 7, 2, tzinfo=UTC), datetime(2026, 10, 7, 3, tzinfo=UTC)
    session.add(MaintenanceWindowRow(kind="one_off", starts_at=maint_lo, ends_at=maint_hi, checks=["web"],
                                     author="lc", reason="patching"))
    rows, at = [], lo
    while len(rows) < 1360:
        inside = maint_lo <= at < maint_hi
        outside_count = sum(not r["in_maintenance"] for r in rows)
        state = "CRITICAL" if inside or outside_count >= 1290 else "OK"
        rows.append({"check_id": web.id, "started_at": at, "state": state, "in_maintenance": inside,
                     "runner": "host1:1" if len(rows) < 700 else "host2:2", "summary": "", "long_output": "",
                     "metrics": [], "duration": 0.01, "state_type": "HARD", "attempt": 1})
        at += timedelta(seconds=60)
    session.execute(insert(CheckRun.__table__), rows)
    session.add(AnomalyEventRow(check_id=web.id, key="check:web:flapping", kind="flapping_start", state="OK",
                                at=datetime(2026, 10, 7, 5, tzinfo=UTC)))
    return web.id


def build_alerts(session: Session, ids: dict[str, int]) -> None:
    """Four alerts (times UTC; the day shift of 10-08 runs 00:00–12:00 UTC, leader la):

        a1 critical info  patrol       check:web 10-08 01:00  ack +2 min,  resolved +30 min
        a2 major    comms alertmanager am:disk   10-08 11:50  ack +10 min (late), resolved 12:40 (after the shift:
                                                               carried over), escalated once
        a3 minor    info  webhook      check:web 10-08 05:00  never acknowledged nor resolved, escalated twice
        a4 major    —     manual       m:1       10-12 03:00  no roster: routed to the managers; ack +4, resolved +10
    """
    from alerts.models import Alert

    def at(mmdd: str, hh: int, mm: int = 0) -> datetime:
        return datetime.combine(day(mmdd), datetime.min.time(), tzinfo=UTC).replace(hour=hh, minute=mm)

    rows = [
        ("critical", "info", "patrol", "check:web", at("10-08", 1), 2, 30, 0, "leader", "resolved"),
        ("major", "comms", "alertmanager", "am:disk", at("10-08", 11, 50), 10, 50, 1, "leader", "resolved"),
        ("minor", "info", "webhook", "check:web", at("10-08", 5), None, None, 2, "leader", "open"),
        ("major", None, "manual", "m:1", at("10-12", 3), 4, 10, 0, "managers", "resolved"),
    ]
    for severity, domain, source, key, first, ack, fix, steps, routed, status in rows:
        on_shift = routed == "leader"
        session.add(Alert(key=key, title=key, severity=severity, domain=domain, source=source, status=status,
                          first_seen=first, last_seen=first, routed_to=routed, escalation_step=steps,
                          assignee_id=ids["la"] if on_shift else None,
                          shift_day="2026-10-08" if on_shift else None, shift_code="D" if on_shift else None,
                          acknowledged_at=first + timedelta(minutes=ack) if ack is not None else None,
                          resolved_at=first + timedelta(minutes=fix) if fix is not None else None))
