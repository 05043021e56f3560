"""The outbox survives a process killed (SIGKILL) between the commit and the delivery: two real processes.

The first process writes the notification in the transaction of its alert and commits (and, in the 'claimed'
case, claims the row for delivery as a dispatcher does just before sending), then is killed with SIGKILL. A real
``scheduler.py`` started afterwards delivers it exactly once to a local HTTP server.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alerts.dispatch import dispatch_due
from desk.db import make_engine
from tests.alerts.outbox_support import receiver, row, settings_for
from tests.monitoring.patrol_helpers import start_scheduler, stop, wait_for

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def _killed_driver(db_url: str, hook_url: str, mode: str) -> int:
    """Run the driver until it says it committed, then SIGKILL it; the notification id."""
    driver = subprocess.Popen([sys.executable, "-m", "tests.alerts.outbox_driver", db_url, hook_url, mode],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = driver.stdout.readline()
        assert line.startswith("ready "), line
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=10)
    assert driver.returncode == -signal.SIGKILL
    return int(line.split()[1])


@pytest.mark.parametrize("mode", ["committed", "claimed"])
def test_killed_before_delivery_then_delivered_exactly_once(db_url, engine, tmp_path, mode):
    with receiver(default=(200, b"ok")) as hook:
        nid = _killed_driver(db_url, hook.url(), mode)
        assert row(engine, nid).status == ("pending" if mode == "committed" else "sending")
        assert hook.got == []  # nothing was sent by the killed process
        log = tmp_path / "scheduler.log"
        scheduler = start_scheduler(db_url, log, DUTYDESK_BASE_URL="https://desk.example.cn")
        try:
            (got,) = hook.wait(1, timeout=30)
            wait_for(lambda: row(engine, nid).status == "sent", 15)
        finally:
            assert stop(scheduler) == 0
        far_future = datetime(2100, 1, 1, tzinfo=UTC)
        assert dispatch_due(engine, now=far_future, settings=settings_for(db_url)).claimed == 0
        assert len(hook.got) == 1
    assert got.headers["X-DutyDesk-Delivery"] == str(nid) and got.json()["link"].startswith("https://desk.example.cn")
    assert "notifications: 1 sent" in log.read_text() and "Traceback" not in log.read_text()
