"""Plain data of the roster engine: people, shifts, pattern, leave, pins, rules, results.

Everything here is a frozen dataclass (hashable, safe to share between threads) and carries no
behaviour beyond small derived properties. The DB layer maps its rows onto these; the solver,
validator, explainer and on-call lookup read only these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from types import MappingProxyType
from typing import Any

from roster import codes
from roster.holidays import LIBRARY, Calendar

POSITIONS: tuple[str, ...] = ("leader", "info", "comms")
WATCHER_SKILLS: frozenset[str] = frozenset({"info", "comms"})
ROLES: frozenset[str] = frozenset({"leader", "watcher", "manager"})
TEAMS: tuple[str, ...] = ("A", "B", "C", "D")
SOURCES: frozenset[str] = frozenset({"pattern", "substitute", "pinned"})


def frozen_map(data: Mapping[Any, Any] | None = None) -> Mapping[Any, Any]:
    """A read-only copy of ``data`` (an empty mapping for None)."""
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True)
class Member:
    """Someone on the rota, as the engine sees them (the table is ``desk.models.Person``); ``position`` is the
    primary seat (derived when None)."""

    username: str
    name: str
    role: str = "watcher"
    skills: frozenset[str] = frozenset()
    team: str | None = None
    active: bool = True
    position: str | None = None

    @property
    def primary(self) -> str:
        """The seat this person sits on their own team's pattern."""
        if self.position:
            return self.position
        if self.role == "leader":
            return "leader"
        return "info" if "info" in self.skills or not self.skills else "comms"

    def qualified(self, position: str) -> bool:
        """True when this (active) person may sit ``position``."""
        if not self.active:
            return False
        if position == "leader":
            return self.role == "leader"
        return position in self.skills or self.position == position


@dataclass(frozen=True)
class ShiftDef:
    """A shift type; a shift belongs to the calendar date on which it starts. Its length is ``minutes``
    when given, else ``hours`` (so 8-hour, 10.5-hour or 480-minute shifts can all be stated)."""

    code: str
    start: time
    hours: int = 12
    minutes: int | None = None

    @property
    def length(self) -> int:
        """Length of the shift in minutes."""
        return self.minutes if self.minutes is not None else self.hours * 60

    def starts_at(self, day: date) -> datetime:
        """Naive local start of this shift on ``day``."""
        return datetime.combine(day, self.start)

    def ends_at(self, day: date) -> datetime:
        """Naive local end of this shift started on ``day``."""
        return self.starts_at(day) + timedelta(minutes=self.length)


DAY = ShiftDef("D", time(8, 0), 12)
NIGHT = ShiftDef("N", time(20, 0), 12)
DEFAULT_SHIFTS: tuple[ShiftDef, ...] = (DAY, NIGHT)
DEFAULT_COVERAGE: Mapping[str, int] = frozen_map({"leader": 1, "info": 1, "comms": 1})


@dataclass(frozen=True)
class Pattern:
    """A rotation cycle over D/N/O; team ``t`` works ``code[(day - anchor + offsets[t]) % len]``."""

    code: str
    anchor: date
    offsets: Mapping[str, int] = field(default_factory=frozen_map)

    def shift_of(self, team: str | None, day: date) -> str:
        """'D', 'N' or 'O' for ``team`` on ``day`` ('O' for no team or a team without offset)."""
        if team is None or team not in self.offsets:
            return "O"
        return self.code[((day - self.anchor).days + self.offsets[team]) % len(self.code)]


@dataclass(frozen=True)
class Leave:
    """Approved leave: every shift from ``start`` to ``end`` inclusive, or only ``shifts`` when given."""

    username: str
    start: date
    end: date
    shifts: frozenset[tuple[date, str]] | None = None
    reason: str = ""

    def covers(self, day: date, shift: str) -> bool:
        """True when this leave removes the person from ``shift`` on ``day``."""
        if self.shifts is not None:
            return (day, shift) in self.shifts
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Pin:
    """A seat fixed by hand: ``username`` sits ``position`` on ``shift`` of ``day``."""

    username: str
    day: date
    shift: str
    position: str


@dataclass(frozen=True)
class Preference:
    """A wish: work (``wanted``) or not work a date or weekday (0=Mon), one shift or any (None)."""

    username: str
    wanted: bool
    day: date | None = None
    weekday: int | None = None
    shift: str | None = None
    weight: int = 1

    def matches(self, day: date, shift: str) -> bool:
        """True when the shift ``shift`` on ``day`` is the one this preference talks about."""
        if self.day is not None and self.day != day:
            return False
        if self.weekday is not None and self.weekday != day.weekday():
            return False
        return self.shift is None or self.shift == shift


@dataclass(frozen=True)
class Weights:
    """Weights of the soft rules (per unit of each penalty)."""

    substitution: int = 20
    pattern_release: int = 20
    fair_nights: int = 4
    fair_weekends: int = 2
    fair_holidays: int = 3
    fair_substitutions: int = 2
    preference: int = 5
    change: int = 30
    change_added: int = 0


