"""The independent scorer of a Curtois & Qu roster: its own code, sharing nothing with the desk's engine.

`score` recomputes the objective from the roster alone (weights of unmet shift-on requests, of violated shift-off
requests and of cover under/over per person) and lists every broken hard constraint in words. Conventions (those that
reproduce the proven optimum 607 of Instance1): days before and after the horizon are days off, so a run of work
touching either end still needs the minimum consecutive shifts while a run of days off touching either end needs no
minimum; a weekend is days 5 and 6 of each week and counts as worked if either day is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bench.curtois_format import Instance, Staff

Roster = Mapping[tuple[str, int], str]


@dataclass(frozen=True)
class Score:
    objective: int
    on_requests: int
    off_requests: int
    under: int
    over: int
    violations: tuple[str, ...]  # every broken hard constraint, readable

    @property
    def valid(self) -> bool:
        return not self.violations


def score(instance: Instance, roster: Roster) -> Score:
    """Objective and hard-constraint violations of ``roster`` ((staff, day) -> shift, worked shifts only)."""
    on = sum(r.weight for r in instance.on_requests if roster.get((r.staff, r.day)) != r.shift)
    off = sum(r.weight for r in instance.off_requests if roster.get((r.staff, r.day)) == r.shift)
    under, over = _cover_penalties(instance, roster)
    violations = _unknown_entries(instance, roster)
    for person in instance.staff:
        violations += _person_violations(instance, person, _days_of(roster, person.id))
    return Score(on + off + under + over, on, off, under, over, tuple(violations))


def score_rows(instance: Instance, rows: Iterable[tuple[str, int, str]]) -> Score:
    """Score a roster given as (staff, day, shift) rows (a CSV's), where one person may appear twice on one day:
    that breaks the one-shift-per-day rule and is reported with the rest."""
    roster: dict[tuple[str, int], str] = {}
    doubles: list[str] = []
    for staff, day, shift in rows:
        if (staff, day) in roster:
            doubles.append(f"{staff} day {day}: more than one shift on one day ({roster[(staff, day)]}, {shift})")
        roster[(staff, day)] = shift
    result = score(instance, roster)
    return Score(result.objective, result.on_requests, result.off_requests, result.under, result.over,
                 tuple(doubles) + result.violations)


def _cover_penalties(instance: Instance, roster: Roster) -> tuple[int, int]:
    working = Counter((day, shift) for (_staff, day), shift in roster.items())
    under = sum(c.under * max(0, c.requirement - working[(c.day, c.shift)]) for c in instance.cover)
    over = sum(c.over * max(0, working[(c.day, c.shift)] - c.requirement) for c in instance.cover)
    return under, over


def _unknown_entries(instance: Instance, roster: Roster) -> list[str]:
    staff = {s.id for s in instance.staff}
    shifts = {s.id for s in instance.shifts}
    found: list[str] = []
    for (person, day), shift in sorted(roster.items()):
        if person not in staff:
            found.append(f"{person} day {day}: unknown staff member")
        if not 0 <= day < instance.days:
            found.append(f"{person} day {day}: outside the horizon of {instance.days} days")
        if shift not in shifts:
            found.append(f"{person} day {day}: unknown shift {shift!r}")
    return found


def _days_of(roster: Roster, person: str) -> dict[int, str]:
    return {day: shift for (who, day), shift in roster.items() if who == person}


def _person_violations(instance: Instance, person: Staff, days: Mapping[int, str]) -> list[str]:
    inside = {d: s for d, s in days.items() if 0 <= d < instance.days}
    return (
        _days_off_worked(instance, person, inside)
        + _shift_counts(person, inside)
        + _total_minutes(instance, person, inside)
        + _runs(instance, person, inside)
        + _weekends(instance, person, inside)
        + _successions(instance, person, inside)
    )


def _days_off_worked(instance: Instance, person: Staff, days: Mapping[int, str]) -> list[str]:
    off = instance.days_off.get(person.id, frozenset())
    return [f"{person.id} day {d}: works {days[d]} on a fixed day off" for d in sorted(off & days.keys())]


def _shift_counts(person: Staff, days: Mapping[int, str]) -> list[str]:
    counts = Counter(days.values())
    return [
        f"{person.id}: {counts[s]} shifts of {s}, more than the maximum {limit}"
        for s, limit in person.max_shifts.items() if counts[s] > limit
    ]


def _total_minutes(instance: Instance, person: Staff, days: Mapping[int, str]) -> list[str]:
    length = {s.id: s.minutes for s in instance.shifts}
    total = sum(length.get(s, 0) for s in days.values())
    if total > person.max_minutes:
        return [f"{person.id}: {total} minutes worked, more than the maximum {person.max_minutes}"]
    if total < person.min_minutes:
        return [f"{person.id}: {total} minutes worked, fewer than the minimum {person.min_minutes}"]
    return []


def runs(worked: list[bool]) -> list[tuple[bool, int, int]]:
    """Maximal runs of equal values as (worked?, first day, length)."""
    found: list[tuple[bool, int, int]] = []
    for day, value in enumerate(worked):
        if found and found[-1][0] == value:
            kind, start, length = found[-1]
            found[-1] = (kind, start, length + 1)
        else:
            found.append((value, day, 1))
    return found


def _runs(instance: Instance, person: Staff, days: Mapping[int, str]) -> list[str]:
    """Consecutive shifts (max, and min even at the horizon's ends) and consecutive days off (min, except at the
    ends: the days outside the horizon are off, so an off run touching an end may continue there)."""
    found: list[str] = []
    for worked, start, length in runs([d in days for d in range(instance.days)]):
        where = f"{person.id} days {start}-{start + length - 1}"
        at_edge = start == 0 or start + length == instance.days
        if worked and length > person.max_consecutive:
            found.append(f"{where}: {length} shifts in a row, more than the maximum {person.max_consecutive}")
        if worked and length < person.min_consecutive:
            found.append(f"{where}: {length} shifts in a row, fewer than the minimum {person.min_consecutive}")
        if not worked and not at_edge and length < person.min_days_off:
            found.append(f"{where}: {length} days off in a row, fewer than the minimum {person.min_days_off}")
    return found


def _weekends(instance: Instance, person: Staff, days: Mapping[int, str]) -> list[str]:
    worked = {d // 7 for d in days if d % 7 in (5, 6)}
    if len(worked) > person.max_weekends:
        return [f"{person.id}: {len(worked)} weekends worked, more than the maximum {person.max_weekends}"]
    return []


def _successions(instance: Instance, person: Staff, days: Mapping[int, str]) -> list[str]:
    banned = {s.id: s.cannot_follow for s in instance.shifts}
    return [
        f"{person.id} days {d}-{d + 1}: {days[d + 1]} may not follow {s}"
        for d, s in sorted(days.items()) if d + 1 in days and days[d + 1] in banned.get(s, frozenset())
    ]
