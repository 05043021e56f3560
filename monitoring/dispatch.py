"""The patrol engine of the scheduler process: one dispatcher, a bounded thread pool, one batch writer.

- The **dispatcher** thread keeps a heap of (next run time, check) and hands due checks to the pool, waking at
  most every ``DISPATCH_TICK`` (5 ms) for timed slots. It never waits for a check, so a slow or hung check
  delays nobody else's start; a check still running when its next slot comes is not started twice (its next
  slot is computed when it finishes).
- **Workers** (``DUTYDESK_PATROL_WORKERS``, default 128 threads, created only as needed) run
  ``monitoring.probes.run_check`` (blocking; Nagios plugins are subprocesses already), fold the result into the
  check's state in memory (:func:`monitoring.store.fold_result`) and queue a :class:`~monitoring.store.RunRecord`.
- The **writer** thread stores the queued records every ``batch_seconds`` (default 0.2 s) or ``batch_max``
  records, in one transaction per batch (:func:`monitoring.store.write_batch`). A failed write is retried;
  nothing is written once this process's lease has run out (another scheduler may be patrolling by then).

The scheduler process drives it with :meth:`Patrol.reload` (configuration changes) and
:meth:`Patrol.request_runs` ('run now'), and ends it with :meth:`Patrol.stop`.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from desk.timeutil import utcnow
from monitoring import store
from monitoring.maintenance import MaintenanceWindow, in_maintenance
from monitoring.probes import run_check, use_database
from monitoring.store import LoadedCheck, RunRecord

log = logging.getLogger("dutydesk.scheduler")

SPREAD_MAX = 30.0  # first runs are spread over min(interval, this) seconds, so 5,000 new checks are no burst
GOLDEN = 0.6180339887498949
MAX_PENDING = 100_000  # results kept in memory while the database refuses writes
# The dispatcher sleeps at least this long between timed wake-ups and then starts every slot due by then: at
# 500 runs/s that is a few slots per wake instead of one (each wake costs a lock, a futex and a GIL hand-off),
# for at most this much start lateness. 'Run now' and configuration changes still wake it at once.
DISPATCH_TICK = 0.005


@dataclass(frozen=True)
class Slot:
    """A planned run: when, for which check, and the 'run now' request it answers (if any)."""

    due: float
    seq: int
    check_id: int
    scheduled_at: datetime
    requested_at: datetime | None = None


def first_due(check_id: int, interval: float, now: datetime) -> datetime:
    """A check's first slot: spread evenly over ``min(interval, SPREAD_MAX)`` by its id."""
    offset = ((check_id * GOLDEN) % 1.0) * min(float(interval), SPREAD_MAX)
    return now + timedelta(seconds=offset)


