"""The month grid in Chromium after a 四班三运转 roster is published, in English and in Chinese: every team's
rows, cells of all three shift types (D, E, N) and a legend naming each with its hours."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from desk.db import session_scope
from roster import drafts, publishing, settings_store
from tests.conftest import browser_login, screenshot
from tests.roster.deskdata import with_people

pytestmark = pytest.mark.browser
START = date(2026, 10, 5)
LEGEND = {"en": ("Day", "Evening", "Night", "16:00–00:00"), "zh": ("白班", "中班", "夜班", "16:00–00:00")}


@pytest.fixture
def evening_roster(app) -> None:
    engine = with_people(app)
    with session_scope(engine) as session:
        settings_store.apply_preset(session, actor="zhangwei", name="4x3")
        version = drafts.create_draft(session, actor="zhangwei", start=START, end=START + timedelta(days=13))
        assert drafts.solve_version(session, version=version, time_limit=20).ok
        publishing.publish(session, actor="zhangwei", version_id=version.id)


def _check_grid(tab: Any, lang: str, kind: str) -> None:
    browser_login(tab, "zhangwei")
    tab.goto("/roster/?month=2026-10")
    for code in ("D", "E", "N"):
        assert tab.locator(f"table td.s{code}").count() > 0, code
        assert tab.locator(f"#grid-legend .key.s{code}").count() == 1, code
    legend = tab.locator("#grid-legend").inner_text()
    assert all(word in legend for word in LEGEND[lang]), legend
    assert tab.locator("tr.team").count() >= 4
    screenshot(tab, f"roster-grid-4x3-{lang}-{kind}")


def test_grid_after_a_four_team_three_shift_publish_in_english(page, evening_roster, db_url) -> None:
    _check_grid(page, "en", db_url.split(":")[0])


def test_grid_after_a_four_team_three_shift_publish_in_chinese(zh_page, evening_roster, db_url) -> None:
    _check_grid(zh_page, "zh", db_url.split(":")[0])
