"""Everything a solve needs, read from the database: people, settings, leave, pins, wishes, history and the
published days around the period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from sqlmodel import Session, select

from roster import domain, holiday_store, holidays, settings_store
from roster.domain import Assignment, Counts, Leave, Pin, RosterInputs, frozen_map
from roster.models import LeaveRequest, Preference, RosterPin, RosterVersion
from roster.patterns import resolve_rules
from roster.refusals import period_days
from roster.seat_holders import people_by_id, to_domain_person
from roster.versions import published_assignments, published_days

HISTORY_DAYS = 366


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
