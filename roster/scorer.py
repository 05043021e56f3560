"""An independent scorer: the cost of a roster recomputed from its seats and the inputs alone.

The CP-SAT model (roster.cpsat) states its objective as terms over its own variables; this module states the same
soft rules again in plain Python over finished assignments, so a solve's objective can be checked from outside the
model (tests compare the two on every solved case and search tiny desks exhaustively), and a roster edited by hand
gets its true cost. It shares no code with the model's terms: only the input derivations of roster.facts (which
shifts are whose pattern, which are under leave, what kind of day a date is).

Rules (weights from ``Rules.weights``; see roster.rules.SOFT_RULES):
- ``substitution``: each seat sat off its holder's own pattern, unless pinned by hand;
- ``pattern_release``: each own-pattern shift of a person not on leave that they do not sit in their own seat;
- ``fair_<metric>`` (nights, weekends, holidays, substitutions): per fairness group, y = history + worked + shifts of
  the own rotation removed by leave − the group's share (floor of the group's mean of history + rotation), charged
  y·(y − h) where h is 1 when the mean is not a whole number (a share between two integers costs nothing at either);
- ``preference``: each shift a wish matches, charged when a wanted shift is not worked or an unwanted one is;
- ``change``: each seat of the last published roster inside the period not sat by the same person;
  ``change_added``: (when a last roster is given) each seat sat that it did not have;
- ``cover_under`` / ``cover_over``: per seat with a soft ``Cover`` row, the weight per person missing / too many;
- ``limit_over`` / ``limit_under``: per person and soft total of a ``Limit`` row, the weight per unit beyond it;
- ``substitution`` and ``pattern_release`` only when the desk has a rotation pattern.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from roster.domain import Assignment, Limit, Preference, RosterInputs
from roster.facts import Facts, build_facts, day_kind_matches, fairness_group
from roster.validate_limits import off_runs, total, work_runs

Seat = tuple[str, date, str, str]  # (username, day, shift, position)
FAIRNESS_METRICS = ("nights", "weekends", "holidays", "substitutions")


@dataclass(frozen=True)
class Charge:
    """One charged unit of cost: ``amount`` for ``rule``, borne by ``username``, with what it is about."""

    rule: str
    username: str
    amount: int
    detail: str = ""


@dataclass(frozen=True)
class Score:
    """A roster's total cost and the charges it is made of (those of amount 0 are left out)."""

    total: int
    charges: tuple[Charge, ...] = field(default_factory=tuple)

    def by_rule(self) -> dict[str, int]:
        """Total cost per soft rule."""
        out: Counter[str] = Counter()
        for c in self.charges:
            out[c.rule] += c.amount
        return dict(out)

    def substitutes(self) -> int:
        """How many seats are sat off their holder's pattern (not counting hand pins)."""
        return sum(1 for c in self.charges if c.rule == "substitution")


def score(inputs: RosterInputs, assignments: Iterable[Assignment]) -> Score:
    """The cost of ``assignments`` (the seats of the period; others are ignored) under ``inputs``' soft rules."""
    facts = build_facts(inputs)
    seats = _seats(facts, assignments)
    subs = _substitute_seats(facts, seats)
    charges = [*_preferences(facts, seats), *_changes(facts, seats), *_cover(facts, seats), *_limits(facts, seats)]
    if inputs.pattern is not None:
        charges += [*_substitutions(facts, subs), *_releases(facts, seats)]
    for metric in FAIRNESS_METRICS:
        charges += _fairness(facts, seats, subs, metric)
    kept = tuple(c for c in charges if c.amount)
    return Score(sum(c.amount for c in kept), kept)


def _seats(facts: Facts, assignments: Iterable[Assignment]) -> set[Seat]:
    """The seats of the period as (username, day, shift, position)."""
    first, last = facts.inputs.start, facts.inputs.end
    return {(a.username, a.day, a.shift, a.position) for a in assignments if first <= a.day <= last}


def _substitute_seats(facts: Facts, seats: set[Seat]) -> set[Seat]:
    """Seats off their holder's pattern that no pin asked for."""
    pinned = {(p.username, p.day, p.shift, p.position) for p in facts.inputs.pins}
    return {s for s in seats if facts.pattern.get(s[:3]) != s[3] and s not in pinned}


def _substitutions(facts: Facts, subs: set[Seat]) -> list[Charge]:
    weight = facts.rules.weights.substitution
    return [Charge("substitution", u, weight, f"{d} {s} {q}") for (u, d, s, q) in sorted(subs)]


def _releases(facts: Facts, seats: set[Seat]) -> list[Charge]:
    """Own-pattern shifts of people not on leave that they did not sit in their own seat."""
    weight = facts.rules.weights.pattern_release
    return [Charge("pattern_release", u, weight, f"{d} {s}") for (u, d, s), q in sorted(facts.pattern.items())
            if (u, d, s) not in facts.leave and (u, d, s, q) not in seats]


def _preferences(facts: Facts, seats: set[Seat]) -> list[Charge]:
    """Wishes not honoured, one charge per matching shift."""
    worked = {s[:3] for s in seats}
    weight = facts.rules.weights.preference
    out = []
    for pref in facts.inputs.preferences:
        if pref.username not in facts.people:
            continue
        for d in _days_of(pref, facts):
            for s in facts.codes:
                on = (pref.username, d, s) in worked
                if pref.matches(d, s) and on != pref.wanted:
                    kind = "wanted" if pref.wanted else "unwanted"
                    out.append(Charge("preference", pref.username, weight * pref.weight, f"{kind} {d} {s}"))
    return out


