"""The patrol lease on SQLite and PostgreSQL: one holder, renewal, expiry take-over, release, races."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from desk.db import make_engine
from monitoring import lease

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def test_first_holder_keeps_it_until_expiry(engine):
    now = T0
    assert lease.acquire(engine, holder="a", now=now, ttl=15)
    assert not lease.acquire(engine, holder="b", now=now + timedelta(seconds=14), ttl=15)
    assert lease.current(engine).holder == "a"
    assert lease.acquire(engine, holder="b", now=now + timedelta(seconds=16), ttl=15)
    held = lease.current(engine)
    assert held.holder == "b" and held.acquired_at == now + timedelta(seconds=16)


def test_renewal_extends_without_moving_acquired_at(engine):
    now = T0
    assert lease.acquire(engine, holder="a", now=now, ttl=10)
    assert lease.acquire(engine, holder="a", now=now + timedelta(seconds=5), ttl=10)
    held = lease.current(engine)
    assert held.acquired_at == now and held.expires_at == now + timedelta(seconds=15)
    assert not lease.acquire(engine, holder="b", now=now + timedelta(seconds=12), ttl=10)


def test_release_lets_a_standby_in_at_once(engine):
    now = T0
    assert lease.acquire(engine, holder="a", now=now, ttl=60)
    assert not lease.release(engine, holder="b")
    assert lease.release(engine, holder="a")
    assert lease.current(engine) is None
    assert lease.acquire(engine, holder="b", now=now, ttl=60)


@pytest.mark.parametrize("existing", [False, True])
def test_racing_processes_get_exactly_one_holder(engine, existing):
    now = T0
    if existing:  # an expired row: the race is on the conditional UPDATE; else on the first INSERT
        assert lease.acquire(engine, holder="dead", now=now - timedelta(seconds=60), ttl=1)
    barrier, results = threading.Barrier(8), []

    def contend(name: str) -> None:
        barrier.wait()
        results.append((name, lease.acquire(engine, holder=name, now=now, ttl=30)))

    threads = [threading.Thread(target=contend, args=(f"h{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [name for name, won in results if won]
    assert len(winners) == 1 and lease.current(engine).holder == winners[0]


def test_holder_id_and_ttl_setting():
    holder = lease.make_holder()
    host, pid, tag = holder.split(":")
    assert host and pid.isdigit() and len(tag) == 12
    assert lease.lease_ttl({"DUTYDESK_LEASE_TTL": "2"}) == 2.0
    assert lease.lease_ttl({}) == lease.DEFAULT_TTL
    assert lease.lease_ttl({"DUTYDESK_LEASE_TTL": "x"}) == lease.DEFAULT_TTL


def test_the_heartbeat_is_the_holders_last_renewal(engine):
    assert lease.heartbeat_age(lease.current(engine), T0) is None
    lease.acquire(engine, holder="a", now=T0, ttl=15)
    lease.acquire(engine, holder="a", now=T0 + timedelta(seconds=5), ttl=15)
    row = lease.current(engine)
    assert row.renewed_at == T0 + timedelta(seconds=5) and row.acquired_at == T0
    assert lease.heartbeat_age(row, T0 + timedelta(seconds=8)) == 3.0
    assert lease.heartbeat_age(row, T0 + timedelta(seconds=80)) == 75.0
