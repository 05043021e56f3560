"""Why no roster exists, in a shift leader's words.

1. ``quick_check``: counting checks before any search (seats with fewer qualified, available
   people than required; impossible pins). Cheap, and enough for most real cases.
2. ``explain``: the free model with one assumption literal per leave, per pin and per person and
   rest-rule family; CP-SAT returns a sufficient set of assumptions, shrunk by deletion to a short
   list of conflicting leave/pins/rules. The seats that cannot be filled are then named with each
   qualified person's reason, judged against the rotation pattern, leave, pins and the days
   before the period ("12-03 night: no communications watcher: Li on leave, Wang resting after
   night shift, Zhao over the 28-day limit").
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import date, timedelta

from ortools.sat.python import cp_model

from roster.domain import Explanation, Gap, RosterInputs
from roster.facts import Facts, build_facts
from roster.model import RosterModel
from roster.rules import REASONS

MAX_GAPS = 10


def quick_check(inputs: RosterInputs) -> Explanation | None:
    """An Explanation when counting alone proves there is no roster, else None."""
    facts = build_facts(inputs)
    pin_problems = _pin_problems(facts)
    gaps = [g for g in (_seat_gap(facts, d, s, q, pattern=False) for d, s, q in _seats(facts)) if g]
    if not gaps and not pin_problems:
        return None
    summary = f"{len(gaps)} seat(s) have too few qualified, available people" if gaps else "impossible pins"
    return Explanation(summary, tuple(gaps[:MAX_GAPS]), tuple(pin_problems))


def explain(inputs: RosterInputs, time_limit: float = 20.0) -> Explanation:
    """Explain an infeasible roster: seats that cannot be filled and the conflicting inputs."""
    facts = build_facts(inputs)
    quick = quick_check(inputs)
    if quick is not None:
        return quick
    core = conflict_core(facts, time_limit)
    gaps = _focused(facts, [g for g in (_seat_gap(facts, d, s, q) for d, s, q in _seats(facts)) if g], core)
    names = ", ".join(_describe(facts, c) for c in core) or "the rules together"
    summary = f"no roster satisfies every rule; in conflict: {names}"
    return Explanation(summary, tuple(gaps[:MAX_GAPS]), tuple(_describe(facts, c) for c in core))


def _seats(facts: Facts) -> list[tuple[date, str, str]]:
    """Every (day, shift, position) seat of the period with a positive requirement."""
    cov = facts.inputs.coverage
    return [(d, s, q) for d in facts.dates for s in facts.codes for q in cov if cov[q] > 0]


def _pin_problems(facts: Facts) -> list[str]:
    """Pins no roster can obey: unknown/inactive/unqualified person, on leave, two a day, too many."""
    out, per_day, per_seat = [], defaultdict(int), defaultdict(int)
    for pin in facts.inputs.pins:
        p = facts.people.get(pin.username)
        label = f"pin of {pin.username} on {pin.day:%m-%d} {pin.shift} {pin.position}"
        if p is None or not p.qualified(pin.position):
            out.append(f"{label}: not an active person qualified for {pin.position}")
        elif (pin.username, pin.day, pin.shift) in facts.leave:
            out.append(f"{label}: on approved leave")
        per_day[(pin.username, pin.day)] += 1
        per_seat[(pin.day, pin.shift, pin.position)] += 1
    out += [f"{u} pinned twice on {d:%m-%d}" for (u, d), n in per_day.items() if n > 1]
    cov = facts.inputs.coverage
    out += [f"{n} pins for {cov.get(q, 0)} {q} seat(s) on {d:%m-%d} {s}"
            for (d, s, q), n in per_seat.items() if n > cov.get(q, 0)]
    return out


def _seat_gap(facts: Facts, d: date, s: str, q: str, pattern: bool = True) -> Gap | None:
    """A Gap when fewer qualified people than required could sit the seat, else None."""
    qualified = [p for p in facts.people.values() if p.qualified(q)]
    reasons = [(p.username, why_not(facts, p.username, d, s, q, pattern)) for p in qualified]
    free = sum(1 for _u, r in reasons if r is None)
    if free >= facts.inputs.coverage[q]:
        return None
    return Gap(d, s, q, tuple((u, r) for u, r in reasons if r is not None))


def why_not(facts: Facts, u: str, d: date, s: str, q: str, pattern: bool = True) -> str | None:
    """Why ``u`` cannot sit ``q`` on shift ``s`` of ``d`` (None when they can).

    With ``pattern`` the person's own pattern shifts count as worked (the leader's view)."""
    if (u, d, s) in facts.leave:
        return REASONS["leave"]
    if any(p.username == u and p.day == d and (p.shift, p.position) != (s, q) for p in facts.inputs.pins):
        return REASONS["pinned"]
    busy = _busy(facts, u, pattern)
    if facts.pattern.get((u, d, s)) == q and (u, d, s) in busy:
        return None
    return _rest_reason(facts, busy, u, d, s) or _limit_reason(facts, busy, u, d)


def _busy(facts: Facts, u: str, pattern: bool) -> set[tuple[str, date, str]]:
    """Slots ``u`` works for sure: before the period, pins, and (with ``pattern``) own pattern."""
    cache = facts.__dict__.setdefault("_busy_cache", {})
    if (u, pattern) not in cache:
        cache[(u, pattern)] = _busy_uncached(facts, u, pattern)
    return cache[(u, pattern)]


def _busy_uncached(facts: Facts, u: str, pattern: bool) -> set[tuple[str, date, str]]:
    """See ``_busy``."""
    out = {b for b in facts.before if b[0] == u}
    out |= {(p.username, p.day, p.shift) for p in facts.inputs.pins if p.username == u}
    if pattern:
        out |= {k for k in facts.pattern if k[0] == u and k not in facts.leave}
    return out


def _rest_reason(facts: Facts, busy: set, u: str, d: date, s: str) -> str | None:
    """Same-day, night-then-day or minimum-rest reason against the busy slots."""
    if any((u, d, c) in busy for c in facts.codes if c != s):
        return REASONS["same_day"]
    if s == "D" and (u, d - timedelta(days=1), "N") in busy:
        return REASONS["night_then_day"]
    for a, delta, b in facts.offsets:
        if delta and ((b == s and (u, d - timedelta(days=delta), a) in busy)
                      or (a == s and (u, d + timedelta(days=delta), b) in busy)):
            return REASONS["min_rest"]
    return None


def _limit_reason(facts: Facts, busy: set, u: str, d: date) -> str | None:
    """Consecutive-days or rolling-window reason if one more shift on ``d`` breaks it."""
    days = {b[1] for b in busy}
    k = facts.rules.max_consecutive
    for start in (d - timedelta(days=i) for i in range(k + 1)):
        if sum(1 for j in range(k + 1) if start + timedelta(days=j) in days | {d}) > k:
            return REASONS["max_consecutive"]
    w, m = facts.rules.window_days, facts.rules.max_shifts_in_window
    ordered = sorted(b[1] for b in busy)
    for start in (d - timedelta(days=i) for i in range(w)):
        inside = bisect_left(ordered, start + timedelta(days=w)) - bisect_left(ordered, start)
        if inside + 1 > m:
            return REASONS["window_limit"].format(days=w)
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
    index = {rm.assumptions[n].Index(): n for n in names}
    return [index[i] for i in solver.SufficientAssumptionsForInfeasibility() if i in index]


def _infeasible(rm: RosterModel, names: list[str], time_limit: float) -> bool:
    """True when the model with only ``names`` assumed is proven infeasible."""
    return _assume(rm, names, time_limit) is not None


def _assume(rm: RosterModel, names: list[str], time_limit: float) -> cp_model.CpSolver | None:
    """Solve under assumptions ``names``; the solver when INFEASIBLE, else None."""
    rm.m.ClearAssumptions()
    rm.m.AddAssumptions([rm.assumptions[n] for n in names])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    return solver if solver.Solve(rm.m) == cp_model.INFEASIBLE else None


def _describe(facts: Facts, name: str) -> str:
    """A leader's wording of an assumption name (see RosterModel._lit for the names)."""
    kind, *rest = name.split("|")
    user = {"leave": rest[1] if len(rest) > 1 else "", "pin": rest[0]}.get(kind, rest[0])
    who = facts.people[user].name if user in facts.people else user
    if kind == "leave":
        return f"leave of {who} {rest[2][5:]}..{rest[3][5:]}"
    if kind == "pin":
        return f"pin of {who} on {rest[1][5:]} {rest[2]}"
    label = {"rest": "rest rules", "max_consecutive": "consecutive-days limit",
             "window_limit": "window limit"}
    return f"{label.get(kind, kind)} for {who}"


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
