"""The roster lifecycle on the database: inputs for the engine, drafts, hand edits, publishing, amendments, diffs,
the published truth and who is on duty.

Keyword-only service functions ``f(session, *, ...)``; each state change writes the audit trail. People are
``desk.models.Person`` rows; the engine works with usernames (``roster.domain``).

The published truth: for each day, the published version with the highest number whose period covers the day.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, delete, select

from desk import audit
from desk.accounts import N_, get_by_username
from desk.models import Person
from desk.timeutil import in_desk_range, utcnow
from roster import domain, holiday_store, holidays, oncall, settings_store, stored_text, words
from roster.domain import Assignment, Counts, Leave, Pin, RosterInputs, SolveResult, frozen_map
from roster.models import LeaveRequest, Preference, RosterAssignment, RosterPin, RosterVersion
from roster.patterns import resolve_rules
from roster.rules import SOFT_RULES
from roster.validate import validate

MAX_DAYS = 400
HISTORY_DAYS = 366
SEAT_HOLDERS = ("leader", "watcher")
MAX_NOTE = 500
NUMBER_ATTEMPTS = 5
PUBLISH_LOCK = 0x726F73746572  # "roster": the PostgreSQL advisory lock every publication takes
T = TypeVar("T")


class RosterError(ValueError):
    """A roster action that cannot be done; ``problems`` lists sentences a leader understands."""

    def __init__(self, message: str, problems: Iterable[str] = (), **params: Any):
        super().__init__(message % params if params else message)
        self.message = message  # marked with N_ so the pages can translate it: _(message, **params)
        self.params = params
        self.problems = list(problems)
        self.violations: list[domain.Violation] = []  # the broken hard rules, for pages that word them
        self.inputs: RosterInputs | None = None


# --- state changes that happen once -----------------------------------------------------------------------------

def transition(session: Session, model: Any, row_id: int, *, allowed: tuple[str, ...], values: dict[str, Any],
               field: str = "status", also: tuple[ColumnElement[bool], ...] = ()) -> bool:
    """Change one row only while its ``field`` is still one of ``allowed`` (and ``also`` holds): one conditional
    UPDATE whose row count decides who won. On PostgreSQL the winner holds the row lock until it commits, so a
    concurrent loser waits, then finds the new status and changes nothing. The row in the session is refreshed."""
    stmt = (update(model).where(model.id == row_id, getattr(model, field).in_(allowed), *also).values(**values)
            .execution_options(synchronize_session=False))
    won = session.exec(stmt).rowcount == 1
    row = session.get(model, row_id)
    if row is not None:
        session.refresh(row)
    return won


def lock_publishing(session: Session) -> None:
    """Serialise publications until this transaction ends, so the published roster a check read is still the
    truth when its result is published (two swaps of one day approved at once must not undo each other).
    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write that changes nothing takes the database's one
    write lock now (waiting for the busy timeout), rather than at the first real write after the reads."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK})
    elif dialect == "sqlite":
        session.connection().execute(text("UPDATE rosterversion SET id = id WHERE 1 = 0"))


def with_next_number(session: Session, write: Callable[[int], T]) -> T:
    """``write(number)`` with the next published version number, in a savepoint. The number is unique in the
    database: when a concurrent publish took it first, the savepoint is rolled back and the next one is tried."""
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            with session.begin_nested():
                return write(next_number(session))
        except IntegrityError:
            if attempt + 1 == NUMBER_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def is_write_conflict(exc: Exception) -> bool:
    """Whether a database error means another writer changed the same rows at the same moment (a unique number
    taken, or SQLite's single writer busy), so the person should reload and try again, rather than a fault."""
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


def check_text(text: str, *, limit: int = MAX_NOTE) -> str:
    """The text stripped, or RosterError when it is longer than ``limit`` characters (nothing is cut silently)."""
    text = (text or "").strip()
    if len(text) > limit:
        raise RosterError(N_("Write at most %(limit)s characters."), limit=limit)
    return text


