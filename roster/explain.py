"""Why no roster exists, in a shift leader's words.

1. ``quick_check``: counting checks before any search (seats with fewer qualified, available
   people than required; impossible pins). Cheap, and enough for most real cases.
2. ``explain``: the free model with one assumption literal per leave, per pin and per person and
   rest-rule family; CP-SAT returns a sufficient set of assumptions, shrunk by deletion to a short
   list of conflicting leave/pins/rules. The seats that cannot be filled are then named with each
   qualified person's reason, judged against the rotation pattern, leave, pins and the days
   before the period ("12-03 night: no communications watcher: Li on leave, Wang resting after
   night shift, Zhao over the 28-day limit").

Everything is returned as codes with parameters (``roster.codes``); ``roster.words`` writes the sentences.
Only facts inside the period are cited, and a setting that alone makes the period impossible (more seats
per shift than the qualified people can sit) is named as the cause before anything else is looked at.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import date, timedelta

from ortools.sat.python import cp_model

from roster.cpsat import RosterModel
from roster.domain import Explanation, Gap, Message, Pin, RosterInputs, msg
from roster.facts import Facts, build_facts, hard_min

MAX_GAPS = 10


def quick_check(inputs: RosterInputs) -> Explanation | None:
    """An Explanation when counting alone proves there is no roster, else None."""
    facts = build_facts(inputs)
    too_high = coverage_problems(facts)
    if too_high:
        return Explanation(msg("setting_too_high"), conflicts=tuple(too_high))
    pin_problems = _pin_problems(facts)
    gaps = [g for g in (_seat_gap(facts, d, s, q, pattern=False) for d, s, q in _seats(facts)) if g]
    if not gaps and not pin_problems:
        return None
    summary = msg("seats_short", n=len(gaps)) if gaps else msg("impossible_pins")
    return Explanation(summary, tuple(gaps[:MAX_GAPS]), tuple(pin_problems))


def explain(inputs: RosterInputs, time_limit: float = 20.0) -> Explanation:
    """Explain an infeasible roster: seats that cannot be filled and the conflicting inputs."""
    facts = build_facts(inputs)
    quick = quick_check(inputs)
    if quick is not None:
        return quick
    core = conflict_core(facts, time_limit)
    gaps = _focused(facts, [g for g in (_seat_gap(facts, d, s, q) for d, s, q in _seats(facts)) if g], core)
    return Explanation(msg("no_roster"), tuple(gaps[:MAX_GAPS]), tuple(_describe(facts, c) for c in core))


def coverage_problems(facts: Facts) -> list[Message]:
    """Positions whose required count per shift (a setting) exceeds what their qualified people can sit in
    the period under the one-shift-a-day, consecutive-days and rolling-window limits (leave aside), where one
    per shift would fit: then the setting is the cause (with too few people even for one, the seats say so)."""
    days, out = len(facts.dates), []
    for q, required in facts.inputs.coverage.items():
        qualified = sum(1 for p in facts.people.values() if p.qualified(q))
        can_sit, per_seat = qualified * _capacity(facts, days), len(facts.codes) * days
        if per_seat <= can_sit < required * per_seat:
            out.append(msg("coverage_exceeds_people", position=q, required=required, qualified=qualified))
    return out


def _capacity(facts: Facts, days: int) -> int:
    """Most shifts one person can work in ``days`` days under the limits."""
    k, w, m = facts.rules.max_consecutive or days, facts.rules.window_days, facts.rules.max_shifts_in_window or days
    runs = k * (days // (k + 1)) + min(days % (k + 1), k)
    return min(days, runs, m * -(-days // w))


def _seats(facts: Facts) -> list[tuple[date, str, str]]:
    """Every (day, shift, position) seat of the period with a positive requirement."""
    return [(d, s, q) for (d, s, q) in facts.cover if hard_min(facts, d, s, q) > 0]


def _pin_problems(facts: Facts) -> list[Message]:
    """Pins inside the period no roster can obey: unknown/inactive/unqualified person, on leave, two a day,
    more pins than seats."""
    out: list[Message] = []
    per_day: dict[tuple[str, date], int] = defaultdict(int)
    per_seat: dict[tuple[date, str, str], int] = defaultdict(int)
    for pin in _period_pins(facts):
        p = facts.people.get(pin.username)
        where = {"person": pin.username, "day": pin.day, "shift": pin.shift, "position": pin.position}
        if p is None or not p.qualified(pin.position):
            out.append(msg("pin_unqualified", **where))
        elif (pin.username, pin.day, pin.shift) in facts.leave:
            out.append(msg("pin_on_leave", **where))
        per_day[(pin.username, pin.day)] += 1
        per_seat[(pin.day, pin.shift, pin.position)] += 1
    out += [msg("pinned_twice", person=u, day=d) for (u, d), n in per_day.items() if n > 1]
    cov = facts.inputs.coverage
    out += [msg("too_many_pins", n=n, required=cov.get(q, 0), position=q, day=d, shift=s)
            for (d, s, q), n in per_seat.items() if n > cov.get(q, 0)]
    return out


def _period_pins(facts: Facts) -> list[Pin]:
    """The pins dated inside the period (the only ones the model and the validator enforce)."""
    return [p for p in facts.inputs.pins if facts.inputs.start <= p.day <= facts.inputs.end]


def _seat_gap(facts: Facts, d: date, s: str, q: str, pattern: bool = True) -> Gap | None:
    """A Gap when fewer qualified people than required could sit the seat, else None."""
    qualified = [p for p in facts.people.values() if p.qualified(q)]
    reasons = [(p.username, why_not(facts, p.username, d, s, q, pattern)) for p in qualified]
    free = sum(1 for _u, r in reasons if r is None)
    if free >= hard_min(facts, d, s, q):
        return None
    return Gap(d, s, q, tuple((u, r) for u, r in reasons if r is not None))


def why_not(facts: Facts, u: str, d: date, s: str, q: str, pattern: bool = True) -> Message | None:
    """Why ``u`` cannot sit ``q`` on shift ``s`` of ``d`` (None when they can).

    With ``pattern`` the person's own pattern shifts count as worked (the leader's view)."""
    if (u, d, s) in facts.leave:
        return msg("on_leave")
    if any(p.username == u and p.day == d and (p.shift, p.position) != (s, q) for p in _period_pins(facts)):
        return msg("pinned_elsewhere")
    busy = _busy(facts, u, pattern)
    if facts.pattern.get((u, d, s)) == q and (u, d, s) in busy:
        return None
    return _rest_reason(facts, busy, u, d, s) or _limit_reason(facts, busy, u, d)


def _busy(facts: Facts, u: str, pattern: bool) -> set[tuple[str, date, str]]:
    """Slots ``u`` works for sure: before the period, pins, and (with ``pattern``) own pattern."""
    cache: dict[tuple[str, bool], set[tuple[str, date, str]]] = facts.__dict__.setdefault("_busy_cache", {})
    if (u, pattern) not in cache:
        cache[(u, pattern)] = _busy_uncached(facts, u, pattern)
    return cache[(u, pattern)]


def _busy_uncached(facts: Facts, u: str, pattern: bool) -> set[tuple[str, date, str]]:
    """See ``_busy``."""
    out = {b for b in facts.before if b[0] == u}
    out |= {(p.username, p.day, p.shift) for p in _period_pins(facts) if p.username == u}
    if pattern:
        out |= {k for k in facts.pattern if k[0] == u and k not in facts.leave}
    return out


def _rest_reason(facts: Facts, busy: set[tuple[str, date, str]], u: str, d: date, s: str) -> Message | None:
    """Same-day, night-then-day or minimum-rest reason against the busy slots."""
    if any((u, d, c) in busy for c in facts.codes if c != s):
        return msg("on_other_shift")
    if s == "D" and (u, d - timedelta(days=1), "N") in busy:
        return msg("resting_after_night")
    for a, delta, b in facts.offsets:
        if delta and ((b == s and (u, d - timedelta(days=delta), a) in busy)
                      or (a == s and (u, d + timedelta(days=delta), b) in busy)):
            return msg("short_rest", hours=facts.rules.min_rest_hours)
    return None


def _limit_reason(facts: Facts, busy: set[tuple[str, date, str]], u: str, d: date) -> Message | None:
    """Consecutive-days or rolling-window reason if one more shift on ``d`` breaks it."""
    days = {b[1] for b in busy}
    k = facts.rules.max_consecutive
    for start in (d - timedelta(days=i) for i in range(k + 1 if k <= len(days) else 0)):  # else it cannot bind
        if sum(1 for j in range(k + 1) if start + timedelta(days=j) in days | {d}) > k:
            return msg("over_consecutive", limit=k)
    w, m = facts.rules.window_days, facts.rules.max_shifts_in_window
    ordered = sorted(b[1] for b in busy)
    for start in (d - timedelta(days=i) for i in range(w)):
        inside = bisect_left(ordered, start + timedelta(days=w)) - bisect_left(ordered, start)
        if inside + 1 > m:
            return msg("over_window", limit=m, days=w)
    return None


def conflict_core(facts: Facts, time_limit: float = 20.0) -> list[str]:
    """Names of a small set of leave/pin/rule assumptions that together admit no roster."""
    rm = RosterModel(facts, "free", soft_facts=True)
    rm.add_hard_rules()
    lits = dict(rm.assumptions)
    core = _core(rm, list(lits), time_limit)
    deadline = time_limit / max(1, len(core))
    for name in list(core):
        trial = [c for c in core if c != name]
        if trial and _infeasible(rm, trial, deadline):
            core = trial
    return core


def _core(rm: RosterModel, names: list[str], time_limit: float) -> list[str]:
    """CP-SAT's sufficient assumptions for infeasibility among ``names``."""
    solver = _assume(rm, names, time_limit)
    if solver is None:
        return []
    index = {rm.assumptions[n].index: n for n in names}
    return [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]


