"""The demo's 'patrol scheduler' check watches THIS desk's patroller (its lease heartbeat), and results a
scheduler could not write after losing its lease are counted on /metrics (issue 11 item 7)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from desk.db import make_engine, session_scope
from monitoring import lease, probes, service, store
from monitoring.checkspec import CheckResult, CheckSpec, State, validate_spec
from monitoring.demo import demo_specs
from monitoring.dispatch import Patrol
from monitoring.models import CheckStatus
from tests.monitoring.patrol_helpers import add_check, summary_of, tcp_spec, wait_for

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
HEARTBEAT = CheckSpec("patrol-scheduler", "scheduler", warning="20", critical="45")


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def test_the_demo_check_is_this_desks_heartbeat():
    spec = next(s for s in demo_specs() if s.name == "patrol-scheduler")
    assert spec.kind == "scheduler" and validate_spec(spec) == {}


def test_heartbeat_states_by_age(engine):
    assert probes.heartbeat_result(HEARTBEAT, None, T0).state == State.CRITICAL
    lease.acquire(engine, holder="desk1:42:abc", now=T0, ttl=15)
    row = lease.current(engine)
    fresh = probes.heartbeat_result(HEARTBEAT, row, T0 + timedelta(seconds=3))
    assert fresh.state == State.OK
    assert "desk1:42:abc holds the patrol lease; last renewed 3 seconds ago" in summary_of(fresh)
    assert fresh.metrics[0].label == "heartbeat_age" and fresh.metrics[0].value == 3.0
    stale = probes.heartbeat_result(HEARTBEAT, row, T0 + timedelta(seconds=60))
    assert stale.state == State.CRITICAL and "now expired" in summary_of(stale)


def test_the_probe_reads_the_database_it_is_given(engine):
    probes.use_database(engine)
    assert probes.run_check(HEARTBEAT).state == State.CRITICAL  # nobody ever patrolled this database
    lease.acquire(engine, holder="me", now=datetime(2099, 1, 1, tzinfo=UTC), ttl=15)  # renewed 'in the future'
    assert probes.run_check(CheckSpec("hb", "scheduler", critical="~:45")).state == State.OK


def test_the_board_turns_red_when_the_patroller_is_gone(app, db):
    engine = app.extensions["dutydesk.engine"]
    check = service.create_check(db, actor="t", spec=HEARTBEAT)
    db.commit()
    lease.acquire(engine, holder="desk1:42:abc", now=T0, ttl=15)
    with session_scope(engine) as session:  # its last run, while the patroller lived, said OK
        session.execute(update(CheckStatus).where(CheckStatus.check_id == check.id).values(
            state="OK", last_run_at=T0, last_summary="SCHEDULER OK - renewed 1 s ago"))
    alive = service.list_checks(db, now=T0 + timedelta(seconds=5))[0]
    assert (alive.state, alive.summary) == ("OK", "SCHEDULER OK - renewed 1 s ago")
    dead = service.list_checks(db, now=T0 + timedelta(minutes=5))[0]
    assert dead.state == "CRITICAL" and "desk1:42:abc held the patrol lease, now expired" in dead.summary
    assert service.status_dict(dead)["state"] == "CRITICAL"


def test_results_lost_with_the_lease_are_logged_and_counted(engine, caplog, app, client):
    cid = add_check(engine, tcp_spec("lost", 1))
    ran = Counter()

    def probe(spec):
        ran[spec.name] += 1
        return CheckResult(State.OK, "fine")

    patrol = Patrol(engine, runner="t:1:x", tz="Asia/Shanghai", batch_seconds=0.05, run=probe)
    patrol.lease_deadline = 0.0  # the lease ran out (the database was down when it should have been renewed)
    patrol.start()
    try:
        with caplog.at_level(logging.ERROR, logger="dutydesk.scheduler"):
            patrol.request_runs({cid: T0})
            wait_for(lambda: patrol.lost["lease_lost"] == 1, 10)
        assert "lease lost during a database outage: 1 results not written" in caplog.text
    finally:
        patrol.stop(grace=3)
    store.record_lost(app.extensions["dutydesk.engine"], patrol.take_lost())
    text = client.get("/metrics").get_data(as_text=True)
    family = {f.name: f for f in text_string_to_metric_families(text)}["dutydesk_scheduler_results_lost"]
    assert [(s.labels, s.value) for s in family.samples if s.name.endswith("_total")] == [
        ({"reason": "lease_lost"}, 1.0)]