def check_dates(*days: date | None) -> None:
    """Refuse dates outside the years the desk accepts (desk.timeutil.in_desk_range)."""
    if any(d is not None and not in_desk_range(d) for d in days):
        raise RosterError(N_("Dates must lie between the years 2000 and 2100."))


# --- people and the published truth ------------------------------------------------------------------------------

def people_by_id(session: Session) -> dict[int, Person]:
    """Every person who may sit a seat (leaders and watchers, active or not), by id."""
    rows = session.exec(select(Person).where(col(Person.role).in_(SEAT_HOLDERS)))
    return {p.id: p for p in rows}


def display_names(session: Session) -> dict[str, str]:
    """username -> display name of every seat holder (``people_by_id``)."""
    return {p.username: p.display_name for p in people_by_id(session).values()}


def to_domain_person(p: Person) -> domain.Member:
    """The engine's view of a person."""
    return domain.Member(p.username, p.display_name, p.role, p.skill_set, p.team_code, p.active)


def published_versions(session: Session, *, start: date, end: date) -> list[RosterVersion]:
    """Published versions overlapping ``start``..``end``, newest (highest number) first."""
    return list(session.exec(select(RosterVersion).where(
        RosterVersion.status == "published", RosterVersion.start <= end, RosterVersion.end >= start)
        .order_by(col(RosterVersion.number).desc())))


def truth_map(versions: list[RosterVersion], start: date, end: date) -> dict[date, int]:
    """day -> id of the published version that is the truth for it (``versions`` newest first)."""
    out: dict[date, int] = {}
    for v in versions:
        d = max(v.start, start)
        while d <= min(v.end, end):
            out.setdefault(d, v.id)
            d += timedelta(days=1)
    return out


def version_assignments(session: Session, *, version_id: int, start: date | None = None,
                        end: date | None = None) -> list[Assignment]:
    """The assignments of one version (optionally only ``start``..``end``), as engine Assignments."""
    q = (select(RosterAssignment, Person.username).join(Person, Person.id == RosterAssignment.person_id)
         .where(RosterAssignment.version_id == version_id))
    if start is not None:
        q = q.where(RosterAssignment.day >= start)
    if end is not None:
        q = q.where(RosterAssignment.day <= end)
    return sorted((Assignment(a.day, a.shift, a.position, u, a.source) for a, u in session.exec(q)), key=_order)


def _order(a: Assignment) -> tuple:
    return a.day, a.shift, domain.POSITIONS.index(a.position) if a.position in domain.POSITIONS else 9, a.username


def published_assignments(session: Session, *, start: date, end: date) -> list[Assignment]:
    """The current published truth over ``start``..``end`` (inclusive), across versions, sorted."""
    return _truth_assignments(session, published_versions(session, start=start, end=end), start, end)


def _truth_assignments(session: Session, versions: list[RosterVersion], start: date, end: date) -> list[Assignment]:
    """The seats over ``start``..``end`` of whichever of ``versions`` (newest first) owns each day, in one query."""
    if not versions:
        return []
    days = truth_map(versions, start, end)
    q = (select(RosterAssignment, Person.username).join(Person, Person.id == RosterAssignment.person_id)
         .where(col(RosterAssignment.version_id).in_([v.id for v in versions]),
                RosterAssignment.day >= start, RosterAssignment.day <= end))
    out = [Assignment(a.day, a.shift, a.position, u, a.source) for a, u in session.exec(q)
           if days.get(a.day) == a.version_id]
    return sorted(out, key=_order)


def published_days(session: Session, *, start: date, end: date) -> dict[date, int]:
    """day -> number of the published version that is the truth for it."""
    versions = published_versions(session, start=start, end=end)
    numbers = {v.id: v.number for v in versions}
    return {d: numbers[v] for d, v in truth_map(versions, start, end).items()}


# --- inputs of a solve -------------------------------------------------------------------------------------------

