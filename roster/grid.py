"""The month grid (排班表): people × days with the shift types (day/night today), off, leave, substitutes,
holidays and make-up workdays.

Pure: built from engine Assignments, engine People and Leave, so the pages and the exports can share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from roster import holidays
from roster.domain import TEAMS, Assignment, Leave, Member


@dataclass(frozen=True)
class Day:
    """A column of the grid."""

    day: date
    kind: str  # workday | weekend | holiday
    holiday_name: str | None
    makeup: bool
    known: bool

    @property
    def shaded(self) -> bool:
        return self.kind in (holidays.WEEKEND, holidays.HOLIDAY)


@dataclass(frozen=True)
class Cell:
    """One person on one day: the shift type worked ('D', 'N', 'E', …; '' for off), the seat, how it came, and
    leave."""

    shift: str = ""
    position: str = ""
    source: str = ""
    leave: bool = False


@dataclass
class Row:
    """One person's line: their cells and totals (shifts, nights)."""

    person: Member
    cells: list[Cell] = field(default_factory=list)

    @property
    def shifts(self) -> int:
        return sum(1 for c in self.cells if c.shift)

    @property
    def nights(self) -> int:
        return sum(1 for c in self.cells if c.shift == "N")


@dataclass
class Grid:
    """The whole month: columns, rows grouped by team (spares last), and whether the calendar knows the year."""

    start: date
    end: date
    days: list[Day]
    groups: list[tuple[str | None, list[Row]]]
    unknown_years: list[int]


def month_bounds(month: date) -> tuple[date, date]:
    """First and last day of the month of ``month``."""
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def columns(start: date, end: date,
            calendar: holidays.Calendar = holidays.LIBRARY) -> tuple[list[Day], list[int]]:
    """The day columns and the years the holiday calendar does not know."""
    out, unknown = [], set()
    for i in range((end - start).days + 1):
        info = calendar.day_info(start + timedelta(days=i))
        out.append(Day(info.day, info.kind, info.holiday_name, info.makeup_workday, info.known))
        if not info.known:
            unknown.add(info.day.year)
    return out, sorted(unknown)


def build(assignments: Iterable[Assignment], people: Iterable[Member], leaves: Iterable[Leave],
          start: date, end: date, calendar: holidays.Calendar = holidays.LIBRARY) -> Grid:
    """The grid over ``start``..``end``: everyone active or on the roster, by team then seat then name."""
    days, unknown = columns(start, end, calendar)
    seats = {(a.username, a.day): a for a in assignments if start <= a.day <= end}
    on_roster = {u for u, _d in seats}
    shown = [p for p in people if p.active or p.username in on_roster]
    leave_by_user: dict[str, list[Leave]] = {}
    for lv in leaves:
        leave_by_user.setdefault(lv.username, []).append(lv)
    rows = {p.username: Row(p, [_cell(seats.get((p.username, d.day)), leave_by_user.get(p.username, []), d.day)
                                for d in days]) for p in shown}
    order = {"leader": 0, "info": 1, "comms": 2}
    groups = []
    for team in (*TEAMS, *sorted({r.person.team for r in rows.values() if r.person.team} - set(TEAMS)), None):
        members = sorted((r for r in rows.values() if r.person.team == team),
                         key=lambda r: (order.get(r.person.primary, 3), r.person.username))
        if members:
            groups.append((team, members))
    return Grid(start, end, days, groups, unknown)


def _cell(a: Assignment | None, leaves: list[Leave], day: date) -> Cell:
    on_leave = any(lv.start <= day <= lv.end if lv.shifts is None else any(d == day for d, _s in lv.shifts)
                   for lv in leaves)
    if a is None:
        return Cell(leave=on_leave)
    return Cell(a.shift, a.position, a.source, on_leave)
