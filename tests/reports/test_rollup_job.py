"""The scheduler keeps the patrol roll-ups current: the lease holder alone rolls up the finished days."""

from __future__ import annotations

import scheduler
from desk.settings import load_settings
from tests.conftest import TEST_SECRET


def test_only_the_lease_holder_rolls_up(db_url, monkeypatch):
    monkeypatch.setenv("DUTYDESK_LEASE_TTL", "3")
    calls = []
    monkeypatch.setattr("reports.service.roll_up", lambda session, *, until, tz: calls.append((until, tz)) or [])
    runtime = scheduler.Runtime(load_settings({"DATABASE_URL": db_url, "DUTYDESK_ENV": "testing",
                                               "DUTYDESK_SECRET_KEY": TEST_SECRET}))
    try:
        runtime.report_rollup()
        assert calls == []
        runtime.keep_lease()
        runtime.report_rollup()
        assert [tz for _until, tz in calls] == [runtime.settings.timezone]
    finally:
        runtime.close()
