"""A manager keeps next year's holidays in Chromium, in Chinese: the unknown year warns, a day added by hand
shows at once, and a bad import lists its lines and keeps the calendar as it was."""

from __future__ import annotations

import pytest

from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


def test_manager_adds_new_year_2027_and_imports_a_file(browser, live_server, make_person, tmp_path, db_url):
    make_person("guohua", role="manager", skills="", name="郭华")
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1360, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    kind = db_url.split(":")[0]
    try:
        browser_login(tab, "guohua")
        tab.goto("/roster/holidays/?year=2027")
        assert tab.locator("#year-unknown").is_visible()
        tab.fill("#day-form input[name=day]", "2027-01-01")
        tab.select_option("#day-form select[name=kind]", "holiday")
        tab.fill("#day-form input[name=name]", "元旦")
        tab.click("#day-form button[type=submit]")
        assert "元旦" in tab.locator("#holiday-days").inner_text()
        assert tab.locator("#year-unknown").count() == 0
        bad = tmp_path / "bad.csv"
        bad.write_text("2027-02-06,holiday,春节\n2027-02-31,holiday,错\n", encoding="utf-8")
        tab.set_input_files("#import-form input[type=file]", str(bad))
        tab.click("#import-form button[type=submit]")
        assert "2" in tab.locator("#import-problems").inner_text()
        assert "2027-02-06" not in tab.locator("#holiday-days").inner_text()
        assert "2027" in tab.locator("h1").inner_text()  # the refused import keeps the year it was about
        screenshot(tab, f"holidays-2027-zh-{kind}")
    finally:
        context.close()
