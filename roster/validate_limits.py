"""The validator's check of the per-person rule rows (``domain.Limit``), in its own plain code.

Totals are counted from the person's seats; runs are read off the calendar: the days before the period are
worked when ``inputs.before`` says so and off otherwise, the days after it are off. A working run (also one
touching either end) must have at least ``hard_min`` and at most ``hard_max`` days (one begun in ``before`` only
the maximum); a run of days off between two worked days at least ``hard_min`` (one touching either end of the
period needs no minimum).
"""

from __future__ import annotations

from datetime import date, timedelta

from roster.domain import Assignment, Limit, ResolvedRules, RosterInputs, Violation


def limit_rows(user: str, shifts: list[Assignment], inputs: RosterInputs, rules: ResolvedRules) -> list[Violation]:
    """Every hard bound of ``user``'s limit rows that ``shifts`` (sorted, ``before`` included) break."""
    inside = [a for a in shifts if inputs.start <= a.day <= inputs.end]
    worked = {a.day for a in shifts}
    out: list[Violation] = []
    for row in rules.limits_of(user):
        if row.kind == "work_run":
            out += _runs(user, row, work_runs(worked, inputs), start=inputs.start)
        elif row.kind == "off_run":
            out += _runs(user, row, off_runs(worked, inputs), upper=False)
        else:
            out += _bounds(user, row, total(row, inside, inputs), None)
    return out


def total(row: Limit, inside: list[Assignment], inputs: RosterInputs) -> int:
    """What ``row`` counts over the period's seats ``inside`` (one person's)."""
    if row.kind == "minutes":
        lengths = {s.code: s.length for s in inputs.shifts}
        return sum(lengths.get(a.shift, 0) for a in inside)
    if row.kind == "weekends":
        return len({a.day - timedelta(days=a.day.weekday()) for a in inside if a.day.weekday() >= 5})
    return sum(1 for a in inside if row.shift is None or a.shift == row.shift)


def _bounds(user: str, row: Limit, n: int, day: date | None, upper: bool = True) -> list[Violation]:
    """A violation when ``n`` is above ``hard_max`` (when ``upper``) or below ``hard_min``."""
    params = {"kind": row.kind, "shift": row.shift or "", "n": n}
    if upper and row.hard_max is not None and n > row.hard_max:
        return [Violation("limit_above", day, None, None, user, _sorted({**params, "limit": row.hard_max}))]
    if row.hard_min is not None and n < row.hard_min:
        return [Violation("limit_below", day, None, None, user, _sorted({**params, "limit": row.hard_min}))]
    return []


def _sorted(params: dict[str, object]) -> tuple[tuple[str, object], ...]:
    return tuple(sorted(params.items()))


def _runs(user: str, row: Limit, runs: list[tuple[date, int]], upper: bool = True,
          start: date | None = None) -> list[Violation]:
    """Violations of the runs (first day, length) against ``row``; a run begun before ``start`` (in ``before``,
    which the roster cannot change) is held to the maximum only."""
    out: list[Violation] = []
    for first, n in runs:
        if start is not None and first < start:
            out += [v for v in _bounds(user, row, n, first, upper) if v.rule == "limit_above"]
        else:
            out += _bounds(user, row, n, first, upper)
    return out


def work_runs(worked: set[date], inputs: RosterInputs) -> list[tuple[date, int]]:
    """Working runs that end inside the period or run past its end (their full length, ``before`` included)."""
    out, d = [], inputs.start
    while d <= inputs.end:
        if d in worked and (d - timedelta(days=1) not in worked or d == inputs.start):
            first = d
            while first - timedelta(days=1) in worked:
                first -= timedelta(days=1)
            end = d
            while end + timedelta(days=1) in worked and end < inputs.end:
                end += timedelta(days=1)
            out.append((first, (end - first).days + 1))
            d = end
        d += timedelta(days=1)
    return out


def off_runs(worked: set[date], inputs: RosterInputs) -> list[tuple[date, int]]:
    """Runs of days off inside the period with a worked day on both sides."""
    out, d = [], inputs.start
    while d <= inputs.end:
        if d not in worked and d - timedelta(days=1) in worked:
            end = d
            while end + timedelta(days=1) not in worked and end + timedelta(days=1) <= inputs.end:
                end += timedelta(days=1)
            if end < inputs.end:
                out.append((d, (end - d).days + 1))
            d = end
        d += timedelta(days=1)
    return out
