"""What the duty board reads from the database: the change markers its ETag is made of, the active alerts, the
people on duty now and next, the failed notifications. Each a query or two, by indexed columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlmodel import Session, col

from alerts.board import BoardAlert
from alerts.models import ACTIVE_STATUSES, Alert, AlertEvent, Handover, Notification
from desk.models import Person
from roster import service as roster
from roster.domain import OnDuty
from roster.models import RosterVersion

FAILED_WINDOW = timedelta(hours=24)


def change_markers(session: Session) -> tuple[Any, ...]:
    """One row that changes whenever anything the board shows changes: the newest timeline entry and alert (every
    transition writes one; ids are never reused), the active alerts' count and version sum (a change without a
    timeline entry), the handovers' ids, confirmations and late marks, the latest roster publish and the failed
    notifications. Every part is an index lookup or a scan of a small table."""
    active = col(Alert.status).in_(ACTIVE_STATUSES)
    parts = (
        select(func.max(AlertEvent.id)).scalar_subquery(),
        select(func.max(Alert.id)).scalar_subquery(),
        select(func.count()).select_from(Alert).where(active).scalar_subquery(),
        select(func.coalesce(func.sum(Alert.version), 0)).where(active).scalar_subquery(),
        select(func.max(Handover.id)).scalar_subquery(),
        select(func.count(col(Handover.confirmed_at))).scalar_subquery(),
        select(func.count()).select_from(Handover).where(Handover.late == True).scalar_subquery(),  # noqa: E712
        select(func.max(RosterVersion.published_at)).scalar_subquery(),
        select(func.count(col(RosterVersion.published_at))).scalar_subquery(),
        select(func.count()).select_from(Notification).where(Notification.status == "failed").scalar_subquery(),
    )
    return tuple(session.execute(select(*parts)).one())


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


def duty(session: Session, *, now: datetime, tz: str) -> tuple[OnDuty | None, OnDuty | None]:
    """Who is on duty now and on the next shift (None where no published roster covers it)."""
    return roster.on_duty_at(session, at=now, tz=tz), roster.next_on_duty_at(session, at=now, tz=tz)


def seat_of(current: OnDuty | None, username: str) -> str | None:
    """The seat (leader, info, comms) ``username`` sits on the shift now, if any."""
    if current is None:
        return None
    return next((seat for seat, names in current.people.items() if username in names), None)
