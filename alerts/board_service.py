"""What the duty board reads from the database: the change markers its ETag is made of, the active alerts, the
people on duty now and next, the failed notifications. Each a query or two, by indexed columns."""

from __future__ import annotations

import threading
import weakref
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


# --- the board's snapshot, shared by every viewer until something changes -----------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """What every viewer's board is made of at one set of change markers and one minute: the people, the duty,
    the active alerts (and each one's JSON row, in codes), the failed notifications and the late handover.
    A viewer's answer is then only its order, its filters and its language's words."""

    usernames: dict[int, str]
    people: dict[str, dict[str, str]]
    duty: Duty
    alerts: list[BoardAlert]
    rows: dict[int, dict[str, Any]]
    failed: tuple[int, list[FailedNotice]]
    change: Any  # the last shift change (alerts.handover.Change), None while no roster covers the moment
    handover: LateHandover | None  # that change's handover as stored, if any


@dataclass(frozen=True)
class LateHandover:
    """The last change's handover, late and unconfirmed (``status`` "missing" when none was written)."""

    shift_day: str
    shift_code: str
    status: str
    late: bool


# Per engine (an app's database; a test's app has its own, so a database emptied and refilled with the same ids
# never meets another's snapshot), then per key: the newest few.
_SNAPSHOTS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Snapshot]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
KEEP = 8  # snapshots kept per engine (viewers in several time zones; the newest ones)


def snapshot(session: Session, *, markers: tuple[Any, ...], now: datetime, tz: str) -> Snapshot:
    """The board's snapshot for these change markers (:func:`change_markers`) and this minute, read from the
    database once per process and kept until the markers or the minute change: after a change, the first poll
    of each worker reads it and the other viewers' polls reuse it. It is exactly as fresh as the board's ETag,
    which is made of the same markers and minute."""
    key = (markers, int(now.timestamp() // 60), tz)
    with _LOCK:
        kept = _SNAPSHOTS.setdefault(session.get_bind(), {})
        found = kept.get(key)
    if found is None:
        found = _read_snapshot(session, now=now, tz=tz)
        with _LOCK:
            while len(kept) >= KEEP:
                kept.pop(next(iter(kept)), None)
            kept[key] = found
    return found


def _read_snapshot(session: Session, *, now: datetime, tz: str) -> Snapshot:
    from alerts import board, handover_service
    from alerts import handover as handover_core

    usernames, everyone = people(session)
    current = duty(session, now=now, tz=tz)
    alerts = active_alerts(session, usernames)
    rows = {a.id: dict(board.alert_json(a, everyone), url=f"/alerts/{a.id}") for a in alerts}
    change = handover_core.last_change(now, current.shifts, tz) if current.now is not None else None
    row = handover_service.handover_for(session, change.outgoing) if change is not None else None
    stored = LateHandover(row.shift_day, row.shift_code, row.status, row.late) if row is not None else None
    return Snapshot(usernames, everyone, current, alerts, rows, failed_notifications(session, now=now), change, stored)


def late_handover(snap: Snapshot, *, now: datetime) -> LateHandover | None:
    """The last change's handover when it is late and still unconfirmed at ``now`` (the seconds count: the
    snapshot is per minute), as ``handover_service.late_handover`` says it."""
    from alerts import handover as handover_core

    row, change = snap.handover, snap.change
    if row is not None and row.late and row.status != "confirmed":
        return row
    if row is None and change is not None and handover_core.is_late(change, now):
        return LateHandover(change.outgoing.day.isoformat(), change.outgoing.code, "missing", True)
    return None
