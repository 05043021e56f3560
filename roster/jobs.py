"""Background solves, run in the scheduler process: ``run_pending_solves(engine, now=...)``.

The page queues a draft (``job_status='queued'``); this job claims it with one conditional UPDATE (so two
scheduler processes never solve the same draft), marks it running with its progress, solves, and stores the
roster, the figures and the explanation. A failure is recorded on the draft, never raised.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from desk import audit
from desk.db import session_scope
from roster import service
from roster.models import RosterVersion

log = logging.getLogger("dutydesk.roster.jobs")
STALE_AFTER = timedelta(minutes=15)
TIME_LIMIT = 30.0


def run_pending_solves(engine: Engine, *, now: datetime, limit: int = 5, time_limit: float = TIME_LIMIT) -> int:
    """Solve up to ``limit`` queued drafts, oldest first; returns how many were solved (or failed). Never raises."""
    try:
        _fail_stale(engine, now)
        with Session(engine) as session:
            queued = list(session.exec(select(RosterVersion.id).where(RosterVersion.job_status == "queued")
                                       .order_by(col(RosterVersion.id)).limit(limit)))
    except Exception:  # the scheduler must keep running whatever the database says
        log.exception("roster: could not look for queued solves")
        return 0
    done = 0
    for version_id in queued:
        if claim(engine, version_id, now):
            _solve_one(engine, version_id, now, time_limit)
            done += 1
    return done


def claim(engine: Engine, version_id: int, now: datetime) -> bool:
    """Mark the draft running if it is still queued; True when this process won it."""
    stmt = (update(RosterVersion).where(col(RosterVersion.id) == version_id, col(RosterVersion.job_status) == "queued")
            .values(job_status="running", job_started_at=now, job_finished_at=None,
                    progress="solving: reading people, leave and the published roster"))
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1


def _progress(engine: Engine, version_id: int, text: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(RosterVersion).where(col(RosterVersion.id) == version_id).values(progress=text))


def _solve_one(engine: Engine, version_id: int, now: datetime, time_limit: float) -> None:
    """Solve one claimed draft; any error marks it failed with the reason."""
    try:
        with session_scope(engine) as session:
            version = session.get(RosterVersion, version_id)
            inputs = service.inputs_for(session, version)
        _progress(engine, version_id, f"solving: {len(inputs.people)} people, {inputs.days} days (CP-SAT)")
        from roster.solver import solve

        result = solve(inputs, time_limit=time_limit)
        with session_scope(engine) as session:
            version = session.get(RosterVersion, version_id)
            service.store_result(session, version=version, result=result)
            version.job_status = "done"
            version.progress = "solved" if result.ok else "no roster for this period"
            version.job_finished_at = _finished(now, result.wall_time)
            audit.record(session, actor="system", action="roster.solved", object_type="roster_version",
                         object_id=version_id, after={"status": result.status, "objective": result.objective,
                                                      "wall_time": round(result.wall_time, 3)})
    except Exception as exc:
        log.exception("roster: solve of version %s failed", version_id)
        _mark_failed(engine, version_id, f"failed: {type(exc).__name__}: {exc}"[:200], now)


def _finished(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=seconds)


def _mark_failed(engine: Engine, version_id: int, text: str, now: datetime) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(update(RosterVersion).where(col(RosterVersion.id) == version_id)
                         .values(job_status="failed", progress=text, job_finished_at=now))
    except Exception:
        log.exception("roster: could not mark version %s failed", version_id)


def _fail_stale(engine: Engine, now: datetime) -> None:
    """A solve still 'running' long after it started belongs to a process that died: mark it failed."""
    with engine.begin() as conn:
        conn.execute(update(RosterVersion).where(
            col(RosterVersion.job_status) == "running", col(RosterVersion.job_started_at) < now - STALE_AFTER)
            .values(job_status="failed", progress="failed: the solving process stopped; solve again"))
