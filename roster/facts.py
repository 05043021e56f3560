"""Facts derived once from RosterInputs and shared by the solver and the explainer.

Not used by the validator, which recomputes what it needs in its own simple code.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from roster import holidays
from roster.domain import Assignment, Cover, Member, ResolvedRules, RosterInputs
from roster.patterns import resolve_rules
from roster.rules import conflict_offsets

Slot = tuple[str, date, str]  # (username, day, shift)


@dataclass
class Facts:
    """Precomputed sets and maps of one solve (all keyed by username / date / shift code)."""

    inputs: RosterInputs
    rules: ResolvedRules
    dates: list[date]
    codes: list[str]
    people: dict[str, Member]
    kinds: dict[date, str]
    unknown_years: list[int]
    leave: set[Slot] = field(default_factory=set)
    pattern: dict[Slot, str] = field(default_factory=dict)
    before: set[Slot] = field(default_factory=set)
    offsets: list[tuple[str, int, str]] = field(default_factory=list)
    cover: dict[tuple[date, str, str], Cover] = field(default_factory=dict)


def build_facts(inputs: RosterInputs) -> Facts:
    """Derive the Facts of ``inputs``: active people, leave slots, pattern slots, calendar, limits."""
    dates = inputs.dates
    kinds, unknown = _kinds(inputs)
    facts = Facts(
        inputs=inputs,
        rules=resolve_rules(inputs.rules, inputs.pattern),
        dates=dates,
        codes=[s.code for s in inputs.shifts],
        people={p.username: p for p in inputs.people if p.active},
        kinds=kinds,
        unknown_years=unknown,
    )
    facts.leave = _leave_slots(facts)
    facts.pattern = _pattern_slots(facts)
    facts.before = {(a.username, a.day, a.shift) for a in inputs.before if a.day < inputs.start}
    facts.cover = _cover(facts)
    facts.offsets = conflict_offsets(inputs.shifts, facts.rules.min_rest_hours, facts.rules.forbidden)
    return facts


def _cover(facts: Facts) -> dict[tuple[date, str, str], Cover]:
    """(day, shift, position) -> the cover row in force (``coverage`` as hard rows, overridden by ``cover``)."""
    inputs = facts.inputs
    positions = inputs.positions  # a property over every cover row: read once
    out = {(d, s, q): Cover(q, inputs.coverage.get(q, 0)) for d in facts.dates for s in facts.codes
           for q in positions}
    for row in inputs.cover:
        days = [row.day] if row.day is not None else facts.dates
        shifts = [row.shift] if row.shift is not None else facts.codes
        for d in days:
            for s in shifts:
                if (d, s, row.position) in out:
                    out[(d, s, row.position)] = row
    return out


def _kinds(inputs: RosterInputs) -> tuple[dict[date, str], list[int]]:
    """Day kinds from the override or the Chinese calendar (a few weeks before the start too)."""
    span = [inputs.start + timedelta(days=i) for i in range(-31, inputs.days)]
    if inputs.day_kinds is not None:
        return {d: inputs.day_kinds.get(d, _plain_kind(d)) for d in span}, []
    kinds, unknown = inputs.calendar.classify(span)
    return kinds, [y for y in unknown if inputs.start.year <= y <= inputs.end.year]


def _plain_kind(day: date) -> str:
    """Weekend for Saturday/Sunday, workday otherwise (used when the override omits a date)."""
    return holidays.WEEKEND if day.weekday() >= 5 else holidays.WORKDAY


def _leave_slots(facts: Facts) -> set[Slot]:
    """Every (username, day, shift) removed by approved leave inside the period."""
    out: set[Slot] = set()
    first, last = facts.inputs.start, facts.inputs.end
    codes = set(facts.codes)
    for lv in facts.inputs.leaves:
        if lv.shifts is not None:
            out.update((lv.username, d, s) for d, s in lv.shifts if first <= d <= last and s in codes)
            continue
        d = max(first, lv.start)
        while d <= min(last, lv.end):  # only the leave's own days: a year of one-day leaves stays linear
            out.update((lv.username, d, s) for s in facts.codes)
            d += timedelta(days=1)
    return out


def _pattern_slots(facts: Facts) -> dict[Slot, str]:
    """(username, day, shift) -> position for each shift of an active team member's own pattern."""
    out: dict[Slot, str] = {}
    pattern = facts.inputs.pattern
    if pattern is None:
        return out
    for p in facts.people.values():
        if p.team not in pattern.offsets or not p.qualified(p.primary):
            continue
        for d in facts.dates:
            s = pattern.shift_of(p.team, d)
            if s in facts.codes:
                out[(p.username, d, s)] = p.primary
    return out


def holders_by_seat(facts: Facts) -> dict[tuple[date, str, str], list[str]]:
    """(day, shift, position) -> usernames the pattern puts there (on leave or not)."""
    out: dict[tuple[date, str, str], list[str]] = defaultdict(list)
    for (u, d, s), q in facts.pattern.items():
        out[(d, s, q)].append(u)
    return out


def short_seat_days(facts: Facts) -> set[date]:
    """Dates with a seat that its pattern holders not on leave cannot fill (leave, inactive people)."""
    if not facts.pattern:
        return set()
    holders = holders_by_seat(facts)
    return {d for d in facts.dates for s in facts.codes for q in facts.inputs.positions
            if sum((u, d, s) not in facts.leave for u in holders.get((d, s, q), ())) < hard_min(facts, d, s, q)}


def hard_min(facts: Facts, day: date, shift: str, position: str) -> int:
    """The people ``position`` on ``shift`` of ``day`` must have at least (0 when being short only costs)."""
    row = facts.cover.get((day, shift, position))
    return 0 if row is None or row.under is not None else row.need


def hard_max(facts: Facts, day: date, shift: str, position: str) -> int | None:
    """The most people ``position`` on ``shift`` of ``day`` may have (None when extra people only cost)."""
    row = facts.cover.get((day, shift, position))
    if row is None:
        return 0
    return None if row.over is not None else row.need


def day_kind_matches(facts: Facts, metric: str, day: date, shift: str) -> bool:
    """True when a shift on ``day`` counts for fairness ``metric`` (nights/weekends/holidays)."""
    if metric == "nights":
        return shift == "N"
    if metric == "weekends":
        return facts.kinds.get(day) == holidays.WEEKEND
    return facts.kinds.get(day) == holidays.HOLIDAY


def rotation_counts(facts: Facts, metric: str) -> tuple[Counter[str], Counter[str]]:
    """Per person, the own-rotation shifts counting for ``metric`` over the period (``expected``) and
    those of them that approved leave removed (``credit``); both empty for ``substitutions``.

    The leave-adjusted fairness count is ``history + worked + credit``: leave is not made up."""
    expected: Counter[str] = Counter()
    credit: Counter[str] = Counter()
    if metric == "substitutions":
        return expected, credit
    for (u, d, s) in facts.pattern:
        if day_kind_matches(facts, metric, d, s):
            expected[u] += 1
            credit[u] += (u, d, s) in facts.leave
    return expected, credit


def fairness_group(person: Member) -> tuple[str, bool]:
    """People share fair burdens with those of the same primary position and kind (team or spare)."""
    return (person.primary, person.team is None)


def as_before(assignments: list[Assignment], start: date) -> tuple[Assignment, ...]:
    """The assignments dated before ``start`` (to pass as ``RosterInputs.before``)."""
    return tuple(a for a in assignments if a.day < start)