def approved_leaves(session: Session, *, start: date, end: date,
                    usernames: dict[int, str] | None = None) -> tuple[Leave, ...]:
    """Approved leave overlapping ``start``..``end`` as engine Leave."""
    names = usernames if usernames is not None else {i: p.username for i, p in people_by_id(session).items()}
    rows = session.exec(select(LeaveRequest).where(LeaveRequest.status == "approved", LeaveRequest.start <= end,
                                                   LeaveRequest.end >= start))
    return tuple(leave_of(r, names[r.person_id]) for r in rows if r.person_id in names)


def leave_of(row: LeaveRequest, username: str) -> Leave:
    """The engine's Leave of a request (whole days, or only the listed [date, shift] pairs)."""
    shifts = None
    if row.shifts is not None:
        shifts = frozenset((date.fromisoformat(str(d)), str(s)) for d, s in row.shifts)
    return Leave(username, row.start, row.end, shifts, row.reason)


def _pins(session: Session, version_id: int | None, names: dict[int, str]) -> tuple[Pin, ...]:
    if version_id is None:
        return ()
    rows = session.exec(select(RosterPin).where(RosterPin.version_id == version_id).order_by(RosterPin.id))
    return tuple(Pin(names[r.person_id], r.day, r.shift, r.position) for r in rows if r.person_id in names)


def _preferences(session: Session, names: dict[int, str]) -> tuple[domain.Preference, ...]:
    rows = session.exec(select(Preference).order_by(Preference.id))
    return tuple(domain.Preference(names[r.person_id], r.wanted, r.day, r.weekday, r.shift, r.weight)
                 for r in rows if r.person_id in names)


def history_counts(assignments: Iterable[Assignment],
                   calendar: holidays.Calendar = holidays.LIBRARY) -> dict[str, Counts]:
    """Nights, weekend shifts, public-holiday shifts and substitutions per person."""
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    kinds: dict[date, str] = {}
    for a in assignments:
        kind = kinds.setdefault(a.day, calendar.day_info(a.day).kind)
        c = acc[a.username]
        c[0] += a.shift == "N"
        c[1] += kind == holidays.WEEKEND
        c[2] += kind == holidays.HOLIDAY
        c[3] += a.source == "substitute"
    return {u: Counts(*c) for u, c in acc.items()}


def build_inputs(session: Session, *, start: date, days: int, previous: bool = True,
                 version_id: int | None = None) -> RosterInputs:
    """Everything one solve of ``start`` + ``days`` needs, read from the database.

    People (leaders and watchers), the settings, approved leave, the pins of draft ``version_id``, preferences,
    history counts from published days before ``start`` (up to a year), the published days just before
    ``start`` (rest rules across the start) and, with ``previous``, the published assignments of the period
    (minimal change)."""
    people = people_by_id(session)
    names = {i: p.username for i, p in people.items()}
    es = settings_store.current(session)
    end = start + timedelta(days=days - 1)
    window = max(es.rules.window_days, 7)
    earlier = published_assignments(session, start=start - timedelta(days=HISTORY_DAYS),
                                    end=start - timedelta(days=1))
    before = tuple(a for a in earlier if a.day >= start - timedelta(days=window))
    calendar = holiday_store.calendar(session)
    return RosterInputs(
        people=tuple(to_domain_person(p) for p in sorted(people.values(), key=lambda p: p.username)),
        start=start, days=days, pattern=es.pattern, shifts=es.shifts, coverage=frozen_map(es.coverage),
        cover=es.cover_rows(start, days),
        leaves=approved_leaves(session, start=start - timedelta(days=window), end=end, usernames=names),
        pins=_pins(session, version_id, names), preferences=_preferences(session, names), rules=es.rules,
        history=frozen_map(history_counts(earlier, calendar)),
        previous=tuple(published_assignments(session, start=start, end=end)) if previous else (),
        before=before, calendar=calendar,
    )


def inputs_for(session: Session, version: RosterVersion) -> RosterInputs:
    """The inputs of a draft's solve (its pins; minimal change against what is published), extended over the
    published days right after the draft with those days pinned (see ``draft_inputs``)."""
    return draft_inputs(session, version)[0]


