"""Issue 10, the desk side: presets (四班二运转, 四班三运转, 五班三运转, day team), shift types, forbidden
successions and limits on the settings page and in the CLI, end to end through generate, publish, grid and exports."""

from __future__ import annotations

import io
import re
from datetime import date, time, timedelta
from html import unescape

import openpyxl
import pytest

from desk.db import session_scope
from roster import exports, settings_store
from roster.domain import Assignment, Member, ShiftDef
from tests.conftest import csrf_token
from tests.roster.deskdata import START


def _row(values: dict) -> object:
    row = settings_store.defaults()
    for key, value in values.items():
        setattr(row, key, value)
    return row


@pytest.mark.parametrize("name,codes,pattern", [("4x2", ["D", "N"], "DNOO"), ("4x3", ["D", "E", "N"], "NNDDEEOO"),
                                                ("5x3", ["D", "E", "N"], "NNDDEEOOOO"), ("day", ["D"], None)])
def test_every_preset_passes_the_save_time_checks(name: str, codes: list[str], pattern: str | None) -> None:
    row = _row(settings_store.preset_values(name))
    assert settings_store.check(row) == []
    es = settings_store.engine_settings(row)
    assert [s.code for s in es.shifts] == codes
    assert (es.pattern.code if es.pattern else None) == pattern


def test_three_eight_hour_shifts_and_five_teams() -> None:
    es = settings_store.engine_settings(_row(settings_store.preset_values("5x3")))
    assert [(s.code, f"{s.start:%H:%M}", s.length) for s in es.shifts] == [("D", "08:00", 480), ("E", "16:00", 480),
                                                                            ("N", "00:00", 480)]
    assert es.pattern is not None and sorted(es.pattern.offsets) == ["A", "B", "C", "D", "E"]
    assert es.rules.forbidden == () and es.rules.min_rest_hours == 8


def test_day_team_has_no_rotation_and_no_weekend_seats() -> None:
    es = settings_store.engine_settings(_row(settings_store.preset_values("day")))
    monday = date(2026, 9, 28)
    rows = es.cover_rows(monday, 7)
    assert {c.day for c in rows} == {monday + timedelta(days=5), monday + timedelta(days=6)}
    assert all(c.need == 0 and c.under is None and c.over is None for c in rows)
    assert [(x.kind, x.hard_max) for x in es.rules.limits] == [("work_run", 5)]


def test_a_rule_the_pattern_itself_breaks_is_named() -> None:
    values = settings_store.preset_values("4x3")
    values["rules"]["forbidden"] = [["D", "E"]]  # NNDDEEOO has D then E
    problems = settings_store.check(_row(values))
    assert [rule for rule, _m in problems] == ["succession"]
    assert problems[0][1].code == "pattern_succession"


@pytest.mark.parametrize("change,field", [
    ({"pattern_code": "DNXO"}, "pattern"),
    ({"rules": {"shift_types": [{"code": "O", "start": "08:00", "minutes": 480}]}}, "shift_types"),
    ({"rules": {"shift_types": [{"code": "D", "start": "8h", "minutes": 480}]}}, "shift_types"),
    ({"rules": {"forbidden": [["N", "X"]]}}, "forbidden"),
    ({"rules": {"limits": [{"kind": "work_run", "hard_min": 6, "hard_max": 5}]}}, "limits"),
    ({"rules": {"limits": [{"kind": "naps", "hard_max": 5}]}}, "limits"),
    ({"offsets": {"A": 0, "B": 1, "C": 2}}, "offsets"),
])
def test_malformed_settings_are_refused_by_field(change: dict, field: str) -> None:
    values = settings_store.preset_values("4x2")
    if "rules" in change:
        values["rules"] = {**values["rules"], **change.pop("rules")}
    values.update(change)
    assert field in [rule for rule, _m in settings_store.check(_row(values))]


def test_the_text_forms_round_trip_and_name_bad_lines() -> None:
    shifts = (ShiftDef("D", time(8, 0), minutes=480),)
    assert settings_store.shift_types_text(shifts) == "D 08:00 480"
    assert settings_store.parse_shift_types("d 08:00 480\n\nN 00:00 480") == [
        {"code": "D", "start": "08:00", "minutes": 480}, {"code": "N", "start": "00:00", "minutes": 480}]
    assert settings_store.parse_shift_types("D 08:00\n").params == {"line": 1}
    assert settings_store.parse_forbidden("n>d， E>N") == [["N", "D"], ["E", "N"]]
    assert settings_store.parse_forbidden("N D").params == {"item": "N D"}
    text = "work_run 2-5\nshifts N -14 @liqiang\noff_run 2-"
    limits = settings_store.parse_limits(text)
    assert [settings_store.limit_text(x) for x in limits] == text.splitlines()
    assert settings_store.parse_limits("work_run 2-5\nweekends one").params == {"line": 2}


# --- the settings page and the CLI ----------------------------------------------------------------------------

def _apply(client, name: str):
    token = csrf_token(client.get("/roster/settings").get_data(as_text=True))
    return client.post("/roster/settings/preset", data={"preset": name, "csrf_token": token})


