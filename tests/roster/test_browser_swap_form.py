"""The swap form in Chromium, in English and Chinese: the colleagues and exchange seats follow the chosen seat and
colleague (static/roster.js on the server's data-* attributes), an offer that breaks a rule is refused with the
rule named, and the colleague's notice of an exchange says what each side gives. The draft page and the settings
page are looked at too (confirmation steps, the rotation preview)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.db import session_scope
from roster import leave_swaps, seat_holders, versions
from tests.conftest import screenshot
from tests.roster.flows import OUTSIDER
from tests.roster.test_browser_requests import _tab, flows  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
VISIBLE = "options => options.filter(o => !o.hidden).map(o => o.value)"


def _tired_taker(session, start):
    """An infob day seat and an info watcher who works the night before it (free that day: offered, but the
    swap breaks the night-then-day rule)."""
    rows = versions.published_assignments(session, start=start - timedelta(days=1), end=start + timedelta(days=8))
    nights = {(a.username, a.day) for a in rows if a.shift == "N"}
    busy = {(a.username, a.day) for a in rows}
    for seat in (a for a in rows if a.username == "infob" and a.shift == "D"):
        for who in ("spare", "spare2", "infoa", "infoc", "infod"):
            if (who, seat.day - timedelta(days=1)) in nights and (who, seat.day) not in busy:
                return seat, who
    return None, None


def test_swap_form_follows_choices_refuses_a_broken_offer_and_says_what_each_gives(app, browser, live_server,
                                                                                   flows, db_url):  # noqa: F811
    db = db_url.split(":")[0]
    tab = _tab(browser, live_server, "infob")
    tab.goto("/requests/swap/new")
    tab.select_option("select[name=mine]", f"{flows.give.day}|D")
    colleagues = tab.eval_on_selector_all("select[name=colleague] option", VISIBLE)
    assert "spare" in colleagues and OUTSIDER[0] not in colleagues and not {"comma", "commb"} & set(colleagues)
    tab.select_option("select[name=colleague]", "spare")
    theirs = [v for v in tab.eval_on_selector_all("select[name=theirs] option", VISIBLE) if v]
    assert all(v.startswith("spare|") for v in theirs)
    screenshot(tab, f"swap-form-follows-{db}")
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        seat, tired = _tired_taker(session, flows.start)
    if seat is not None:
        tab.select_option("select[name=mine]", f"{seat.day}|D")
        tab.select_option("select[name=colleague]", tired)
        tab.select_option("select[name=theirs]", "")
        tab.click("#swap-form button.primary")
        errors = tab.locator("#swap-form .error").all_inner_texts()
        assert any("No day shift right after a night shift" in e for e in errors), errors
        screenshot(tab, f"swap-form-refused-{db}")
    with tab.expect_navigation():
        tab.select_option("#ui-language", "zh_CN")
    tab.goto("/requests/swap/new")
    assert "让给" in tab.locator("#swap-form").inner_text()
    screenshot(tab, f"swap-form-zh-{db}")

    # an exchange that keeps every rule: the colleague's notice names both seats
    offered = _offer_an_exchange(app, flows)
    assert offered is not None, "no exchange of infob's seats keeps every rule"
    colleague = _tab(browser, live_server, offered)
    notice = colleague.locator(".swap-offer").first.inner_text()
    assert "gives you the day shift of" in notice or "gives you the night shift of" in notice
    assert "and takes your" in notice
    screenshot(colleague, f"swap-notice-exchange-{db}")
    with colleague.expect_navigation():
        colleague.select_option("#ui-language", "zh_CN")
    assert "想用" in colleague.locator(".swap-offer").first.inner_text()
    screenshot(colleague, f"swap-notice-exchange-zh-{db}")


def _offer_an_exchange(app, plan) -> str | None:
    """infob offers the first exchange the form would list that keeps every rule; the colleague's username."""
    engine = app.extensions["dutydesk.engine"]
    with session_scope(engine) as session:
        rows = versions.published_assignments(session, start=plan.start, end=plan.start + timedelta(days=7))
        people = {p.username: seat_holders.to_domain_person(p) for p in seat_holders.people_by_id(session).values()}
        options = leave_swaps.swap_options(rows, people, "infob")
    mine = {leave_swaps.seat_key(a): a for a in options.mine}
    for theirs, fits in options.theirs:
        for key in fits:
            with session_scope(engine) as session:
                try:
                    leave_swaps.propose_swap(session, actor="infob", day=mine[key].day, shift=mine[key].shift,
                                     target=theirs.username, target_day=theirs.day, target_shift=theirs.shift)
                except leave_swaps.RequestError:
                    session.rollback()
                    continue
                return theirs.username
    return None


def test_settings_preview_in_both_languages(app, browser, live_server, flows, db_url):  # noqa: F811
    db = db_url.split(":")[0]
    tab = _tab(browser, live_server, "leada")
    tab.goto("/roster/settings")
    assert tab.locator("#rotation-preview tbody tr").count() == 4
    box, label = tab.locator("#default-offsets-field input").bounding_box(), tab.locator(
        "#default-offsets-field label").bounding_box()
    assert abs(box["y"] + box["height"] / 2 - (label["y"] + label["height"] / 2)) < 8 and label["x"] - box["x"] < 40
    screenshot(tab, f"settings-preview-{db}")
    with tab.expect_navigation():
        tab.select_option("#ui-language", "zh_CN")
    assert "白" in tab.locator("#rotation-preview").inner_text()
    screenshot(tab, f"settings-preview-zh-{db}")
