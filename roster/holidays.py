"""The Chinese holiday calendar (chinese_calendar): statutory holidays, make-up workdays, weekends.

Kinds of day used by the fairness rules:
- ``holiday``: a statutory public holiday day (including the days moved next to it);
- ``weekend``: a Saturday or Sunday that is not a workday and not a holiday;
- ``workday``: everything else, including make-up workdays (调休 Saturdays/Sundays).

A year the library does not know is **reported, never guessed**: its days fall back to plain
Saturday/Sunday weekends with no holidays, and the year is returned in ``unknown_years`` so the
caller (the solver, the page) can warn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import chinese_calendar

HOLIDAY, WEEKEND, WORKDAY = "holiday", "weekend", "workday"


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one date; ``known`` is False for a year the library lacks."""

    day: date
    kind: str
    known: bool
    holiday_name: str | None = None
    makeup_workday: bool = False


def day_info(day: date) -> DayInfo:
    """Classify ``day``; never raises for an unknown year (``known`` is False instead)."""
    try:
        is_off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return DayInfo(day, WEEKEND if day.weekday() >= 5 else WORKDAY, known=False)
    if is_off and name:
        return DayInfo(day, HOLIDAY, True, str(name))
    if is_off:
        return DayInfo(day, WEEKEND, True)
    return DayInfo(day, WORKDAY, True, str(name) if name else None, makeup_workday=day.weekday() >= 5)


def is_statutory_holiday(day: date) -> bool:
    """True for a statutory public holiday day (False for an unknown year)."""
    return day_info(day).kind == HOLIDAY


def is_makeup_workday(day: date) -> bool:
    """True for a weekend day that is a workday by the State Council's adjustment (调休)."""
    return day_info(day).makeup_workday


def is_weekend(day: date) -> bool:
    """True for a Saturday/Sunday that is neither a workday nor a statutory holiday."""
    return day_info(day).kind == WEEKEND


def classify(days: Iterable[date]) -> tuple[dict[date, str], list[int]]:
    """Kinds of ``days`` and the sorted list of years the library does not know."""
    kinds, unknown = {}, set()
    for d in days:
        info = day_info(d)
        kinds[d] = info.kind
        if not info.known:
            unknown.add(d.year)
    return kinds, sorted(unknown)


def unknown_year_warnings(years: list[int]) -> list[str]:
    """One warning per year without holiday data."""
    return [
        f"holiday calendar has no data for {y}: only weekends counted, public holidays unknown"
        for y in years
    ]
