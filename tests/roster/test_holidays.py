"""The Chinese holiday calendar wrapper: holidays, make-up workdays, unknown years."""

from datetime import date

from roster import holidays
from roster.samples import desk_inputs
from roster.solver import solve


def test_statutory_holiday_and_makeup_workday():
    assert holidays.is_statutory_holiday(date(2026, 10, 1))
    assert holidays.is_makeup_workday(date(2026, 2, 14))
    assert not holidays.is_weekend(date(2026, 2, 14))
    assert holidays.is_weekend(date(2026, 3, 7))
    assert holidays.day_info(date(2026, 3, 9)).kind == holidays.WORKDAY


def test_unknown_year_reported_not_guessed():
    kinds, unknown = holidays.classify([date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)])
    assert unknown == [2027]
    assert kinds[date(2027, 1, 1)] == holidays.WORKDAY  # no guessing of New Year
    assert kinds[date(2027, 1, 2)] == holidays.WEEKEND


def test_solver_warns_about_unknown_year():
    inputs = desk_inputs(days=7, leaves=0, start=date(2027, 1, 1))
    result = solve(inputs, time_limit=10)
    assert result.ok
    assert [(w.code, w.kw) for w in result.warnings] == [("holiday_year_unknown", {"year": 2027})]
