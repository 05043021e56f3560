"""The adaptor from a Curtois & Qu benchmark instance into the desk's own engine inputs (see /work/wt/CURTOIS.md).

The engine call, the same ``solve()`` the desk uses::

    from roster.solver import solve
    result = solve(
        to_inputs(instance),          # RosterInputs: pattern=None (no rotation), rules as data rows
        time_limit=60.0,              # seconds for the whole solve
        workers=2,                    # CP-SAT workers
        progress=callback,            # optional: callback(seconds_since_call: float, objective: int) per better roster
    )                                 # -> roster.domain.SolveResult (status, assignments, objective, cost_breakdown)
    roster = to_roster(instance, result)   # {(staff id, day index): shift id}

Re-rostering (minimal change): ``with_previous(instance, to_inputs(instance), roster, change=W)`` (or
``to_inputs(instance, previous=roster, change=W)``) adds the earlier roster as the
engine's ``previous`` with weight ``W`` per seat dropped and per seat added (``Weights.change`` and
``Weights.change_added``), and ``hint``s the search with it; the objective then includes those change costs (the
scorer's objective does not), see ``change_cost``.

Mapping: each shift type is a ``ShiftDef`` of its length in minutes (starting at midnight; rest is governed by the
forbidden successions alone, ``min_rest_hours=0``); every staff member is a ``Member`` qualified for one position
``staff``; each staff line becomes ``Limit`` rows for that person (max shifts per type, min/max minutes, min/max
consecutive shifts, min consecutive days off, max weekends); days off are one-day ``Leave``; requests are weighted
``Preference`` rows (``Weights.preference = 1``); each cover line is a soft ``Cover`` row with its under/over
weights. Day 0 is a Monday (2024-01-01), so weekends are days 5 and 6 of each week.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, time, timedelta

from bench.curtois_format import Instance, Staff
from roster.domain import (
    Assignment,
    Cover,
    Leave,
    Limit,
    Member,
    Preference,
    RosterInputs,
    Rules,
    ShiftDef,
    SolveResult,
    Weights,
)

START = date(2024, 1, 1)  # a Monday
POSITION = "staff"
NO_DESK_WEIGHTS = Weights(substitution=0, pattern_release=0, fair_nights=0, fair_weekends=0, fair_holidays=0,
                          fair_substitutions=0, preference=1, change=0, change_added=0)


def to_inputs(instance: Instance, previous: Mapping[tuple[str, int], str] | None = None,
              change: int = 0) -> RosterInputs:
    """The engine's inputs for ``instance`` (with ``previous`` and a change weight for a minimal-change re-solve)."""
    weights = NO_DESK_WEIGHTS
    if previous is not None:
        weights = Weights(**{**NO_DESK_WEIGHTS.__dict__, "change": change, "change_added": change})
    rules = Rules(min_rest_hours=0, window_days=7, weights=weights, limits=_limits(instance),
                  forbidden=tuple((s.id, b) for s in instance.shifts for b in sorted(s.cannot_follow)))
    return RosterInputs(
        people=tuple(Member(s.id, s.id, skills=frozenset({POSITION}), position=POSITION) for s in instance.staff),
        start=START, days=instance.days, pattern=None,
        shifts=tuple(ShiftDef(s.id, time(0, 0), minutes=s.minutes) for s in instance.shifts),
        coverage={}, cover=tuple(Cover(POSITION, c.requirement, START + timedelta(days=c.day), c.shift,
                                       under=c.under, over=c.over) for c in instance.cover),
        leaves=tuple(Leave(u, _day(d), _day(d)) for u, days in instance.days_off.items() for d in sorted(days)),
        preferences=(*(Preference(r.staff, True, day=_day(r.day), shift=r.shift, weight=r.weight)
                       for r in instance.on_requests),
                     *(Preference(r.staff, False, day=_day(r.day), shift=r.shift, weight=r.weight)
                       for r in instance.off_requests)),
        rules=rules, previous=_previous(previous or {}), day_kinds={},
    )


CHANGE_WEIGHT = 40  # per seat dropped or added: 100 leaves a gap open rather than fill it, 10 re-optimises elsewhere


def with_previous(instance: Instance, inputs: RosterInputs, previous: Mapping[tuple[str, int], str],
                  change: int = CHANGE_WEIGHT) -> RosterInputs:
    """``inputs`` re-solved with minimal change against ``previous`` (the engine's ``previous`` and change weights)."""
    del instance
    weights = replace(inputs.rules.weights, change=change, change_added=change)
    return replace(inputs, previous=_previous(previous), rules=replace(inputs.rules, weights=weights))


def _day(index: int) -> date:
    return START + timedelta(days=index)


def _limits(instance: Instance) -> tuple[Limit, ...]:
    """One row per bound that can bind, per staff member."""
    return tuple(row for staff in instance.staff for row in _staff_limits(staff, instance.days))


def _staff_limits(s: Staff, days: int) -> list[Limit]:
    rows = [Limit("shifts", hard_max=n, shift=code, who=s.id) for code, n in sorted(s.max_shifts.items()) if n < days]
    rows.append(Limit("minutes", hard_min=s.min_minutes or None, hard_max=s.max_minutes, who=s.id))
    rows.append(Limit("work_run", hard_min=s.min_consecutive or None, hard_max=s.max_consecutive, who=s.id))
    if s.min_days_off > 1:
        rows.append(Limit("off_run", hard_min=s.min_days_off, who=s.id))
    rows.append(Limit("weekends", hard_max=s.max_weekends, who=s.id))
    return rows


def _previous(roster: Mapping[tuple[str, int], str]) -> tuple[Assignment, ...]:
    return tuple(Assignment(_day(d), s, POSITION, u) for (u, d), s in sorted(roster.items()))


def to_roster(instance: Instance, result: SolveResult) -> dict[tuple[str, int], str]:
    """The solved roster as {(staff id, day index): shift id} (worked shifts only)."""
    del instance
    return {(a.username, (a.day - START).days): a.shift for a in result.assignments}


def change_cost(result: SolveResult) -> int:
    """The part of the engine's objective that is minimal-change cost (0 without ``previous``)."""
    return sum(c.amount for c in result.cost_breakdown if c.rule in ("change", "change_added"))
