"""Helpers of the board and handover tests (and bench/board_bench.py): a published roster written directly, alerts
inserted as rows (the alert service is another engineer's), and a bulk fill of active and closed alerts."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from alerts.models import Alert, AlertEvent
from desk.db import session_scope
from desk.models import Person
from roster.models import RosterAssignment, RosterVersion
from tests.conftest import PASSWORD, cheap_hash

# 2026-12-03 in Asia/Shanghai (UTC+8): the day shift runs 00:00-12:00 UTC, the night 12:00-00:00 UTC.
DAY = date(2026, 12, 3)
SEATS = {"D": {"leader": "dayl", "info": "dayi", "comms": "dayc"},
         "N": {"leader": "nightl", "info": "nighti", "comms": "nightc"}}


def local(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> datetime:
    """An aware UTC moment given in desk time (Asia/Shanghai, UTC+8)."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC) - timedelta(hours=8)


@functools.cache
def _password_hash() -> str:
    return cheap_hash(PASSWORD)


def add_desk(engine: Engine) -> None:
    """The two shifts' six people of :data:`SEATS` and a manager ``boss`` (password hashed once for all)."""
    with session_scope(engine) as session:
        for n, (seat, username) in enumerate((s, u) for shift in SEATS.values() for s, u in shift.items()):
            session.add(Person(username=username, display_name=username.title(),
                               role="leader" if seat == "leader" else "watcher",
                               skills="info,comms" if seat == "leader" else seat, phone=f"1380000{n:04d}",
                               password_hash=_password_hash()))
        session.add(Person(username="boss", display_name="Boss", role="manager", password_hash=_password_hash()))


def publish(engine: Engine, *, start: date = DAY - timedelta(days=2), days: int = 5,
            seats: Mapping[str, Mapping[str, str]] = SEATS, number: int | None = None,
            published_at: datetime | None = None) -> int:
    """A published roster version over ``days`` days with the same people on each shift; returns its id."""
    with session_scope(engine) as session:
        ids = dict(session.exec(select(Person.username, Person.id)).all())
        count = len(session.exec(select(RosterVersion.id)).all())
        version = RosterVersion(number=number or count + 1, status="published", start=start,
                                end=start + timedelta(days=days - 1), created_by="test", published_by="test",
                                published_at=published_at or datetime(2026, 11, 30, tzinfo=UTC))
        session.add(version)
        session.flush()
        for k in range(days):
            for shift, positions in seats.items():
                for position, username in positions.items():
                    session.add(RosterAssignment(version_id=version.id, day=start + timedelta(days=k), shift=shift,
                                                 position=position, person_id=ids[username]))
        return version.id


def person_id(session: Session, username: str | None) -> int | None:
    if username is None:
        return None
    return session.exec(select(Person.id).where(Person.username == username)).one()


def add_alert(engine: Engine, *, title: str = "disk full", severity: str = "major", domain: str | None = "info",
              status: str = "open", first_seen: datetime, assignee: str | None = None, watcher: str | None = None,
              key: str | None = None, source: str = "patrol", **extra: Any) -> int:
    """An alert row with its 'raised' timeline entry, as core's service would write it; returns its id."""
    with session_scope(engine) as session:
        alert = Alert(key=key or f"k-{title}-{first_seen.timestamp()}", title=title, severity=severity,
                      domain=domain, source=source, status=status, first_seen=first_seen, last_seen=first_seen,
                      assignee_id=person_id(session, assignee), watcher_id=person_id(session, watcher), **extra)
        session.add(alert)
        session.flush()
        session.add(AlertEvent(alert_id=alert.id, at=first_seen, actor="system", kind="raised", params={}))
        return alert.id


def add_event(engine: Engine, alert_id: int, *, kind: str, at: datetime, actor: str = "dayl", note: str = "",
              **params: Any) -> None:
    with session_scope(engine) as session:
        session.add(AlertEvent(alert_id=alert_id, at=at, actor=actor, kind=kind, params=params, note=note))


_SEVERITIES = ("critical", "major", "minor", "info")
_DOMAINS = ("info", "comms", None)


def fill(engine: Engine, *, active: int, closed: int, now: datetime, chunk: int = 5000) -> None:
    """Bulk-insert ``active`` open/acknowledged alerts and ``closed`` resolved ones (spread over the last year),
    each with a 'raised' entry (and 'acknowledged', 'resolved' where it applies) on its timeline."""
    with session_scope(engine) as session:
        start = (session.exec(select(Alert.id).order_by(Alert.id.desc())).first() or 0) + 1
    rows = [_fill_row(i, start + i, i < active, now) for i in range(active + closed)]
    for k in range(0, len(rows), chunk):
        part = rows[k:k + chunk]
        with engine.begin() as connection:  # Core executemany: the ORM's bulk path splits rows into small batches
            connection.execute(insert(Alert.__table__), part)
            connection.execute(insert(AlertEvent.__table__), [e for row in part for e in _fill_events(row)])


def _fill_row(i: int, alert_id: int, active: bool, now: datetime) -> dict[str, Any]:
    seen = now - (timedelta(minutes=i % 600) if active else timedelta(days=1 + i % 365, minutes=i % 720))
    status = ("open" if i % 3 else "acknowledged") if active else "resolved"
    return {"id": alert_id, "key": f"fill-{alert_id}", "title": f"fill alert {alert_id}",
            "severity": _SEVERITIES[i % 4], "domain": _DOMAINS[i % 3], "source": "patrol", "status": status,
            "version": 1 if status == "open" else 2 if status == "acknowledged" else 3, "details": {},
            "occurrences": 1 + i % 5, "first_seen": seen, "last_seen": seen, "routed_to": "leader",
            "escalation_step": 0, "impact": "", "summary": "",
            "acknowledged_at": None if status == "open" else seen + timedelta(minutes=3),
            "resolved_at": seen + timedelta(minutes=40) if status == "resolved" else None}


def _fill_events(row: dict[str, Any]) -> list[dict[str, Any]]:
    out = [{"alert_id": row["id"], "at": row["first_seen"], "actor": "system", "kind": "raised", "params": {},
            "note": ""}]
    for kind, at in (("acknowledged", row["acknowledged_at"]), ("resolved", row["resolved_at"])):
        if at is not None:
            out.append({"alert_id": row["id"], "at": at, "actor": "fill", "kind": kind, "params": {}, "note": ""})
    return out
