"""A shift leader reads why no roster exists, in Chinese, on the draft's page (Chromium)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.db import session_scope
from roster import drafts, seat_holders
from roster.models import LeaveRequest
from tests.conftest import browser_login, screenshot
from tests.roster.deskdata import START, with_people

pytestmark = pytest.mark.browser


def test_the_explanation_reads_in_chinese(browser, live_server, app, db_url):
    engine = with_people(app)
    day = START + timedelta(days=3)
    with session_scope(engine) as s:
        for p in seat_holders.people_by_id(s).values():
            if p.role == "leader":
                s.add(LeaveRequest(person_id=p.id, start=day, end=day, status="approved", reason="course"))
    with session_scope(engine) as s:
        draft = drafts.create_draft(s, actor="zhangwei", start=START, end=START + timedelta(days=6))
        assert not drafts.solve_version(s, version=draft).ok
        vid = draft.id
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1360, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    try:
        browser_login(tab, "zhangwei")
        tab.goto(f"/roster/versions/{vid}")
        text = tab.locator("#explanation").inner_text()
        assert f"{day:%m-%d} 白班缺值长：" in text and "张伟请假" in text, text
        assert "on leave" not in text
        screenshot(tab, f"roster-explanation-zh-{db_url.split(':')[0]}")
    finally:
        context.close()
