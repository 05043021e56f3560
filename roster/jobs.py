"""Background solves, run in the scheduler process: ``run_pending_solves(engine, now=...)``.

The page queues a draft (``job_status='queued'``); this job claims it with one conditional UPDATE (so two
scheduler processes never solve the same draft), marks it running with its progress, solves, and stores the
roster, the figures and the explanation. A failure is recorded on the draft, never raised.

While it solves, a thread writes a heartbeat on the draft every few seconds; a solve whose heartbeat is older than
``STALE_AFTER`` belongs to a process that died, and the next run marks it failed with the reason (``is_stale``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from desk import audit
from desk.db import session_scope
from desk.timeutil import utcnow
from roster import concurrency, drafts, solve_inputs, stored_text
from roster.models import RosterVersion

log = logging.getLogger("dutydesk.roster.jobs")
STALE_AFTER = timedelta(seconds=60)
HEARTBEAT_EVERY = 5.0
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
            .values(job_status="running", job_started_at=now, job_finished_at=None, job_heartbeat_at=now,
                    progress=stored_text.encode("reading")))
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1


def _progress(engine: Engine, version_id: int, text: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(RosterVersion).where(col(RosterVersion.id) == version_id).values(progress=text))


@contextmanager
def heartbeat(engine: Engine, version_id: int, *, every: float = HEARTBEAT_EVERY,
              clock: Callable[[], datetime] = utcnow) -> Iterator[None]:
    """While the block runs, a thread writes a sign of life on the running draft now and every ``every`` s."""
    stop = threading.Event()

    def beat() -> None:
        while True:
            _beat(engine, version_id, clock())
            if stop.wait(every):
                return

    thread = threading.Thread(target=beat, name=f"roster-heartbeat-{version_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


def _beat(engine: Engine, version_id: int, at: datetime) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(update(RosterVersion).where(col(RosterVersion.id) == version_id,
                                                     col(RosterVersion.job_status) == "running")
                         .values(job_heartbeat_at=at))
    except Exception:  # a missed beat is retried at the next one; the solve goes on
        log.exception("roster: heartbeat of version %s not written", version_id)


def _solve_one(engine: Engine, version_id: int, now: datetime, time_limit: float) -> None:
    """Solve one claimed draft; any error marks it failed with the reason."""
    try:
        with heartbeat(engine, version_id):
            with session_scope(engine) as session:
                version = session.get(RosterVersion, version_id)
                inputs = solve_inputs.inputs_for(session, version)
            _progress(engine, version_id, stored_text.encode("solving", people=len(inputs.people), days=inputs.days))
            from roster.solver import solve

            result = solve(inputs, time_limit=time_limit)
        with session_scope(engine) as session:
            if not concurrency.transition(session, RosterVersion, version_id, field="job_status", allowed=("running",),
                                      values={"job_status": "done", "job_finished_at": _finished(now, result.wall_time),
                                              "progress": stored_text.encode("solved" if result.ok else "no_roster")}):
                log.warning("roster: result of version %s dropped: the solve was no longer running", version_id)
                return
            version = session.get(RosterVersion, version_id)
            drafts.store_result(session, version=version, result=result)
            audit.record(session, actor="system", action="roster.solved", object_type="roster_version",
                         object_id=version_id, after={"status": result.status, "objective": result.objective,
                                                      "wall_time": round(result.wall_time, 3)})
    except Exception as exc:
        log.exception("roster: solve of version %s failed", version_id)
        _mark_failed(engine, version_id, stored_text.encode("error", error=f"{type(exc).__name__}: {exc}"), now)


def _finished(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=seconds)


def _mark_failed(engine: Engine, version_id: int, text: str, now: datetime) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(update(RosterVersion).where(col(RosterVersion.id) == version_id,
                                                     col(RosterVersion.job_status) == "running")
                         .values(job_status="failed", progress=text, job_finished_at=now))
    except Exception:
        log.exception("roster: could not mark version %s failed", version_id)


def is_stale(*, job_status: str | None, started_at: datetime | None, heartbeat_at: datetime | None,
             now: datetime, after: timedelta = STALE_AFTER) -> bool:
    """Whether a solve belongs to a process that died: still running at ``now`` with no sign of life (its last
    heartbeat, or its start when it never beat) for longer than ``after``."""
    if job_status != "running":
        return False
    last = heartbeat_at or started_at
    return last is None or now - last > after


def _fail_stale(engine: Engine, now: datetime) -> None:
    """Mark the solves whose process died (``is_stale``) failed, each with the time of its last sign of life."""
    last = func.coalesce(RosterVersion.job_heartbeat_at, RosterVersion.job_started_at)
    with Session(engine) as session:
        rows = session.exec(select(RosterVersion).where(RosterVersion.job_status == "running",
                                                        last < now - STALE_AFTER)).all()
        for v in rows:
            if is_stale(job_status=v.job_status, started_at=v.job_started_at, heartbeat_at=v.job_heartbeat_at,
                        now=now):
                since = v.job_heartbeat_at or v.job_started_at
                reason = stored_text.encode("stalled", since=f"{since:%Y-%m-%d %H:%M:%S}")
                concurrency.transition(session, RosterVersion, v.id, field="job_status", allowed=("running",),
                                   also=(last == since,), values={"job_status": "failed", "job_finished_at": now,
                                                                   "progress": reason})
        session.commit()