def draft_inputs(session: Session, version: RosterVersion) -> tuple[RosterInputs, tuple[Assignment, ...]]:
    """The solve inputs of a draft and the published seats of the days right after it.

    The engine only looks back (``before``); a draft ending where a published roster goes on would be free to
    put someone on a night just before their published day shift. So the period is extended over the published
    days after it (the longest run of working days plus one), every seat of those days pinned as published.
    Only the draft's own days are stored (``store_result``); the validator sees both."""
    inputs = build_inputs(session, start=version.start, days=period_days(version.start, version.end),
                          version_id=version.id)
    horizon = resolve_rules(inputs.rules, inputs.pattern).max_consecutive + 1
    last = version.end + timedelta(days=horizon)
    covered = published_days(session, start=version.end + timedelta(days=1), end=last)
    run = 0
    while version.end + timedelta(days=run + 1) in covered:
        run += 1
    if not run:
        return inputs, ()
    after = tuple(published_assignments(session, start=version.end + timedelta(days=1),
                                        end=version.end + timedelta(days=run)))
    pins = inputs.pins + tuple(Pin(a.username, a.day, a.shift, a.position) for a in after)
    return replace(inputs, days=inputs.days + run, pins=pins, previous=inputs.previous + after), after


def period_days(start: date, end: date) -> int:
    return (end - start).days + 1


# --- drafts ------------------------------------------------------------------------------------------------------

def check_period(start: date, end: date) -> None:
    """Refuse an empty or too long period, or one outside the years the desk accepts."""
    check_dates(start, end)
    if end < start:
        raise RosterError(N_("The period ends before it starts."))
    if period_days(start, end) > MAX_DAYS:
        raise RosterError(N_("A roster covers at most %(days)d days."), days=MAX_DAYS)


def _snap(v: RosterVersion) -> dict[str, Any]:
    return {"status": v.status, "number": v.number, "start": v.start.isoformat(), "end": v.end.isoformat(),
            "base_version_id": v.base_version_id, "note": v.note, "job_status": v.job_status}


def create_draft(session: Session, *, actor: str, start: date, end: date, note: str = "",
                 base_version_id: int | None = None) -> RosterVersion:
    """A new draft over ``start``..``end``, queued for a background solve (roster.jobs)."""
    check_period(start, end)
    version = RosterVersion(start=start, end=end, note=check_text(note), created_by=actor, status="draft",
                            base_version_id=base_version_id, job_status="queued", progress=stored_text.encode("queued"))
    session.add(version)
    session.flush()
    action = "roster.amend" if base_version_id else "roster.generate"
    audit.record(session, actor=actor, action=action, object_type="roster_version", object_id=version.id,
                 after=_snap(version))
    return version


def open_amendment(session: Session, *, actor: str, start: date, end: date, reason: str) -> RosterVersion:
    """A new draft over ``start``..``end`` based on the current published version, queued for a minimal-change
    solve (the published seats are the solver's hints and each change costs)."""
    base = published_versions(session, start=start, end=end)
    if not base:
        raise RosterError(N_("No published roster covers this period: generate one instead of amending."))
    return create_draft(session, actor=actor, start=start, end=end, note=reason, base_version_id=base[0].id)


def requeue(session: Session, *, actor: str, version_id: int) -> RosterVersion:
    """Solve a draft again (after pins changed or leave was approved)."""
    version = get_draft(session, version_id)
    if not transition(session, RosterVersion, version.id, field="job_status", allowed=("done", "failed"),
                      values={"job_status": "queued", "progress": stored_text.encode("queued"),
                              "job_heartbeat_at": None}, also=(col(RosterVersion.status) == "draft",)):
        if version.status != "draft":
            raise RosterError(N_("Only a draft can be changed: published versions are immutable."))
        raise RosterError(N_("The draft is still being solved."))
    audit.record(session, actor=actor, action="roster.resolve", object_type="roster_version", object_id=version.id,
                 after=_snap(version))
    return version


