"""The independent validator: ``validate(assignments, inputs) -> list[Violation]``.

Checks every hard rule with its own plain code (no solver, no shared model code), so a solver
bug cannot hide behind itself. Used on every solver result in the tests, and by the swap and
hand-edit flows before approval. Assignments dated before the period are ignored; the period's
``inputs.before`` assignments are taken into account for the rest and window rules.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from roster.domain import NO_LIMIT, Assignment, RosterInputs, Violation
from roster.patterns import resolve_rules
from roster.validate_limits import limit_rows


def validate(assignments: list[Assignment] | tuple[Assignment, ...], inputs: RosterInputs) -> list[Violation]:
    """Every hard rule ``assignments`` break for ``inputs`` (empty list when all hold)."""
    inside = [a for a in assignments if inputs.start <= a.day <= inputs.end]
    out = _coverage(inside, inputs) + _qualification(inside, inputs) + _leave(inside, inputs)
    out += _pins(inside, inputs)
    timeline = _timelines([*inputs.before, *inside], inputs.start)
    for user, shifts in timeline.items():
        out += _rest(user, shifts, inputs) + _limits(user, shifts, inputs)
    rules = resolve_rules(inputs.rules, inputs.pattern)
    for p in inputs.people:
        if p.active:
            out += limit_rows(p.username, timeline.get(p.username, []), inputs, rules)
    return out


def _v(rule: str, a: Assignment | None, params: dict[str, Any] | None = None, **kw: Any) -> Violation:
    """A Violation about assignment ``a`` (or the explicit keyword fields) with the figures ``params``."""
    figures = tuple(sorted((params or {}).items()))
    if a is not None:
        return Violation(rule, a.day, a.shift, a.position, a.username, figures)
    return Violation(rule, kw.get("day"), kw.get("shift"), kw.get("position"), kw.get("username"), figures)


def _coverage(inside: list[Assignment], inputs: RosterInputs) -> list[Violation]:
    """Exactly the required count per (day, shift, position); nobody in two seats of one shift."""
    out = []
    count = Counter((a.day, a.shift, a.position) for a in inside)
    positions = sorted({*inputs.positions, *(a.position for a in inside)})
    for d in inputs.dates:
        for s in (sd.code for sd in inputs.shifts):
            for q in positions:
                row, got = inputs.need(d, s, q), count[(d, s, q)]
                if (row.under is None and got < row.need) or (row.over is None and got > row.need):
                    out.append(_v("coverage", None, {"got": got, "need": row.need}, day=d, shift=s, position=q))
    seats = Counter((a.day, a.shift, a.username) for a in inside)
    out += [_v("one_seat", None, day=d, shift=s, username=u)
            for (d, s, u), n in seats.items() if n > 1]
    return out


def _qualification(inside: list[Assignment], inputs: RosterInputs) -> list[Violation]:
    """Each seat by a known, active person qualified for it, on a known shift."""
    people = {p.username: p for p in inputs.people}
    codes = {s.code for s in inputs.shifts}
    out = []
    for a in inside:
        p = people.get(a.username)
        if (p is None or not p.active or a.shift not in codes or (a.position == "leader" and p.role != "leader")
                or (a.position != "leader" and a.position not in p.skills and p.position != a.position)):
            out.append(_v("qualification", a))
    return out


def _leave(inside: list[Assignment], inputs: RosterInputs) -> list[Violation]:
    """Nobody works a shift their approved leave covers."""
    return [_v("leave", a) for a in inside for lv in inputs.leaves
            if lv.username == a.username and lv.covers(a.day, a.shift)]


def _pins(inside: list[Assignment], inputs: RosterInputs) -> list[Violation]:
    """Every pin inside the period is sat as pinned."""
    seats = {(a.username, a.day, a.shift, a.position) for a in inside}
    return [_v("pin", None, day=p.day, shift=p.shift, position=p.position,
               username=p.username)
            for p in inputs.pins if inputs.start <= p.day <= inputs.end
            and (p.username, p.day, p.shift, p.position) not in seats]


def _timelines(assignments: list[Assignment], start: date) -> dict[str, list[Assignment]]:
    """Each person's assignments sorted by date then shift code ('D' before 'N')."""
    out: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        out[a.username].append(a)
    return {u: sorted(v, key=lambda a: (a.day, a.shift)) for u, v in out.items()}


def _rest(user: str, shifts: list[Assignment], inputs: RosterInputs) -> list[Violation]:
    """One shift per day, no day after a night, minimum rest between consecutive shifts."""
    out, min_rest = [], timedelta(hours=inputs.rules.min_rest_hours)
    forbidden = set(inputs.rules.forbidden)
    defs = {s.code: s for s in inputs.shifts}
    for prev, nxt in itertools.pairwise(shifts):
        if nxt.day < inputs.start or prev.shift not in defs or nxt.shift not in defs:
            continue
        if prev.day == nxt.day:
            out.append(_v("one_per_day", nxt))
        elif (prev.shift, nxt.shift) == ("N", "D") and ("N", "D") in forbidden and next_day(prev, nxt):
            out.append(_v("night_then_day", nxt))
        elif (prev.shift, nxt.shift) in forbidden and next_day(prev, nxt):
            out.append(_v("succession", nxt, {"first": prev.shift, "second": nxt.shift}))
        elif defs[nxt.shift].starts_at(nxt.day) - defs[prev.shift].ends_at(prev.day) < min_rest:
            out.append(_v("min_rest", nxt, {"hours": inputs.rules.min_rest_hours}))
    return out


def next_day(prev: Assignment, nxt: Assignment) -> bool:
    """True when ``nxt`` is on the calendar day after ``prev``."""
    return nxt.day - prev.day == timedelta(days=1)


def _limits(user: str, shifts: list[Assignment], inputs: RosterInputs) -> list[Violation]:
    """Consecutive working days and shifts per rolling window (windows touching the period)."""
    rules = resolve_rules(inputs.rules, inputs.pattern)
    days = Counter(a.day for a in shifts)
    out = []
    first = inputs.start - timedelta(days=rules.window_days)
    for i in range((inputs.end - first).days + 1):
        d = first + timedelta(days=i)
        if rules.max_consecutive < NO_LIMIT:
            out += _run_violation(user, days, d, rules.max_consecutive, inputs)
        if rules.max_shifts_in_window < NO_LIMIT:
            out += _window_violation(user, days, d, rules.window_days, rules.max_shifts_in_window, inputs)
    return out


def _run_violation(user: str, days: Counter[date], end: date, limit: int, inputs: RosterInputs) -> list[Violation]:
    """A violation when the ``limit + 1`` days ending at ``end`` (inside the period) are all worked."""
    span = [end - timedelta(days=k) for k in range(limit + 1)]
    if end < inputs.start or not all(days[d] for d in span):
        return []
    return [_v("max_consecutive", None, {"limit": limit}, day=end, username=user)]


def _window_violation(
    user: str, days: Counter[date], start: date, size: int, limit: int, inputs: RosterInputs
) -> list[Violation]:
    """A violation when the ``size``-day window from ``start`` holds more than ``limit`` shifts."""
    last = start + timedelta(days=size - 1)
    if last < inputs.start:
        return []
    n = sum(days[start + timedelta(days=k)] for k in range(size))
    if n <= limit:
        return []
    return [_v("window_limit", None, {"n": n, "limit": limit, "days": size}, day=start, username=user)]
