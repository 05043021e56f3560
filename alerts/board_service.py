"""What the duty board reads from the database: the change markers its ETag is made of, the active alerts, the
people on duty now and next, the failed notifications. Each a query or two, by indexed columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal_column, select, text
from sqlmodel import Session, col

from alerts.board import BoardAlert
from alerts.models import ACTIVE_STATUSES, Alert, Notification
from desk.models import Person
from roster import oncall, settings_store, versions
from roster.domain import OnDuty, ShiftDef

FAILED_WINDOW = timedelta(hours=24)


# One statement, written out once: building it with SQLAlchemy's expression language on every poll cost more
# (~4 ms of compiling and cache-key work) than running it (~0.6 ms on SQLite with 100,000 closed alerts).
_MARKERS = text(
    "SELECT (SELECT max(id) FROM alertevent),"
    " (SELECT max(id) FROM alert),"
    " (SELECT count(*) FROM alert WHERE status IN ('open', 'acknowledged')),"
    " (SELECT coalesce(sum(version), 0) FROM alert WHERE status IN ('open', 'acknowledged')),"
    " (SELECT max(id) FROM handover),"
    " (SELECT count(confirmed_at) FROM handover),"
    " (SELECT count(*) FROM handover WHERE late),"
    " (SELECT max(published_at) FROM rosterversion),"
    " (SELECT count(published_at) FROM rosterversion),"
    " (SELECT count(*) FROM notification WHERE status = 'failed')"
)


def change_markers(session: Session) -> tuple[Any, ...]:
    """One row that changes whenever anything the board shows changes: the newest timeline entry and alert (every
    transition writes one; ids are never reused), the active alerts' count and version sum (a change without a
    timeline entry), the handovers' ids, confirmations and late marks, the roster publishes and the failed
    notifications. Each part is an index lookup (the active alerts by the status index) or a small table."""
    return tuple(session.execute(_MARKERS).one())


def people(session: Session) -> tuple[dict[int, str], dict[str, dict[str, str]]]:
    """(id -> username, username -> {name, phone}) of everyone: the desk has tens of people, read once."""
    rows = session.execute(select(Person.id, Person.username, Person.display_name, Person.phone)).all()
    return ({i: u for i, u, _, _ in rows}, {u: {"name": n, "phone": p or ""} for _, u, n, p in rows})


def active_alerts(session: Session, usernames: dict[int, str]) -> list[BoardAlert]:
    """Every active alert as the board shows it (columns only: no ORM objects for hundreds of rows)."""
    query = select(Alert.id, Alert.title, Alert.severity, Alert.domain, Alert.status, Alert.source,
                   Alert.occurrences, Alert.first_seen, Alert.last_seen, Alert.assignee_id, Alert.watcher_id,
                   Alert.escalation_step, Alert.acknowledged_by_id).where(col(Alert.status).in_(ACTIVE_STATUSES))
    return [BoardAlert(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], usernames.get(r[9]),
                       usernames.get(r[10]), r[11], usernames.get(r[12])) for r in session.execute(query)]


@dataclass(frozen=True)
class FailedNotice:
    """A notification the dispatcher gave up on."""

    id: int
    alert_id: int | None
    kind: str
    target: str
    error: str
    at: datetime


def failed_notifications(session: Session, *, now: datetime, limit: int = 5) -> tuple[int, list[FailedNotice]]:
    """(how many notifications failed in the last 24 hours, the newest few)."""
    recent = (Notification.status == "failed", Notification.created_at >= now - FAILED_WINDOW)
    total = session.execute(select(func.count()).select_from(Notification).where(*recent)).scalar_one()
    if not total:
        return 0, []
    query = (select(Notification.id, Notification.alert_id, Notification.kind, Notification.target,
                    Notification.last_error, Notification.created_at)
             .where(*recent).order_by(literal_column("id").desc()).limit(limit))
    return total, [FailedNotice(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class Duty:
    """Who is on duty now and on the next shift (None where no published roster covers it), and the shifts."""

    now: OnDuty | None
    next: OnDuty | None
    shifts: tuple[ShiftDef, ...]


def duty(session: Session, *, now: datetime, tz: str) -> Duty:
    """The shift now and the next one from one read of the published roster around ``now`` (what
    ``roster.duty_lookup.on_duty_at`` and ``next_on_duty_at`` each read)."""
    local = now.astimezone(ZoneInfo(tz)).date()
    rows = versions.published_assignments(session, start=local - timedelta(days=1), end=local + timedelta(days=2))
    shifts = settings_store.current(session).shifts
    return Duty(oncall.on_duty(rows, now, shifts, tz), oncall.next_on_duty(rows, now, shifts, tz), shifts)


def seat_of(current: OnDuty | None, username: str) -> str | None:
    """The seat (leader, info, comms) ``username`` sits on the shift now, if any."""
    if current is None:
        return None
    return next((seat for seat, names in current.people.items() if username in names), None)
