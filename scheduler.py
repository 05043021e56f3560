"""The patrol process: runs every enabled check on its interval. Start it beside the web app (``make run`` does).

It reads the same settings as the web app (``DATABASE_URL``, ``DUTYDESK_*``, via ``desk.settings``) and needs no
Flask app. Its work is the declarative table :data:`JOBS`, run by APScheduler's BlockingScheduler:

========================  ===========  ==============================================================
job                       every        what
========================  ===========  ==============================================================
lease                     TTL / 3      take or renew the patrol lease; start or stop patrolling
patrol                    1 s          watchdog of the patrol engine (dispatcher, pool, batch writer)
reload                    5 s          new / changed (by ``version``) / disabled / deleted checks, windows
run_now                   0.5 s        'run now' requests (``CheckStatus.run_requested_at``)
retention                 1 h          purge runs older than ``DUTYDESK_RUN_RETENTION_DAYS`` (90)
roster_solves             2 s          ``roster.jobs.run_pending_solves`` (queued roster drafts)
alert_intake              0.5 s        ``alerts.jobs.process_anomalies``: anomaly events → routed alerts
alert_sweep               5 s          ``alerts.jobs.sweep``: due escalation steps, re-routing by the roster
notifications             0.5 s        ``alerts.dispatch.dispatch_due`` (the notification outbox)
handover_sweep            20 s         ``alerts.handover_service.sweep`` (unconfirmed handovers 30 min late)
report_rollup             1 h          ``reports.service.roll_up``: each finished local day's runs, per check, once
========================  ===========  ==============================================================

Several scheduler processes may run on one database: exactly one holds the lease (``monitoring.lease``) and
patrols; the others only try to take the lease, and one takes over within ``TTL + TTL / 3`` seconds (20 s with
the default ``DUTYDESK_LEASE_TTL`` of 15) of the holder's death. The patrol itself (one dispatcher with a heap of
next-run times, a bounded thread pool, batched writes) is ``monitoring.dispatch.Patrol``.

SIGTERM or Ctrl-C: stop the jobs, let running checks finish for up to ``DUTYDESK_STOP_GRACE`` seconds (5),
write their results, release the lease (so a standby takes over at once) and exit 0. Logs go to stderr.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.exc import DBAPIError

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from alerts.dispatch import dispatch_due  # noqa: E402
from desk.db import make_engine, session_scope  # noqa: E402
from desk.settings import Settings, SettingsError, load_settings  # noqa: E402
from desk.timeutil import utcnow  # noqa: E402
from monitoring import lease, reaper, store  # noqa: E402
from monitoring.checkspec import MAX_TIMEOUT  # noqa: E402
from monitoring.dispatch import Patrol  # noqa: E402

log = logging.getLogger("dutydesk.scheduler")


def _env_number(name: str, default: float) -> float:
    """A positive number from the environment, or ``default``."""
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


class Runtime:
    """This process's state: settings, engine, lease holder id, and the patrol while it holds the lease."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        self.holder = lease.make_holder()
        self.ttl = lease.lease_ttl()
        self.lease_every = self.ttl / 3
        self.workers = int(_env_number("DUTYDESK_PATROL_WORKERS", 128))
        self.patrol: Patrol | None = None
        self.closing = False
        self._lock = threading.Lock()
        self._said: set[str] = set()
        self._last_stats = time.monotonic()
        self.unreported_lost: Counter = Counter()  # results lost that /metrics does not count yet

    def say_once(self, key: str, message: str, *args: object) -> None:
        """Log ``message`` the first time ``key`` comes up (until :meth:`forget` it)."""
        if key not in self._said:
            self._said.add(key)
            log.info(message, *args)

    def forget(self, key: str) -> None:
        """Let :meth:`say_once` say ``key`` again."""
        self._said.discard(key)

    # ---------------------------------------------------------------------------------------------- jobs

    def keep_lease(self) -> None:
        """Take or renew the lease; start patrolling on getting it, stop on losing it."""
        with self._lock:
            if self.closing:
                return
            asked = time.monotonic()
            try:
                held = lease.acquire(self.engine, holder=self.holder, now=utcnow(), ttl=self.ttl)
            except DBAPIError:
                if self.patrol is not None and time.monotonic() > self.patrol.lease_deadline:
                    log.error("lease expired while the database was unreachable: patrol stopped")
                    self._stop_patrol()
                raise
            self._report_lost()  # the database answered: a good time to count what an outage cost
            if held and self.patrol is None:
                self._start_patrol()
            elif not held and self.patrol is not None:
                log.warning("lease lost to another scheduler: patrol stopped")
                self._stop_patrol()
            if held:
                self.patrol.lease_deadline = asked + self.ttl  # type: ignore[union-attr]
            else:
                current = lease.current(self.engine)
                self.say_once("standby", "standby: %s patrols; taking over if it stops",
                              current.holder if current else "?")

    def _start_patrol(self) -> None:
        """Begin patrolling as the lease holder."""
        log.info("lease acquired: patrolling as %s (TTL %.1f s)", self.holder, self.ttl)
        self.forget("standby")
        self.patrol = Patrol(self.engine, runner=self.holder, tz=self.settings.timezone, workers=self.workers)
        self.patrol.lease_deadline = time.monotonic() + self.ttl
        self.patrol.start()
        gc.freeze()  # the loaded checks live as long as the patrol: keep them out of every collection
        self._report_checks()

    def _stop_patrol(self) -> None:
        """Stop the patrol engine (keeping the lease decision to the caller)."""
        patrol, self.patrol = self.patrol, None
        if patrol is not None:
            patrol.stop(grace=_env_number("DUTYDESK_STOP_GRACE", 5.0))
            self.unreported_lost.update(patrol.take_lost())

    def _report_lost(self) -> None:
        """Add the results lost so far to the /metrics counter; kept for the next try if the database fails."""
        if self.patrol is not None:
            self.unreported_lost.update(self.patrol.take_lost())
        if not self.unreported_lost:
            return
        lost, self.unreported_lost = self.unreported_lost, Counter()
        try:
            store.record_lost(self.engine, lost)
        except DBAPIError:
            self.unreported_lost.update(lost)
            raise
        log.warning("counted on /metrics: %s results not written",
                    ", ".join(f"{n} ({reason})" for reason, n in sorted(lost.items())))

    def _report_checks(self) -> None:
        """Say how many checks are patrolled, or 'no checks yet' once."""
        count = len(self.patrol.checks) if self.patrol else 0
        if count == 0:
            self.say_once("no-checks", "no checks yet: waiting for checks to be added")
        else:
            self.forget("no-checks")
            self.say_once(f"count-{count}", "patrolling %d checks", count)

    def watch_patrol(self) -> None:
        """Restart a patrol engine whose threads died; log throughput once a minute; reap adopted orphans."""
        reaper.reap_orphans(kill_older_than=MAX_TIMEOUT + 5)
        patrol = self.patrol
        if patrol is None:
            return
        if not patrol.alive():
            log.error("patrol engine stopped unexpectedly: restarting it")
            with self._lock:
                self._stop_patrol()
                self._start_patrol()
            return
        if time.monotonic() - self._last_stats >= 60:
            self._last_stats = time.monotonic()
            stats = dict(patrol.stats)
            log.info("last minute: %s", ", ".join(f"{k} {v}" for k, v in sorted(stats.items())) or "nothing")
            patrol.stats.clear()

    def reload_checks(self) -> None:
        """Apply configuration changes made in the web app."""
        if self.patrol is None:
            return
        added, changed, removed = self.patrol.reload(utcnow())
        if added or changed or removed:
            log.info("checks reloaded: %d added, %d changed, %d removed", added, changed, removed)
        self._report_checks()

    def run_requested(self) -> None:
        """Start the checks someone asked to run now."""
        if self.patrol is None:
            return
        requests = store.run_requests(self.engine)
        if requests and self.patrol.request_runs(requests):
            log.info("run now: %s", ", ".join(str(cid) for cid in sorted(requests)))

    def purge_history(self) -> int:
        """Delete runs older than the retention period."""
        if self.patrol is None:
            return 0
        cutoff = utcnow() - timedelta(days=self.settings.run_retention_days)
        purged = store.purge_runs(self.engine, older_than=cutoff)
        if purged:
            log.info("retention: %d runs older than %d days purged", purged, self.settings.run_retention_days)
        return purged

    def roster_solves(self) -> None:
        """Solve queued roster drafts (only the lease holder does, so a draft is solved once)."""
        solver = roster_solver()
        if self.patrol is None or solver is None:
            return
        solved = solver(self.engine, now=utcnow())
        if solved:
            log.info("roster: %d queued drafts solved", solved)

    def alert_intake(self) -> None:
        """Turn the patrols' anomaly events into routed alerts (lease holder only, so each is handled once)."""
        if self.patrol is None:
            return
        from alerts.jobs import process_anomalies

        process_anomalies(self.engine, now=utcnow(), tz=self.settings.timezone)

    def alert_sweep(self) -> None:
        """Apply due escalation steps and re-route unacknowledged alerts the roster moved (lease holder only)."""
        if self.patrol is None:
            return
        from alerts.jobs import sweep

        escalated, routed = sweep(self.engine, now=utcnow(), tz=self.settings.timezone)
        if escalated or routed:
            log.info("alerts: %d escalation steps, %d re-routed", escalated, routed)

    def send_notifications(self) -> None:
        """Deliver due notifications of the outbox (only the lease holder does, so each is sent once)."""
        if self.patrol is None:
            return
        report = dispatch_due(self.engine, now=utcnow(), settings=self.settings)
        if report.claimed:
            log.info("notifications: %d sent, %d to retry, %d failed", report.sent, report.retried, report.failed)

    def handover_sweep(self) -> None:
        """Move the alerts of a handover still unconfirmed 30 minutes after the change (lease holder only)."""
        if self.patrol is None:
            return
        from alerts.handover_service import sweep

        done = sweep(self.engine, now=utcnow(), tz=self.settings.timezone)
        if done:
            log.info("handover: %s handover recorded, active alerts moved to the incoming leader", done)

    def report_rollup(self) -> None:
        """Roll up every finished local day's patrol runs per check, so the reports keep their figures after
        the runs are purged (lease holder only; idempotent)."""
        if self.patrol is None:
            return
        from reports.service import roll_up

        today = utcnow().astimezone(ZoneInfo(self.settings.timezone)).date()
        with session_scope(self.engine) as session:
            days = roll_up(session, until=today, tz=self.settings.timezone)
        if days:
            log.info("reports: patrol runs of %d days rolled up", len(days))

    def close(self) -> None:
        """Stop patrolling and give the lease up."""
        with self._lock:
            self.closing = True
            was_holder = self.patrol is not None
            self._stop_patrol()
            if was_holder:
                lease.release(self.engine, holder=self.holder)
            with contextlib.suppress(DBAPIError):
                self._report_lost()
        self.engine.dispose()