def test_apply_a_preset_on_the_page_and_see_its_shift_types(leader, desk) -> None:
    assert _apply(leader, "4x3").status_code == 302
    html = leader.get("/roster/settings").get_data(as_text=True)
    assert "Preset 四班三运转 (four teams, D/E/N, 8 hours) applied." in html
    assert '<option selected value="4x3">' in html
    assert re.search(r'<strong>E</strong> 16:00 · 480 min', html)
    assert "E 16:00 480" in html and "NNDDEEOO" in html
    with session_scope(desk) as session:
        assert settings_store.load(session).rules["preset"] == "4x3"


def test_editing_limits_with_a_bad_line_names_the_line(leader, desk) -> None:
    _apply(leader, "4x3")
    html = leader.get("/roster/settings").get_data(as_text=True)
    form = {k: unescape(v) for k, v in re.findall(r'<input[^>]*name="([\w_]+)"[^>]*value="([^"]*)"', html)}
    form.update({"pattern": "custom", "custom": "NNDDEEOO", "shift_types": "D 08:00 480\nE 16:00 480\nN 00:00 480",
                 "limits": "work_run 2-5\nweekends at most one", "csrf_token": csrf_token(html)})
    r = leader.post("/roster/settings", data=form)
    assert r.status_code == 422
    assert "limits, line 2: write KIND [SHIFT] [MIN-MAX] [~MIN-MAX*COST] [@person]" in r.get_data(as_text=True)
    form["limits"] = "work_run 2-6\nweekends -3"
    form["forbidden"] = "D>E"
    r = leader.post("/roster/settings", data=form)
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Forbidden shift successions" in body and "succession" in body
    form["forbidden"] = "E>D"
    assert leader.post("/roster/settings", data=form).status_code == 302
    with session_scope(desk) as session:
        rules = settings_store.load(session).rules
    assert rules["forbidden"] == [["E", "D"]] and rules["limits"][1] == {"kind": "weekends", "hard_min": None,
                                                                        "hard_max": 3}


def test_cli_lists_and_applies_presets(runner, desk) -> None:
    listed = runner.invoke(args=["roster", "preset"])
    assert listed.exit_code == 0 and "5x3" in listed.output and "shift types: D 08:00 720 min, N 20:00 720 min" in (
        listed.output)
    applied = runner.invoke(args=["roster", "preset", "day"])
    assert applied.exit_code == 0, applied.output
    assert "shift types: D 09:00 480 min" in applied.output and "pattern: (none" in applied.output
    assert "limits: work_run -5" in applied.output
    assert runner.invoke(args=["roster", "preset", "7x9"]).exit_code == 2


@pytest.mark.parametrize("preset,shifts", [("4x3", {"D", "E", "N"}), ("day", {"D"})])
def test_generate_publish_grid_and_exports_show_the_shift_types(runner, leader, desk, preset, shifts) -> None:
    assert runner.invoke(args=["roster", "preset", preset]).exit_code == 0
    result = runner.invoke(args=["roster", "generate", "--start", START.isoformat(), "--days", "7", "--publish",
                                 "--time-limit", "20"])
    assert result.exit_code == 0, result.output
    seats = re.search(r"seats by shift type: (.*)", result.output).group(1)
    assert {part.split()[0] for part in seats.split(", ")} == shifts
    month = leader.get(f"/roster/?month={START:%Y-%m}").get_data(as_text=True)
    legend = re.search(r'id="grid-legend">(.*?)</p>', month, re.S).group(1)
    assert all(f'class="key s{code}"' in legend for code in shifts)
    if preset == "4x3":
        assert "Evening 16:00–00:00" in legend and re.search(r'class="\w+ sE', month)
    else:
        assert "Day 09:00–17:00" in legend
        weekend = [START + timedelta(days=i) for i in range(7) if (START + timedelta(days=i)).weekday() >= 5]
        csv_text = leader.get("/roster/export?format=csv&month=2026-10").get_data(as_text=True)
        assert "2026-10-02" in csv_text and not any(d.isoformat() in csv_text for d in weekend)


def test_xlsx_totals_and_legend_follow_the_shift_types() -> None:
    shifts = tuple(ShiftDef(c, time(h), minutes=480) for c, h in (("D", 8), ("E", 16), ("N", 0)))
    people = (Member("li", "李雷", "leader", frozenset(), "A"),)
    day = date(2027, 3, 1)
    rows = (Assignment(day, "E", "leader", "li"), Assignment(day + timedelta(days=1), "E", "leader", "li"),
            Assignment(day + timedelta(days=2), "N", "leader", "li"))
    data = exports.roster_xlsx(rows, people, day, day + timedelta(days=2), day_kinds={}, shifts=shifts)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    col = exports.FIRST_DAY_COL + 3
    assert [ws.cell(2, col + k).value for k in range(3)] == ["D", "E", "N"]
    assert [ws.cell(4, col + k).value for k in range(3)] == [0, 2, 1]
    texts = [ws.cell(r, 3).value for r in range(1, ws.max_row + 1)]
    assert "中班 Evening shift 16:00–00:00" in texts and "夜班 Night shift 00:00–08:00" in texts