def _days_of(pref: Preference, facts: Facts) -> list[date]:
    """The period's days a wish can speak about: its own date (when inside the period) or every day."""
    if pref.day is None:
        return facts.dates
    return [pref.day] if facts.inputs.start <= pref.day <= facts.inputs.end else []


def _changes(facts: Facts, seats: set[Seat]) -> list[Charge]:
    """Published seats of the period that the roster no longer has (``change``), and, when the last roster is
    given, seats it did not have (``change_added``)."""
    w, first, last = facts.rules.weights, facts.inputs.start, facts.inputs.end
    published = {(a.username, a.day, a.shift, a.position) for a in facts.inputs.previous if first <= a.day <= last}
    out = [Charge("change", u, w.change, f"{d} {s} {q}") for (u, d, s, q) in sorted(published - seats)]
    if facts.inputs.previous:
        out += [Charge("change_added", u, w.change_added, f"{d} {s} {q}") for (u, d, s, q) in sorted(seats - published)]
    return out


def _cover(facts: Facts, seats: set[Seat]) -> list[Charge]:
    """Soft cover: each person missing below, or extra above, the needed count of a seat."""
    count = Counter((d, s, q) for (_u, d, s, q) in seats)
    out = []
    for d in facts.dates:
        for s in facts.codes:
            for q in facts.inputs.positions:
                row, got = facts.cover[(d, s, q)], count[(d, s, q)]
                if row.under and got < row.need:
                    out.append(Charge("cover_under", "", row.under * (row.need - got), f"{d} {s} {q}"))
                if row.over and got > row.need:
                    out.append(Charge("cover_over", "", row.over * (got - row.need), f"{d} {s} {q}"))
    return out


def _limits(facts: Facts, seats: set[Seat]) -> list[Charge]:
    """Soft bounds of the limit rows: each unit above ``soft_max`` or below ``soft_min``."""
    out = []
    by_person: dict[str, list[Assignment]] = defaultdict(list)
    for a in _as_assignments(seats):
        by_person[a.username].append(a)
    for u in sorted(facts.people):
        mine = by_person[u]
        for row in facts.rules.limits_of(u):
            if row.kind in ("work_run", "off_run"):
                out += _run_charges(facts, u, row, mine)
                continue
            n = total(row, mine, facts.inputs)
            what = row.kind if row.shift is None else f"{row.kind} {row.shift}"
            if row.soft_max is not None and n > row.soft_max:
                out.append(Charge("limit_over", u, row.max_cost * (n - row.soft_max), what))
            if row.soft_min is not None and n < row.soft_min:
                out.append(Charge("limit_under", u, row.min_cost * (row.soft_min - n), what))
    return out


def _run_charges(facts: Facts, u: str, row: Limit, mine: list[Assignment]) -> list[Charge]:
    """Soft bounds of runs: a working run begun in the period shorter than ``soft_min`` (or an off run between two
    worked days inside it) costs per missing day; each all-worked ``soft_max + 1``-day window ending in the period
    costs once (so each day of a run beyond ``soft_max``)."""
    worked = {a.day for a in mine} | {a.day for a in facts.inputs.before if a.username == u}
    out: list[Charge] = []
    if row.soft_min is not None and row.min_cost:
        runs = work_runs(worked, facts.inputs) if row.kind == "work_run" else off_runs(worked, facts.inputs)
        out += [Charge("limit_under", u, row.min_cost * (row.soft_min - n), f"{row.kind} {first} {n}")
                for first, n in runs if n < row.soft_min and first >= facts.inputs.start]
    if row.kind == "work_run" and row.soft_max is not None and row.max_cost:
        size = row.soft_max + 1
        out += [Charge("limit_over", u, row.max_cost, f"work_run {end}") for end in facts.dates
                if all(end - timedelta(days=k) in worked for k in range(size))]
    return out


def _as_assignments(seats: set[Seat]) -> list[Assignment]:
    return [Assignment(d, s, q, u) for (u, d, s, q) in seats]


def _fairness(facts: Facts, seats: set[Seat], subs: set[Seat], metric: str) -> list[Charge]:
    """Squared distance of each person's leave-adjusted count from their group's share."""
    weight = getattr(facts.rules.weights, f"fair_{metric}")
    worked, rotation, removed = _metric_counts(facts, seats, subs, metric)
    groups: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for p in facts.people.values():
        if p.qualified(p.primary):
            groups[fairness_group(p)].append(p.username)
    out = []
    for users in groups.values():
        history = {u: getattr(facts.inputs.history.get(u), metric, 0) for u in users}
        share, rest = divmod(sum(history[u] + rotation[u] for u in users), len(users))
        half = 1 if rest else 0
        for u in sorted(users):
            y = history[u] + worked[u] + removed[u] - share
            out.append(Charge(f"fair_{metric}", u, weight * y * (y - half), f"{y:+d} vs share"))
    return out


def _metric_counts(facts: Facts, seats: set[Seat], subs: set[Seat],
                   metric: str) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """Per person: seats worked that count for ``metric``, own-rotation shifts that count, and those of them
    that leave removed (the rotation counts are zero for substitutions: nobody's rotation holds any)."""
    if metric == "substitutions":
        return Counter(u for (u, *_rest) in subs), Counter(), Counter()
    worked = Counter(u for (u, d, s, _q) in seats if day_kind_matches(facts, metric, d, s))
    rotation: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    for (u, d, s) in facts.pattern:
        if day_kind_matches(facts, metric, d, s):
            rotation[u] += 1
            removed[u] += (u, d, s) in facts.leave
    return worked, rotation, removed
