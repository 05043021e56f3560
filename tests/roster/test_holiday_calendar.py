"""The desk's own holiday calendar: it overrides and extends chinese_calendar per year, the solver and the grid use
it, managers keep it on a page and from a CSV file, and a bad file changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from desk.db import session_scope
from roster import holiday_file, holiday_store, holidays, solve_inputs
from roster.facts import build_facts
from roster.holidays import Calendar, Override
from roster.samples import desk_inputs
from roster.solver import solve
from tests.conftest import csrf_token, page_csrf

NEW_YEAR_2027 = Override(date(2027, 1, 1), "holiday", "元旦")
GOOD_CSV = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-07,workday,春节调休\n"


def test_a_desk_day_makes_an_unknown_year_known_and_classifies_it():
    calendar = Calendar({NEW_YEAR_2027.day: NEW_YEAR_2027})
    assert holidays.LIBRARY.day_info(date(2027, 1, 1)).known is False
    info = calendar.day_info(date(2027, 1, 1))
    assert (info.kind, info.known, info.holiday_name) == ("holiday", True, "元旦")
    assert calendar.day_info(date(2027, 1, 2)).kind == "weekend" and calendar.day_info(date(2027, 1, 2)).known
    makeup = Calendar({date(2027, 2, 7): Override(date(2027, 2, 7), "workday", "调休")}).day_info(date(2027, 2, 7))
    assert makeup.kind == "workday" and makeup.makeup_workday


def test_a_desk_day_overrides_the_library():
    assert holidays.LIBRARY.day_info(date(2026, 10, 1)).kind == "holiday"
    moved = Calendar({date(2026, 10, 1): Override(date(2026, 10, 1), "workday", "")})
    assert moved.day_info(date(2026, 10, 1)).kind == "workday"
    assert moved.classify([date(2026, 10, 1), date(2027, 3, 1)]) == (
        {date(2026, 10, 1): "workday", date(2027, 3, 1): "workday"}, [2027])


def test_special_days_lists_holidays_and_makeup_days_with_their_source():
    calendar = Calendar({NEW_YEAR_2027.day: NEW_YEAR_2027})
    assert [(i.day, own) for i, own in holidays.special_days(calendar, 2027)] == [(date(2027, 1, 1), True)]
    library = holidays.special_days(holidays.LIBRARY, 2026)
    assert (date(2026, 10, 1), False) in [(i.day, own) for i, own in library]
    assert any(i.makeup_workday for i, _own in library)


def test_the_solver_counts_the_desks_holidays_and_stops_warning():
    plain = desk_inputs(days=7, leaves=0, start=date(2027, 1, 1))
    assert build_facts(plain).kinds[date(2027, 1, 1)] == "workday"
    kept = desk_inputs(days=7, leaves=0, start=date(2027, 1, 1))
    kept = type(kept)(**{**kept.__dict__, "calendar": Calendar({NEW_YEAR_2027.day: NEW_YEAR_2027})})
    assert build_facts(kept).kinds[date(2027, 1, 1)] == "holiday"
    result = solve(kept, time_limit=10)
    assert result.ok and not result.warnings


@pytest.mark.parametrize(("text", "codes"), [
    ("", ["empty"]),
    ("date,kind,name\n", ["empty"]),
    ("2027-01-01\n", ["columns"]),
    ("2027-13-01,holiday,x\n", ["bad_date"]),
    ("1999-01-01,holiday,x\n", ["date_range"]),
    ("2027-01-01,vacation,x\n", ["bad_kind"]),
    ("2027-01-01,holiday," + "x" * 65 + "\n", ["long_name"]),
    ("2027-01-01,holiday,=HYPERLINK(1)\n", ["bad_name"]),
    ("2027-01-01,holiday,a\n2027-01-01,workday,b\n", ["duplicate"]),
])
def test_a_bad_file_is_refused_whole_with_each_problem_coded(text, codes):
    days, problems = holiday_file.parse_csv(text)
    assert days == [] and [p.code for p in problems] == codes
    assert {p.code for p in problems} <= set(holiday_file.PROBLEM_CODES)


def test_a_good_file_round_trips():
    days, problems = holiday_file.parse_csv("\ufeff" + GOOD_CSV)
    assert problems == [] and days == [NEW_YEAR_2027, Override(date(2027, 2, 7), "workday", "春节调休")]
    assert holiday_file.parse_csv(holiday_file.to_csv(days)) == (days, [])


def test_build_inputs_reads_the_desks_calendar(app):
    engine = app.extensions["dutydesk.engine"]
    with session_scope(engine) as session:
        holiday_store.set_day(session, actor="t", day=NEW_YEAR_2027)
    with session_scope(engine) as session:
        inputs = solve_inputs.build_inputs(session, start=date(2027, 1, 1), days=3)
        assert inputs.calendar.day_info(date(2027, 1, 1)).kind == "holiday"
        assert holiday_store.remove_day(session, actor="t", day=date(2027, 1, 1))
        assert not holiday_store.remove_day(session, actor="t", day=date(2027, 1, 1))


def test_manager_keeps_the_calendar_on_the_page(client, login_as):
    login_as("manager", "boss")
    page = client.get("/roster/holidays/?year=2027").get_data(as_text=True)
    assert 'id="year-unknown"' in page and 'id="day-form"' in page
    token = csrf_token(page)
    bad = client.post("/roster/holidays/day", data={"day": "1999-01-01", "kind": "holiday", "name": "old",
                                                    "csrf_token": token})
    assert bad.status_code == 400 and "between 2000 and 2100" in bad.get_data(as_text=True)
    assert 'value="old"' in bad.get_data(as_text=True)
    far = client.post("/roster/holidays/day", data={"day": "9999-12-31", "kind": "holiday", "csrf_token": token})
    assert far.status_code == 400 and "2100" in far.get_data(as_text=True)  # the page falls back to the last year
    ok = client.post("/roster/holidays/day", data={"day": "2027-01-01", "kind": "holiday", "name": "元旦",
                                                   "csrf_token": token})
    assert ok.status_code == 302
    page = client.get("/roster/holidays/?year=2027").get_data(as_text=True)
    assert "元旦" in page and 'id="year-unknown"' not in page and 'id="year-desk"' in page


def test_a_bad_upload_lists_its_lines_and_changes_nothing(client, login_as, app):
    login_as("manager", "boss")
    token = page_csrf(client, "/roster/holidays/?year=2027")
    from io import BytesIO

    bad = client.post("/roster/holidays/import", data={"csrf_token": token, "file": (
        BytesIO(b"2027-01-01,holiday,a\n2027-02-30,holiday,b\n"), "h.csv")}, content_type="multipart/form-data")
    assert bad.status_code == 400 and "line 2" in bad.get_data(as_text=True)
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        assert holiday_store.desk_days(session) == []
    good = client.post("/roster/holidays/import", data={"csrf_token": token, "file": (
        BytesIO(GOOD_CSV.encode()), "h.csv")}, content_type="multipart/form-data")
    assert good.status_code == 302
    assert client.get("/roster/holidays/export.csv").get_data(as_text=True) == GOOD_CSV


def test_watchers_read_but_cannot_change(client, login_as):
    login_as("watcher", "w1")
    page = client.get("/roster/holidays/?year=2026").get_data(as_text=True)
    assert "国庆节" in page or "National Day" in page
    assert 'id="day-form"' not in page
    assert client.post("/roster/holidays/day", data={"day": "2027-01-01", "kind": "holiday"}).status_code in (400, 403)


def test_the_grid_warning_links_to_the_calendar(client, login_as):
    login_as("leader", "lead")
    page = client.get("/roster/?month=2027-01").get_data(as_text=True)
    assert "/roster/holidays/?year=2027" in page


def test_cli_import_list_export(runner, tmp_path):
    good = tmp_path / "h.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    result = runner.invoke(args=["holidays", "import", str(good)])
    assert result.exit_code == 0 and "2 new" in result.output
    listed = runner.invoke(args=["holidays", "list", "--year", "2027"])
    assert "2027-01-01  holiday  desk" in listed.output
    assert runner.invoke(args=["holidays", "export"]).output == GOOD_CSV
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-01-01,holiday,a\nnot-a-date,holiday,b\n", encoding="utf-8")
    refused = runner.invoke(args=["holidays", "import", str(bad)])
    assert refused.exit_code == 2 and "bad.csv:2: bad_date" in refused.output
