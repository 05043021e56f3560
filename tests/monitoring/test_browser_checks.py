"""A leader creates a TCP check in Chromium (a bad range first), finds it in the list, opens its history and uses
'Run now' against a real ``scheduler.py`` process on the test database; with the scheduler stopped the page says so.
"""

from __future__ import annotations

import pytest

from tests.conftest import browser_login, screenshot
from tests.monitoring.patrol_helpers import start_scheduler, stop

pytestmark = pytest.mark.browser


@pytest.fixture
def scheduler(db_url, tmp_path):
    """A real scheduler process patrolling the test database for the whole test."""
    proc = start_scheduler(db_url, tmp_path / "scheduler.log")
    yield proc
    stop(proc)


def test_leader_creates_a_check_and_runs_it_now(page, make_person, db_url, tcp_port, scheduler, tmp_path):
    db = db_url.split(":")[0].split("+")[0]
    make_person("lead", role="leader", skills="info,comms")
    browser_login(page, "lead")
    page.click("nav.mainnav >> text=Checks")
    page.click("#new-check")
    page.locator("#params-http").wait_for(state="hidden")  # the deferred script has run (a loaded machine is slow)
    assert page.is_hidden("#params-http") and page.is_visible("#params-tcp")  # the chosen kind's settings only
    page.fill("input[name=name]", "switch-mgmt")
    page.select_option("select[name=domain]", "comms")
    page.fill("input[name=p_tcp_host]", "127.0.0.1")
    page.fill("input[name=p_tcp_port]", str(tcp_port))
    page.fill("input[name=warning]", "5:1")
    page.fill("textarea[name=runbook]", "联系网络组 / call the network team")
    page.click("#check-form button[type=submit].primary")
    assert "the start 5 is greater than the end 1" in page.locator("#warning-error").inner_text()
    assert page.input_value("input[name=name]") == "switch-mgmt"  # typed values kept
    assert page.input_value("input[name=p_tcp_port]") == str(tcp_port)
    assert page.input_value("textarea[name=runbook]") == "联系网络组 / call the network team"
    screenshot(page, f"check-form-error-{db}")

    page.fill("input[name=warning]", "0.5")
    page.click("#check-form button[type=submit].primary")
    assert page.locator("#check-name").inner_text() == "switch-mgmt"
    page.click("nav.mainnav >> text=Checks")
    row = page.locator("#checks-table tr[data-name=switch-mgmt]")
    assert "Communications" in row.inner_text()
    screenshot(page, f"checks-list-{db}")

    row.locator("a", has_text="switch-mgmt").click()
    assert "call the network team" in page.locator("#runbook").inner_text()
    page.click(".titlebar .run-now-button")
    result = page.locator(".titlebar .run-result")
    result.filter(has_text="TCP OK").wait_for(timeout=15_000)
    assert page.locator("#check-state .badge").get_attribute("data-state") == "OK"
    assert page.locator("#last-summary").inner_text().startswith("TCP OK")
    screenshot(page, f"check-run-now-{db}")
    page.reload()
    assert "TCP OK" in page.locator("#runs-table").inner_text()
    assert page.locator("#runs-table tbody tr").count() >= 1

    stop(scheduler)
    page.evaluate("document.getElementById('run-messages').dataset.timeoutMs = '1500'")
    page.click(".titlebar .run-now-button")
    result.filter(has_text="The scheduler is not running").wait_for(timeout=5_000)
    screenshot(page, f"check-run-now-no-scheduler-{db}")


def test_the_open_list_follows_new_results(page, app, make_person, db_url):
    from datetime import UTC, datetime

    from desk.db import session_scope
    from monitoring import service
    from monitoring.checkspec import CheckSpec
    from monitoring.models import CheckStatus

    make_person("watch", role="watcher")
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        check_id = service.create_check(session, actor="t", spec=CheckSpec(
            "core-router", "tcp", params={"host": "127.0.0.1", "port": 9})).id
    page.clock.install()
    browser_login(page, "watch")
    page.goto("/checks/")
    badge = page.locator(f"#check-{check_id} .badge")
    assert badge.get_attribute("data-state") == "PENDING"
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        status = session.get(CheckStatus, check_id)
        status.state, status.last_summary = "CRITICAL", "TCP CRITICAL - refused"
        status.last_run_at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
        session.add(status)
    page.clock.fast_forward(16_000)  # past the list's 15 s refresh
    page.locator(f"#check-{check_id} .badge[data-state=CRITICAL]").wait_for(timeout=5_000)
    assert page.locator(f"#check-{check_id} .summary").inner_text() == "TCP CRITICAL - refused"
    screenshot(page, f"checks-list-refreshed-{db_url.split(':')[0].split('+')[0]}")


def test_a_leader_cannot_make_the_scheduler_run_a_shell_and_watchers_see_no_secret(page, browser, live_server,
                                                                                   make_person, app, db_url):
    from desk.db import session_scope
    from monitoring import service
    from monitoring.checkspec import CheckSpec

    db = db_url.split(":")[0].split("+")[0]
    make_person("lead", role="leader", skills="info,comms")
    make_person("watch", role="watcher", skills="info,comms")
    browser_login(page, "lead")
    page.goto("/checks/new?kind=nagios")
    page.fill("input[name=name]", "own-the-host")
    typed = "/bin/sh -c 'psql -c \"select * from person\"'"
    page.fill("input[name=p_nagios_command]", typed)
    page.click("#check-form button[type=submit].primary")
    assert "not in an allowed plugin directory" in page.locator("#p_nagios_command-error").inner_text()
    assert page.input_value("input[name=p_nagios_command]") == typed
    screenshot(page, f"check-form-plugin-refused-{db}")

    spec = CheckSpec("db-login", "nagios", params={"command": [
        "/usr/lib/nagios/plugins/check_pgsql", "-H", "db1", "-l", "desk", "-p", "$DBPASS$"]})
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        check_id = service.create_check(session, actor="lead", spec=spec).id
    for role, lang in (("watch", "en-US"), ("watch", "zh-CN")):
        context = browser.new_context(base_url=live_server, locale=lang, viewport={"width": 1360, "height": 900})
        tab = context.new_page()
        browser_login(tab, role)
        tab.goto(f"/checks/{check_id}")
        text = tab.locator("code.param").inner_text()
        assert text.endswith("-p ••••••") and "$DBPASS$" not in tab.content()
        screenshot(tab, f"check-history-secret-hidden-{lang}-{db}")
        context.close()
