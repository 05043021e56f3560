"""The seam between patrols and alerts: anomaly events are written here, and only here.

The scheduler folds each result into the check's state (``monitoring.state.apply_result``), drops what a
maintenance window mutes (``monitoring.maintenance.filter_events``) and hands the rest to
:func:`record_anomalies`, in the same transaction as the run that raised them. Each becomes an
:class:`AnomalyEventRow` with ``processed_at`` empty:

- ``kind``: ``problem`` (a HARD problem began, changed state, or is restated when a maintenance window or
  flapping ends), ``recovery``, ``flapping_start``, ``flapping_stop``;
- ``key``: the deduplication key (``check:<name>``, ``check:<name>:flapping``): one open alert per key;
- ``state``, ``severity``, ``domain`` (which watcher it concerns), ``summary``, ``at`` (when it was raised).

The alert layer reads :func:`pending_anomalies`, turns each into a routed alert (or resolves one on a recovery),
and marks it handled with :func:`mark_processed` in its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from monitoring import words
from monitoring.models import AnomalyEventRow, Check
from monitoring.state import AnomalyEvent


def record_anomalies(session: Session, events: Sequence[AnomalyEvent], *, now: datetime) -> list[AnomalyEventRow]:
    """Add one :class:`AnomalyEventRow` per event to ``session`` (the caller commits) and return them.

    ``now`` is when they are recorded; each row's ``at`` is its event's own time (or ``now`` if it has none).
    Events of a check that no longer exists are kept, with ``check_id`` empty.
    """
    if not events:
        return []
    names = {event.check for event in events}
    ids = dict(session.execute(select(Check.name, Check.id).where(Check.name.in_(names))).all())
    rows = [_row(event, ids.get(event.check), now) for event in events]
    session.add_all(rows)
    session.flush()
    return rows


def _row(event: AnomalyEvent, check_id: int | None, now: datetime) -> AnomalyEventRow:
    """The table row for one event."""
    return AnomalyEventRow(
        check_id=check_id,
        key=event.key,
        kind=event.kind,
        state=event.state.name,
        severity=event.severity,
        domain=event.domain,
        summary=(event.summary or (words.english(event.message) if event.message else ""))[:2000],
        message=event.message.to_dict() if event.message else None,
        at=event.time or now,
    )


def pending_anomalies(session: Session, limit: int = 100) -> list[AnomalyEventRow]:
    """The oldest events not yet processed by the alert layer, oldest first, at most ``limit``."""
    stmt = (
        select(AnomalyEventRow)
        .where(AnomalyEventRow.processed_at.is_(None))
        .order_by(AnomalyEventRow.id)
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def mark_processed(session: Session, ids: Iterable[int], *, now: datetime) -> int:
    """Mark events handled by the alert layer; returns how many were still pending."""
    id_list = list(ids)
    if not id_list:
        return 0
    stmt = (
        update(AnomalyEventRow)
        .where(AnomalyEventRow.id.in_(id_list), AnomalyEventRow.processed_at.is_(None))
        .values(processed_at=now)
    )
    return session.execute(stmt).rowcount
