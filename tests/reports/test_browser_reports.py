"""A manager opens every report in Chromium, in English and in Chinese, follows a shift of the coverage calendar
and downloads an export; the pages are printed to A4 PDF as well (the print stylesheet)."""

from __future__ import annotations

from typing import Any

import pytest
from openpyxl import load_workbook

from desk import audit
from desk.db import session_scope
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser
Q = "from=2026-10-07&to=2026-10-12"
PAGES = {"kpis": f"/reports/?{Q}", "coverage": f"/reports/coverage?{Q}", "load": f"/reports/load?{Q}",
         "patrols": "/reports/patrols?from=2026-10-07&to=2026-10-07", "audit": "/reports/audit"}


def _tab(browser: Any, live_server: str, locale: str) -> Any:
    context = browser.new_context(base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return tab


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_manager_reads_every_report(browser: Any, live_server: str, as_user: Any, patrol_desk: int, locale: str,
                                    db_url: str, tmp_path: Any, app: Any) -> None:
    as_user("boss")  # creates the manager
    tab = _tab(browser, live_server, locale)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
           and "favicon" not in (msg.location or {}).get("url", "") else None)
    browser_login(tab, "boss")
    db = db_url.split(":")[0].split("+")[0]
    for name, url in PAGES.items():
        tab.goto(url)
        assert tab.locator("h1").count() == 1
        if name in ("load", "patrols", "kpis"):
            assert tab.locator("figure.chart svg").count() == 1
        screenshot(tab, f"reports-{name}-{locale}-{db}")
    tab.goto(PAGES["coverage"])
    expected = "58.33 %"
    assert tab.locator("#coverage-rate").inner_text() == expected
    tab.locator("td.cov-gap a").first.click()
    tab.wait_for_load_state()
    assert "/reports/coverage/2026-10-08/N" in tab.url
    screenshot(tab, f"reports-shift-{locale}-{db}")
    tab.goto(PAGES["load"])
    with tab.expect_download() as download:
        tab.locator("a[href*='load.xlsx']").click()
    path = tmp_path / "load.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).worksheets[0]
    assert next(r for r in sheet.iter_rows(values_only=True) if r[0] == "cc")[3] == 4
    _home_tells_the_latest_changes(tab, app, locale, db)
    if locale == "en-US":  # printing once is enough
        tab.goto(PAGES["coverage"])
        tab.pdf(path=str(tmp_path / "coverage.pdf"), format="A4")
    assert errors == []


def _home_tells_the_latest_changes(tab: Any, app: Any, locale: str, db: str) -> None:
    """The home page's latest changes read as the audit trail: sentences and labels, no codes (issue 7 item 7)."""
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        audit.record(session, actor="lc", action="roster.publish", object_type="roster_version", object_id=1,
                     before={"status": "draft", "number": None}, after={"status": "published", "number": 1})
        audit.record(session, actor="lc", action="leave.approve", object_type="leave", object_id=1,
                     before={"status": "pending"}, after={"status": "approved"})
        audit.record(session, actor="lc", action="check.delete", object_type="check", object_id=999)
    en = locale == "en-US"
    said = (["LC published roster version 1 (2026-10-07 – 10-11)", "LC approved IA's leave (2026-10-08)",
             "LC deleted patrol check #999 (deleted)"] if en else
            ["LC 发布了第 1 版排班表（2026-10-07 至 10-11）", "LC 批准了IA的请假（2026-10-08）",
             "LC 删除了巡检 #999（已删除）"])
    for url, where in (("/", "#recent-changes"), ("/reports/audit", "table.audit-trail")):
        tab.goto(url)
        text = tab.locator(where).inner_text()
        assert all(s in text for s in said), text
        assert "roster.publish" not in text and "roster_version" not in text and "lc " not in text
        screenshot(tab, f"{'home-latest-changes' if url == '/' else 'audit-trail'}-{locale}-{db}")

WORDS = {"en-US": {"error": "Between 1 and 1440 minutes.", "saved": "Acknowledgement target saved.",
                   "label": "Alerts acknowledged within 10 minutes"},
         "zh-CN": {"error": "请填写 1 到 1440 分钟之间的数。", "saved": "告警确认目标已保存。",
                   "label": "10 分钟内确认的告警"}}


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_manager_sets_the_acknowledgement_target(browser: Any, live_server: str, as_user: Any, alert_desk: None,
                                                 locale: str, db_url: str) -> None:
    as_user("boss")
    tab = _tab(browser, live_server, locale)
    browser_login(tab, "boss")
    db = db_url.split(":")[0].split("+")[0]
    words = WORDS[locale]
    tab.goto("/reports/settings")
    assert tab.locator("#minutes").input_value() == "5" and tab.locator("#percent").input_value() == "95"
    tab.fill("#minutes", "0")
    tab.fill("#percent", "90")
    tab.locator("#ack-target-form button[type=submit]").click()
    tab.wait_for_load_state()
    assert tab.locator("#minutes-error").inner_text() == words["error"]
    assert tab.locator("#minutes").input_value() == "0" and tab.locator("#percent").input_value() == "90"
    screenshot(tab, f"reports-settings-error-{locale}-{db}")
    tab.fill("#minutes", "10")
    tab.locator("#ack-target-form button[type=submit]").click()
    tab.wait_for_load_state()
    assert words["saved"] in tab.locator("body").inner_text()
    screenshot(tab, f"reports-settings-saved-{locale}-{db}")
    tab.goto(f"/reports/alerts?{Q}")
    assert words["label"] in tab.locator(".kpi-line").inner_text()
    assert tab.locator("#ack-target").inner_text() == "90" and tab.locator("#ack-share").inner_text() == "75.00 %"
    screenshot(tab, f"reports-alerts-target-{locale}-{db}")
    tab.emulate_media(media="print")
    assert not tab.locator("nav.report-tabs").is_visible() and not tab.locator("form.period-form").is_visible()
