"""Opening a batch's new alerts at once (an Alertmanager delivery of 100, the patrols' anomaly events of a run).

Raising alert by alert costs a round of ORM work per alert: the alert, its timeline entry, its audit event and its
notifications built as objects and inserted one by one. Here the batch's new alerts are written in one
``INSERT … ON CONFLICT DO NOTHING RETURNING`` (executemany), read back in one query, and their timeline entries,
audit events and notifications go in one multi-row INSERT each, in the caller's transaction. The result is the
same rows :func:`alerts.service.raise_alert` writes.

Only the *first* event of each key in the batch is opened here, and only when the batch's prefetch
(:meth:`service.Lookups.prefetch_active`) found no active alert for it: everything else (repeats, recoveries, a
key that lost a race to another delivery) then goes through the one-by-one services in the batch's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from alerts import escalation, service
from alerts.lifecycle import TRANSITIONS
from alerts.models import Alert, AlertEvent, Notification
from desk.models import AuditEvent
from desk.timeutil import utcnow

ALERT: Any = Alert.__table__  # type: ignore[attr-defined]
EVENT: Any = AlertEvent.__table__  # type: ignore[attr-defined]
AUDIT: Any = AuditEvent.__table__  # type: ignore[attr-defined]
NOTIFICATION: Any = Notification.__table__  # type: ignore[attr-defined]
CHUNK = 200  # alerts per INSERT: well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class Request:
    """One raise of a batch: the arguments of :func:`alerts.service.raise_alert`."""

    actor: str
    key: str
    title: str
    severity: str
    domain: str | None
    source: str
    now: datetime
    details: dict[str, Any] = field(default_factory=dict)
    integration_id: int | None = None
    check_id: int | None = None
    occurrence: str | None = None

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``service.raise_alert`` for this raise."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def raise_one(session: Session, request: Request, *, tz: str | None, lookups: service.Lookups) -> service.Raised:
    """A raise the batch did not open: ``service.raise_alert`` (a repeat, or a race lost to another delivery)."""
    return service.raise_alert(session, **request.kwargs(), tz=tz, lookups=lookups)


def openers(batch: Sequence[tuple[str, Request | None]], lookups: service.Lookups) -> dict[int, Request]:
    """The positions of the batch (``(key, raise or None for any other event)``, in order) that open a new alert:
    the first event of a key, when it is a raise and the prefetch found no active alert for the key."""
    seen: set[str] = set()
    found: dict[int, Request] = {}
    for i, (key, request) in enumerate(batch):
        if key in seen:
            continue
        seen.add(key)
        known, active = lookups.active(key)
        if request is not None and known and active is None:
            found[i] = request
    return found


def open_new(session: Session, batch: Sequence[tuple[str, Request | None]], *, tz: str | None,
             lookups: service.Lookups) -> dict[int, service.Raised]:
    """Open the new alerts of ``batch`` (see :func:`openers`) in bulk; position -> what the raise did. Positions
    missing from the answer (not openers, or their key lost a race) are the caller's to apply one by one."""
    chosen = openers(batch, lookups)
    for request in chosen.values():
        errors = service.validate_raise(key=request.key, title=request.title, severity=request.severity,
                                        domain=request.domain, source=request.source)
        if errors:
            raise service.AlertError(errors)
    positions = list(chosen)
    opened: dict[int, service.Raised] = {}
    for start in range(0, len(positions), CHUNK):
        part = positions[start:start + CHUNK]
        alerts = _insert(session, [chosen[i] for i in part], tz=tz, lookups=lookups)
        for i in part:
            if chosen[i].key in alerts:
                opened[i] = service.Raised(alerts[chosen[i].key], created=True)
        _follow_up(session, [(chosen[i], opened[i].alert) for i in part if i in opened], lookups=lookups)
    return opened


def _insert(session: Session, requests: Sequence[Request], *, tz: str | None,
            lookups: service.Lookups) -> dict[str, Alert]:
    """Insert the alerts (ON CONFLICT DO NOTHING on the active-key index); key -> the ORM alert of each inserted."""
    rows = [_alert_row(session, request, tz=tz, lookups=lookups) for request in requests]
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (dialect_insert(ALERT).on_conflict_do_nothing(index_elements=["key"], index_where=text(service.ACTIVE_SQL))
            .returning(ALERT.c.id))
    ids = list(session.connection().execute(stmt, rows).scalars())
    if not ids:
        return {}
    alerts = session.exec(select(Alert).where(col(Alert.id).in_(ids))).all()
    for alert in alerts:
        lookups.opened(alert)
    return {alert.key: alert for alert in alerts}


def _alert_row(session: Session, request: Request, *, tz: str | None, lookups: service.Lookups) -> dict[str, Any]:
    """The column values of a new routed alert (as ``service.raise_alert`` opens it)."""
    routing = service.route_for(session, request.domain, request.now, tz, lookups)
    policy = escalation.policy_for(request.severity, lookups.get("policies", lambda: service.policies(session)))
    return {
        "key": request.key, "title": request.title.strip()[:service.TITLE_MAX], "severity": request.severity,
        "domain": request.domain, "source": request.source, "integration_id": request.integration_id,
        "check_id": request.check_id, "status": "open", "version": 1, "occurrences": 1, "escalation_step": 0,
        "details": {"source": request.details or {}, "occurrence": request.occurrence, "routing": routing.as_dict()},
        "first_seen": request.now, "last_seen": request.now, "impact": "", "summary": "",
        "next_escalation_at": escalation.first_due(policy, request.now),
        **service.routing_columns(session, routing, lookups),
    }


def _follow_up(session: Session, opened: Sequence[tuple[Request, Alert]], *, lookups: service.Lookups) -> None:
    """The timeline entries, audit events and notifications of the alerts just opened, one INSERT each."""
    if not opened:
        return
    transition, stamp = TRANSITIONS["raise"], utcnow()
    events, audits, notes = [], [], []
    for request, alert in opened:
        params = {"source": alert.source, **alert.details.get("routing", {})}
        events.append({"alert_id": alert.id, "at": request.now, "actor": request.actor, "kind": transition.timeline,
                       "params": params, "note": ""})
        audits.append({"at": stamp, "actor": request.actor, "action": transition.audit, "object_type": "alert",
                       "object_id": str(alert.id), "before": None,
                       "after": {"status": alert.status, "version": alert.version, **params}})
        notes += service.raised_notifications(session, alert, now=request.now, lookups=lookups)
    connection = session.connection()
    connection.execute(insert(EVENT), events)
    connection.execute(insert(AUDIT), audits)
    if notes:
        connection.execute(insert(NOTIFICATION), notes)

