"""Patrol results persisted end to end: SOFT → HARD → recovery against a real TCP server, maintenance windows,
anomaly events, and checks that cannot run. Time is passed in; the probes are real."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from desk.db import make_engine
from monitoring import anomalies, store
from monitoring.checkspec import CheckResult, CheckSpec, State
from monitoring.maintenance import MaintenanceWindow
from monitoring.models import AnomalyEventRow, Check, CheckRun, CheckStatus, MaintenanceWindowRow
from monitoring.probes import run_check
from tests.monitoring.patrol_helpers import add_check, tcp_spec

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


class Service:
    """A TCP service on a fixed local port that can be taken down and brought back."""

    def __init__(self) -> None:
        self.sock: socket.socket | None = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def down(self) -> None:
        self.sock.close()
        self.sock = None

    def up(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", self.port))


@pytest.fixture
def service():
    svc = Service()
    yield svc
    if svc.sock:
        svc.sock.close()


def patrol_once(engine, check_id, now, *, windows=(), was_in=False, result=None):
    """One scheduler step as the patrol does it, from the stored state: run, fold, write."""
    loaded = store.load_checks(engine, [check_id], now=now)[check_id]
    result = result or run_check(loaded.spec)
    record = store.fold_result(loaded, result, scheduled_at=now, started_at=now, windows=list(windows),
                               was_in_maintenance=was_in)
    store.write_batch(engine, [record], runner="test:1:x", now=now)
    return record


def _status(engine, check_id):
    with Session(engine) as session:
        return session.get(CheckStatus, check_id)


def _events(engine):
    with Session(engine) as session:
        return [(e.kind, e.state, e.key) for e in session.execute(
            select(AnomalyEventRow).order_by(AnomalyEventRow.id)).scalars()]


def test_soft_hard_recovery_persisted(engine, service):
    cid = add_check(engine, tcp_spec("svc", service.port, max_attempts=3, retry_interval=5, recovery_threshold=2))
    steps = []
    plan = ["up", "down", "down", "down", "down", "up", "up"]
    for i, action in enumerate(plan):
        if action == "up" and service.sock is None:
            service.up()
        if action == "down" and service.sock is not None:
            service.down()
        record = patrol_once(engine, cid, T0 + timedelta(seconds=10 * i))
        steps.append((record.result.state.name, record.state.state_type, record.state.attempt))
    assert steps == [("OK", "HARD", 1), ("CRITICAL", "SOFT", 1), ("CRITICAL", "SOFT", 2), ("CRITICAL", "HARD", 3),
                     ("CRITICAL", "HARD", 3), ("OK", "SOFT", 1), ("OK", "HARD", 1)]
    assert _events(engine) == [("problem", "CRITICAL", "check:svc"), ("recovery", "OK", "check:svc")]
    status = _status(engine, cid)
    assert (status.state, status.hard_state, status.state_type) == ("OK", "OK", "HARD")
    assert status.since == T0 + timedelta(seconds=60) and status.last_run_at == T0 + timedelta(seconds=60)
    assert status.next_run_at == T0 + timedelta(seconds=65)  # back to the normal interval
    assert status.history == ["OK", "CRITICAL", "CRITICAL", "CRITICAL", "CRITICAL", "OK", "OK"]
    with Session(engine) as session:
        runs = session.execute(select(CheckRun).order_by(CheckRun.started_at)).scalars().all()
    assert [r.state_type for r in runs] == ["HARD", "SOFT", "SOFT", "HARD", "HARD", "SOFT", "HARD"]
    assert all(r.runner == "test:1:x" and r.scheduled_at == r.started_at for r in runs)
    assert "Connection refused" in runs[1].summary or "refused" in runs[1].summary.lower()


def test_soft_problem_uses_the_retry_interval(engine, service):
    cid = add_check(engine, tcp_spec("svc", service.port, interval=60, retry_interval=7, max_attempts=3))
    service.down()
    record = patrol_once(engine, cid, T0)
    assert record.next_run_at == T0 + timedelta(seconds=7)
    assert _status(engine, cid).next_run_at == T0 + timedelta(seconds=7)


def test_maintenance_mutes_events_and_restates_a_problem_when_it_ends(engine, service):
    cid = add_check(engine, tcp_spec("svc", service.port, max_attempts=2))
    window = MaintenanceWindow.one_off(T0, T0 + timedelta(minutes=5), "li", "switch upgrade", ["svc"])
    service.down()
    first = patrol_once(engine, cid, T0 + timedelta(seconds=10), windows=[window])
    second = patrol_once(engine, cid, T0 + timedelta(seconds=20), windows=[window], was_in=first.in_maintenance)
    assert first.in_maintenance and second.in_maintenance and second.state.state_type == "HARD"
    assert _events(engine) == []  # muted, but both runs recorded and flagged
    with Session(engine) as session:
        assert [r.in_maintenance for r in session.execute(select(CheckRun)).scalars()] == [True, True]
    after = patrol_once(engine, cid, T0 + timedelta(minutes=6), windows=[window], was_in=second.in_maintenance)
    assert not after.in_maintenance
    assert _events(engine) == [("problem", "CRITICAL", "check:svc")]


def test_windows_are_read_from_their_rows(engine):
    with Session(engine) as session:
        session.add(MaintenanceWindowRow(kind="weekly", weekdays="0,6", start_time="02:00", duration_minutes=90,
                                         checks=["svc"], author="li", reason="backup"))
        session.add(MaintenanceWindowRow(kind="one_off", starts_at=T0, ends_at=T0 + timedelta(hours=1),
                                         author="wang", reason="move", active=False))
        session.commit()
    [weekly] = store.load_windows(engine, "Asia/Shanghai")
    assert weekly.weekdays == (0, 6) and weekly.duration == timedelta(minutes=90) and weekly.checks == ("svc",)
    monday_0230_shanghai = datetime(2026, 11, 1, 18, 30, tzinfo=UTC)  # Monday 02:30 in Shanghai
    assert weekly.active_at(monday_0230_shanghai)


@pytest.mark.parametrize("spec, reason", [
    (CheckSpec("no-plugin", "nagios", params={"command": ["/nonexistent/check_x"]}), "allowed plugin directory"),
    (CheckSpec("gone", "nagios", params={"command": ["/usr/lib/nagios/plugins/check_gone"]}), "no such plugin"),
    (CheckSpec("bad-host", "tcp", params={"host": "no-such-host.invalid", "port": 80}, timeout=2), "cannot resolve"),
])
def test_a_check_that_cannot_run_is_unknown_with_its_reason(engine, spec, reason):
    cid = add_check(engine, spec)
    record = patrol_once(engine, cid, T0)
    status = _status(engine, cid)
    assert status.state == "UNKNOWN" and reason in status.last_summary
    assert record.result.state == State.UNKNOWN


def test_deleted_check_results_are_dropped_not_fatal(engine, service):
    keep = add_check(engine, tcp_spec("keep", service.port))
    gone = add_check(engine, tcp_spec("gone", service.port))
    loaded = store.load_checks(engine, None, now=T0)
    records = [store.fold_result(loaded[c], CheckResult(State.OK, "ok"), scheduled_at=T0, started_at=T0,
                                 windows=[], was_in_maintenance=False) for c in (keep, gone)]
    with Session(engine) as session:
        session.execute(CheckStatus.__table__.delete().where(CheckStatus.check_id == gone))
        session.execute(CheckRun.__table__.delete().where(CheckRun.check_id == gone))
        session.execute(Check.__table__.delete().where(Check.id == gone))
        session.commit()
    batch = store.write_batch(engine, records, runner="t", now=T0)
    assert (batch.runs, batch.dropped) == (1, 1)
    assert _status(engine, keep).last_summary == "ok"


def test_status_row_created_when_missing(engine, service):
    cid = add_check(engine, tcp_spec("bare", service.port), status=False)
    patrol_once(engine, cid, T0)
    assert _status(engine, cid).state == "OK"


def test_run_now_request_cleared_only_by_the_run_that_answered_it(engine, service):
    cid = add_check(engine, tcp_spec("svc", service.port))
    with Session(engine) as session:
        session.get(CheckStatus, cid).run_requested_at = T0
        session.commit()
    assert store.run_requests(engine) == {cid: T0}
    loaded = store.load_checks(engine, [cid], now=T0)[cid]
    record = store.fold_result(loaded, CheckResult(State.OK, "ok"), scheduled_at=T0, started_at=T0,
                               windows=[], was_in_maintenance=False)
    record.requested_at = T0 - timedelta(seconds=1)  # answered an older request: the new one stays
    store.write_batch(engine, [record], runner="t", now=T0)
    assert store.run_requests(engine) == {cid: T0}
    record.requested_at = T0
    store.write_batch(engine, [record], runner="t", now=T0)
    assert store.run_requests(engine) == {}


def test_pending_anomalies_and_mark_processed(engine, service):
    cid = add_check(engine, tcp_spec("svc", service.port, max_attempts=1))
    service.down()
    patrol_once(engine, cid, T0)
    with Session(engine) as session:
        [event] = anomalies.pending_anomalies(session, limit=10)
        assert (event.check_id, event.kind, event.severity, event.domain) == (cid, "problem", "major", "info")
        assert anomalies.mark_processed(session, [event.id], now=T0) == 1
        session.commit()
        assert anomalies.pending_anomalies(session, limit=10) == []


def test_flapping_raises_one_event_not_a_storm(engine, service):
    cid = add_check(engine, tcp_spec("flappy", service.port, max_attempts=1))
    for i in range(21):
        state = State.CRITICAL if i % 2 else State.OK
        patrol_once(engine, cid, T0 + timedelta(seconds=10 * i), result=CheckResult(state, state.name))
    kinds = [kind for kind, _state, _key in _events(engine)]
    assert "flapping_start" in kinds and kinds.count("flapping_start") == 1
    assert kinds[-1] == "flapping_start"  # problems/recoveries until flapping is detected, then silence
    status = _status(engine, cid)
    assert status.flapping and status.percent_change >= 50
    assert ("flapping_start", "check:flappy:flapping") in [(k, key) for k, _s, key in _events(engine)]
