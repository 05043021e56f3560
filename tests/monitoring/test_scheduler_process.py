"""Real ``scheduler.py`` processes on one database (SQLite file and PostgreSQL schema).

Short lease TTL (``DUTYDESK_LEASE_TTL=1.5``) so a take-over happens in seconds rather than the default 20 s.
"""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from desk.db import make_engine
from desk.timeutil import utcnow
from monitoring import lease
from monitoring.models import CheckRun, CheckStatus
from tests.monitoring.patrol_helpers import add_check, run_count, start_scheduler, stop, tcp_spec, wait_for


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def _runners(engine, check_id):
    with engine.connect() as conn:
        return set(conn.execute(select(CheckRun.runner).where(CheckRun.check_id == check_id)).scalars())


def _request_run(engine, check_id):
    with engine.begin() as conn:
        conn.execute(update(CheckStatus).where(CheckStatus.check_id == check_id).values(run_requested_at=utcnow()))


def test_standby_takes_over_when_the_holder_is_killed(db_url, engine, tmp_path, tcp_port):
    check_id = add_check(engine, tcp_spec("db-port", tcp_port))
    _request_run(engine, check_id)  # no waiting for its spread first slot
    first = start_scheduler(db_url, tmp_path / "first.log")
    try:
        holder = wait_for(lambda: lease.current(engine), 15).holder
        wait_for(lambda: run_count(engine, check_id, runner=holder), 15)
        second = start_scheduler(db_url, tmp_path / "second.log")
        try:
            wait_for(lambda: "standby" in (tmp_path / "second.log").read_text(), 15)
            assert lease.current(engine).holder == holder  # the standby does not patrol
            first.send_signal(signal.SIGKILL)
            first.wait()
            killed_at = utcnow()
            new_holder = wait_for(lambda: (c := lease.current(engine)) and c.holder != holder and c.holder, 30)
            assert str(second.pid) in new_holder.split(":")[1]
            _request_run(engine, check_id)  # the new holder records runs under its own name
            wait_for(lambda: run_count(engine, check_id, runner=new_holder), 30)
            assert utcnow() - killed_at < timedelta(seconds=30)
            assert _runners(engine, check_id) == {holder, new_holder}
        finally:
            assert stop(second) == 0
    finally:
        stop(first)
    assert lease.current(engine) is None  # released on SIGTERM
    assert "lease acquired" in (tmp_path / "second.log").read_text()


def test_idle_scheduler_says_no_checks_once_and_stops_cleanly(db_url, engine, tmp_path):
    proc = start_scheduler(db_url, tmp_path / "s.log", DUTYDESK_LEASE_TTL="0.9")
    try:
        wait_for(lambda: "no checks yet" in (tmp_path / "s.log").read_text(), 15)
        assert lease.current(engine) is not None
    finally:
        code = stop(proc)
    text = (tmp_path / "s.log").read_text()
    assert code == 0 and text.count("no checks yet") == 1 and "scheduler stopped" in text
    assert "Traceback" not in text
