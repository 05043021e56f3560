"""The alert layer's scheduler jobs (run by the lease holder only): ``process_anomalies`` turns the patrols'
anomaly events into alerts; ``sweep`` applies due escalation steps and re-routes unacknowledged alerts whose
roster answer changed. Each opens its own transaction and never raises (the scheduler must keep running)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from alerts import bulk, service
from desk.db import session_scope
from monitoring.anomalies import mark_processed, pending_anomalies
from monitoring.models import AnomalyEventRow

log = logging.getLogger("dutydesk.alerts.jobs")
RAISING = ("problem", "flapping_start")


def process_anomalies(engine: Engine, *, now: datetime, limit: int = 500, tz: str | None = None) -> int:
    """Turn pending anomaly events into alerts (problem, flapping_start) or resolve them (recovery,
    flapping_stop), and mark them processed in the same transaction; returns how many were handled.
    The batch's new alerts are opened in bulk (:func:`alerts.bulk.open_new`), the other events one by one."""
    try:
        with session_scope(engine) as session, session.no_autoflush:  # one flush at the commit
            rows = pending_anomalies(session, limit=limit)
            lookups = service.Lookups()  # the batch's shared reads: policies, channels, people, active keys
            lookups.prefetch_active(session, [r.key for r in rows if r.kind in RAISING])
            batch = [(row.key, anomaly_request(row)) for row in rows]
            opened = _open_new(session, batch, tz=tz, lookups=lookups)
            for i, row in enumerate(rows):
                if i not in opened:
                    _apply_one(session, row, tz=tz, lookups=lookups)
            mark_processed(session, [r.id for r in rows if r.id is not None], now=now)
            return len(rows)
    except Exception:
        log.exception("alerts: anomaly events not processed (tried again next run)")
        return 0


def _open_new(session: Session, batch: list[tuple[str, bulk.Request | None]], *, tz: str | None,
              lookups: service.Lookups) -> dict[int, service.Raised]:
    """The batch's new alerts opened in bulk; an invalid one among them (checked before anything is written)
    leaves them all to the one-by-one path, which skips just that event."""
    try:
        return bulk.open_new(session, batch, tz=tz, lookups=lookups)
    except service.AlertError:
        return {}


def _apply_one(session: Session, row: AnomalyEventRow, *, tz: str | None, lookups: service.Lookups) -> None:
    try:
        apply_anomaly(session, row, tz=tz, lookups=lookups)
    except service.AlertError as exc:  # one bad event must not hold up the ones after it
        log.warning("alerts: anomaly %s (%s) skipped: %s", row.id, row.key, exc)


def anomaly_request(row: AnomalyEventRow) -> bulk.Request | None:
    """The raise an anomaly event asks for (None for a recovery or the end of flapping), timed at the event."""
    if row.kind not in RAISING:
        return None
    check = row.key.split(":", 2)[1] if row.key.count(":") >= 1 else row.key
    title = f"{check}: {row.summary.splitlines()[0] if row.summary else row.state}"
    if row.kind == "flapping_start":
        title = f"{check}: flapping ({row.state})"
    return bulk.Request(actor=service.SYSTEM, key=row.key, title=title, severity=row.severity,
                        domain=row.domain if row.domain in ("info", "comms") else None, source="patrol",
                        now=row.at, check_id=row.check_id,
                        details={"check": check, "state": row.state, "kind": row.kind, "summary": row.summary,
                                 "anomaly_id": row.id})


def apply_anomaly(session: Session, row: AnomalyEventRow, *, tz: str | None = None,
                  lookups: service.Lookups | None = None) -> None:
    """One anomaly event's effect on the alerts, timed at the event (its ``at``)."""
    request = anomaly_request(row)
    if request is None:
        service.recover(session, actor=service.SYSTEM, key=row.key, now=row.at)
        return
    bulk.raise_one(session, request, tz=tz, lookups=lookups or service.Lookups())


def sweep(engine: Engine, *, now: datetime, tz: str | None = None) -> tuple[int, int]:
    """Escalate due alerts and re-route the unacknowledged ones the roster moved; returns (escalated, routed)."""
    try:
        with session_scope(engine) as session:
            routed = service.reroute_open(session, now=now, tz=tz)
            escalated = service.escalate_due(session, now=now)
            return escalated, routed
    except Exception:
        log.exception("alerts: escalation sweep failed (tried again next run)")
        return 0, 0
