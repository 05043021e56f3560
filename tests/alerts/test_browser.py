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
