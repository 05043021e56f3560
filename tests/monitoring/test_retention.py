"""Old runs are purged after DUTYDESK_RUN_RETENTION_DAYS, in batches; recent ones and states stay."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlmodel import Session

from desk.db import make_engine
from desk.settings import load_settings
from monitoring import store
from monitoring.models import CheckRun, CheckStatus
from tests.monitoring.patrol_helpers import add_check, run_count, tcp_spec


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _runs(engine, check_id, ages_days):
    now = T0
    rows = [{"check_id": check_id, "started_at": now - timedelta(days=age), "state": "OK", "summary": "",
             "long_output": "", "metrics": [], "runner": "t"} for age in ages_days]
    with Session(engine) as session:
        session.execute(insert(CheckRun), rows)
        session.commit()


def test_purge_in_batches_keeps_recent_runs(engine):
    cid = add_check(engine, tcp_spec("svc", 1))
    _runs(engine, cid, [100] * 7 + [91, 89, 1, 0])
    purged = store.purge_runs(engine, older_than=T0 - timedelta(days=90), batch=3)
    assert purged == 8
    with Session(engine) as session:
        ages = sorted((T0 - r).days for r in session.execute(select(CheckRun.started_at)).scalars())
        assert ages == [0, 1, 89]
        assert session.get(CheckStatus, cid) is not None


def test_scheduler_job_uses_the_retention_setting(engine, db_url, monkeypatch):
    import scheduler

    cid = add_check(engine, tcp_spec("svc", 1))
    _runs(engine, cid, [40, 20, 5])
    settings = replace(load_settings({"DATABASE_URL": db_url, "DUTYDESK_ENV": "testing",
                                      "DUTYDESK_SECRET_KEY": "t" * 32,
                                      "DUTYDESK_RUN_RETENTION_DAYS": "30"}))
    assert settings.run_retention_days == 30
    runtime = scheduler.Runtime(settings)
    try:
        assert runtime.purge_history() == 0  # not the lease holder: a standby purges nothing
        runtime.keep_lease()
        assert runtime.patrol is not None
        assert runtime.purge_history() == 1
        assert run_count(engine, cid) == 2
    finally:
        runtime.close()