_ROSTER: list[Callable | None] = []


def roster_solver() -> Callable | None:
    """``roster.jobs.run_pending_solves`` when the roster package provides it, else None (said once)."""
    if not _ROSTER:
        try:
            from roster.jobs import run_pending_solves
        except ImportError as exc:
            log.info("roster solve job not available (%s): skipped", exc)
            run_pending_solves = None
        _ROSTER.append(run_pending_solves)
    return _ROSTER[0]


@dataclass(frozen=True)
class Job:
    """One row of the job table: a Runtime method run every ``every`` seconds (or Runtime attribute name)."""

    name: str
    func: Callable[[Runtime], object]
    every: float | str
    first_after: float = 0.0


JOBS: tuple[Job, ...] = (
    Job("lease", Runtime.keep_lease, "lease_every"),
    Job("patrol", Runtime.watch_patrol, 1.0, first_after=1.0),
    Job("reload", Runtime.reload_checks, 5.0, first_after=5.0),
    Job("run_now", Runtime.run_requested, 0.5, first_after=0.5),
    Job("retention", Runtime.purge_history, 3600.0, first_after=60.0),
    Job("roster_solves", Runtime.roster_solves, 2.0, first_after=2.0),
    Job("alert_intake", Runtime.alert_intake, 0.5, first_after=1.0),
    Job("alert_sweep", Runtime.alert_sweep, 5.0, first_after=3.0),
    Job("notifications", Runtime.send_notifications, 0.5, first_after=0.5),
    Job("handover_sweep", Runtime.handover_sweep, 20.0, first_after=10.0),
    Job("report_rollup", Runtime.report_rollup, 3600.0, first_after=120.0),
)


