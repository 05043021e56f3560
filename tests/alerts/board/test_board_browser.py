"""The board in a real browser: a critical alert inserted while the leader watches appears without a reload,
stands out and beeps once sound is on; the resolve dialog keeps what was typed when the API refuses; wall mode;
the handover written by the outgoing leader and confirmed by the incoming one, whose board then holds the alerts.
Screenshots in English and Chinese under screenshots/."""

from __future__ import annotations

import pytest

from tests.alerts.boardkit import add_alert, local
from tests.conftest import browser_login, screenshot

pytestmark = pytest.mark.browser


def test_a_new_critical_alert_appears_without_reload_and_stands_out(page, desk, clock):
    add_alert(desk, title="backup job late", severity="minor", domain="info", first_seen=local(8, 20),
              assignee="dayl", watcher="dayi")
    browser_login(page, "dayl")
    page.goto("/board")
    page.wait_for_selector("#board-alerts tbody tr")
    page.click("#sound-toggle")
    page.wait_for_selector('#sound-toggle[aria-pressed="true"]')
    page.evaluate("window.__loaded = true")  # gone if the page reloads
    alert_id = add_alert(desk, title="core switch down", severity="critical", domain="comms",
                         first_seen=local(9, 58), assignee="dayl", watcher="dayc")
    row = page.wait_for_selector(f'#board-alerts tr[data-id="{alert_id}"].attention', timeout=5000)
    assert page.evaluate("window.__loaded") is True
    assert page.locator("#board-alerts tbody tr").first.get_attribute("data-id") == str(alert_id)
    assert "core switch down" in page.inner_text("#board-attention")
    page.wait_for_function("document.getElementById('board').dataset.beeps === '1'", timeout=5000)
    assert "Dayc" in row.inner_text() and "2 min" in row.inner_text()
    assert "Dayl" in page.inner_text("#duty-now") and "Nightl" in page.inner_text("#duty-next")
    assert "handover in" in page.inner_text("#duty-next")
    screenshot(page, "board-en")


def test_the_resolve_dialog_keeps_what_was_typed_when_the_api_refuses(page, desk, clock):
    alert_id = add_alert(desk, title="db slow", severity="major", first_seen=local(9), assignee="dayl")
    answers = []

    def refuse(route):
        answers.append(route.request.post_data_json)
        route.fulfill(status=409, json={"error": {"code": "conflict", "message": "Someone resolved it first."}},
                      headers={"Content-Type": "application/json"})

    page.route("**/api/v1/alerts/*/resolve", refuse)
    browser_login(page, "dayl")
    page.goto("/board")
    page.click(f'#board-alerts tr[data-id="{alert_id}"] button[data-action="resolve"]')
    page.fill("#resolve-impact", "orders slow for 10 min")
    page.fill("#resolve-summary", "restarted the replica")
    page.click('#dialog-resolve button[type="submit"]')
    page.wait_for_selector('#dialog-resolve [data-role="error"]:has-text("Someone resolved it first.")')
    assert page.input_value("#resolve-impact") == "orders slow for 10 min"
    assert page.input_value("#resolve-summary") == "restarted the replica"
    assert answers == [{"impact": "orders slow for 10 min", "summary": "restarted the replica"}]
    screenshot(page, "board-resolve-refused-en")


def test_wall_mode_in_chinese(browser, live_server, desk, clock):
    add_alert(desk, title="核心交换机故障", severity="critical", domain="comms", first_seen=local(9, 30),
              assignee="dayl", watcher="dayc")
    add_alert(desk, title="备份延迟", severity="minor", domain="info", first_seen=local(7), assignee="dayl",
              status="acknowledged")
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1600, "height": 900})
    tab = context.new_page()
    try:
        browser_login(tab, "dayi")
        tab.goto("/board")
        tab.wait_for_selector("#board-alerts tbody tr")
        assert "值班看板" in tab.inner_text("h1") and "当班值长" in tab.inner_text("#duty-now")
        screenshot(tab, "board-zh")
        tab.goto("/board?full=1")
        tab.wait_for_selector("#board-alerts tbody tr")
        assert not tab.is_visible(".topbar") and tab.locator('button[data-action="ack"]').count() == 0
        screenshot(tab, "board-wall-zh")
    finally:
        context.close()


def test_handover_written_and_confirmed_then_the_incoming_board_holds_the_alerts(browser, live_server, desk,
                                                                                 clock):
    held = add_alert(desk, title="db replica lag", severity="major", domain="info", first_seen=local(2),
                     assignee="nightl", watcher="nighti", status="acknowledged", acknowledged_at=local(2, 3))
    add_alert(desk, title="link flaps", severity="minor", domain="comms", first_seen=local(6), assignee="nightl")
    for language, locale in (("en", "en-US"), ("zh", "zh-CN")):
        _handover_round(browser, live_server, locale, language, clock, held)


def _handover_round(browser, live_server, locale, language, clock, held):
    """Night → day handover at 08:00 (English round) or day → night at 20:00 (Chinese round)."""
    out, inc = ("nightl", "dayl") if language == "en" else ("dayl", "nightl")
    clock(local(7, 45) if language == "en" else local(19, 45))
    contexts = [browser.new_context(base_url=live_server, locale=locale, viewport={"width": 1360, "height": 900})
                for _ in range(2)]
    try:
        outgoing, incoming = (c.new_page() for c in contexts)
        browser_login(outgoing, out)
        outgoing.goto("/handover")
        outgoing.click("#write-handover")
        outgoing.wait_for_selector('#handover-summary [data-list="active"] li')
        outgoing.fill("textarea[name=note]", "replica lag: DBA on it" if language == "en" else "副本延迟：DBA 处理中")
        screenshot(outgoing, f"handover-form-{language}")
        outgoing.click("#handover-form button[type=submit]")
        outgoing.wait_for_selector("#confirm-form")
        clock(local(8, 5) if language == "en" else local(20, 5))
        browser_login(incoming, inc)
        incoming.goto(outgoing.url)
        incoming.click("#confirm-form button[type=submit]")
        incoming.wait_for_selector(".flash.success")
        screenshot(incoming, f"handover-confirmed-{language}")
        incoming.goto("/board")
        row = incoming.wait_for_selector(f'#board-alerts tr[data-id="{held}"]')
        assert inc.title() in row.inner_text()
        assert incoming.locator("#board-alerts tbody tr").count() == 2
        assert not row.query_selector('button[data-action="ack"]').is_visible()  # acknowledged already
        screenshot(incoming, f"board-after-handover-{language}")
    finally:
        for context in contexts:
            context.close()
