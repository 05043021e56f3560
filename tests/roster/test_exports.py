"""The exports parsed back: CSV with the csv module, the 排班表 with openpyxl, the feed with icalendar."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from icalendar import Calendar

from roster import exports
from roster.domain import Assignment, Leave, Member

START = date(2027, 1, 1)  # a Friday; chinese_calendar has no 2027 data yet, so the tests give the day kinds
KINDS = {START: "holiday", date(2027, 1, 2): "weekend", date(2027, 1, 3): "weekend"}
PEOPLE = (
    Member("li", "李雷", "leader", frozenset(), "A"),
    Member("wang", "王芳", "watcher", frozenset({"info"}), "A"),
    Member("zhang", "张伟", "watcher", frozenset({"comms"}), "B"),
    Member("gone", "离职", "watcher", frozenset({"info"}), "C", active=False),
)
ROWS = (
    Assignment(START, "D", "leader", "li"),
    Assignment(START, "D", "info", "wang"),
    Assignment(START + timedelta(days=1), "N", "comms", "zhang", source="substitute"),
    Assignment(START + timedelta(days=4), "N", "info", "wang"),
)
LEAVES = (Leave("zhang", START + timedelta(days=3), START + timedelta(days=4)),)


def test_csv_round_trip_has_every_seat_with_local_times() -> None:
    text = exports.roster_csv(ROWS, PEOPLE, "Asia/Shanghai")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["username"] for r in rows] == ["li", "wang", "zhang", "wang"]
    assert rows[0]["name"] == "李雷" and rows[0]["position"] == "leader" and rows[0]["shift"] == "D"
    assert rows[0]["starts_at"] == "2027-01-01T08:00:00+08:00"
    assert rows[2]["source"] == "substitute"
    night = datetime.fromisoformat(rows[3]["ends_at"])
    assert night == datetime(2027, 1, 6, 8, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_csv_empty_roster_is_just_the_header() -> None:
    assert exports.roster_csv([], PEOPLE).strip() == ",".join(exports.CSV_COLUMNS)


@pytest.fixture
def sheet():
    data = exports.roster_xlsx(ROWS, PEOPLE, START, START + timedelta(days=6), day_kinds=KINDS, title="排班表",
                               leaves=LEAVES)
    return openpyxl.load_workbook(io.BytesIO(data)).active


def _row_of(ws, name: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == name)


def test_xlsx_grid_marks_shifts_off_leave_and_substitutes(sheet) -> None:
    col = exports.FIRST_DAY_COL
    wang, zhang = _row_of(sheet, "王芳"), _row_of(sheet, "张伟")
    assert [sheet.cell(wang, col + i).value for i in range(7)] == ["D", "休", "休", "休", "N", "休", "休"]
    assert [sheet.cell(zhang, col + i).value for i in range(7)] == ["休", "N*", "休", "假", "假", "休", "休"]
    assert sheet.cell(zhang, col + 1).font.italic
    assert sheet.cell(wang, col + 7).value == 1 and sheet.cell(wang, col + 8).value == 1  # D and N totals
    assert "离职" not in [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)]


def test_xlsx_shades_holidays_and_weekends_and_has_a_legend(sheet) -> None:
    col = exports.FIRST_DAY_COL
    holiday, weekend = exports.FILLS["holiday"].fgColor.rgb, exports.FILLS["weekend"].fgColor.rgb
    assert sheet.cell(3, col).fill.fgColor.rgb == holiday  # 01-01 元旦
    assert sheet.cell(3, col + 1).value == "六" and sheet.cell(3, col + 1).fill.fgColor.rgb == weekend
    li = _row_of(sheet, "李雷")
    assert sheet.cell(li, col + 2).fill.fgColor.rgb == weekend  # Sunday off, shaded
    legend = _row_of(sheet, "图例 Legend")
    meanings = [sheet.cell(r, 3).value for r in range(legend + 1, legend + 8)]
    assert any("请假" in m for m in meanings) and any("Substitute" in m for m in meanings)


def test_xlsx_is_printable(sheet) -> None:
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.freeze_panes == f"{openpyxl.utils.get_column_letter(exports.FIRST_DAY_COL)}{exports.HEADER_ROWS + 1}"
    assert sheet.cell(1, 1).value.startswith("排班表")


def test_xlsx_day_kinds_override_the_calendar() -> None:
    kinds = {START + timedelta(days=i): "workday" for i in range(3)}
    data = exports.roster_xlsx(ROWS, PEOPLE, START, START + timedelta(days=2), day_kinds=kinds)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.cell(3, exports.FIRST_DAY_COL).fill.fgColor.rgb == exports.FILLS["head"].fgColor.rgb


def test_xlsx_takes_holidays_from_the_chinese_calendar_by_default() -> None:
    national_day = date(2026, 10, 1)
    data = exports.roster_xlsx([], PEOPLE, national_day, national_day + timedelta(days=1))
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.cell(3, exports.FIRST_DAY_COL).fill.fgColor.rgb == exports.FILLS["holiday"].fgColor.rgb


def test_ical_one_event_per_shift_with_tzid_and_vtimezone() -> None:
    stamp = datetime(2026, 12, 1, tzinfo=ZoneInfo("UTC"))
    cal = Calendar.from_ical(exports.person_ical(ROWS, PEOPLE[1], "Asia/Shanghai", stamp=stamp))
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["白班 Day shift — 信息值班员", "夜班 Night shift — 信息值班员"]
    zone = ZoneInfo("Asia/Shanghai")
    assert events[1].decoded("DTSTART") == datetime(2027, 1, 5, 20, tzinfo=zone)
    assert events[1].decoded("DTEND") == datetime(2027, 1, 6, 8, tzinfo=zone)
    assert events[0]["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert str(events[0]["UID"]) == "20270101-D-info-wang@dutydesk"


def test_ical_uids_are_stable_and_other_people_excluded() -> None:
    first = Calendar.from_ical(exports.person_ical(ROWS, PEOPLE[2]))
    again = Calendar.from_ical(exports.person_ical(list(reversed(ROWS)), PEOPLE[2]))
    assert [str(e["UID"]) for e in first.walk("VEVENT")] == [str(e["UID"]) for e in again.walk("VEVENT")]
    assert len(first.walk("VEVENT")) == 1 and "substitute" in str(first.walk("VEVENT")[0]["DESCRIPTION"])
    assert str(first["UID"]) == str(again["UID"])


def test_ical_without_shifts_is_a_valid_empty_calendar() -> None:
    cal = Calendar.from_ical(exports.person_ical([], PEOPLE[0]))
    assert cal.walk("VEVENT") == [] and str(cal["VERSION"]) == "2.0"
