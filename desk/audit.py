"""The append-only audit trail that every state-changing service call writes to."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from desk.models import AuditEvent


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the session; it is committed with the change it describes."""
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
    )
    session.add(event)
    return event


def recent(session: Session, *, limit: int = 100, object_type: str | None = None) -> list[AuditEvent]:
    """The newest audit events first, optionally of one object type."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return list(session.exec(query))


def changes(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each field of ``after`` that differs from ``before`` (all of them without one)."""
    before = event.before or {}
    return [(key, before.get(key), value) for key, value in (event.after or {}).items()
            if not before or before.get(key) != value]