def get_version(session: Session, version_id: int) -> RosterVersion:
    """The version or RosterError."""
    version = session.get(RosterVersion, version_id)
    if version is None:
        raise RosterError(N_("No such roster version."))
    return version


def get_draft(session: Session, version_id: int) -> RosterVersion:
    """The version if it is a draft, else RosterError."""
    version = get_version(session, version_id)
    if version.status != "draft":
        raise RosterError(N_("Only a draft can be changed: published versions are immutable."))
    return version


def discard(session: Session, *, actor: str, version_id: int) -> RosterVersion:
    """Throw a draft away (kept for the record as ``discarded``)."""
    version = get_draft(session, version_id)
    before = _snap(version)
    if not transition(session, RosterVersion, version.id, allowed=("draft",), values={"status": "discarded"}):
        raise _not_a_draft_any_more(version)
    transition(session, RosterVersion, version.id, field="job_status", allowed=("queued",),
               values={"job_status": "failed", "progress": stored_text.encode("discarded")})
    audit.record(session, actor=actor, action="roster.discard", object_type="roster_version",
                 object_id=version.id, before=before, after=_snap(version))
    return version


def _not_a_draft_any_more(version: RosterVersion) -> RosterError:
    """The loser's message when someone else published or discarded the draft at the same moment."""
    if version.status == "published":
        return RosterError(N_("Someone else has just published this draft as version %(number)s."),
                           number=version.number)
    if version.status == "draft":
        return RosterError(N_("The draft is being solved again; publish it once the solve is done."))
    return RosterError(N_("Someone else has just changed this draft: it is %(status)s now."), status=version.status)


def store_result(session: Session, *, version: RosterVersion, result: SolveResult) -> None:
    """Write a solve's figures, explanation and (when it found one) the roster into the draft."""
    people = people_by_id(session).values()
    names, ids = {p.username: p.display_name for p in people}, {p.username: p.id for p in people}
    session.exec(delete(RosterAssignment).where(RosterAssignment.version_id == version.id))
    for a in (a for a in result.assignments if version.start <= a.day <= version.end):
        session.add(RosterAssignment(version_id=version.id, day=a.day, shift=a.shift, position=a.position,
                                     person_id=ids[a.username], source=a.source))
    version.solver_status = result.status
    version.objective, version.best_bound = result.objective, result.best_bound
    version.gap, version.wall_time = result.gap, round(result.wall_time, 3)
    version.cost_breakdown = [{"rule": c.rule, "username": c.username, "amount": c.amount, "detail": c.detail}
                              for c in result.cost_breakdown]
    version.explanation = words.explanation_data(result.explanation, names) if result.explanation else None
    version.warnings = words.stored_warnings(result.warnings)
    session.add(version)


def solve_version(session: Session, *, version: RosterVersion, time_limit: float = 30.0) -> SolveResult:
    """Solve a draft inline and store the result in it (the CLI; the pages go through roster.jobs)."""
    from roster.solver import solve

    inputs = inputs_for(session, version)
    result = solve(inputs, time_limit=time_limit)
    store_result(session, version=version, result=result)
    version.job_status = "done"
    version.progress = stored_text.encode("solved" if result.ok else "no_roster")
    version.job_finished_at = utcnow()
    return result


# --- hand edits --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SeatEdit:
    """A hand edit of one seat: ``username`` sits ``position`` on ``shift`` of ``day``."""

    day: date
    shift: str
    position: str
    username: str


