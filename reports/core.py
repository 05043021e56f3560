"""The report maths (pure): coverage, load and fairness, patrol figures and the desk's KPIs.

Plain functions over dataclasses with time passed in; no Flask, no database. ``reports.service`` reads the
rows (SQL does the heavy counting) and hands them here. Dates are the desk's local days; a shift belongs to
the day it starts.
"""

from __future__ import annotations

import functools
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from monitoring.maintenance import MaintenanceWindow
from roster import holidays
from roster.domain import Leave, Member, Pattern, ShiftDef
from roster.facts import fairness_group

POSITIONS = ("leader", "info", "comms")
COVERAGE_TARGET = 1.0
PATROL_TARGET = 0.999
ACK_TARGET = 0.95
HANDOVER_TARGET = 0.95
FAIR_AIM = 1  # the engine keeps everybody of a group within one of each other when the rotation allows
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_DAYS = 1100  # three years: a longer report would keep a web worker busy for minutes
HOW = {"pattern": "rotation", "substitute": "substitute", "pinned": "hand_edit"}


# --- periods -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Local days ``start``..``end`` inclusive."""

    start: date
    end: date

    @property
    def days(self) -> list[date]:
        """Every day of the period, in order."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def previous(self) -> Period:
        """The period of the same length just before this one (the previous month for a whole month)."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            first = _add_months(self.start, -months)
            return Period(first, self.start - timedelta(days=1))
        length = self.end - self.start + timedelta(days=1)
        return Period(self.start - length, self.start - timedelta(days=1))

    def year_to_date(self) -> Period:
        """1 January of the end's year up to the end."""
        return Period(date(self.end.year, 1, 1), self.end)

    def utc_bounds(self, tz: str) -> tuple[datetime, datetime]:
        """The period as [start, end) aware UTC datetimes: local midnight of the first day to that after the last."""
        zone = ZoneInfo(tz)
        lo = datetime.combine(self.start, datetime.min.time(), tzinfo=zone)
        hi = datetime.combine(self.end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        return lo.astimezone(ZoneInfo("UTC")), hi.astimezone(ZoneInfo("UTC"))


def ranges(days: Iterable[date]) -> list[Period]:
    """Consecutive days gathered into periods, in order."""
    out: list[Period] = []
    for day in sorted(days):
        if out and day == out[-1].end + timedelta(days=1):
            out[-1] = Period(out[-1].start, day)
        else:
            out.append(Period(day, day))
    return out


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_period(year: int, month: int) -> Period:
    """The whole calendar month."""
    first = date(year, month, 1)
    return Period(first, _add_months(first, 1) - timedelta(days=1))


def quarter_period(year: int, quarter: int) -> Period:
    """The whole calendar quarter (1..4)."""
    first = date(year, 3 * (quarter - 1) + 1, 1)
    return Period(first, _add_months(first, 3) - timedelta(days=1))


def parse_period(args: Mapping[str, str], today: date) -> tuple[Period, dict[str, str]]:
    """The period asked for by ``from``/``to`` (ISO dates), ``quarter=YYYY-Qn`` or ``month=YYYY-MM``, the current
    month by default; with ``{field: error code}`` for input that cannot be read (the default period then)."""
    default = month_period(today.year, today.month)
    try:
        if args.get("from") or args.get("to"):
            return _custom(args.get("from", ""), args.get("to", "")), {}
        if args.get("quarter"):
            return _numbered(args["quarter"].upper(), "-Q", "quarter", quarter_period), {}
        if args.get("month"):
            return _numbered(args["month"], "-", "month", month_period), {}
    except PeriodError as exc:
        return default, {exc.field: exc.code}
    return default, {}


def _numbered(raw: str, sep: str, name: str, make: Callable[[int, int], Period]) -> Period:
    try:
        year, number = (int(part) for part in raw.strip().split(sep))
        period = make(year, number)
    except ValueError:
        raise PeriodError(name, "unreadable") from None
    return _bounded(period, name)


class PeriodError(ValueError):
    """A period that cannot be reported: ``field`` and an error ``code``."""

    def __init__(self, field_name: str, code: str):
        super().__init__(code)
        self.field, self.code = field_name, code


def _custom(raw_from: str, raw_to: str) -> Period:
    try:
        start = date.fromisoformat(raw_from.strip())
    except ValueError:
        raise PeriodError("from", "unreadable") from None
    try:
        end = date.fromisoformat(raw_to.strip())
    except ValueError:
        raise PeriodError("to", "unreadable") from None
    if end < start:
        raise PeriodError("to", "before_start")
    if (end - start).days >= MAX_DAYS:
        raise PeriodError("to", "too_long")
    return _bounded(Period(start, end), "from")


def _bounded(period: Period, field_name: str) -> Period:
    if period.start.year < MIN_YEAR or period.end.year > MAX_YEAR:
        raise PeriodError(field_name, "out_of_range")
    return period


# --- coverage ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Seat:
    """A published seat: ``username`` sat ``position`` on ``shift`` of ``day``; ``source`` as stored."""

    day: date
    shift: str
    position: str
    username: str
    source: str = "pattern"


@dataclass(frozen=True)
class SwapInfo:
    """An approved swap (换班): the requester's seat went to the target, and back for an exchange."""

    id: int
    requester: str
    target: str
    day: date
    shift: str
    position: str
    target_day: date | None = None
    target_shift: str | None = None
    target_position: str | None = None

    def seats(self) -> set[tuple[date, str, str, str]]:
        """The seats (day, shift, position, username now sitting) this swap produced."""
        out = {(self.day, self.shift, self.position, self.target)}
        if self.target_day and self.target_shift and self.target_position:
            out.add((self.target_day, self.target_shift, self.target_position, self.requester))
        return out


@dataclass(frozen=True)
class CoverageInput:
    """What the coverage of a period is computed from (``rostered``: days a published version covers)."""

    period: Period
    shifts: tuple[ShiftDef, ...]
    coverage: Mapping[str, int]
    people: Mapping[str, Member]
    seats: tuple[Seat, ...]
    rostered: frozenset[date]
    leaves: tuple[Leave, ...] = ()
    swaps: tuple[SwapInfo, ...] = ()


@dataclass(frozen=True)
class SeatState:
    """One seat of a shift: who sat it and how (rotation, substitute, swap, hand_edit), or its problem
    (``empty``, ``unqualified``, ``on_leave``)."""

    position: str
    username: str | None
    how: str | None
    problem: str | None = None


@dataclass(frozen=True)
class ShiftCoverage:
    """One shift: ``state`` is ``full``, ``gap`` or ``no_roster``."""

    day: date
    shift: str
    state: str
    seats: tuple[SeatState, ...] = ()

    def gaps(self) -> list[tuple[str | None, str]]:
        """(position or None, reason) of every gap of this shift."""
        if self.state == "no_roster":
            return [(None, "no_roster")]
        return [(s.position, s.problem) for s in self.seats if s.problem]


@dataclass(frozen=True)
class CoverageReport:
    """Every shift of the period with the period's counts."""

    period: Period
    shifts: tuple[ShiftCoverage, ...]
    substitutions: int
    swaps: int
    leave_days: int
    target: float = COVERAGE_TARGET

    @property
    def fully_staffed(self) -> int:
        """Shifts with every seat held by a qualified person not on leave."""
        return sum(s.state == "full" for s in self.shifts)

    @property
    def rate(self) -> float | None:
        """Fully staffed shifts / shifts (None for no shift)."""
        return self.fully_staffed / len(self.shifts) if self.shifts else None

    def gaps(self) -> list[tuple[date, str, str | None, str]]:
        """(day, shift, position or None, reason) of every gap, in order."""
        return [(s.day, s.shift, pos, why) for s in self.shifts for pos, why in s.gaps()]


def seat_how(seat: Seat, swapped: set[tuple[date, str, str, str]]) -> str:
    """How a seat was filled: rotation, substitute, swap or hand_edit."""
    if (seat.day, seat.shift, seat.position, seat.username) in swapped:
        return "swap"
    return HOW.get(seat.source, seat.source)


def on_leave(leaves: Iterable[Leave], username: str, day: date, shift: str) -> bool:
    """True when approved leave takes ``username`` off ``shift`` of ``day``."""
    return any(lv.username == username and lv.covers(day, shift) for lv in leaves)


def coverage(data: CoverageInput) -> CoverageReport:
    """Coverage of every shift of the period: who sat each seat and how, and every gap."""
    swapped = {s for sw in data.swaps for s in sw.seats()}
    by_shift: dict[tuple[date, str], list[Seat]] = defaultdict(list)
    for seat in data.seats:
        by_shift[(seat.day, seat.shift)].append(seat)
    shifts = tuple(_shift_coverage(data, day, sd.code, by_shift.get((day, sd.code), []), swapped)
                   for day in data.period.days for sd in data.shifts)
    hows = Counter(seat.how for s in shifts for seat in s.seats)
    swaps = sum(data.period.start <= sw.day <= data.period.end for sw in data.swaps)
    return CoverageReport(data.period, shifts, hows["substitute"], swaps, leave_days(data.leaves, data.period))


def _shift_coverage(data: CoverageInput, day: date, shift: str, seats: list[Seat],
                    swapped: set[tuple[date, str, str, str]]) -> ShiftCoverage:
    if day not in data.rostered:
        return ShiftCoverage(day, shift, "no_roster")
    states: list[SeatState] = []
    for position in POSITIONS:
        held = [s for s in seats if s.position == position]
        for seat in held:
            states.append(SeatState(position, seat.username, seat_how(seat, swapped),
                                    _seat_problem(data, seat)))
        states += [SeatState(position, None, None, "empty")] * max(0, data.coverage.get(position, 1) - len(held))
    state = "gap" if any(s.problem for s in states) else "full"
    return ShiftCoverage(day, shift, state, tuple(states))


def _seat_problem(data: CoverageInput, seat: Seat) -> str | None:
    person = data.people.get(seat.username)
    if person is None or not person.qualified(seat.position):
        return "unqualified"
    if on_leave(data.leaves, seat.username, seat.day, seat.shift):
        return "on_leave"
    return None


def leave_days(leaves: Iterable[Leave], period: Period) -> int:
    """Member-days of approved leave inside the period (a day with any leave shift counts once)."""
    days: set[tuple[str, date]] = set()
    for lv in leaves:
        if lv.shifts is not None:
            days |= {(lv.username, d) for d, _s in lv.shifts if period.start <= d <= period.end}
        else:
            first, last = max(lv.start, period.start), min(lv.end, period.end)
            days |= {(lv.username, first + timedelta(days=i)) for i in range((last - first).days + 1)}
    return len(days)


# --- load and fairness -------------------------------------------------------------------------------------------

LOAD_FIELDS = ("shifts", "hours", "nights", "weekend_shifts", "holiday_shifts", "substitutions_made",
               "substitutions_received", "swaps")
FAIR_METRICS = ("shifts", "nights", "weekend_shifts", "holiday_shifts")


@dataclass(frozen=True)
class PersonLoad:
    """What one person worked in a period."""

    username: str
    name: str
    group: str
    shifts: int = 0
    hours: float = 0.0
    nights: int = 0
    weekend_shifts: int = 0
    holiday_shifts: int = 0
    substitutions_made: int = 0
    substitutions_received: int = 0
    swaps: int = 0


@dataclass(frozen=True)
class Spread:
    """How evenly a group carries one burden: mean, max − min and (population) standard deviation."""

    metric: str
    mean: float
    low: int
    high: int
    spread: int
    stdev: float
    aim: int = FAIR_AIM

    @property
    def met(self) -> bool:
        """True when the spread is within the engine's aim."""
        return self.spread <= self.aim


@dataclass(frozen=True)
class GroupLoad:
    """A fairness group (same primary seat, team members or spares) and its spreads."""

    key: str
    members: tuple[str, ...]
    spreads: tuple[Spread, ...] = field(default=())

    def spread(self, metric: str) -> Spread | None:
        """The spread of ``metric``."""
        return next((s for s in self.spreads if s.metric == metric), None)


def group_key(person: Member) -> str:
    """'leader', 'info', 'comms', with '/spare' for people of no team (roster.facts.fairness_group)."""
    primary, spare = fairness_group(person)
    return f"{primary}/spare" if spare else primary


@functools.lru_cache(maxsize=4096)
def day_kind(day: date) -> str:
    """holiday, weekend or workday by the desk's holiday calendar (cached: the calendar lookup is slow)."""
    return holidays.day_info(day).kind


def load(seats: Iterable[Seat], people: Mapping[str, Member], pattern: Pattern, shifts: tuple[ShiftDef, ...],
         swaps: Iterable[SwapInfo], period: Period) -> list[PersonLoad]:
    """Per person (every seat holder of ``people`` and whoever sat a seat): shifts, hours, nights, weekend and
    public-holiday shifts (the desk's holiday calendar), substitutions made and received, swaps."""
    seats = [s for s in seats if period.start <= s.day <= period.end]
    swap_list = [sw for sw in swaps if period.start <= sw.day <= period.end]
    swapped = {s for sw in swap_list for s in sw.seats()}
    hours = {sd.code: sd.hours for sd in shifts}
    acc: dict[str, Counter] = defaultdict(Counter)
    for seat in seats:
        _count_seat(acc[seat.username], seat, day_kind(seat.day), hours.get(seat.shift, 12), seat_how(seat, swapped))
    for username in received(seats, people, pattern, swapped):
        acc[username]["substitutions_received"] += 1
    for sw in swap_list:
        acc[sw.requester]["swaps"] += 1
        acc[sw.target]["swaps"] += 1
    names = sorted(set(people) | set(acc))
    return [_person_load(u, people.get(u), acc[u]) for u in names]


def _count_seat(c: Counter, seat: Seat, kind: str, hours: float, how: str) -> None:
    c["shifts"] += 1
    c["hours"] += hours
    c["nights"] += seat.shift == "N"
    c["weekend_shifts"] += kind == holidays.WEEKEND
    c["holiday_shifts"] += kind == holidays.HOLIDAY
    c["substitutions_made"] += how == "substitute"


def _person_load(username: str, person: Member | None, c: Counter) -> PersonLoad:
    name = person.name if person else username
    group = group_key(person) if person else "—"
    return PersonLoad(username, name, group, **{k: c[k] for k in LOAD_FIELDS})


def received(seats: list[Seat], people: Mapping[str, Member], pattern: Pattern,
             swapped: set[tuple[date, str, str, str]]) -> list[str]:
    """For each seat sat by a substitute, the rotation holders of that seat who did not work that shift."""
    on_shift: dict[tuple[date, str], set[str]] = defaultdict(set)
    for seat in seats:
        on_shift[(seat.day, seat.shift)].add(seat.username)
    out = []
    for seat in seats:
        if seat_how(seat, swapped) != "substitute":
            continue
        out += [p.username for p in people.values() if p.team and p.primary == seat.position
                and pattern.shift_of(p.team, seat.day) == seat.shift
                and p.username not in on_shift[(seat.day, seat.shift)]]
    return out


def fairness(loads: Iterable[PersonLoad], people: Mapping[str, Member]) -> list[GroupLoad]:
    """Per fairness group of active people qualified for their primary seat (as the engine groups them):
    the spread and standard deviation of shifts, nights, weekend and public-holiday shifts."""
    members: dict[str, list[PersonLoad]] = defaultdict(list)
    for row in loads:
        person = people.get(row.username)
        if person and person.active and person.qualified(person.primary):
            members[row.group].append(row)
    return [GroupLoad(key, tuple(r.username for r in rows), tuple(_spread(m, rows) for m in FAIR_METRICS))
            for key, rows in sorted(members.items())]


def _spread(metric: str, rows: list[PersonLoad]) -> Spread:
    values = [getattr(r, metric) for r in rows]
    return Spread(metric, round(statistics.fmean(values), 2), min(values), max(values), max(values) - min(values),
                  round(statistics.pstdev(values), 2))


# --- patrols -----------------------------------------------------------------------------------------------------

STATES = ("OK", "WARNING", "CRITICAL", "UNKNOWN")


@dataclass(frozen=True)
class CheckCounts:
    """What SQL counted for one check over the period: runs per state, in and out of maintenance."""

    check_id: int
    name: str
    interval: int
    enabled: bool
    created_at: datetime
    by_state: Mapping[str, int] = field(default_factory=dict)
    in_maintenance: int = 0
    flapping: int = 0

    @property
    def runs(self) -> int:
        """Every run, maintenance included."""
        return sum(self.by_state.values())


@dataclass(frozen=True)
class CheckPatrol:
    """The figures of one check: runs expected (outside maintenance) vs made, success, states, maintenance."""

    check_id: int
    name: str
    expected: int
    made: int
    runs: int
    ok: int
    time_in_state: Mapping[str, float]
    maintenance_seconds: float
    flapping: int

    @property
    def made_rate(self) -> float | None:
        """Runs made outside maintenance / runs expected (extra 'run now' runs do not lift it above 1)."""
        return min(1.0, self.made / self.expected) if self.expected else None

    @property
    def success_rate(self) -> float | None:
        """OK runs / runs."""
        return self.ok / self.runs if self.runs else None


@dataclass(frozen=True)
class PatrolReport:
    """Every check's figures, the total and the scheduler takeovers."""

    checks: tuple[CheckPatrol, ...]
    takeovers: int
    target: float = PATROL_TARGET

    @property
    def expected(self) -> int:
        """Runs expected over every check."""
        return sum(c.expected for c in self.checks)

    @property
    def made(self) -> int:
        """Runs made over every check, each capped at its expected count."""
        return sum(min(c.made, c.expected) for c in self.checks)

    @property
    def rate(self) -> float | None:
        """Made / expected over every check (None when nothing was expected)."""
        return self.made / self.expected if self.expected else None

    @property
    def success_rate(self) -> float | None:
        """OK runs / runs over every check."""
        runs = sum(c.runs for c in self.checks)
        return sum(c.ok for c in self.checks) / runs if runs else None


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Overlapping intervals merged, in order."""
    out: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        elif hi > lo:
            out.append((lo, hi))
    return out


def window_intervals(window: MaintenanceWindow, lo: datetime, hi: datetime) -> list[tuple[datetime, datetime]]:
    """The occurrences of ``window`` clipped to [lo, hi)."""
    if not window.is_weekly:
        if window.start is None or window.end is None:
            return []
        return [(max(window.start, lo), min(window.end, hi))] if window.start < hi and window.end > lo else []
    zone, out = ZoneInfo(window.tz), []
    span = window.duration or timedelta(0)
    day = lo.astimezone(zone).date() - timedelta(days=span.days + 1)
    while day <= hi.astimezone(zone).date():
        if day.weekday() in window.weekdays and window.start_time is not None:
            start = datetime.combine(day, window.start_time, tzinfo=zone)
            if start < hi and start + span > lo:
                out.append((max(start, lo), min(start + span, hi)))
        day += timedelta(days=1)
    return out


def maintenance_seconds(windows: Iterable[MaintenanceWindow], check: str, lo: datetime, hi: datetime) -> float:
    """Seconds of [lo, hi) during which some window covered ``check`` (overlaps counted once)."""
    spans = [iv for w in windows if w.covers_check(check) for iv in window_intervals(w, lo, hi)]
    return sum((b - a).total_seconds() for a, b in merge(spans))


def check_patrol(counts: CheckCounts, windows: list[MaintenanceWindow], lo: datetime, hi: datetime,
                 now: datetime) -> CheckPatrol:
    """One check's figures over [lo, hi): expected runs from its interval over the time it existed (up to
    ``now``) less the time in maintenance; runs made outside maintenance; time in each state estimated as
    runs in that state × interval."""
    start, end = max(lo, counts.created_at), min(hi, now)
    live = max(0.0, (end - start).total_seconds()) if counts.enabled else 0.0
    maint = maintenance_seconds(windows, counts.name, start, end) if live else 0.0
    expected = int((live - maint) // counts.interval) if counts.interval > 0 else 0
    made = counts.runs - counts.in_maintenance
    in_state = {s: float(counts.by_state.get(s, 0) * counts.interval) for s in STATES}
    return CheckPatrol(counts.check_id, counts.name, expected, made, counts.runs, counts.by_state.get("OK", 0),
                       in_state, maint, counts.flapping)


def patrols(counts: Iterable[CheckCounts], windows: list[MaintenanceWindow], lo: datetime, hi: datetime,
            now: datetime, runners: Iterable[tuple[str, datetime]] = ()) -> PatrolReport:
    """Figures of every check and the takeovers: each scheduler process (``runner``, first run) that began
    patrolling after another one already had, within the period."""
    checks = tuple(check_patrol(c, windows, lo, hi, now) for c in sorted(counts, key=lambda c: c.name))
    return PatrolReport(checks, max(0, len({r for r, _at in runners}) - 1))


# --- KPIs --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kpi:
    """A figure beside its target for this period and the previous one (None: no data)."""

    key: str
    value: float | None
    previous: float | None
    target: float

    @property
    def met(self) -> bool | None:
        """True when the figure reaches its target (None without data)."""
        return None if self.value is None else self.value >= self.target

    @property
    def trend(self) -> str | None:
        """'up', 'down' or 'flat' against the previous period (None when either has no data)."""
        if self.value is None or self.previous is None:
            return None
        if abs(self.value - self.previous) < 1e-9:
            return "flat"
        return "up" if self.value > self.previous else "down"


def share_within(durations: Iterable[float | None], limit: float) -> float | None:
    """The share of ``durations`` (seconds; None: never happened) at most ``limit`` (None for none)."""
    values = list(durations)
    return sum(d is not None and d <= limit for d in values) / len(values) if values else None


# --- alert handling ----------------------------------------------------------------------------------------------

ACK_LIMIT_SECONDS = 5 * 60
ACK_MINUTES_RANGE = (1, 1440)
ACK_PERCENT_RANGE = (50.0, 100.0)


@dataclass(frozen=True)
class AckTarget:
    """The managers' acknowledgement target: an alert acknowledged within ``minutes`` is on time, and at least
    ``share`` (0..1) of the alerts should be."""

    minutes: int = ACK_LIMIT_SECONDS // 60
    share: float = ACK_TARGET

    @property
    def seconds(self) -> int:
        """The limit in seconds."""
        return self.minutes * 60

    @property
    def percent(self) -> float:
        """The share as a percentage (95.0)."""
        return round(self.share * 100, 2)


def ack_target_problems(minutes: int | None, percent: float | None) -> dict[str, str]:
    """{field: code} of what is wrong with a proposed target (``required``, ``out_of_range``); empty when fine."""
    problems = {}
    for name, value, (low, high) in (("minutes", minutes, ACK_MINUTES_RANGE), ("percent", percent, ACK_PERCENT_RANGE)):
        if value is None:
            problems[name] = "required"
        elif not (low <= value <= high):  # NaN fails this too
            problems[name] = "out_of_range"
    return problems


@dataclass(frozen=True, slots=True)
class AlertFact:
    """One alert as the report needs it, its times already reduced to seconds by the database: ``to_ack`` and
    ``to_resolve`` from first seen (None: not yet); ``carried_over``: still unresolved when its shift ended;
    ``day``: the local day it was first seen (ISO)."""

    severity: str
    domain: str | None
    source: str
    key: str
    day: str
    to_ack: float | None
    to_resolve: float | None
    escalations: int = 0
    shift: str | None = None
    leader: str | None = None
    no_roster: bool = False
    carried_over: bool = False


@dataclass(frozen=True)
class AlertFigures:
    """Figures of a set of alerts: count, time to acknowledge and resolve (median, 90th percentile, seconds),
    the share acknowledged within the limit, escalations, carried over, arrived with no roster."""

    label: str
    count: int
    ack_median: float | None
    ack_p90: float | None
    resolve_median: float | None
    resolve_p90: float | None
    within_target: float | None
    escalated: int
    carried_over: int
    no_roster: int


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-int(share * 100) * len(ordered) // 100) - 1))]


class _Tally:
    """What a group of alerts adds up to, filled one alert at a time (a year is 20,000 alerts, seven ways)."""

    __slots__ = ("acks", "carried", "count", "escalated", "fixes", "no_roster", "within")

    def __init__(self) -> None:
        self.acks: list[float] = []
        self.fixes: list[float] = []
        self.count = self.within = self.escalated = self.carried = self.no_roster = 0

    def add(self, a: AlertFact, limit: float) -> None:
        self.count += 1
        if a.to_ack is not None:
            self.acks.append(a.to_ack)
            self.within += a.to_ack <= limit
        if a.to_resolve is not None:
            self.fixes.append(a.to_resolve)
        self.escalated += a.escalations > 0
        self.carried += a.carried_over
        self.no_roster += a.no_roster

    def figures(self, label: str) -> AlertFigures:
        self.acks.sort()
        self.fixes.sort()
        return AlertFigures(label, self.count, _median(self.acks), percentile(self.acks, 0.9), _median(self.fixes),
                            percentile(self.fixes, 0.9), self.within / self.count if self.count else None,
                            self.escalated, self.carried, self.no_roster)


def _median(ordered: list[float]) -> float | None:
    return statistics.median(ordered) if ordered else None


def alert_figures(label: str, alerts: Iterable[AlertFact], limit: float = ACK_LIMIT_SECONDS) -> AlertFigures:
    """The figures of ``alerts``; an alert never acknowledged counts as not within the limit."""
    tally = _Tally()
    for a in alerts:
        tally.add(a, limit)
    return tally.figures(label)


@dataclass(frozen=True)
class AlertReport:
    """The alert handling of a period: in total, by severity, per shift, leader, domain and source; the noisiest."""

    total: AlertFigures
    by: Mapping[str, tuple[AlertFigures, ...]]
    noisiest: tuple[tuple[str, int], ...]
    target: float = ACK_TARGET
    limit: float = ACK_LIMIT_SECONDS


@functools.lru_cache(maxsize=4096)
def iso_week(day: str) -> str:
    """'2026-W41' of an ISO day ('' gives '0-W00')."""
    year, week, _day = date.fromisoformat(day).isocalendar() if day else (0, 0, 0)
    return f"{year}-W{week:02d}"


ALERT_GROUPINGS: dict[str, Callable[[AlertFact], str]] = {
    "day": lambda a: a.day, "week": lambda a: iso_week(a.day), "severity": lambda a: a.severity,
    "shift": lambda a: a.shift or "-", "leader": lambda a: a.leader or "-", "domain": lambda a: a.domain or "-",
    "source": lambda a: a.source}


def alert_report(alerts: Iterable[AlertFact], ack: AckTarget = AckTarget()) -> AlertReport:
    """Alert handling figures, grouped every way the managers read them, against the acknowledgement target:
    one pass over the alerts fills a tally per group of every grouping."""
    limit = ack.seconds
    total = _Tally()
    tallies: dict[str, dict[str, _Tally]] = {name: defaultdict(_Tally) for name in ALERT_GROUPINGS}
    noisy: Counter[str] = Counter()
    for a in alerts:
        total.add(a, limit)
        noisy[a.key] += 1
        for name, key in ALERT_GROUPINGS.items():
            tallies[name][key(a)].add(a, limit)
    by = {name: tuple(t.figures(k) for k, t in sorted(groups.items())) for name, groups in tallies.items()}
    return AlertReport(total.figures("total"), by, tuple(noisy.most_common(10)), ack.share, limit)