def _guarded(job: Job, runtime: Runtime) -> Callable[[], None]:
    """The job's function bound to ``runtime``; an error is logged and the job runs again next time."""

    def run() -> None:
        try:
            job.func(runtime)
        except DBAPIError as exc:  # database down or locked: one line, the job tries again next time
            log.error("job %s: database error: %s", job.name, str(exc.orig or exc).splitlines()[0])
        except Exception:
            log.exception("job %s failed", job.name)

    return run


def build_scheduler(runtime: Runtime, jobs: tuple[Job, ...] = JOBS) -> BlockingScheduler:
    """An APScheduler BlockingScheduler with every job of the table."""
    scheduler = BlockingScheduler(
        executors={"default": ThreadPoolExecutor(len(jobs) + 2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
        timezone="UTC",
    )
    now = utcnow()
    for job in jobs:
        seconds = float(getattr(runtime, job.every) if isinstance(job.every, str) else job.every)
        scheduler.add_job(_guarded(job, runtime), "interval", seconds=seconds, id=job.name, name=job.name,
                          next_run_time=now + timedelta(seconds=job.first_after))
    return scheduler


def main() -> int:
    """Run the job table until SIGTERM or Ctrl-C."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s scheduler %(levelname)s %(message)s")
    for noisy in ("apscheduler", "httpx", "httpcore"):  # one line per job run / HTTP check is not a log
        logging.getLogger(noisy).setLevel(logging.WARNING if noisy != "apscheduler" else logging.ERROR)
    try:
        settings = load_settings(instance_path=ROOT / "instance")
    except SettingsError as exc:
        log.error("%s", exc)
        return 2
    runtime = Runtime(settings)
    if not reaper.become_subreaper():  # plugins that detach are adopted here and killed at their timeout
        log.warning("cannot become a child subreaper (not Linux?): a plugin that detaches may outlive its timeout")
    gc.set_threshold(10_000, 20, 20)  # fewer collections: a patrol allocates many short-lived objects per run
    # A thread whose check has finished waits for the GIL up to the switch interval (5 ms by default) while the
    # writer or another thread runs Python: 1 ms keeps recorded durations close to the check's own time.
    sys.setswitchinterval(0.001)
    gc.freeze()
    scheduler = build_scheduler(runtime)
    stopping = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        if stopping.is_set():
            return
        stopping.set()
        log.info("%s: stopping", signal.Signals(signum).name)
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": False}, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler %s started (lease TTL %.1f s, %d workers)", runtime.holder, runtime.ttl, runtime.workers)
    scheduler.start()
    runtime.close()
    log.info("scheduler stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