def edit_seat(session: Session, *, actor: str, version_id: int, day: date, shift: str, position: str,
              username: str) -> RosterAssignment:
    """Put ``username`` into a seat of a solved draft, validated against every hard rule, and pin it.

    Raises RosterError listing each broken rule in words when the edit would break one."""
    version = get_draft(session, version_id)
    person = get_by_username(session, username)
    if person is None:
        raise RosterError(N_("No such person."))
    if version.job_status in ("queued", "running"):
        raise RosterError(N_("The draft is still being solved."))
    rows = list(session.exec(select(RosterAssignment).where(
        RosterAssignment.version_id == version.id, RosterAssignment.day == day, RosterAssignment.shift == shift,
        RosterAssignment.position == position).order_by(RosterAssignment.id)))
    if not rows:
        raise RosterError(N_("That seat is not in this draft."))
    seat = next((r for r in rows if r.person_id == person.id), rows[0])
    _validate_edit(session, version, seat, person)
    before = {"person_id": seat.person_id, "source": seat.source}
    seat.person_id, seat.source = person.id, "pinned"
    session.add(seat)
    session.add(RosterPin(version_id=version.id, person_id=person.id, day=day, shift=shift, position=position,
                          created_by=actor))
    audit.record(session, actor=actor, action="roster.edit_seat", object_type="roster_version",
                 object_id=version.id, before={**before, "seat": f"{day} {shift} {position}"},
                 after={"person_id": person.id, "username": username, "source": "pinned"})
    return seat


def _validate_edit(session: Session, version: RosterVersion, seat: RosterAssignment, person: Person) -> None:
    inputs, after = draft_inputs(session, version)
    current = version_assignments(session, version_id=version.id) + list(after)
    old = {(v.rule, v.day, v.shift, v.position, v.username) for v in validate(current, inputs)}
    names = {p.username: p for p in inputs.people}
    holder = people_by_id(session).get(seat.person_id)
    target = Assignment(seat.day, seat.shift, seat.position, holder.username if holder else "", seat.source)
    changed = [a for a in current if a != target] + [Assignment(seat.day, seat.shift, seat.position,
                                                                person.username, "pinned")]
    new = [v for v in validate(changed, inputs) if (v.rule, v.day, v.shift, v.position, v.username) not in old]
    if new:
        error = RosterError(N_("%(name)s cannot sit this seat."), [violation_text(v, names) for v in new],
                            name=person.display_name)
        error.violations, error.inputs = new, inputs
        raise error


def violation_text(v: domain.Violation, people: dict[str, domain.Member] | None = None) -> str:
    """'Li would work the day shift of 01-03 right after a night shift' (English, for logs and the CLI)."""
    names = {u: p.name for u, p in (people or {}).items()}
    return words.violation_sentence(v, names)


# --- publishing and diffs ----------------------------------------------------------------------------------------

def publish(session: Session, *, actor: str, version_id: int) -> RosterVersion:
    """Publish a solved draft: it gets the next number and becomes immutable; older published versions that it
    (with the other newer ones) covers completely become ``superseded``. Refused when the draft no longer holds
    every hard rule (e.g. leave approved after it was solved)."""
    lock_publishing(session)
    version = get_draft(session, version_id)
    if version.job_status != "done" or version.solver_status not in ("OPTIMAL", "FEASIBLE"):
        raise RosterError(N_("Only a solved draft with a roster can be published."))
    inputs, after = draft_inputs(session, version)
    broken = validate(version_assignments(session, version_id=version.id) + list(after), inputs)
    if broken:
        people = {p.username: p for p in inputs.people}
        error = RosterError(N_("The draft breaks a hard rule now; solve it again."),
                            [violation_text(v, people) for v in broken[:10]])
        error.violations, error.inputs = broken[:10], inputs
        raise error
    before = _snap(version)
    now = utcnow()

    def claim(number: int) -> bool:
        return transition(session, RosterVersion, version.id, allowed=("draft",), also=(
            col(RosterVersion.job_status) == "done",), values={
            "number": number, "status": "published", "published_by": actor, "published_at": now})

    if not with_next_number(session, claim):
        raise _not_a_draft_any_more(version)
    superseded = supersede_covered(session, start=version.start, end=version.end)
    audit.record(session, actor=actor, action="roster.publish", object_type="roster_version",
                 object_id=version.id, before=before, after={**_snap(version), "superseded": superseded})
    return version


def next_number(session: Session) -> int:
    """The number the next published version gets."""
    return (session.exec(select(func.max(RosterVersion.number))).one() or 0) + 1


