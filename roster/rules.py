"""Rule tables of the roster engine, as data, and the small helpers the soft rules share.

Hard rules (names used by the validator, the explainer and the UI):
``coverage``, ``qualification``, ``one_seat``, ``leave``, ``pin``, ``night_then_day``,
``one_per_day``, ``min_rest``, ``max_consecutive``, ``window_limit``, ``succession``, ``limit_above``,
``limit_below``.

Soft rules (names in ``SolveResult.cost_breakdown``): see ``SOFT_RULES``. The descriptions below are for
developers; what users read comes from ``roster.words`` (codes registered in ``roster.codes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ortools.sat.python import cp_model

from roster.domain import ShiftDef

HARD_RULES: dict[str, str] = {
    "coverage": "every shift gets exactly its required number of people per position",
    "qualification": "each seat is sat by an active person qualified for it",
    "one_seat": "a person sits at most one seat at a time",
    "leave": "approved leave is obeyed",
    "pin": "pinned assignments are obeyed",
    "night_then_day": "no day shift right after a night shift",
    "one_per_day": "no two shifts on one calendar day",
    "min_rest": "at least the minimum rest between two shifts",
    "max_consecutive": "at most N working days in a row",
    "window_limit": "at most M shifts in any rolling window",
    "succession": "no shift right after a shift it may not follow (Rules.forbidden)",
    "limit_above": "a person's hard maximum (Limit row: shifts, minutes, weekends, working run)",
    "limit_below": "a person's hard minimum (Limit row: shifts, minutes, weekends, working or off run)",
}

SOFT_RULES: dict[str, str] = {
    "substitution": "a shift worked off one's own team pattern (a substitute)",
    "pattern_release": "an available person not working a shift of their own pattern",
    "fair_nights": "leave-adjusted night shifts away from the group's fair share (squared)",
    "fair_weekends": "leave-adjusted weekend shifts away from the group's fair share (squared)",
    "fair_holidays": "leave-adjusted public-holiday shifts away from the group's fair share (squared)",
    "fair_substitutions": "substitutions away from the group's fair share (squared)",
    "preference": "a personal wish not honoured",
    "change": "a seat changed against the last published roster",
    "change_added": "a seat sat that the last roster did not have (Weights.change_added)",
    "cover_under": "a person missing below a soft cover row's need (Cover.under per person)",
    "cover_over": "a person above a soft cover row's need (Cover.over per person)",
    "limit_over": "a unit above a Limit row's soft maximum (max_cost per unit)",
    "limit_under": "a unit below a Limit row's soft minimum (min_cost per unit)",
}

@dataclass(frozen=True)
class Term:
    """One weighted soft-rule term: ``coef * value(expr)`` is charged to ``username`` by ``rule``."""

    rule: str
    username: str
    coef: int
    expr: cp_model.LinearExprT
    detail: str = ""


def conflict_offsets(
    shifts: tuple[ShiftDef, ...], min_rest_hours: int, forbidden: tuple[tuple[str, str], ...] = (("N", "D"),)
) -> list[tuple[str, int, str]]:
    """(a, delta_days, b): shift ``a`` on day d and shift ``b`` on day d+delta may not both be worked.

    Covers one shift per calendar day (delta 0), the forbidden successions (night then day by default) and
    the minimum rest."""
    base = date(2000, 1, 3)
    horizon = 1 + (max(s.length for s in shifts) // 60 + min_rest_hours) // 24 + 1
    banned = set(forbidden)
    out = []
    for a in shifts:
        for b in shifts:
            for delta in range(horizon + 1):
                if delta == 0 and a.code >= b.code:
                    continue
                if _pair_conflicts(a, b, base, delta, min_rest_hours, banned):
                    out.append((a.code, delta, b.code))
    return out


def _pair_conflicts(a: ShiftDef, b: ShiftDef, base: date, delta: int, min_rest: int,
                    banned: set[tuple[str, str]]) -> bool:
    """True when ``a`` on ``base`` and ``b`` ``delta`` days later break a rest rule or a forbidden succession."""
    if delta == 0:
        return True
    if delta == 1 and (a.code, b.code) in banned:
        return True
    rest = b.starts_at(base + timedelta(days=delta)) - a.ends_at(base)
    return rest < timedelta(hours=min_rest)


def square_lines(lo: int, hi: int, half: int = 0) -> list[tuple[int, int]]:
    """Lines (slope, intercept) whose maximum equals y*(y - half) at every integer y in [lo, hi].

    ``half`` 0 gives y*y; ``half`` 1 gives a parabola that is 0 at both 0 and 1 (a share that lies
    between two integers costs nothing at either). Convex piecewise-linear: minimising a cost
    variable bounded below by these lines gives the exact value at integers with a tight LP
    relaxation (no max-min, no multiplication)."""
    return [(2 * k + 1 - half, -k * (k + 1)) for k in range(lo, hi)] or [(0, lo * (lo - half))]


def window_starts(first: date, last: date, size: int) -> list[date]:
    """Start dates of every ``size``-day window that overlaps [first, last]."""
    begin = first - timedelta(days=size - 1)
    return [begin + timedelta(days=i) for i in range((last - begin).days + 1)]
