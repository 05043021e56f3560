"""A shift leader picks a preset on the settings page in Chromium (English and Chinese), sees its shift types and
rotation, gets a bad limit line named and keeps a soft limit line."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.conftest import browser_login, screenshot
from tests.roster.deskdata import with_people

pytestmark = pytest.mark.browser


def test_leader_applies_a_preset_and_edits_its_limits(page, app, db_url):
    with_people(app)
    kind = db_url.split(":")[0]
    browser_login(page, "zhangwei")
    page.goto("/roster/settings")
    assert "D 08:00 · 720 min" in page.locator("#current-shift-types").inner_text()
    page.select_option("#preset-form select[name=preset]", "4x3")
    with page.expect_navigation():
        page.click("#apply-preset")
    assert "Preset 四班三运转 (four teams, D/E/N, 8 hours) applied." in page.content()
    shifts = page.locator("#current-shift-types").inner_text()
    assert "E 16:00 · 480 min" in shifts and "N 00:00 · 480 min" in shifts
    assert page.locator("#rotation-preview td.sE").count() == 8  # one team on the evening shift every day
    assert page.input_value("textarea[name=shift_types]") == "D 08:00 480\nE 16:00 480\nN 00:00 480"
    screenshot(page, f"roster-settings-preset-en-{kind}")
    page.fill("textarea[name=limits]", "work_run 2-6\nweekends one")
    with page.expect_navigation():
        page.click("#settings-form button[type=submit].primary")
    problems = page.locator("#settings-problems").inner_text()
    assert "limits, line 2: write KIND [SHIFT] [MIN-MAX] [~MIN-MAX*COST] [@person]" in problems
    screenshot(page, f"roster-settings-limit-error-en-{kind}")
    page.fill("textarea[name=limits]", "work_run 2-6\nshifts N -8 ~-4*10")  # a soft bound: each night over 4 costs 10
    with page.expect_navigation():
        page.click("#settings-form button[type=submit].primary")
    assert "Roster settings saved." in page.content()
    assert page.input_value("textarea[name=limits]") == "work_run 2-6\nshifts N -8 ~-4*10"
    page.locator("#limit-kinds").scroll_into_view_if_needed()
    page.screenshot(path=str(Path(tempfile.gettempdir()) / f"roster-settings-soft-limit-en-{kind}.png"))


def test_chinese_leader_sees_the_presets_in_chinese(zh_page, app, db_url):
    with_people(app)
    kind = db_url.split(":")[0]
    browser_login(zh_page, "zhangwei")
    zh_page.goto("/roster/settings")
    assert "应用预设" in zh_page.locator("#apply-preset").inner_text()
    zh_page.select_option("#preset-form select[name=preset]", "5x3")
    with zh_page.expect_navigation():
        zh_page.click("#apply-preset")
    assert "已应用预设 五班三运转（五个班组，白班/中班/夜班，每班 8 小时）" in zh_page.content()
    assert zh_page.locator("#rotation-preview tbody tr").count() == 5  # team E joins A–D
    assert "8 分钟" not in zh_page.locator("#current-shift-types").inner_text()
    assert "480 分钟" in zh_page.locator("#current-shift-types").inner_text()
    screenshot(zh_page, f"roster-settings-preset-zh-{kind}")
