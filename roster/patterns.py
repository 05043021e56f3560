"""Rotation patterns (四班二运转): presets, team offsets, derived limits and the save-time check.

A pattern is a cycle over ``D`` (day), ``N`` (night) and ``O`` (off). Team ``t`` works
``code[(day - anchor + offset[t]) % len(code)]``. ``check_pattern`` refuses a pattern that would
itself break a hard rule, naming the rule, so a bad pattern never reaches the solver.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from roster.domain import (
    DEFAULT_SHIFTS,
    NO_LIMIT,
    TEAMS,
    Message,
    Pattern,
    ResolvedRules,
    Rules,
    ShiftDef,
    frozen_map,
    msg,
)

PRESETS: dict[str, str] = {"DNOO": "DNOO", "DDNNOOOO": "DDNNOOOO"}


class PatternError(ValueError):
    """A pattern breaks a hard rule; ``problems`` lists (rule, message) (see ``roster.words.pattern_problem``)."""

    def __init__(self, problems: list[tuple[str, Message]]):
        super().__init__("; ".join(f"{r}: {m.code}" for r, m in problems))
        self.problems = problems


def default_offsets(code: str, teams: tuple[str, ...] = TEAMS) -> dict[str, int]:
    """Offsets that put exactly one team on each shift every day (teams follow one another)."""
    step = len(code) // len(teams) if len(code) % len(teams) == 0 else 1
    guess = {t: (-i * step) % len(code) for i, t in enumerate(teams)}
    if not _coverage_problems(code, guess):
        return guess
    for combo in itertools.product(range(len(code)), repeat=len(teams) - 1):
        offsets = dict(zip(teams, (0, *combo), strict=True))
        if not _coverage_problems(code, offsets):
            return offsets
    return guess


def make_pattern(code: str, anchor: date, offsets: dict[str, int] | None = None) -> Pattern:
    """A Pattern of ``code`` anchored at ``anchor`` (default offsets when None)."""
    return Pattern(code.upper(), anchor, frozen_map(offsets or default_offsets(code.upper())))


def longest_run(code: str) -> int:
    """Longest cyclic run of working days (D or N) in ``code``."""
    if "O" not in code:
        return len(code)
    runs, run = [], 0
    for c in code + code:
        run = run + 1 if c != "O" else 0
        runs.append(run)
    return min(max(runs), len(code))


def window_count(code: str, window: int) -> int:
    """Most working days in any ``window`` consecutive days of the cyclic ``code``."""
    n = len(code)
    return max(sum(code[(s + i) % n] != "O" for i in range(window)) for s in range(n))


def resolve_rules(rules: Rules, pattern: Pattern | None) -> ResolvedRules:
    """``rules`` with the pattern-derived defaults filled in (longest run + 1; window count + 2); without a
    pattern an unstated limit is ``NO_LIMIT``."""
    derived_run = longest_run(pattern.code) + 1 if pattern and pattern.code else NO_LIMIT
    derived_window = window_count(pattern.code, rules.window_days) + 2 if pattern and pattern.code else NO_LIMIT
    return ResolvedRules(
        min_rest_hours=rules.min_rest_hours,
        max_consecutive=rules.max_consecutive or derived_run,
        window_days=rules.window_days,
        max_shifts_in_window=rules.max_shifts_in_window or derived_window,
        weights=rules.weights,
        forbidden=rules.forbidden,
        limits=rules.limits,
    )


def _coverage_problems(code: str, offsets: dict[str, int], shifts: str = "DN") -> list[tuple[str, Message]]:
    """Days of the cycle on which a shift is not worked by exactly one team."""
    out = []
    for day in range(len(code)):
        for shift in shifts:
            teams = [t for t, o in offsets.items() if code[(day + o) % len(code)] == shift]
            if len(teams) != 1:
                out.append(("coverage", msg("pattern_teams", cycle_day=day + 1, shift=shift, n=len(teams))))
    return out


def _rest_problems(code: str, shifts: tuple[ShiftDef, ...], rules: Rules) -> list[tuple[str, Message]]:
    """Pairs of consecutive pattern shifts with too little rest or a forbidden succession."""
    defs = {s.code: s for s in shifts}
    base, min_rest = date(2000, 1, 3), rules.min_rest_hours
    out: list[tuple[str, Message]] = []
    n = len(code)
    for i in range(n):
        a, b = code[i], code[(i + 1) % n]
        if (a, b) == ("N", "D") and (a, b) in rules.forbidden:
            out.append(("night_then_day", msg("pattern_night_then_day", cycle_day=i + 1)))
        elif (a, b) in rules.forbidden:
            out.append(("succession", msg("pattern_succession", cycle_day=i + 1, first=a, second=b)))
        elif a != "O" and b != "O":
            rest = defs[b].starts_at(base + timedelta(days=1)) - defs[a].ends_at(base)
            if rest < timedelta(hours=min_rest):
                out.append(("min_rest", msg("pattern_short_rest", cycle_day=i + 1, first=a, second=b, hours=min_rest)))
    return out


def check_pattern(
    pattern: Pattern, rules: Rules | None = None, shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS
) -> list[tuple[str, Message]]:
    """Every hard rule ``pattern`` breaks on its own, as (rule, message); empty when it may be saved."""
    code, rules = pattern.code, rules or Rules()
    letters = "".join(s.code for s in shifts if len(s.code) == 1)
    if not code or set(code) - set(letters + "O"):
        return [("bad_code", msg("pattern_letters", letters=code))]
    problems = _coverage_problems(code, dict(pattern.offsets), letters)
    problems += _rest_problems(code, shifts, rules)
    limits = resolve_rules(rules, pattern)
    if longest_run(code) > limits.max_consecutive:
        problems.append(("max_consecutive", msg("pattern_run", n=longest_run(code))))
    count = window_count(code, limits.window_days)
    if count > limits.max_shifts_in_window:
        problems.append(("window_limit", msg("pattern_window", n=count, days=limits.window_days)))
    return problems


def require_valid(pattern: Pattern, rules: Rules | None = None) -> Pattern:
    """Return ``pattern`` or raise PatternError naming every rule it breaks (call on save)."""
    problems = check_pattern(pattern, rules)
    if problems:
        raise PatternError(problems)
    return pattern