def supersede_covered(session: Session, *, start: date, end: date) -> list[int]:
    """Mark published versions overlapping the period that no longer own any day as superseded; their numbers."""
    versions = published_versions(session, start=start - timedelta(days=MAX_DAYS), end=end + timedelta(days=MAX_DAYS))
    if not versions:
        return []
    lo, hi = min(v.start for v in versions), max(v.end for v in versions)
    owners = set(truth_map(versions, lo, hi).values())
    out = []
    for v in versions:
        if v.id not in owners:
            v.status = "superseded"
            session.add(v)
            out.append(v.number)
    return out


@dataclass(frozen=True)
class SeatChange:
    """One seat that differs between the published roster and a draft."""

    day: date
    shift: str
    position: str
    kind: str  # added | removed | changed
    before: tuple[str, ...]
    after: tuple[str, ...]


def diff(before: Iterable[Assignment], after: Iterable[Assignment], start: date, end: date) -> list[SeatChange]:
    """Seats that differ between two rosters over ``start``..``end`` (usernames, sorted)."""
    def seats(rows: Iterable[Assignment]) -> dict[tuple, set[str]]:
        out: dict[tuple, set[str]] = defaultdict(set)
        for a in rows:
            if start <= a.day <= end:
                out[(a.day, a.shift, a.position)].add(a.username)
        return out

    b, a = seats(before), seats(after)
    out = []
    for key in sorted(set(a) | set(b), key=lambda k: (k[0], k[1], _order(Assignment(*k, ""))[2])):
        old, new = b.get(key, set()), a.get(key, set())
        if old != new:
            kind = "added" if not old else "removed" if not new else "changed"
            out.append(SeatChange(*key, kind, tuple(sorted(old)), tuple(sorted(new))))
    return out


def version_diff(session: Session, *, version_id: int) -> list[SeatChange]:
    """A draft (or a discarded one) against the published truth over its period; a published version against the
    one before it."""
    version = get_version(session, version_id)
    mine = version_assignments(session, version_id=version.id)
    if version.number is None:  # never published: no place among the numbered versions
        theirs = published_assignments(session, start=version.start, end=version.end)
    else:
        theirs = _before_publication(session, version)
    return diff(theirs, mine, version.start, version.end)


def _before_publication(session: Session, version: RosterVersion) -> list[Assignment]:
    """What was published over ``version``'s period just before it was (older numbers only; none for a version
    that was never published)."""
    if version.number is None:
        return []
    older = list(session.exec(select(RosterVersion).where(
        col(RosterVersion.status).in_(("published", "superseded")), col(RosterVersion.number) < version.number,
        RosterVersion.start <= version.end, RosterVersion.end >= version.start)
        .order_by(col(RosterVersion.number).desc())))
    return _truth_assignments(session, older, version.start, version.end)


def has_baseline(session: Session, *, version: RosterVersion) -> bool:
    """Whether a diff of ``version`` compares with something: a published roster over its period (drafts) or an
    older published version (published ones)."""
    if version.number is None:
        return bool(published_versions(session, start=version.start, end=version.end))
    return bool(_before_publication(session, version))


def drafts(session: Session, *, start: date, end: date) -> list[RosterVersion]:
    """Drafts overlapping ``start``..``end``, newest first."""
    return list(session.exec(select(RosterVersion).where(
        RosterVersion.status == "draft", RosterVersion.start <= end, RosterVersion.end >= start)
        .order_by(col(RosterVersion.id).desc())))


def history(session: Session) -> list[RosterVersion]:
    """Every version, newest first (drafts too)."""
    return list(session.exec(select(RosterVersion).order_by(col(RosterVersion.id).desc())))


# --- preferences ------------------------------------------------------------------------------------------------

def preferences_of(session: Session, *, person_id: int) -> list[Preference]:
    """A person's wishes, oldest first."""
    return list(session.exec(select(Preference).where(Preference.person_id == person_id).order_by(Preference.id)))


