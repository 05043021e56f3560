"""The scheduler's declarative job table and its guarded roster job."""

from __future__ import annotations

from datetime import timedelta

import pytest

import scheduler
from desk.settings import load_settings


@pytest.fixture
def runtime(db_url, monkeypatch):
    monkeypatch.setenv("DUTYDESK_LEASE_TTL", "3")
    rt = scheduler.Runtime(load_settings({"DATABASE_URL": db_url, "DUTYDESK_ENV": "testing",
                                          "DUTYDESK_SECRET_KEY": "t" * 32}))
    yield rt
    rt.close()


def test_job_table_becomes_apscheduler_jobs(runtime):
    assert [job.name for job in scheduler.JOBS] == ["lease", "patrol", "reload", "run_now", "retention",
                                                    "roster_solves", "alert_intake", "alert_sweep",
                                                    "notifications", "handover_sweep", "report_rollup"]
    sched = scheduler.build_scheduler(runtime)
    jobs = {job.id: job for job in sched.get_jobs()}
    assert set(jobs) == {job.name for job in scheduler.JOBS}
    assert jobs["lease"].trigger.interval == timedelta(seconds=1)  # TTL / 3
    assert jobs["reload"].trigger.interval <= timedelta(seconds=10)
    assert jobs["run_now"].trigger.interval <= timedelta(seconds=1)
    assert jobs["roster_solves"].trigger.interval == timedelta(seconds=2)


def test_only_the_lease_holder_solves_rosters(runtime, monkeypatch):
    calls = []
    monkeypatch.setattr(scheduler, "_ROSTER", [lambda engine, *, now: calls.append(now) or 0])
    runtime.roster_solves()
    assert calls == []  # standby
    runtime.keep_lease()
    runtime.roster_solves()
    assert len(calls) == 1


def test_roster_job_missing_is_skipped(runtime, monkeypatch):
    monkeypatch.setattr(scheduler, "_ROSTER", [None])
    runtime.keep_lease()
    runtime.roster_solves()  # no error without roster.jobs


def test_a_failing_job_is_logged_and_the_scheduler_goes_on(runtime, caplog):
    def boom(_rt):
        raise RuntimeError("boom")

    scheduler._guarded(scheduler.Job("boom", boom, 1.0), runtime)()
    assert "job boom failed" in caplog.text


def test_lost_results_are_counted_once_the_database_answers(runtime, caplog):
    from collections import Counter

    from sqlalchemy import select

    from monitoring.models import PatrolCounter

    runtime.unreported_lost = Counter({"lease_lost": 7})  # what a patrol stopped by a lost lease handed over
    runtime.keep_lease()
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(PatrolCounter.labels, PatrolCounter.value)
                            .where(PatrolCounter.name == "results_lost_total")).all()
    assert [(r.labels, r.value) for r in rows] == [('reason="lease_lost"', 7.0)]
    assert not runtime.unreported_lost and "counted on /metrics: 7 (lease_lost) results not written" in caplog.text
