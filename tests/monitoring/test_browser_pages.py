"""The checks pages as people see them at 1360 px, in English and in Chinese (issue 7, item 7): the summary
column keeps a readable width, severity "info" and an empty check name have their own words, and a maintenance
window says whether it mutes all checks or the ones ticked in a filterable list.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from desk.db import session_scope
from monitoring import service
from monitoring.checkspec import CheckSpec
from monitoring.codes import Code, msg
from monitoring.models import CheckStatus, MaintenanceWindowRow
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser
AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SUMMARIES = [
    msg(Code.HTTP, state="CRITICAL", findings=[msg(Code.FINDING_STATUS, status=503).to_dict(),
                                               msg(Code.FINDING_KEYWORD_MISSING, keyword="healthy").to_dict(),
                                               msg(Code.FINDING_LATENCY, ms=1840).to_dict()]).to_dict(),
    msg(Code.DISK, state="WARNING", path="/var/lib/postgresql", percent=86.4, free="13.2 GiB",
        total="97.9 GiB").to_dict(),
    msg(Code.PLUGIN_TIMEOUT, plugin="check_snmp_interfaces", timeout="10").to_dict(),
    msg(Code.SCHEDULER_HOLDS, state="OK", holder="desk1.example.internal:4242:7f3a", num=3).to_dict(),
    None,
]


def _zh_tab(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1360, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    return context, tab


def _make_checks(app) -> None:
    """Checks of several kinds whose last runs left long summaries (ours as codes, one a plugin's own)."""
    engine = app.extensions["dutydesk.engine"]
    with session_scope(engine) as session:
        for index, message in enumerate(SUMMARIES):
            spec = CheckSpec(name=f"core-service-{index}-{'x' * 12}", kind="tcp", severity="info",
                             params={"host": "db.example.internal", "port": 5432 + index})
            check = service.create_check(session, actor="t", spec=spec)
            session.flush()
            status = session.get(CheckStatus, check.id)
            status.state, status.state_type, status.attempt, status.since = "WARNING", "HARD", 3, AT
            status.last_run_at, status.last_duration, status.last_message = AT, 0.0123, message
            status.last_summary = ("SNMP CRITICAL - interface Gi0/1 (uplink to core-sw-2) is down, Gi0/2 errors "
                                   "1204/s" if message is None else "stored English")
            session.add(status)


def _summary_cells_fit(tab) -> None:
    """Every summary cell at least 240 px wide and no row taller than five lines of small text."""
    cells = tab.locator("#checks-table td.summary")
    assert cells.count() == len(SUMMARIES)
    for index in range(cells.count()):
        box = cells.nth(index).bounding_box()
        assert box["width"] >= 240 and box["height"] <= 110, (index, box)
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling


def test_checks_list_keeps_the_summary_readable_in_both_languages(page, browser, live_server, app, make_person):
    _make_checks(app)
    make_person("lead", role="leader")
    browser_login(page, "lead")
    page.goto("/checks/")
    screenshot(page, "checks-list-1360-en")
    _summary_cells_fit(page)
    assert "keyword 'healthy' missing" in page.locator("#checks-table").inner_text()
    screenshot(page, "checks-list-1360-en")
    context, zh = _zh_tab(browser, live_server)
    try:
        browser_login(zh, "lead")
        zh.goto("/checks/")
        _summary_cells_fit(zh)
        text = zh.locator("#checks-table").inner_text()
        assert "缺少关键字" in text and "stored English" not in text and "SNMP CRITICAL - interface" in text
        screenshot(zh, "checks-list-1360-zh")
    finally:
        context.close()


def test_check_form_words_in_chinese(browser, live_server, make_person):
    make_person("lead", role="leader")
    context, zh = _zh_tab(browser, live_server)
    try:
        browser_login(zh, "lead")
        zh.goto("/checks/new")
        assert zh.locator("select[name=severity] option[value=info]").inner_text() == "提示"
        zh.fill("input[name=name]", "")
        zh.click("#check-form button[type=submit].primary")
        assert zh.locator("#name-error").inner_text() == "请填写检查名称。"
        screenshot(zh, "check-form-empty-name-zh")
    finally:
        context.close()


def test_maintenance_window_mutes_all_or_the_ticked_checks(page, browser, live_server, app, make_person):
    _make_checks(app)
    make_person("lead", role="leader")
    browser_login(page, "lead")
    page.goto("/checks/maintenance")
    page.fill("input[name=starts_at]", "2026-12-01T22:00")
    page.fill("input[name=ends_at]", "2026-12-01T23:00")
    page.fill("textarea[name=reason]", "core switch firmware")
    page.click("#window-form button[type=submit].primary")  # neither "all" nor "these" chosen: refused
    assert "Choose whether the window mutes all checks" in page.locator("#window-scope .error").inner_text()
    assert page.input_value("textarea[name=reason]") == "core switch firmware"
    page.check("#scope-some")
    page.fill("#check-filter", "service-3")
    visible = page.locator("#check-picker li:visible")
    assert visible.count() == 1
    visible.locator("input").check()  # one click, no Ctrl
    page.fill("#check-filter", "")
    assert page.locator("#picker-count").inner_text() == "1 chosen"
    screenshot(page, "maintenance-picker-en")
    page.click("#window-form button[type=submit].primary")
    engine = app.extensions["dutydesk.engine"]
    with session_scope(engine) as session:
        [row] = session.exec(select(MaintenanceWindowRow)).all()
        assert row.checks == [f"core-service-3-{'x' * 12}"]
    context, zh = _zh_tab(browser, live_server)
    try:
        browser_login(zh, "lead")
        zh.goto("/checks/maintenance")
        zh.check("#scope-all")
        assert zh.locator("#check-picker").is_hidden()
        screenshot(zh, "maintenance-picker-zh")
    finally:
        context.close()
