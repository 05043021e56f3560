"""The Chinese holiday calendar (chinese_calendar): statutory holidays, make-up workdays, weekends.

Kinds of day used by the fairness rules:
- ``holiday``: a statutory public holiday day (including the days moved next to it);
- ``weekend``: a Saturday or Sunday that is not a workday and not a holiday;
- ``workday``: everything else, including make-up workdays (调休 Saturdays/Sundays).

A year the library does not know is **reported, never guessed**: its days fall back to plain
Saturday/Sunday weekends with no holidays, and the year is returned in ``unknown_years`` so the
caller (the solver, the page) can warn.

The desk keeps its own entries (a :class:`Calendar` of :class:`Override` days, maintained by managers on the
holidays page or imported from CSV): they override the library for their dates, and a year with any entry of the
desk's counts as known (its other days are plain weekdays and weekends), so a desk can add next year's holidays
before the library has them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import chinese_calendar

HOLIDAY, WEEKEND, WORKDAY = "holiday", "weekend", "workday"
OVERRIDE_KINDS = (HOLIDAY, WORKDAY)


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one date; ``known`` is False for a year the library lacks."""

    day: date
    kind: str
    known: bool
    holiday_name: str | None = None
    makeup_workday: bool = False


def library_day_info(day: date) -> DayInfo:
    """What chinese_calendar says of ``day``; never raises for an unknown year (``known`` is False instead)."""
    try:
        is_off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return DayInfo(day, _plain_kind(day), known=False)
    if is_off and name:
        return DayInfo(day, HOLIDAY, True, str(name))
    if is_off:
        return DayInfo(day, WEEKEND, True)
    return DayInfo(day, WORKDAY, True, str(name) if name else None, makeup_workday=day.weekday() >= 5)


def _plain_kind(day: date) -> str:
    return WEEKEND if day.weekday() >= 5 else WORKDAY


@dataclass(frozen=True)
class Override:
    """A day the desk declares itself: a public ``holiday`` or a (make-up) ``workday``, with its name."""

    day: date
    kind: str
    name: str = ""


@dataclass(frozen=True)
class Calendar:
    """The library's calendar with the desk's own days on top (see the module docstring)."""

    overrides: Mapping[date, Override] = field(default_factory=dict)

    @property
    def desk_years(self) -> frozenset[int]:
        """Years for which the desk has entries of its own (known even when the library is not)."""
        return frozenset(d.year for d in self.overrides)

    def day_info(self, day: date) -> DayInfo:
        """Classify ``day``: the desk's entry, else the library, else (unknown year) plain weekdays."""
        entry = self.overrides.get(day)
        if entry is not None:
            return _override_info(entry)
        info = library_day_info(day)
        if not info.known and day.year in self.desk_years:
            return DayInfo(day, _plain_kind(day), True)
        return info

    def classify(self, days: Iterable[date]) -> tuple[dict[date, str], list[int]]:
        """Kinds of ``days`` and the sorted list of years nobody knows."""
        kinds, unknown = {}, set()
        for d in days:
            info = self.day_info(d)
            kinds[d] = info.kind
            if not info.known:
                unknown.add(d.year)
        return kinds, sorted(unknown)


def _override_info(entry: Override) -> DayInfo:
    if entry.kind == HOLIDAY:
        return DayInfo(entry.day, HOLIDAY, True, entry.name or None)
    makeup = entry.day.weekday() >= 5
    return DayInfo(entry.day, WORKDAY, True, entry.name or None, makeup_workday=makeup)


LIBRARY = Calendar()


def day_info(day: date, calendar: Calendar = LIBRARY) -> DayInfo:
    """Classify ``day`` by ``calendar`` (the library alone by default); never raises for an unknown year."""
    return calendar.day_info(day)


def is_statutory_holiday(day: date) -> bool:
    """True for a statutory public holiday day (False for an unknown year)."""
    return day_info(day).kind == HOLIDAY


def is_makeup_workday(day: date) -> bool:
    """True for a weekend day that is a workday by the State Council's adjustment (调休)."""
    return day_info(day).makeup_workday


def is_weekend(day: date) -> bool:
    """True for a Saturday/Sunday that is neither a workday nor a statutory holiday."""
    return day_info(day).kind == WEEKEND


def classify(days: Iterable[date], calendar: Calendar = LIBRARY) -> tuple[dict[date, str], list[int]]:
    """Kinds of ``days`` and the sorted list of years the calendar does not know."""
    return calendar.classify(days)


def library_knows(year: int) -> bool:
    """Whether chinese_calendar has data for ``year``."""
    return library_day_info(date(year, 6, 1)).known


def special_days(calendar: Calendar, year: int) -> list[tuple[DayInfo, bool]]:
    """The public holidays and make-up workdays of ``year``, each with whether the desk's own entry made it so."""
    out, day = [], date(year, 1, 1)
    while day.year == year:
        info = calendar.day_info(day)
        if info.kind == HOLIDAY or info.makeup_workday or day in calendar.overrides:
            out.append((info, day in calendar.overrides))
        day = date.fromordinal(day.toordinal() + 1)
    return out
