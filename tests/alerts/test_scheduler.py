"""The alert jobs in the scheduler: only the lease holder turns anomalies into alerts and sweeps escalations."""

from __future__ import annotations

from datetime import timedelta

import pytest

import scheduler
from desk.settings import load_settings
from tests.conftest import TEST_SECRET


@pytest.fixture
def runtime(db_url, monkeypatch):
    monkeypatch.setenv("DUTYDESK_LEASE_TTL", "3")
    rt = scheduler.Runtime(load_settings({"DATABASE_URL": db_url, "DUTYDESK_ENV": "testing",
                                            "DUTYDESK_SECRET_KEY": TEST_SECRET}))
    yield rt
    rt.close()


def test_alert_jobs_run_for_the_lease_holder_only(runtime, monkeypatch):
    calls = []
    monkeypatch.setattr("alerts.jobs.process_anomalies", lambda engine, *, now, tz=None: calls.append("intake"))
    monkeypatch.setattr("alerts.jobs.sweep", lambda engine, *, now, tz=None: calls.append("sweep") or (0, 0))
    runtime.alert_intake()
    runtime.alert_sweep()
    assert calls == []  # standby
    runtime.keep_lease()
    runtime.alert_intake()
    runtime.alert_sweep()
    assert calls == ["intake", "sweep"]
    jobs = {job.id: job for job in scheduler.build_scheduler(runtime).get_jobs()}
    assert jobs["alert_intake"].trigger.interval <= timedelta(seconds=1)