LIMIT_KINDS: frozenset[str] = frozenset({"shifts", "minutes", "weekends", "work_run", "off_run"})
NO_LIMIT = 100_000  # a resolved limit that never binds (no pattern to derive one from, none stated)


@dataclass(frozen=True)
class Limit:
    """One row of the per-person rule table (the style of OR-Tools' shift_scheduling_sat.py):

    ``kind`` is what is bounded over the period: ``shifts`` (worked shifts; of one type when ``shift`` is
    given), ``minutes`` (worked minutes), ``weekends`` (weekends with a shift on Saturday or Sunday),
    ``work_run`` (consecutive working days) or ``off_run`` (consecutive days off between two working runs).
    ``hard_min``/``hard_max`` may never be broken; below ``soft_min`` costs ``min_cost`` per unit, above
    ``soft_max`` costs ``max_cost`` per unit. For runs a unit is a day of each run: a working run of 2 against
    ``soft_min`` 4 costs 2 x ``min_cost``, one of 7 against ``soft_max`` 5 costs 2 x ``max_cost``; a run of days off
    has a minimum only. ``who``: one username, None for
    everyone (a row for one person replaces the everyone-row of the same kind and shift).
    Runs: the days before and after the period count as days off (a work run touching either end still needs
    its minimum; an off run touching either end needs none), unless ``RosterInputs.before`` says otherwise."""

    kind: str
    hard_min: int | None = None
    hard_max: int | None = None
    shift: str | None = None
    who: str | None = None
    soft_min: int | None = None
    min_cost: int = 0
    soft_max: int | None = None
    max_cost: int = 0

    def __post_init__(self) -> None:
        if self.kind not in LIMIT_KINDS:
            raise ValueError(f"unknown limit kind {self.kind!r}")
        if self.shift is not None and self.kind != "shifts":
            raise ValueError("only a 'shifts' limit names a shift type")
        if self.kind == "off_run" and (self.hard_max is not None or self.soft_max is not None):
            raise ValueError("a run of days off has a minimum only")


NIGHT_THEN_DAY: tuple[tuple[str, str], ...] = (("N", "D"),)


@dataclass(frozen=True)
class Rules:
    """The desk's rules as stated (None: derive from the pattern, see ``patterns.resolve_rules``, which turns
    them into ``ResolvedRules``; the solver only ever takes the resolved form).

    ``forbidden``: (first, second) shift types: ``second`` may not be worked the day after ``first`` (the
    default is 四班二运转's night then day); ``limits``: per-person rule rows (see ``Limit``)."""

    min_rest_hours: int = 12
    max_consecutive: int | None = None
    window_days: int = 28
    max_shifts_in_window: int | None = None
    weights: Weights = field(default_factory=Weights)
    forbidden: tuple[tuple[str, str], ...] = NIGHT_THEN_DAY
    limits: tuple[Limit, ...] = ()


@dataclass(frozen=True)
class ResolvedRules:
    """Rules with every limit a number (``NO_LIMIT`` when nothing binds): what the solver, the validator and the
    explainer read. Made only by ``patterns.resolve_rules``."""

    min_rest_hours: int
    max_consecutive: int
    window_days: int
    max_shifts_in_window: int
    weights: Weights
    forbidden: tuple[tuple[str, str], ...]
    limits: tuple[Limit, ...]

    def limits_of(self, username: str) -> tuple[Limit, ...]:
        """The limit rows that apply to ``username`` (a personal row replaces the everyone-row of its kind)."""
        mine = {(r.kind, r.shift) for r in self.limits if r.who == username}
        return tuple(r for r in self.limits if r.who == username or (r.who is None and (r.kind, r.shift) not in mine))


@dataclass(frozen=True)
class Cover:
    """One cover row: ``need`` people in ``position`` on ``shift`` of ``day`` (None: every shift / every day).

    ``under``/``over``: cost per person missing / per person too many; None makes that side hard (both None:
    exactly ``need``, today's seats). Rows override ``RosterInputs.coverage`` (the same need on every shift)
    for what they match; of several matching rows the last wins."""

    position: str
    need: int
    day: date | None = None
    shift: str | None = None
    under: int | None = None
    over: int | None = None

    def matches(self, day: date, shift: str, position: str) -> bool:
        """True when this row speaks about ``position`` on ``shift`` of ``day``."""
        return (self.position == position and (self.day is None or self.day == day)
                and (self.shift is None or self.shift == shift))


@dataclass(frozen=True)
class Counts:
    """What one person already worked in earlier published periods."""

    nights: int = 0
    weekends: int = 0
    holidays: int = 0
    substitutions: int = 0


@dataclass(frozen=True)
class Assignment:
    """One person in one seat: ``position`` on ``shift`` of ``day``."""

    day: date
    shift: str
    position: str
    username: str
    source: str = "pattern"