def add_preference(session: Session, *, actor: str, person_id: int, wanted: bool, day: date | None = None,
                   weekday: int | None = None, shift: str | None = None, weight: int = 1) -> Preference:
    """Record a wish to work (``wanted``) or not work a date or a weekday, one shift or any; the next solves
    honour it where they can (soft rule ``preference``)."""
    if (day is None) == (weekday is None):
        raise RosterError(N_("Choose either a date or a weekday."))
    if (weekday is not None and not 0 <= weekday <= 6) or shift not in (None, "D", "N") or not 1 <= weight <= 5:
        raise RosterError(N_("That wish is not understood."))
    if len(preferences_of(session, person_id=person_id)) >= 20:
        raise RosterError(N_("At most 20 wishes per person: remove one first."))
    pref = Preference(person_id=person_id, wanted=wanted, day=day, weekday=weekday, shift=shift, weight=weight)
    session.add(pref)
    session.flush()
    audit.record(session, actor=actor, action="roster.preference_add", object_type="preference", object_id=pref.id,
                 after={"person_id": person_id, "wanted": wanted, "day": day.isoformat() if day else None,
                        "weekday": weekday, "shift": shift, "weight": weight})
    return pref


def delete_preference(session: Session, *, actor: str, person_id: int, preference_id: int) -> None:
    """Remove one of the person's own wishes."""
    pref = session.get(Preference, preference_id)
    if pref is None or pref.person_id != person_id:
        raise RosterError(N_("No such wish."))
    audit.record(session, actor=actor, action="roster.preference_delete", object_type="preference",
                 object_id=pref.id, before={"person_id": person_id, "wanted": pref.wanted})
    session.delete(pref)


# --- on duty -----------------------------------------------------------------------------------------------------

def desk_timezone() -> str:
    """The desk's time zone: the app's setting inside a request or command, else the environment."""
    try:
        from flask import current_app

        return current_app.extensions["dutydesk.settings"].timezone
    except (RuntimeError, KeyError):
        return os.environ.get("DUTYDESK_TIMEZONE", oncall.DEFAULT_TZ)


def _around(session: Session, at: datetime, tz: str) -> tuple[list[Assignment], tuple[domain.ShiftDef, ...]]:
    from zoneinfo import ZoneInfo

    local = at.astimezone(ZoneInfo(tz)).date()
    rows = published_assignments(session, start=local - timedelta(days=1), end=local + timedelta(days=2))
    return rows, settings_store.current(session).shifts


def on_duty_at(session: Session, *, at: datetime, tz: str | None = None) -> domain.OnDuty | None:
    """Who sits each seat of the shift running at the aware moment ``at`` per the published roster; None when no
    published roster covers it (the alert routing then goes to the managers)."""
    tz = tz or desk_timezone()
    rows, shifts = _around(session, at, tz)
    return oncall.on_duty(rows, at, shifts, tz)


def next_on_duty_at(session: Session, *, at: datetime, tz: str | None = None) -> domain.OnDuty | None:
    """The next staffed shift after ``at`` (within two days), or None."""
    tz = tz or desk_timezone()
    rows, shifts = _around(session, at, tz)
    return oncall.next_on_duty(rows, at, shifts, tz)


# --- words -------------------------------------------------------------------------------------------------------

def cost_lines(breakdown: list[dict[str, Any]] | None, names: dict[str, str]) -> list[dict[str, Any]]:
    """The cost breakdown grouped by rule, each with its people: [{rule, label, total, people: [(name, amount)]}]."""
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in breakdown or []:
        groups[c["rule"]][c["username"]] += int(c["amount"])
    out = []
    for rule, people in sorted(groups.items(), key=lambda kv: -sum(kv[1].values())):
        ranked = sorted(people.items(), key=lambda kv: (-kv[1], kv[0]))
        out.append({"rule": rule, "label": SOFT_RULES.get(rule, rule), "total": sum(people.values()),
                    "people": [(names.get(u, u), n) for u, n in ranked]})
    return out
