"""Reads for the reports: the rows each report needs, counted by SQL, handed to ``reports.core`` for the maths.

Keyword-only ``f(session, *, ...)`` functions; nothing here writes. Per-object filtering happens here too:
a leader's reports hold their own team's shifts and people, a watcher's only themself (``Scope``).
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Float, case, cast, func, insert, select
from sqlmodel import Session

from alerts.models import Alert, Handover
from desk.models import Person
from desk.timeutil import as_utc
from monitoring import store
from monitoring.models import AnomalyEventRow, Check, CheckRun, MaintenanceWindowRow
from reports import core, targets
from reports.core import CoverageReport, Period, PersonLoad, Seat, SwapInfo
from reports.models import PatrolDay, PatrolRollup
from roster import domain, seat_holders, settings_store, solve_inputs, versions
from roster.models import RosterAssignment, SwapRequest


@dataclass(frozen=True)
class Scope:
    """Whose figures a reader may see: everything (managers), one team (leaders) or one person (watchers)."""

    team: str | None = None
    username: str | None = None
    leader: str | None = None

    @classmethod
    def of(cls, person: Any) -> Scope:
        """The scope of a logged-in person (a leader's alerts are those assigned to them)."""
        if person.role == "manager":
            return cls()
        if person.role == "leader":
            return cls(team=person.team_code or "-", leader=person.username)
        return cls(username=person.username)

    @property
    def everything(self) -> bool:
        return self.team is None and self.username is None


def people(session: Session) -> dict[str, domain.Member]:
    """Every seat holder as the engine sees them, by username."""
    return {p.username: seat_holders.to_domain_person(p) for p in seat_holders.people_by_id(session).values()}


def approved_swaps(session: Session, *, period: Period) -> tuple[SwapInfo, ...]:
    """Approved swaps whose requester's day falls in the period."""
    names = {p.id: p.username for p in session.exec(select(Person.id, Person.username))}
    rows = session.exec(select(SwapRequest).where(
        SwapRequest.status == "approved", SwapRequest.requester_day >= period.start,
        SwapRequest.requester_day <= period.end)).scalars()
    return tuple(SwapInfo(r.id, names.get(r.requester_id, "?"), names.get(r.target_id, "?"), r.requester_day,
                          r.requester_shift, r.requester_position, r.target_day, r.target_shift, r.target_position)
                 for r in rows)


def seats(session: Session, *, period: Period) -> tuple[Seat, ...]:
    """The published truth of the period as report seats (``roster.versions.published_assignments`` read as
    plain columns: a year of seats as ORM objects costs a second)."""
    found = versions.published_versions(session, start=period.start, end=period.end)
    if not found:
        return ()
    owner = versions.truth_map(found, period.start, period.end)
    ra = RosterAssignment.__table__.c
    rows = session.execute(
        select(ra.version_id, ra.day, ra.shift, ra.position, ra.source, Person.username)
        .join(Person, Person.id == ra.person_id)
        .where(ra.version_id.in_([v.id for v in found]), ra.day >= period.start, ra.day <= period.end))
    return tuple(Seat(*t) for t in sorted((d, s, q, u, src) for v, d, s, q, src, u in rows if owner.get(d) == v))


def coverage_report(session: Session, *, period: Period, scope: Scope = Scope()) -> CoverageReport:
    """Coverage of every shift of the period (a leader's: the shifts their team works by the rotation)."""
    es = settings_store.current(session)
    who = people(session)
    data = core.CoverageInput(
        period=period, shifts=es.shifts, coverage=es.coverage, people=who, seats=seats(session, period=period),
        rostered=frozenset(versions.published_days(session, start=period.start, end=period.end)),
        leaves=solve_inputs.approved_leaves(session, start=period.start, end=period.end),
        swaps=approved_swaps(session, period=period))
    if scope.team is None:
        return core.coverage(data)
    members = {u for u, p in who.items() if p.team == scope.team}
    data = replace(data, leaves=tuple(lv for lv in data.leaves if lv.username in members),
                   swaps=tuple(s for s in data.swaps if {s.requester, s.target} & members))
    keep = {(d, sd.code) for d in period.days for sd in es.shifts if es.pattern.shift_of(scope.team, d) == sd.code}
    return team_coverage(core.coverage(data), keep)


def team_coverage(report: CoverageReport, keep: set[tuple[date, str]]) -> CoverageReport:
    """``report`` with only the shifts in ``keep`` (substitutions recounted over them)."""
    shifts = tuple(s for s in report.shifts if (s.day, s.shift) in keep)
    subs = sum(seat.how == "substitute" for s in shifts for seat in s.seats)
    return replace(report, shifts=shifts, substitutions=subs)


# --- load and fairness -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoadReport:
    """Per person and per fairness group, for the period and for the year to date."""

    period: Period
    people: tuple[PersonLoad, ...]
    groups: tuple[core.GroupLoad, ...]
    ytd_people: tuple[PersonLoad, ...]
    ytd_groups: tuple[core.GroupLoad, ...]


def load_report(session: Session, *, period: Period, scope: Scope = Scope()) -> LoadReport:
    """Load and fairness of the period and of the year up to its end; groups are the whole desk's (a reader
    sees their own rows beside their group's band)."""
    es = settings_store.current(session)
    who = people(session)
    ytd = period.year_to_date()
    wide = Period(min(period.start, ytd.start), period.end)
    all_seats, swaps = seats(session, period=wide), approved_swaps(session, period=wide)
    now = core.load(all_seats, who, es.pattern, es.shifts, swaps, period)
    year = core.load(all_seats, who, es.pattern, es.shifts, swaps, ytd)
    return LoadReport(period, _visible(now, who, scope), tuple(core.fairness(now, who)),
                      _visible(year, who, scope), tuple(core.fairness(year, who)))


def _visible(rows: list[PersonLoad], who: dict[str, domain.Member], scope: Scope) -> tuple[PersonLoad, ...]:
    if scope.username is not None:
        return tuple(r for r in rows if r.username == scope.username)
    if scope.team is not None:
        return tuple(r for r in rows if who.get(r.username) and who[r.username].team == scope.team)
    return tuple(rows)


# --- patrols -----------------------------------------------------------------------------------------------------

def patrol_report(session: Session, *, period: Period, tz: str, now: datetime) -> core.PatrolReport:
    """Runs expected vs made, success and states per check over the period: the daily roll-ups of the days
    rolled up, the runs themselves (SQL counts them) for the others."""
    lo, hi = period.utc_bounds(tz)
    counts = _run_counts(session, period, tz)
    flaps = dict(session.execute(
        select(AnomalyEventRow.check_id, func.count()).where(
            AnomalyEventRow.kind == "flapping_start", AnomalyEventRow.at >= lo, AnomalyEventRow.at < hi)
        .group_by(AnomalyEventRow.check_id)).all())
    checks = [core.CheckCounts(c.id, c.name, c.interval, c.enabled, c.created_at,
                               counts["states"].get(c.id, {}), counts["maint"].get(c.id, 0), flaps.get(c.id, 0))
              for c in session.exec(select(Check)).scalars()]
    windows = [store.window_from_row(r, tz) for r in session.exec(select(MaintenanceWindowRow)).scalars()]
    return core.patrols(checks, windows, lo, hi, now, counts["runners"])


_RUN_KEYS = ("check_id", "state", "in_maintenance", "runner")


def _live_counts(session: Session, lo: datetime, hi: datetime) -> list[tuple]:
    """(check_id, state, in_maintenance, runner, runs, first run) over [lo, hi) from the runs themselves."""
    run = CheckRun.__table__.c
    return list(session.execute(
        select(*(run[k] for k in _RUN_KEYS), func.count(), func.min(run.started_at))
        .where(run.started_at >= lo, run.started_at < hi).group_by(*(run[k] for k in _RUN_KEYS))).all())


def _rolled_counts(session: Session, period: Period) -> list[tuple]:
    """The same figures from the daily roll-ups of the period."""
    day = PatrolDay.__table__.c
    return list(session.execute(
        select(*(day[k] for k in _RUN_KEYS), func.sum(day.runs), func.min(day.first_at))
        .where(day.day >= period.start, day.day <= period.end).group_by(*(day[k] for k in _RUN_KEYS))).all())


def rolled_days(session: Session, *, period: Period) -> set[date]:
    """The days of the period whose runs are rolled up."""
    return set(session.execute(select(PatrolRollup.day).where(
        PatrolRollup.day >= period.start, PatrolRollup.day <= period.end)).scalars())


def _run_counts(session: Session, period: Period, tz: str) -> dict[str, Any]:
    """Per check runs by state and in maintenance, and the first run per runner: roll-ups plus live counts of
    the days not rolled up (in as few ranges as they form)."""
    done = rolled_days(session, period=period)
    rows = _rolled_counts(session, period) if done else []
    for part in core.ranges([d for d in period.days if d not in done]):
        rows += _live_counts(session, *part.utc_bounds(tz))
    states: dict[int, dict[str, int]] = {}
    maint: dict[int, int] = {}
    runners: dict[str, datetime] = {}
    for check_id, state, in_maint, runner, n, first in rows:
        first = as_utc(first)
        states.setdefault(check_id, {}).setdefault(state, 0)
        states[check_id][state] += int(n)
        maint[check_id] = maint.get(check_id, 0) + (int(n) if in_maint else 0)
        runners[runner] = min(first, runners.get(runner, first))
    return {"states": states, "maint": maint, "runners": sorted(runners.items(), key=lambda kv: kv[1])}


def roll_up(session: Session, *, until: date, tz: str) -> list[date]:
    """Roll up the runs of every local day before ``until`` that has runs and is not rolled up yet (one INSERT …
    SELECT per day; the caller commits). Returns the days rolled up. Idempotent."""
    run = CheckRun.__table__.c
    first = session.execute(select(func.min(run.started_at))).scalar()
    if first is None:
        return []
    zone = ZoneInfo(tz)
    span = Period(as_utc(first).astimezone(zone).date(), until - timedelta(days=1))
    if span.end < span.start:
        return []
    done = rolled_days(session, period=span)
    out = []
    for day in (d for d in span.days if d not in done):
        lo, hi = Period(day, day).utc_bounds(tz)
        rows = _live_counts(session, lo, hi)
        if rows:
            session.execute(insert(PatrolDay.__table__), [
                dict(zip((*_RUN_KEYS, "runs", "first_at"), (*r[:4], int(r[4]), as_utc(r[5])), strict=True)) | {
                    "day": day} for r in rows])
        session.add(PatrolRollup(day=day, runs=sum(int(r[4]) for r in rows)))
        out.append(day)
    return out


# --- alerts (the KPI figures the alert tables already allow) -----------------------------------------------------

def ack_share(session: Session, *, period: Period, tz: str, ack: core.AckTarget | None = None) -> float | None:
    """The share of the period's alerts acknowledged within the managers' limit; None without alerts. Counted by
    the database (an alert never acknowledged is not within the limit)."""
    lo, hi = period.utc_bounds(tz)
    limit = (ack or targets.ack_target(session)).seconds
    a = Alert.__table__.c
    took = _epoch(session, a.acknowledged_at) - _epoch(session, a.first_seen)
    total, within = session.execute(select(func.count(), func.sum(case((took <= limit + 0.0005, 1), else_=0))).where(
        a.first_seen >= lo, a.first_seen < hi)).one()
    return int(within or 0) / total if total else None


def handover_share(session: Session, *, period: Period, tz: str) -> float | None:
    """The share of the period's handovers confirmed on time; None without handovers."""
    lo, hi = period.utc_bounds(tz)
    rows = session.execute(select(Handover.confirmed_at, Handover.late).where(
        Handover.change_at >= lo, Handover.change_at < hi)).all()
    return core.share_within((0.0 if confirmed and not late else None for confirmed, late in rows), 0.0)


def kpis(session: Session, *, period: Period, tz: str, now: datetime) -> list[core.Kpi]:
    """The desk's KPIs for the period and the previous one."""
    before = period.previous()
    ack = targets.ack_target(session)
    figures = [
        ("coverage", core.COVERAGE_TARGET, lambda p: coverage_report(session, period=p).rate),
        ("ack", ack.share, lambda p: ack_share(session, period=p, tz=tz, ack=ack)),
        ("handover", core.HANDOVER_TARGET, lambda p: handover_share(session, period=p, tz=tz)),
        ("patrol", core.PATROL_TARGET, lambda p: patrol_report(session, period=p, tz=tz, now=now).rate),
    ]
    return [core.Kpi(key, fn(period), fn(before), target) for key, target, fn in figures]


# --- alert handling ----------------------------------------------------------------------------------------------

def alert_report(session: Session, *, period: Period, tz: str, scope: Scope = Scope()) -> core.AlertReport:
    """Alert handling of the alerts first seen in the period (a leader's: those of the shifts they led, and
    those assigned to them). The database reduces each alert to seconds; no datetime is built per alert."""
    lo, hi = period.utc_bounds(tz)
    a = Alert.__table__.c
    first = _epoch(session, a.first_seen)
    rows = session.execute(select(
        a.severity, a.domain, a.source, a.key, first, _epoch(session, a.acknowledged_at) - first,
        _epoch(session, a.resolved_at) - first, a.escalation_step, a.shift_day, a.shift_code, a.assignee_id,
        a.routed_to).where(a.first_seen >= lo, a.first_seen < hi)).all()
    names = dict(session.execute(select(Person.id, Person.username)).all())
    if scope.team is not None:
        rows = _leaders_rows(session, rows, period, scope.leader or "", names)
    day_of, end_of = _local_day(period, tz), _shift_ends(session, tz)
    facts = (core.AlertFact(sev, dom, src, key, day_of(f), _seconds(ack), _seconds(fix), steps or 0,
                            f"{sday} {scode}" if sday else None, names.get(who) if routed == "leader" else None,
                            routed != "leader", _carried(end_of(sday, scode), f, fix))
             for sev, dom, src, key, f, ack, fix, steps, sday, scode, who, routed in rows)
    return core.alert_report(facts, targets.ack_target(session))


def _epoch(session: Session, column: Any) -> Any:
    """Seconds since 1970 of a naive-UTC datetime column, computed by the database (a float)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", column), Float)
    return (func.julianday(column) - 2440587.5) * 86400.0


def _seconds(value: float | None) -> float | None:
    """A duration the database computed, to the millisecond (SQLite's julianday is a float of days)."""
    return None if value is None else round(float(value), 3)


def _carried(shift_end: float | None, first: float, to_resolve: float | None) -> bool:
    """Still unresolved when its shift ended (handed over to the next shift)."""
    return shift_end is not None and (to_resolve is None or first + to_resolve > shift_end + 0.0005)


def _leaders_rows(session: Session, rows: list[Any], period: Period, leader: str,
                  names: dict[int, str]) -> list[Any]:
    """The rows of the shifts ``leader`` held the leader's seat of (by the published roster), or assigned to them."""
    wide = Period(period.start - timedelta(days=1), period.end)
    led = {(s.day.isoformat(), s.shift) for s in seats(session, period=wide)
           if s.username == leader and s.position == "leader"}
    return [r for r in rows if (r[8], r[9]) in led or names.get(r[10]) == leader]


def _local_day(period: Period, tz: str) -> Any:
    """A function: seconds since 1970 -> the local day (ISO) of the period it falls in."""
    zone, utc = ZoneInfo(tz), ZoneInfo("UTC")
    days = period.days
    bounds = [datetime.combine(d, datetime.min.time(), tzinfo=zone).astimezone(utc).timestamp() for d in days]
    names = [d.isoformat() for d in days]

    def day(seconds: float) -> str:
        return names[max(0, bisect.bisect_right(bounds, float(seconds)) - 1)]

    return day


def _shift_ends(session: Session, tz: str) -> Any:
    """A function (shift day ISO, shift code) -> the end of that shift in seconds since 1970, or None."""
    shifts = {sd.code: sd for sd in settings_store.current(session).shifts}
    zone = ZoneInfo(tz)

    @functools.cache
    def end(day: str | None, code: str | None) -> float | None:
        sd = shifts.get(code or "")
        if not day or sd is None:
            return None
        return sd.ends_at(date.fromisoformat(day)).replace(tzinfo=zone).timestamp()

    return end
