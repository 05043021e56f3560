"""The patrol engine in process (real threads, real database): run now, a slow check delays nobody,
no check runs twice at once, configuration changes without a restart, stop."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from desk.db import make_engine
from desk.timeutil import utcnow
from monitoring.checkspec import CheckResult, CheckSpec, State
from monitoring.dispatch import Patrol, first_due
from monitoring.models import Check, CheckRun, CheckStatus
from monitoring.probes import run_check
from tests.monitoring.patrol_helpers import add_check, run_count, tcp_spec, wait_for

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


class FakeProbe:
    """Stands in for run_check: 'slow*' checks take ``slow`` seconds, or, with ``hold``, run until
    :attr:`release` is set; tracks concurrency and start order."""

    def __init__(self, slow: float = 2.0, hold: bool = False) -> None:
        self.slow, self.hold, self.lock = slow, hold, threading.Lock()
        self.release = threading.Event()
        self.running: Counter = Counter()
        self.max_running: Counter = Counter()
        self.started: dict[str, list[float]] = {}
        self.finished: list[str] = []

    def __call__(self, spec: CheckSpec) -> CheckResult:
        with self.lock:
            self.running[spec.name] += 1
            self.max_running[spec.name] = max(self.max_running[spec.name], self.running[spec.name])
            self.started.setdefault(spec.name, []).append(time.monotonic())
        if spec.name.startswith("slow") and self.hold:
            self.release.wait(60)
        elif spec.name.startswith("slow"):
            time.sleep(self.slow)  # a check that takes this long (not a wait to prove nothing happened)
        with self.lock:
            self.running[spec.name] -= 1
            self.finished.append(spec.name)
        return CheckResult(State.OK, f"{spec.name} fine", duration=0.001)


@pytest.fixture
def patrols():
    started = []

    def make(engine, **kwargs) -> Patrol:
        patrol = Patrol(engine, runner="test:1:p", tz="Asia/Shanghai", batch_seconds=0.05, **kwargs)
        patrol.start()
        started.append(patrol)
        return patrol

    yield make
    for patrol in started:
        patrol.stop(grace=3)


def test_run_now_and_failing_checks_never_stop_the_others(engine, patrols, tcp_port):
    good = add_check(engine, tcp_spec("good", tcp_port))
    missing = add_check(engine, CheckSpec("missing", "nagios", params={"command": ["/usr/lib/nagios/plugins/check_x"]}))
    broken = add_check(engine, tcp_spec("broken", 80, host="no-such-host.invalid"))
    patrol = patrols(engine)
    asked = T0
    patrol.request_runs({good: asked, missing: asked, broken: asked})
    wait_for(lambda: all(run_count(engine, c) for c in (good, missing, broken)), 10)
    with Session(engine) as session:
        states = {s.check_id: (s.state, s.last_summary) for s in session.execute(select(CheckStatus)).scalars()}
    assert states[good][0] == "OK"
    assert states[missing][0] == "UNKNOWN" and states[missing][1].startswith("no such plugin")
    assert states[broken][0] == "UNKNOWN" and "cannot resolve" in states[broken][1]


def test_slow_check_delays_nobody_and_never_runs_twice_at_once(engine, patrols):
    probe = FakeProbe(hold=True)  # 'slow' runs until released: the others must finish while it hangs
    ids = {name: add_check(engine, tcp_spec(name, 1)) for name in ("slow", "a", "b", "c")}
    patrol = patrols(engine, run=probe)
    patrol.request_runs({ids["slow"]: T0})
    wait_for(lambda: probe.running["slow"], 30)
    patrol.request_runs({ids[n]: T0 for n in "abc"})
    assert patrol.request_runs({ids["slow"]: T0 + timedelta(seconds=1)}) == 1  # queued, not started
    wait_for(lambda: all(run_count(engine, ids[n]) for n in "abc"), 30)
    assert probe.running["slow"] == 1 and len(probe.started["slow"]) == 1  # still the first run, still hung
    probe.release.set()
    wait_for(lambda: run_count(engine, ids["slow"]) == 2, 30)
    assert probe.max_running["slow"] == 1
    assert probe.finished.index("slow") < len(probe.finished) - 1  # the second run began after the first ended


def test_configuration_changes_apply_without_restart(engine, patrols, tcp_port):
    probe = FakeProbe()
    first = add_check(engine, tcp_spec("first", tcp_port))
    patrol = patrols(engine, run=probe)
    assert set(patrol.checks) == {first}
    second = add_check(engine, tcp_spec("second", tcp_port, interval=30))
    with Session(engine) as session:
        session.execute(update(Check).where(Check.id == first).values(
            version=Check.version + 1, interval=60, spec={**session.get(Check, first).spec, "interval": 60}))
        session.commit()
    assert patrol.reload(utcnow()) == (1, 1, 0)  # the engine plans on the real clock
    assert patrol.checks[first].spec.interval == 60 and patrol.checks[first].version == 2
    with Session(engine) as session:
        session.execute(update(Check).where(Check.id == first).values(enabled=False, version=Check.version + 1))
        session.execute(CheckStatus.__table__.delete().where(CheckStatus.check_id == second))
        session.execute(Check.__table__.delete().where(Check.id == second))
        session.commit()
    assert patrol.reload(utcnow()) == (0, 0, 2)
    assert patrol.checks == {}
    patrol.request_runs({first: T0})  # disabled but asked for: runs once, stays off the schedule
    wait_for(lambda: run_count(engine, first) == 1, 30)
    assert patrol.checks == {}
    assert patrol.request_runs({first: T0}) == 0  # the same request seen again before its flag is cleared
    assert patrol.checks == {} and patrol.next_due(first) is None  # nothing queued: no rerun can come
    assert len(probe.started["first"]) == 1


def test_each_run_now_request_is_answered_once(engine, patrols, tcp_port):
    probe = FakeProbe()
    cid = add_check(engine, tcp_spec("once", tcp_port, interval=60))
    patrol = patrols(engine, run=probe)
    # the run_now job polls every 0.5 s until the writer clears the flag: the same request comes back
    queued = [patrol.request_runs({cid: T0}) for _ in range(5)]
    wait_for(lambda: run_count(engine, cid) == 1, 30)
    queued.append(patrol.request_runs({cid: T0}))  # seen again after it was answered
    assert queued == [1, 0, 0, 0, 0, 0] and len(probe.started["once"]) == 1
    assert patrol.next_due(cid) is not None and patrol.next_due(cid) > T0 + timedelta(seconds=59)


def test_first_runs_are_spread_over_the_interval():
    now = T0
    offsets = sorted((first_due(i, 10, now) - now).total_seconds() for i in range(1, 1001))
    assert 0 <= offsets[0] < 0.05 and 9.95 < offsets[-1] < 10
    gaps = [b - a for a, b in itertools.pairwise(offsets)]
    assert max(gaps) < 0.05  # evenly spread: no burst, no hole


def test_periodic_runs_keep_their_rhythm(engine, patrols, tcp_port):
    cid = add_check(engine, tcp_spec("tick", tcp_port, interval=5))
    patrol = patrols(engine, run=run_check)
    patrol.request_runs({cid: utcnow()})  # the engine runs on the real clock: its rhythm is what is checked
    wait_for(lambda: run_count(engine, cid) >= 1, 5)
    with Session(engine) as session:
        run = session.execute(select(CheckRun)).scalars().one()
        status = session.get(CheckStatus, cid)
    # the next slot is one interval after the planned one (not after the start), so runs do not drift
    assert patrol.next_due(cid) == run.scheduled_at + timedelta(seconds=5) == status.next_run_at


def test_stop_writes_finished_runs(engine, patrols):
    probe = FakeProbe(slow=0.5)
    cid = add_check(engine, tcp_spec("slow-stop", 1))
    patrol = patrols(engine, run=probe)
    patrol.request_runs({cid: T0})
    wait_for(lambda: probe.running["slow-stop"], 5)
    patrol.stop(grace=3)
    assert run_count(engine, cid) == 1 and not patrol.alive()


def test_an_engine_error_keeps_the_check_on_the_schedule(engine, patrols, caplog):
    def broken(spec):
        raise RuntimeError("bug in a probe")

    cid = add_check(engine, tcp_spec("buggy", 1))
    patrol = patrols(engine, run=broken)
    patrol.request_runs({cid: T0})
    wait_for(lambda: "bug in a probe" in caplog.text, 5)
    wait_for(lambda: patrol.next_due(cid) is not None, 5)
    assert patrol.alive()
