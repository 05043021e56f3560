"""Leave and swaps end to end in Chromium: a watcher and a leader (and the colleague) each in their own browser
context. A watcher asks for leave and the leader approves it (an amendment opens); a watcher offers a shift, the
colleague accepts, the leader sees the validator's verdict and approves; a swap that breaks a rule shows the rule
and cannot be approved."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desk.db import session_scope
from roster import clock
from tests.conftest import browser_login, screenshot
from tests.roster.flows import OUTSIDER, FlowPlan, arrange, seats_of
from tests.roster.test_leave_swaps import stale_swap

pytestmark = pytest.mark.browser
START = date(2027, 3, 1)
NOW = datetime(2027, 2, 27, 2, 0, tzinfo=UTC)  # 10:00 at the desk, two days before the roster starts


@pytest.fixture
def flows(app) -> FlowPlan:
    """The desk's clock pinned two days before a roster published from ``START`` (swaps of past shifts are
    refused), and the seats the flows use (tests/roster/flows.py; its guard runs it over 14 start dates)."""
    app.config[clock.CONFIG_KEY] = NOW
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        return arrange(session, START)


def _tab(browser, live_server: str, username: str):
    context = browser.new_context(base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    browser_login(tab, username)
    return tab


def _seats(app, start: date, username: str) -> list:
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        return seats_of(session, start, username)


def test_leave_and_swap_flows(app, browser, live_server, flows, db_url) -> None:
    db = db_url.split(":")[0]
    leave_seat, give, first_day = flows.leave, flows.give, flows.start
    watcher, leader = _tab(browser, live_server, "infob"), _tab(browser, live_server, "leada")

    # a watcher asks for leave
    watcher.hover("nav.mainnav .navgroup:has(a:text-is('Leave & swaps'))")  # the link sits in a header menu
    watcher.click("nav.mainnav >> text=Leave & swaps")
    watcher.click("#ask-leave")
    watcher.fill("input[name=start]", leave_seat.day.isoformat())
    watcher.fill("input[name=end]", leave_seat.day.isoformat())
    watcher.fill("textarea[name=reason]", "孩子生病")
    watcher.click("#leave-form button.primary")
    assert "Leave asked" in watcher.locator(".flash").first.inner_text()
    assert "pending" in watcher.locator("#leave-request .badge").inner_text()
    screenshot(watcher, f"requests-leave-asked-{db}")

    # the leader approves it from the queue; the published shift it hits opens an amendment
    leader.hover("nav.mainnav .navgroup:has(a:text-is('Approvals'))")  # the link sits in a header menu
    leader.click("nav.mainnav >> text=Approvals")
    assert "孩子生病" in leader.locator("#leave-queue").inner_text()
    leader.click("#leave-queue >> text=Decide")
    assert leave_seat.day.isoformat() in leader.locator("#leave-hits").inner_text()
    leader.fill("#note", "批准")
    leader.click("#approve-leave")
    assert "amendment draft" in leader.locator(".flash").first.inner_text()
    assert leader.locator("#amendment a").count() == 1
    screenshot(leader, f"requests-leave-approved-{db}")

    # the watcher offers a day shift to the spare, who accepts it
    watcher.hover("nav.mainnav .navgroup:has(a:text-is('Leave & swaps'))")  # the link sits in a header menu
    watcher.click("nav.mainnav >> text=Leave & swaps")
    assert "approved" in watcher.locator("#my-leave").inner_text()
    watcher.click("#offer-swap")
    watcher.select_option("select[name=mine]", f"{give.day}|D")
    watcher.select_option("select[name=colleague]", "spare")
    watcher.fill("textarea[name=message]", "那天家里有事，谢谢！")
    watcher.click("#swap-form button.primary")
    assert "waiting for colleague" in watcher.locator("#swap-request .badge").inner_text()
    screenshot(watcher, f"requests-swap-offered-{db}")
    swap_url = watcher.url
    colleague = _tab(browser, live_server, "spare")
    colleague.goto(swap_url)
    colleague.click("#accept-swap")
    assert "Swap accepted" in colleague.locator(".flash").first.inner_text()

    # the leader sees that every rule holds and approves: a new published version
    leader.hover("nav.mainnav .navgroup:has(a:text-is('Approvals'))")  # the link sits in a header menu
    leader.click("nav.mainnav >> text=Approvals")
    assert "every rule holds" in leader.locator("#swap-queue").inner_text()
    screenshot(leader, f"requests-queue-{db}")
    leader.click("#swap-queue >> text=Decide")
    assert "keeps every rule" in leader.locator("#swap-check").inner_text()
    screenshot(leader, f"requests-swap-check-ok-{db}")
    leader.click("#approve-swap")
    assert "Swap approved and published" in leader.locator(".flash").first.inner_text()
    assert any(a.day == give.day and a.shift == "D" for a in _seats(app, first_day, "spare"))

    # a swap that would break a rule: the rule is shown and the approve button is disabled
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        bad = stale_swap(session, "infoc", flows.bad.day, "D", OUTSIDER[0])
    leader.goto(f"/requests/swap/{bad}")
    assert "Only qualified people" in leader.locator("#swap-check").inner_text()
    assert leader.locator("#approve-swap").is_disabled()
    assert "Approval is not possible" in leader.locator("#approve-why").inner_text()
    screenshot(leader, f"requests-swap-refused-{db}")
    with leader.expect_navigation():
        leader.select_option("#ui-language", "zh_CN")
    assert "仅由具备资质的人员值守" in leader.locator("#swap-check").inner_text()
    assert "无法批准" in leader.locator("#approve-why").inner_text()
    screenshot(leader, f"requests-swap-refused-zh-{db}")

    # four eyes: a swap the leader takes a seat in is decided by another leader; the page says so
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        seat = next(a for a in _seats(app, first_day, "leadb") if a.shift == "D")
        mine = stale_swap(session, "leadb", seat.day, "D", "leada")  # whatever its rules say
    leader.goto(f"/requests/swap/{mine}")
    assert leader.locator("#approve-swap").count() == 0
    assert "须由其他值长审批" in leader.locator("#decide-why").inner_text()
    screenshot(leader, f"requests-swap-party-zh-{db}")
    for tab in (watcher, leader, colleague):
        tab.context.close()
