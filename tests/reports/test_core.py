"""The pure report maths: periods, leave days, maintenance time, KPIs, percentiles, cell neutralising."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from monitoring.maintenance import MaintenanceWindow
from reports import core
from reports.exports import safe
from roster.domain import Leave

TODAY = date(2026, 11, 17)


def test_periods() -> None:
    assert core.parse_period({}, TODAY) == (core.Period(date(2026, 11, 1), date(2026, 11, 30)), {})
    assert core.parse_period({"quarter": "2026-q1"}, TODAY)[0] == core.Period(date(2026, 1, 1), date(2026, 3, 31))
    assert core.parse_period({"from": "2026-02-03", "to": "2026-02-03"}, TODAY)[0].days == [date(2026, 2, 3)]
    assert core.parse_period({"month": "2026-2"}, TODAY)[1] == {}
    assert core.parse_period({"from": "2100-12-01", "to": "2101-01-01"}, TODAY)[1] == {"from": "out_of_range"}
    assert core.parse_period({"to": "2026-01-01"}, TODAY)[1] == {"from": "unreadable"}
    assert core.parse_period({"from": "2000-01-01", "to": "2100-12-31"}, TODAY)[1] == {"to": "too_long"}


def test_previous_period() -> None:
    assert core.month_period(2026, 3).previous() == core.month_period(2026, 2)
    assert core.quarter_period(2026, 1).previous() == core.quarter_period(2025, 4)
    assert core.Period(date(2026, 3, 10), date(2026, 3, 16)).previous() == core.Period(date(2026, 3, 3),
                                                                                        date(2026, 3, 9))


def test_utc_bounds_are_local_midnights() -> None:
    lo, hi = core.Period(date(2026, 10, 7), date(2026, 10, 7)).utc_bounds("Asia/Shanghai")
    assert (lo, hi) == (datetime(2026, 10, 6, 16, tzinfo=UTC), datetime(2026, 10, 7, 16, tzinfo=UTC))


def test_leave_days_count_each_person_day_once_inside_the_period() -> None:
    period = core.Period(date(2026, 5, 1), date(2026, 5, 10))
    leaves = [Leave("a", date(2026, 4, 28), date(2026, 5, 2)),
              Leave("a", date(2026, 5, 2), date(2026, 5, 2), frozenset({(date(2026, 5, 2), "N")})),
              Leave("b", date(2026, 5, 9), date(2026, 5, 9), frozenset({(date(2026, 5, 9), "D"),
                                                                         (date(2026, 5, 9), "N")}))]
    assert core.leave_days(leaves, period) == 3  # a: 05-01, 05-02; b: 05-09


def test_maintenance_seconds_merge_overlaps_and_weekly_windows() -> None:
    lo, hi = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC)  # two weeks from a Monday
    weekly = MaintenanceWindow.weekly((0,), time(2, 0), timedelta(hours=2), "a", "r", tz="UTC")
    one_off = MaintenanceWindow.one_off(datetime(2026, 11, 2, 3, tzinfo=UTC), datetime(2026, 11, 2, 5, tzinfo=UTC),
                                        "a", "r", ("web",))
    assert core.maintenance_seconds([weekly, one_off], "web", lo, hi) == (3 + 2) * 3600  # 02-05 + 02-04 next Monday
    assert core.maintenance_seconds([weekly, one_off], "db", lo, hi) == 4 * 3600


def test_kpi_trend_and_target() -> None:
    assert (core.Kpi("c", 0.9, 0.8, 1.0).met, core.Kpi("c", 0.9, 0.8, 1.0).trend) == (False, "up")
    assert core.Kpi("c", None, 0.8, 1.0).trend is None and core.Kpi("c", None, 0.8, 1.0).met is None
    assert core.Kpi("c", 1.0, 1.0, 1.0).trend == "flat"


def test_percentile_and_ranges() -> None:
    assert core.percentile(list(range(1, 11)), 0.9) == 9
    assert core.percentile([5.0], 0.9) == 5.0 and core.percentile([], 0.5) is None
    days = [date(2026, 1, d) for d in (1, 2, 3, 5, 7, 8)]
    assert [(p.start.day, p.end.day) for p in core.ranges(days)] == [(1, 3), (5, 5), (7, 8)]


def test_formula_looking_cells_are_neutralised() -> None:
    assert [safe(v) for v in ("=1+1", "+cmd", "-2", "@SUM(A1)", "ok", -2, None)] == [
        "'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "ok", -2, None]
