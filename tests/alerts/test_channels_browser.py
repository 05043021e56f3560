"""A manager sets a DingTalk robot on the channels page in Chromium and sends it a test message; both languages."""

import pytest
from sqlalchemy import update

from alerts.models import Notification
from tests.alerts.outbox_support import add_alert, add_notification, receiver
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


def test_manager_adds_a_robot_and_tests_it(app, page, make_person, db_url):
    make_person("boss", role="manager", skills="", email="boss@example.cn")
    engine = app.extensions["dutydesk.engine"]
    nid = add_notification(engine, alert_id=add_alert(engine), kind="email", target="li@example.cn")
    with engine.begin() as conn:
        conn.execute(update(Notification.__table__).values(status="failed", attempts=6,
                                                           last_error="SMTP: ConnectionRefusedError"))
    browser_login(page, "boss")
    with receiver() as robot:
        page.goto("/alerts/channels")
        page.click("#new-channel")
        page.fill("input[name=name]", "ops-ding")
        page.select_option("select[name=kind]", "dingtalk")
        page.fill("input[name=target]", robot.url("/robot/send?access_token=0123456789abcdef"))
        page.fill("input[name=secret]", "SECsecret")
        screenshot(page, f"alert-channel-form-en-{db_url.split(':')[0]}")
        page.click("#channel-form button[type=submit]")
        assert "Channel ops-ding saved." in page.locator(".flash").inner_text()
        page.click("#channels-table button:has-text('Send a test message')")
        assert "Test message sent to ops-ding." in page.locator(".flash").inner_text()
        robot.wait(1)
    assert page.locator(f"#failed-{nid}").is_visible()
    kind = db_url.split(":")[0]
    screenshot(page, f"alert-channels-en-{kind}")
    with page.expect_navigation():
        page.select_option("#ui-language", "zh_CN")
    assert page.locator("h1").first.inner_text() == "通知渠道"
    screenshot(page, f"alert-channels-zh-{kind}")
    page.goto("/alerts/me/notifications")
    assert "boss@example.cn" in page.locator("#my-address").inner_text()
    screenshot(page, f"alert-my-notifications-zh-{kind}")
