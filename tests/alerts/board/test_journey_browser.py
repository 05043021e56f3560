"""The whole way of an anomaly, in Chromium: a check turns CRITICAL (the patrol's state machine raises the HARD
problem, the scheduler's intake job routes it) and the alert appears on the on-duty leader's board without a reload;
the information watcher acknowledges it from their own board, in Chinese; the leader resolves it with the two notes;
a second problem still active at 20:00 is handed over: the day leader writes the handover, the night leader confirms
it, and the night leader's board then holds that alert."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from alerts.jobs import process_anomalies
from alerts.models import Alert
from desk.db import session_scope
from desk.models import Person
from monitoring.anomalies import record_anomalies
from monitoring.checkspec import CheckResult, CheckSpec, State
from monitoring.state import CheckState, apply_result
from tests.alerts.boardkit import local
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser
TZ = "Asia/Shanghai"


def turns_critical(engine, name: str, domain: str, at: datetime) -> None:
    """What the patrol and the scheduler do with a check whose first attempt fails: the state machine confirms
    the problem (one attempt allowed), the anomaly event is written, the intake job turns it into a routed alert."""
    spec = CheckSpec(name=name, kind="nagios", domain=domain, severity="critical", max_attempts=1,
                     params={"command": ["check_dummy", "2"]})
    _state, events = apply_result(CheckState(), CheckResult(State.CRITICAL, f"CRITICAL - {name} down"), spec, at)
    assert [e.kind for e in events] == ["problem"]
    with session_scope(engine) as session:
        record_anomalies(session, events, now=at)
    assert process_anomalies(engine, now=at, tz=TZ) == 1


def test_from_a_critical_check_to_the_next_leaders_board(browser, live_server, desk, clock, db_url):
    kind = db_url.split(":")[0]
    contexts = [browser.new_context(base_url=live_server, locale=locale, viewport={"width": 1360, "height": 900})
                for locale in ("en-US", "zh-CN", "en-US")]
    leader, watcher, night = (c.new_page() for c in contexts)
    try:
        browser_login(leader, "dayl")
        leader.goto("/board")
        leader.wait_for_selector("#board")
        leader.evaluate("window.__loaded = true")  # gone if the page reloads
        turns_critical(desk, "core-db", "info", local(9, 58))
        row = leader.wait_for_selector('#board-alerts tr:has-text("core-db")', timeout=5000)
        assert leader.evaluate("window.__loaded") is True
        first = row.get_attribute("data-id")
        screenshot(leader, f"journey-1-leader-sees-it-{kind}")

        browser_login(watcher, "dayi")
        watcher.goto("/board")
        watcher.click(f'#board-alerts tr[data-id="{first}"] button[data-action="ack"]')
        watcher.fill("#ack-comment", "正在查看数据库")
        watcher.click('#dialog-ack button[type="submit"]')
        watcher.wait_for_selector(f'#board-alerts tr[data-id="{first}"] button[data-action="ack"]', state="hidden")
        screenshot(watcher, f"journey-2-watcher-acknowledged-zh-{kind}")

        turns_critical(desk, "core-switch", "comms", local(10, 30))
        leader.wait_for_selector('#board-alerts tr:has-text("core-switch")', timeout=5000)
        leader.click(f'#board-alerts tr[data-id="{first}"] button[data-action="resolve"]')
        leader.fill("#resolve-impact", "orders were slow for 12 minutes")
        leader.fill("#resolve-summary", "failed over to the standby database")
        leader.click('#dialog-resolve button[type="submit"]')
        leader.wait_for_selector(f'#board-alerts tr[data-id="{first}"]', state="detached", timeout=5000)
        screenshot(leader, f"journey-3-leader-resolved-{kind}")
        _assert_worked(desk, int(first))

        clock(local(19, 45))
        leader.goto("/handover")
        leader.click("#write-handover")
        leader.wait_for_selector('#handover-summary [data-list="active"] li')
        leader.fill("textarea[name=note]", "core-switch still down: carrier ticket open")
        leader.click("#handover-form button[type=submit]")
        leader.wait_for_selector("#confirm-form")
        clock(local(20, 5))
        browser_login(night, "nightl")
        night.goto(leader.url)
        night.click("#confirm-form button[type=submit]")
        night.wait_for_selector(".flash.success")
        night.goto("/board")
        held = night.wait_for_selector('#board-alerts tr:has-text("core-switch")')
        assert "Nightl" in held.inner_text()
        assert night.locator("#board-alerts tbody tr").count() == 1
        screenshot(night, f"journey-4-night-leader-holds-it-{kind}")
    finally:
        for context in contexts:
            context.close()


def _assert_worked(engine, alert_id: int) -> None:
    """The stored alert says who acknowledged it, who resolved it, and both notes."""
    with session_scope(engine) as session:
        alert = session.get(Alert, alert_id)
        names = dict(session.exec(select(Person.id, Person.username)).all())
        assert alert.status == "resolved" and names[alert.acknowledged_by_id] == "dayi"
        assert names[alert.resolved_by_id] == "dayl" and names[alert.assignee_id] == "dayl"
        assert alert.impact == "orders were slow for 12 minutes"
        assert alert.summary == "failed over to the standby database"