def _infeasible(rm: RosterModel, names: list[str], time_limit: float) -> bool:
    """True when the model with only ``names`` assumed is proven infeasible."""
    return _assume(rm, names, time_limit) is not None


def _assume(rm: RosterModel, names: list[str], time_limit: float) -> cp_model.CpSolver | None:
    """Solve under assumptions ``names``; the solver when INFEASIBLE, else None."""
    rm.m.clear_assumptions()
    rm.m.add_assumptions([rm.assumptions[n] for n in names])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    return solver if solver.solve(rm.m) == cp_model.INFEASIBLE else None


def _describe(facts: Facts, name: str) -> Message:
    """The conflicting input an assumption name stands for (see RosterModel._lit for the names); leave is
    cut to the period, so only facts inside it are cited."""
    kind, *rest = name.split("|")
    if kind == "leave":
        start = max(date.fromisoformat(rest[2]), facts.inputs.start)
        end = min(date.fromisoformat(rest[3]), facts.inputs.end)
        return msg("leave_of", person=rest[1], start=start, end=end)
    if kind == "pin":
        return msg("pin_of", person=rest[0], day=date.fromisoformat(rest[1]), shift=rest[2])
    if kind == "max_consecutive":
        return msg("consecutive_limit_of", person=rest[0], limit=facts.rules.max_consecutive)
    if kind == "window_limit":
        return msg("window_limit_of", person=rest[0], limit=facts.rules.max_shifts_in_window,
                   days=facts.rules.window_days)
    if kind in ("limit_above", "limit_below"):
        return msg("limits_of", person=rest[0])
    return msg("rest_rules_of", person=rest[0])


def _focused(facts: Facts, gaps: list[Gap], core: list[str]) -> list[Gap]:
    """Gaps on days the conflicting leave or pins touch (all gaps when none do)."""
    days = set()
    for name in core:
        kind, *rest = name.split("|")
        if kind == "leave":
            lo, hi = date.fromisoformat(rest[2]), date.fromisoformat(rest[3])
            days |= {lo + timedelta(days=i) for i in range(-1, (hi - lo).days + 2)}
        elif kind == "pin":
            pd = date.fromisoformat(rest[1])
            days |= {pd + timedelta(days=i) for i in (-1, 0, 1)}
    focused = [g for g in gaps if g.day in days]
    return focused or gaps