@dataclass(frozen=True)
class RosterInputs:
    """Everything one solve needs. ``previous``: last published assignments (minimal change);
    ``before``: assignments of the days just before ``start`` (rest rules across the start);
    ``calendar``: the holiday calendar (the library's with the desk's own days); ``day_kinds``: optional
    override of it (date -> 'workday'|'weekend'|'holiday'), used by tests and benchmarks."""

    people: tuple[Member, ...]
    start: date
    days: int
    pattern: Pattern | None
    shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS
    coverage: Mapping[str, int] = field(default_factory=lambda: DEFAULT_COVERAGE)
    cover: tuple[Cover, ...] = ()
    leaves: tuple[Leave, ...] = ()
    pins: tuple[Pin, ...] = ()
    preferences: tuple[Preference, ...] = ()
    rules: Rules = field(default_factory=Rules)
    history: Mapping[str, Counts] = field(default_factory=frozen_map)
    previous: tuple[Assignment, ...] = ()
    before: tuple[Assignment, ...] = ()
    day_kinds: Mapping[date, str] | None = None
    calendar: Calendar = LIBRARY

    @property
    def dates(self) -> list[date]:
        """The calendar dates of the period, in order."""
        return [self.start + timedelta(days=i) for i in range(self.days)]

    @property
    def end(self) -> date:
        """The last date of the period (inclusive)."""
        return self.start + timedelta(days=self.days - 1)

    def person(self, username: str) -> Member | None:
        """The person with ``username`` or None."""
        return next((p for p in self.people if p.username == username), None)

    def shift_def(self, code: str) -> ShiftDef:
        """The ShiftDef with ``code``."""
        return next(s for s in self.shifts if s.code == code)

    @cached_property  # read per seat by the scorer and the facts; a year of cover rows made it quadratic
    def positions(self) -> tuple[str, ...]:
        """Every position some shift needs (the coverage keys, then those only cover rows name)."""
        extra = [c.position for c in self.cover if c.position not in self.coverage]
        return (*self.coverage, *dict.fromkeys(extra))

    def need(self, day: date, shift: str, position: str) -> Cover:
        """The cover that applies to ``position`` on ``shift`` of ``day`` (a hard one from ``coverage``
        unless a cover row says otherwise)."""
        found = Cover(position, self.coverage.get(position, 0))
        for row in self.cover:
            if row.matches(day, shift, position):
                found = row
        return found


@dataclass(frozen=True)
class Cost:
    """One named penalty of the objective: ``amount`` charged to ``username`` by soft rule ``rule``."""

    rule: str
    username: str
    amount: int
    detail: str = ""


Params = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Message:
    """Something the engine says, as a registered code (``roster.codes``) and its named parameters.

    ``roster.words`` renders it in the reader's language; the engine never writes the sentence."""

    code: str
    params: Params = ()

    def __post_init__(self) -> None:
        codes.check(self.code, dict(self.params))

    @property
    def kw(self) -> dict[str, Any]:
        """The parameters as a dict."""
        return dict(self.params)


def msg(code: str, /, **params: Any) -> Message:
    """``Message(code, params)`` with the parameters as keywords (sorted, so equal messages compare equal)."""
    return Message(code, tuple(sorted(params.items())))


@dataclass(frozen=True)
class Violation:
    """A broken hard rule found by the validator; ``params`` are the figures its sentence needs (see
    ``roster.codes.VIOLATIONS``)."""

    rule: str
    day: date | None
    shift: str | None
    position: str | None
    username: str | None
    params: Params = ()

    def __post_init__(self) -> None:
        codes.check(self.rule, dict(self.params), codes.VIOLATIONS)

    @property
    def kw(self) -> dict[str, Any]:
        """The parameters as a dict."""
        return dict(self.params)


@dataclass(frozen=True)
class Gap:
    """A seat nobody can fill, with each qualified person's reason (username, reason)."""

    day: date
    shift: str
    position: str
    reasons: tuple[tuple[str, Message], ...]


@dataclass(frozen=True)
class Explanation:
    """Why no roster exists: what kind of problem (``summary``), the seats that cannot be filled and a
    shortlist of conflicting inputs. Render with ``roster.words.explanation_lines``."""

    summary: Message
    gaps: tuple[Gap, ...] = ()
    conflicts: tuple[Message, ...] = ()


@dataclass(frozen=True)
class SolveResult:
    """Outcome of one solve; ``cost_breakdown`` explains every unit of ``objective`` by rule and person."""

    status: str
    assignments: tuple[Assignment, ...] = ()
    objective: int | None = None
    best_bound: int | None = None
    gap: float | None = None
    wall_time: float = 0.0
    cost_breakdown: tuple[Cost, ...] = ()
    explanation: Explanation | None = None
    warnings: tuple[Message, ...] = ()
    stage: str = ""

    @property
    def ok(self) -> bool:
        """True when a roster was found (optimal or merely feasible)."""
        return self.status in ("OPTIMAL", "FEASIBLE")


@dataclass(frozen=True)
class OnDuty:
    """Who sits each seat of the shift running at a moment."""

    day: date
    shift: str
    starts_at: datetime
    ends_at: datetime
    people: Mapping[str, tuple[str, ...]]