class WorkerPool:
    """At most ``size`` threads fed from one queue, started only when no thread is idle.

    Leaner per task than ``concurrent.futures.ThreadPoolExecutor`` (no Future, no semaphore dance), which
    matters at hundreds of checks a second under one GIL.
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._closed = False

    def submit(self, func: Callable, *args: object) -> bool:
        """Queue ``func(*args)``; False once the pool is shut down."""
        with self._lock:
            if self._closed:
                return False
            if self._idle == 0 and len(self._threads) < self.size:
                thread = threading.Thread(target=self._work, name=f"check-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
            else:
                self._idle -= 1  # this task will take an idle thread
            self._queue.put((func, args))
        return True

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            func, args = item
            try:
                func(*args)
            finally:
                with self._lock:
                    self._idle += 1

    def shutdown(self) -> list[tuple[Callable, tuple]]:
        """Accept nothing more; return the queued tasks no thread has started, and let the threads end."""
        with self._lock:
            self._closed = True
        dropped = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                dropped.append(item)
        for _ in self._threads:
            self._queue.put(None)
        return dropped


class Patrol:
    """Runs every loaded check on its interval until :meth:`stop`. Thread-safe; see the module docstring."""

    def __init__(self, engine: Engine, *, runner: str, tz: str, workers: int = 128, batch_seconds: float = 0.2,
                 batch_max: int = 1000, run: Callable = run_check) -> None:
        self.engine, self.runner, self.tz = engine, runner, tz
        self.batch_seconds, self.batch_max, self._run_check = batch_seconds, batch_max, run
        self.checks: dict[int, LoadedCheck] = {}
        self.windows: list[MaintenanceWindow] = []
        self.stats: Counter = Counter()
        self.lost: Counter = Counter()  # results never written, by reason ('lease_lost', 'backlog')
        self._lost_lock = threading.Lock()
        use_database(engine)  # the scheduler check reads this desk's own lease
        self.lease_deadline = float("inf")  # monotonic time after which this process must not write
        self._heap: list[tuple[float, int, Slot]] = []
        self._slots: dict[int, int] = {}  # check id -> seq of its valid slot
        self._inflight: set[int] = set()
        self._waiting_requests: dict[int, datetime] = {}
        self._answered: dict[int, datetime] = {}  # the last 'run now' answered per check
        self._oneshot: set[int] = set()  # disabled checks loaded only to answer a 'run now'
        self._in_maint: dict[int, bool] = {}
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._new_in_batch = 0
        self._wake_writer = threading.Event()
        self._pool = WorkerPool(workers)
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Load every enabled check and start the dispatcher and writer threads."""
        self.reload(utcnow())
        for name, target in (("dispatcher", self._dispatch_loop), ("writer", self._writer_loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def alive(self) -> bool:
        """True while the dispatcher and writer threads run."""
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def stop(self, grace: float = 5.0) -> None:
        """Start nothing more, let running checks finish for up to ``grace`` seconds, write what is done."""
        self._stopping.set()
        with self._cv:
            self._cv.notify_all()
        for _run, (loaded, _slot) in self._pool.shutdown():  # planned but not started: dropped
            with self._cv:
                self._inflight.discard(loaded.id)
        deadline = time.monotonic() + grace
        while self._inflight_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        abandoned = self._inflight_count()
        self._results.put(None)  # the writer's last flush ends at this marker
        self._wake_writer.set()
        for thread in self._threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic() + 5))
        if abandoned:
            log.warning("stopped with %d checks still running; their results are abandoned", abandoned)

    def _inflight_count(self) -> int:
        """Checks running now."""
        with self._cv:
            return len(self._inflight)

    # ------------------------------------------------------------------------------------- configuration

    def reload(self, now: datetime) -> tuple[int, int, int]:
        """Pick up new, changed, disabled and deleted checks and the maintenance windows; (added, changed, removed)."""
        versions = store.load_versions(self.engine)
        enabled = {cid: version for cid, (version, on) in versions.items() if on}
        with self._cv:
            known = {cid: c.version for cid, c in self.checks.items() if cid not in self._oneshot}
        gone = [cid for cid in known if cid not in enabled]
        stale = [cid for cid, version in enabled.items() if known.get(cid) != version]
        fresh = store.load_checks(self.engine, stale, now=now) if stale else {}
        self.windows = store.load_windows(self.engine, self.tz)
        with self._cv:
            for cid in gone:
                self.checks.pop(cid, None)
                self._slots.pop(cid, None)
            for cid in self._oneshot & set(fresh):  # enabled since its one-off run: it joins the schedule
                self._oneshot.discard(cid)
                self.checks.pop(cid, None)
            added = sum(self._install(loaded, now) for loaded in fresh.values())
            self._cv.notify_all()
        return added, len(fresh) - added, len(gone)

    def _install(self, loaded: LoadedCheck, now: datetime) -> bool:
        """Add or update one check (under the lock); True when it is new to this process."""
        old = self.checks.get(loaded.id)
        if old is None:
            self.checks[loaded.id] = loaded
            self._in_maint[loaded.id] = in_maintenance(self.windows, loaded.spec.name, now) is not None
            if loaded.id not in self._inflight:
                self._schedule(loaded.id, self._initial_slot(loaded, now))
            return True
        # A changed definition keeps the state this process holds (the stored one may lag behind the writer).
        self.checks[loaded.id] = replace(loaded, state=old.state, last_run_at=old.last_run_at)
        if loaded.spec.interval != old.spec.interval and loaded.id not in self._inflight:
            base = old.last_run_at or now
            self._schedule(loaded.id, max(now, base + timedelta(seconds=loaded.spec.interval)))
        return False

    @staticmethod
    def _initial_slot(loaded: LoadedCheck, now: datetime) -> datetime:
        """The stored next run when still ahead (a takeover keeps the rhythm), else a spread first slot."""
        if loaded.next_run_at is not None and loaded.next_run_at >= now:
            return loaded.next_run_at
        return first_due(loaded.id, loaded.spec.interval, now)

    def request_runs(self, requests: dict[int, datetime]) -> int:
        """Queue 'run now' requests ``{check id: requested at}``; returns how many were newly queued.

        A request is answered once (it stays in the database until the batch with its run is written). A
        disabled check asked for is run once, without joining the schedule.
        """
        with self._cv:
            fresh = {cid: at for cid, at in requests.items()
                     if self._answered.get(cid) != at and self._waiting_requests.get(cid) != at}
            unknown = [cid for cid in fresh if cid not in self.checks]
        extra = store.load_checks(self.engine, unknown, now=utcnow()) if unknown else {}
        with self._cv:
            for cid, loaded in extra.items():
                if cid not in self.checks:
                    self.checks[cid] = loaded
                    self._oneshot.add(cid)
            for cid, requested in fresh.items():
                if cid not in self.checks:
                    continue
                self._waiting_requests[cid] = requested
                if cid not in self._inflight:
                    self._schedule(cid, requested, requested_at=requested, due=time.time())
            self._cv.notify_all()
        return sum(1 for cid in fresh if cid in self._waiting_requests)

    def next_due(self, cid: int) -> datetime | None:
        """When ``cid`` is planned to run next (None while it runs or when it is not patrolled)."""
        with self._cv:
            seq = self._slots.get(cid)
            return next((s.scheduled_at for _, q, s in self._heap if q == seq), None) if seq is not None else None

    # -------------------------------------------------------------------------------------------- dispatch

    def _schedule(self, cid: int, at: datetime, *, requested_at: datetime | None = None,
                  due: float | None = None) -> None:
        """Plan the next run of ``cid`` (under the lock), replacing any earlier plan."""
        seq = next(self._seq)
        slot = Slot(at.timestamp() if due is None else due, seq, cid, at, requested_at)
        self._slots[cid] = seq
        heapq.heappush(self._heap, (slot.due, seq, slot))
        if self._heap[0][1] == seq:
            self._cv.notify_all()

    def _dispatch_loop(self) -> None:
        """Hand due checks to the pool as their times come; sleep until the next one or a change."""
        with self._cv:
            while not self._stopping.is_set():
                now = time.time()
                while self._heap and self._heap[0][0] <= now:
                    self._start(heapq.heappop(self._heap)[2])
                timeout = (self._heap[0][0] - now) if self._heap else 1.0
                self._cv.wait(min(max(timeout, DISPATCH_TICK), 1.0))

    def _start(self, slot: Slot) -> None:
        """Submit one due slot (under the lock) unless it was replaced or the check is still running."""
        cid = slot.check_id
        if self._slots.get(cid) != slot.seq or cid in self._inflight or cid not in self.checks:
            return
        del self._slots[cid]
        self._inflight.add(cid)
        if not self._pool.submit(self._run, self.checks[cid], slot):  # the pool is shutting down
            self._inflight.discard(cid)

    def _run(self, loaded: LoadedCheck, slot: Slot) -> None:
        """Worker: run the check, fold the result, plan the next run, queue the record."""
        started = utcnow()
        try:
            result = self._run_check(loaded.spec)
            with self._cv:
                current = self.checks.get(loaded.id, loaded)
                was_in = self._in_maint.get(loaded.id, False)
            record = store.fold_result(replace(loaded, state=current.state), result, scheduled_at=slot.scheduled_at,
                                       started_at=started, windows=self.windows, was_in_maintenance=was_in)
            record.requested_at = slot.requested_at
            self._finish(loaded.id, record)
            self._results.put(record)
        except Exception:  # keep patrolling whatever one check does
            log.exception("check %s failed in the scheduler", loaded.spec.name)
            with self._cv:
                self._inflight.discard(loaded.id)
                if loaded.id in self.checks and loaded.id not in self._slots:  # keep it on the schedule
                    self._schedule(loaded.id, utcnow() + timedelta(seconds=loaded.spec.interval))

    def _finish(self, cid: int, record: RunRecord) -> None:
        """Keep the new state and plan the next run (a 'run now' that came in meanwhile goes first)."""
        with self._cv:
            self._inflight.discard(cid)
            self._in_maint[cid] = record.in_maintenance
            if record.requested_at is not None:
                self._answered[cid] = record.requested_at
                if self._waiting_requests.get(cid) == record.requested_at:
                    del self._waiting_requests[cid]
            check = self.checks.get(cid)
            if cid in self._oneshot and cid not in self._waiting_requests:
                self._oneshot.discard(cid)
                self.checks.pop(cid, None)
                self._slots.pop(cid, None)
                return
            if check is None:
                return
            self.checks[cid] = replace(check, state=record.state, last_run_at=record.started_at)
            waiting = self._waiting_requests.get(cid)
            if waiting is not None:
                self._schedule(cid, waiting, requested_at=waiting, due=time.time())
            elif cid not in self._slots:
                self._schedule(cid, record.next_run_at)

    # ---------------------------------------------------------------------------------------------- writer

    def _writer_loop(self) -> None:
        """Collect records and store them in batches until stopped (then store what is left)."""
        pending: list[RunRecord] = []
        counters: Counter = Counter()
        last_counters = time.monotonic()
        finished = False
        while not finished:
            finished = self._collect(pending)
            counters.update(store.counter_increments(pending[len(pending) - self._new_in_batch:]))
            flush_counters = finished or time.monotonic() - last_counters >= 2.0
            if not pending and not (flush_counters and counters):
                continue
            if self._flush(pending, counters if flush_counters else None):
                pending = []
                if flush_counters:
                    counters, last_counters = Counter(), time.monotonic()
            elif not finished:
                if len(pending) > MAX_PENDING:  # a long outage: keep the newest results, say what was lost
                    log.error("database unavailable: %d oldest results dropped", len(pending) - MAX_PENDING)
                    self._count_lost("backlog", len(pending) - MAX_PENDING)
                    del pending[:len(pending) - MAX_PENDING]
                time.sleep(1.0)

    def _collect(self, pending: list[RunRecord]) -> bool:
        """Sleep ``batch_seconds`` (unless stopping), then take what the workers queued; True at the stop marker.

        Polling instead of blocking on the queue keeps ``put`` free for the workers: waking a blocked writer
        for every record cost a futex call and a thread switch per run.
        """
        self._new_in_batch = 0
        if len(pending) < self.batch_max:
            self._wake_writer.wait(self.batch_seconds)
        while self._new_in_batch < self.batch_max:
            try:
                item = self._results.get_nowait()
            except queue.Empty:
                return False
            if item is None:
                return True
            pending.append(item)
            self._new_in_batch += 1
        return False

    def _count_lost(self, reason: str, count: int) -> None:
        with self._lost_lock:
            self.lost[reason] += count

    def take_lost(self) -> Counter:
        """The results lost since the last call, by reason (the scheduler reports them on /metrics)."""
        with self._lost_lock:
            lost, self.lost = self.lost, Counter()
        return lost

    def _flush(self, pending: list[RunRecord], counters: Counter | None) -> bool:
        """Write one batch; False (keep it for a retry) when the database refused."""
        if time.monotonic() > self.lease_deadline:
            if pending:
                log.error("lease lost during a database outage: %d results not written", len(pending))
                self._count_lost("lease_lost", len(pending))
            return True
        try:
            batch = store.write_batch(self.engine, pending, runner=self.runner, now=utcnow(), counters=counters)
        except Exception:
            log.exception("could not write %d results; retrying", len(pending))
            return False
        self.stats.update(runs=batch.runs, events=batch.events, dropped=batch.dropped, batches=1)
        self.stats["late"] += sum(1 for r in pending if (r.started_at - r.scheduled_at).total_seconds() > 1.0)
        return True
