"""GET /metrics: per-check state gauges, runs by state, duration and lateness histograms, parsed with
prometheus-client's own parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from monitoring import lease, store
from monitoring.checkspec import CheckResult, CheckSpec, State
from tests.monitoring.patrol_helpers import add_check, tcp_spec

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def _families(client, **headers):
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.data[:200]
    assert response.headers["Content-Type"].startswith("text/plain")
    return {f.name: f for f in text_string_to_metric_families(response.get_data(as_text=True))}


def _samples(family, name=None):
    return {tuple(sorted(s.labels.items())): s.value for s in family.samples if name is None or s.name == name}


def _record(engine, cid, state, duration, late, at):
    loaded = store.load_checks(engine, [cid], now=at)[cid]
    record = store.fold_result(loaded, CheckResult(state, state.name, duration=duration), windows=[],
                               scheduled_at=at - timedelta(seconds=late), started_at=at, was_in_maintenance=False)
    store.write_batch(engine, [record], runner="t", now=at, counters=store.counter_increments([record]))


def test_metrics_from_the_database(app, client):
    engine = app.extensions["dutydesk.engine"]
    web = add_check(engine, CheckSpec("portal", "http", domain="comms", params={"url": "http://127.0.0.1:1/"}))
    port = add_check(engine, tcp_spec("db-port", 1))
    add_check(engine, tcp_spec("never-run", 1))
    _record(engine, web, State.CRITICAL, 0.2, 0.003, T0)
    _record(engine, port, State.OK, 0.004, 0.3, T0)
    _record(engine, port, State.WARNING, 0.02, 2.0, T0 + timedelta(seconds=5))
    lease.acquire(engine, holder="me", now=datetime(2099, 1, 1, tzinfo=UTC), ttl=60)  # valid whatever the date

    families = _families(client)
    assert _samples(families["dutydesk_check_state"]) == {
        (("check", "db-port"), ("domain", "info"), ("kind", "tcp")): 1.0,
        (("check", "portal"), ("domain", "comms"), ("kind", "http")): 2.0,
    }
    assert _samples(families["dutydesk_check_hard_state"])[(("check", "db-port"), ("domain", "info"),
                                                             ("kind", "tcp"))] == 0.0  # 1 of 3 attempts
    runs = _samples(families["dutydesk_check_runs"], "dutydesk_check_runs_total")
    assert runs == {(("kind", "http"), ("state", "CRITICAL")): 1.0, (("kind", "tcp"), ("state", "OK")): 1.0,
                    (("kind", "tcp"), ("state", "WARNING")): 1.0}
    duration = families["dutydesk_check_run_duration_seconds"]
    assert families["dutydesk_check_run_duration_seconds"].type == "histogram"
    buckets = _samples(duration, "dutydesk_check_run_duration_seconds_bucket")
    assert buckets[(("kind", "tcp"), ("le", "0.005"))] == 1.0 and buckets[(("kind", "tcp"), ("le", "+Inf"))] == 2.0
    assert _samples(duration, "dutydesk_check_run_duration_seconds_sum")[(("kind", "tcp"),)] == 0.024
    late = _samples(families["dutydesk_check_start_lateness_seconds"],
                    "dutydesk_check_start_lateness_seconds_bucket")
    assert late[(("kind", "tcp"), ("le", "0.5"))] == 1.0 and late[(("kind", "tcp"), ("le", "2.5"))] == 2.0
    assert _samples(families["dutydesk_scheduler_lease_valid"]) == {(): 1.0}


def test_metrics_empty_desk(client):
    families = _families(client)
    assert _samples(families["dutydesk_check_state"]) == {}
    assert _samples(families["dutydesk_scheduler_lease_valid"]) == {(): 0.0}


def test_metrics_token(app, client):
    app.config["DUTYDESK_METRICS_TOKEN"] = "s3cret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert "dutydesk_check_state" in _families(client, Authorization="Bearer s3cret")
