"""A person's view of an alert: the detail page acknowledged and resolved in the browser, both languages."""

from __future__ import annotations

import pytest

from alerts import service
from desk.db import session_scope
from tests.alerts.conftest import NOW
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


def test_acknowledge_and_resolve_on_the_detail_page(app, page, desk):
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        alert_id = service.raise_alert(s, actor="system", key="check:db", title="db01: CRITICAL - port 5432 refused",
                                       severity="critical", domain="info", source="patrol", now=NOW).alert.id
    browser_login(page, "lead1")
    page.goto(f"/alerts/{alert_id}")
    page.fill("#ack-form textarea[name=comment]", "looking at it")
    page.click("#ack-form button[type=submit]")
    assert "Acknowledged" in page.inner_text("#alert-status")
    page.fill("#resolve-form textarea[name=impact]", "billing slow for 5 minutes")
    page.click("#resolve-form button[type=submit]")  # the summary is missing: the typed impact stays
    assert page.input_value("#resolve-form textarea[name=impact]") == "billing slow for 5 minutes"
    page.fill("#resolve-form textarea[name=summary]", "restarted the listener")
    page.click("#resolve-form button[type=submit]")
    assert "Resolved" in page.inner_text("#alert-status")
    screenshot(page, "alert-detail-en")
    with page.expect_navigation():
        page.select_option("#ui-language", "zh_CN")
    assert "已解决" in page.inner_text("#alert-status")
    screenshot(page, "alert-detail-zh")


def test_a_manager_looks_at_the_list_the_policy_and_the_integrations(app, page, desk):
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        for i, severity in enumerate(("critical", "major", "minor")):
            service.raise_alert(s, actor="system", key=f"k{i}", title=f"alert {i}", severity=severity,
                                domain="comms", source="webhook", now=NOW)
    browser_login(page, "boss")
    page.goto("/alerts/?status=active")
    assert page.locator("#alerts-table tbody tr").count() == 3
    screenshot(page, "alerts-list-en")
    page.goto("/alerts/escalation")
    page.fill("#policy-form input[name=remind_after]", "0")
    # the browser itself refuses 0 (min/max come from the form's NumberRange); the server's 422 is tested apart
    assert page.eval_on_selector("#policy-form input[name=remind_after]", "e => e.validity.valid") is False
    page.goto("/alerts/integrations")
    page.fill("#integration-form input[name=name]", "prometheus")
    page.click("#integration-form button[type=submit]")
    assert page.inner_text("#token-value").startswith("ddi_")
    screenshot(page, "alerts-integrations-en")


@pytest.mark.parametrize("username", ["lead1", "boss"])
def test_the_header_fits_one_line_at_1280_px_in_both_languages(app, page, desk, username):
    """Every role's links fit the header at 1280 px; the menus open on hover and lead to every page."""
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(page, username)
    page.goto("/board")
    for language in ("en", "zh_CN"):
        if language == "zh_CN":
            with page.expect_navigation():
                page.select_option("#ui-language", "zh_CN")
        header = page.locator("header.topbar").bounding_box()
        brand = page.locator("header .brand").bounding_box()
        assert header["height"] < brand["height"] * 2.5, f"the header wraps in {language}"
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        groups = page.locator(".navgroup")
        assert groups.count() >= 2
        groups.nth(1).hover()
        assert page.locator(".navgroup:hover .navmenu").is_visible()
        screenshot(page, f"header-{username}-{language}")
    hrefs = page.eval_on_selector_all(".mainnav a", "links => links.map(a => a.getAttribute('href'))")
    assert "/board" in hrefs and len(set(hrefs)) >= 8
