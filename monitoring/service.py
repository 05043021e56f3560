"""The patrol's service layer: checks and maintenance windows saved, audited, and read back for the pages.

Every function takes the session first and everything else by keyword. Changing functions validate with the
pure core (:func:`monitoring.checkspec.validate_spec`, :func:`monitoring.maintenance.validate_window`), raise
:class:`CheckError` / :class:`WindowError` carrying ``{field: message}``, write the audit trail with
:func:`desk.audit.record` and leave the commit to the caller. The scheduler process notices a changed check by
its ``version`` (bumped on every change) and a 'run now' by ``CheckStatus.run_requested_at``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from desk import audit
from desk.accounts import N_
from desk.timeutil import as_utc, utcnow
from monitoring import words
from monitoring.checkspec import CheckSpec, State, spec_from_dict, spec_to_dict, validate_spec
from monitoring.codes import Message
from monitoring.lease import PATROL
from monitoring.maintenance import DEFAULT_TZ, MaintenanceWindow, in_maintenance, validate_window
from monitoring.models import Check, CheckRun, CheckStatus, MaintenanceWindowRow, SchedulerLease
from monitoring.probes import heartbeat_result
from monitoring.store import window_from_row  # the patrol reads stored windows the same way

STATES = ("OK", "WARNING", "CRITICAL", "UNKNOWN")
PENDING = "PENDING"  # shown for a check that has not run yet


class CheckError(ValueError):
    """A check that cannot be saved; ``errors`` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, Message | str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class WindowError(CheckError):
    """A maintenance window that cannot be saved; ``errors`` maps each field to what is wrong with it."""


# ------------------------------------------------------------------------------------------------ checks


def spec_of(check: Check) -> CheckSpec:
    """The :class:`CheckSpec` a stored check describes."""
    return spec_from_dict(check.spec)


MAX_ID = 2**63 - 1  # ids are BIGINT at most: a larger number is no id (SQLite and psycopg would overflow)


def valid_id(value: int) -> bool:
    """Whether ``value`` can be a row id at all."""
    return 0 < value <= MAX_ID


def get_check(session: Session, check_id: int) -> Check | None:
    """A check by id, or None (also for a number no id can have)."""
    return session.get(Check, check_id) if valid_id(check_id) else None


def get_by_name(session: Session, name: str) -> Check | None:
    """A check by its unique name, or None."""
    return session.exec(select(Check).where(Check.name == name)).first()


def check_errors(session: Session, spec: CheckSpec, *, check_id: int | None = None) -> dict[str, Message | str]:
    """Every problem of ``spec`` as ``{field: message}``: the core's validation and a name already taken
    (by another check than ``check_id``)."""
    errors: dict[str, Message | str] = dict(validate_spec(spec))
    other = get_by_name(session, spec.name) if isinstance(spec.name, str) and "name" not in errors else None
    if other is not None and other.id != check_id:
        errors["name"] = N_("A check with this name already exists.")
    return errors


def _validate(session: Session, spec: CheckSpec, check_id: int | None = None) -> None:
    """Raise :class:`CheckError` unless ``spec`` is valid and its name free (``check_id`` may keep its own)."""
    errors = check_errors(session, spec, check_id=check_id)
    if errors:
        raise CheckError(errors)


def _copy_columns(check: Check, spec: CheckSpec) -> None:
    """Store the spec and the columns the pages sort and filter on."""
    check.name, check.kind, check.domain = spec.name, spec.kind, spec.domain
    check.severity, check.enabled, check.interval = spec.severity, spec.enabled, spec.interval
    check.spec = spec_to_dict(spec)


def create_check(session: Session, *, actor: str, spec: CheckSpec) -> Check:
    """Save a new check with its (not yet run) status row."""
    _validate(session, spec)
    check = Check(name=spec.name, kind=spec.kind, domain=spec.domain)
    _copy_columns(check, spec)
    session.add(check)
    session.flush()
    session.add(CheckStatus(check_id=check.id))
    audit.record(session, actor=actor, action="check.create", object_type="check", object_id=check.id,
                 after=check.spec)
    session.flush()
    return check


def update_check(session: Session, *, actor: str, check: Check, spec: CheckSpec) -> bool:
    """Replace a check's definition; returns False (and changes nothing) when it is the same."""
    _validate(session, spec, check.id)
    before = dict(check.spec)
    if _same(check, spec):
        return False
    old_name = check.name
    _store_change(session, check, spec)
    if old_name != spec.name:
        _rename_in_windows(session, old_name, spec.name)
    audit.record(session, actor=actor, action="check.update", object_type="check", object_id=check.id,
                 before=before, after=check.spec)
    session.flush()
    return True


def _store_change(session: Session, check: Check, spec: CheckSpec) -> None:
    """Store a changed definition and bump ``version`` so the scheduler reloads the check."""
    _copy_columns(check, spec)
    check.version += 1
    check.updated_at = utcnow()
    session.add(check)


def _same(check: Check, spec: CheckSpec) -> bool:
    """Whether ``spec`` says the same as the stored check (stored with or without its defaults)."""
    return spec_to_dict(spec_of(check)) == spec_to_dict(spec)


def _rename_in_windows(session: Session, old: str, new: str) -> None:
    """Keep maintenance windows pointing at a renamed check."""
    for row in session.exec(select(MaintenanceWindowRow)):
        if old in row.checks:
            row.checks = [new if name == old else name for name in row.checks]
            session.add(row)


def set_enabled(session: Session, *, actor: str, check: Check, enabled: bool) -> None:
    """Enable or disable a check (the scheduler stops or resumes it within seconds)."""
    if check.enabled == enabled:
        return
    spec = spec_of(check)
    spec.enabled = enabled
    before = dict(check.spec)
    _store_change(session, check, spec)
    audit.record(session, actor=actor, action="check.enable" if enabled else "check.disable",
                 object_type="check", object_id=check.id, before=before, after=check.spec)
    session.flush()


def delete_check(session: Session, *, actor: str, check: Check) -> None:
    """Delete a check with its status and runs."""
    before = dict(check.spec)
    check_id = check.id
    for model in (CheckRun, CheckStatus):  # explicit: not every SQLite connection enforces ON DELETE CASCADE
        session.execute(delete(model).where(model.check_id == check_id))
    session.expire_all()
    session.delete(check)
    audit.record(session, actor=actor, action="check.delete", object_type="check", object_id=check_id,
                 before=before)
    session.flush()


class AlreadyQueued(Exception):
    """A 'run now' for this check is already waiting for the scheduler."""


def request_run(session: Session, *, actor: str, check: Check, now: datetime | None = None) -> datetime:
    """Ask the scheduler to run ``check`` now; returns the request time (the run starts after it).

    At most one request waits per check: one conditional UPDATE decides, so of two clicks at once exactly
    one is queued (and audited) and the other raises :class:`AlreadyQueued`.
    """
    now = now or utcnow()
    table = CheckStatus.__table__
    queued = session.execute(update(table).where(table.c.check_id == check.id, table.c.run_requested_at.is_(None))
                             .values(run_requested_at=now)).rowcount
    if not queued:
        if session.execute(select(table.c.check_id).where(table.c.check_id == check.id)).first() is not None:
            raise AlreadyQueued(check.id)
        session.add(CheckStatus(check_id=check.id, run_requested_at=now))  # a row written without its status
    session.expire_all()  # the ORM copies of the status must not hide the new request
    audit.record(session, actor=actor, action="check.run_now", object_type="check", object_id=check.id)
    session.flush()
    return now


# ----------------------------------------------------------------------------------------- checks as code


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do), by check name."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the import created or updated anything."""
        return bool(self.created or self.updated)


def import_checks(session: Session, *, actor: str, specs: list[CheckSpec], dry_run: bool = False) -> ImportReport:
    """Create or update checks by name (idempotent). Raises :class:`CheckError` before changing anything.

    The errors are keyed ``"<name>.<field>"``. Checks missing from ``specs`` are left alone.
    """
    errors: dict[str, Message | str] = {}
    for spec in specs:
        errors.update({f"{spec.name}.{k}": v for k, v in validate_spec(spec).items()})
    if errors:
        raise CheckError(errors)
    existing = {c.name: c for c in session.exec(select(Check).where(col(Check.name).in_([s.name for s in specs])))}
    report = ImportReport()
    for spec in specs:
        check = existing.get(spec.name)
        if check is None:
            report.created.append(spec.name)
            if not dry_run:
                create_check(session, actor=actor, spec=spec)
        elif _same(check, spec):
            report.unchanged.append(spec.name)
        else:
            report.updated.append(spec.name)
            if not dry_run:
                update_check(session, actor=actor, check=check, spec=spec)
    return report


def check_names(session: Session) -> list[str]:
    """Every check's name, sorted (without reading their specs)."""
    return list(session.exec(select(Check.name).order_by(Check.name)))


def export_specs(session: Session) -> list[CheckSpec]:
    """Every check's spec, by name."""
    return [spec_of(c) for c in session.exec(select(Check).order_by(Check.name))]


# -------------------------------------------------------------------------------------------- page queries


@dataclass
class CheckRow:
    """A check with its latest status, as the pages show it."""

    check: Check
    status: CheckStatus | None
    in_maintenance: bool = False
    dead_patrol: Message | None = None  # a scheduler check's own finding when this desk's patroller has stopped

    @property
    def state(self) -> str:
        """OK/WARNING/CRITICAL/UNKNOWN, or PENDING before the first run."""
        if self.dead_patrol is not None:
            return "CRITICAL"  # nobody runs the check any more: the board says what its run would say
        if self.status is None or self.status.last_run_at is None:
            return PENDING
        return self.status.state

    @property
    def summary(self) -> str:
        """The latest run's summary, or why this desk's patroller is found dead."""
        if self.dead_patrol is not None:
            return words.render(self.dead_patrol)
        return words.summary(self.status.last_message, self.status.last_summary) if self.status else ""

    @property
    def message(self) -> dict[str, Any] | None:
        """The latest summary as ``{code, params}`` when one of our probes wrote it (None: a plugin's text)."""
        if self.dead_patrol is not None:
            return self.dead_patrol.to_dict()
        return self.status.last_message if self.status else None

    @property
    def max_attempts(self) -> int:
        """How many results in a row make a problem HARD, from the check's spec."""
        return spec_of(self.check).max_attempts


def list_checks(session: Session, *, domain: str | None = None, state: str | None = None,
                now: datetime | None = None, tz: str = DEFAULT_TZ) -> list[CheckRow]:
    """Checks with their status (one query), optionally of one domain and state, marked when in maintenance."""
    query = select(Check, CheckStatus).outerjoin(CheckStatus, CheckStatus.check_id == Check.id)
    if domain:
        query = query.where(Check.domain == domain)
    rows = [CheckRow(check, status) for check, status in session.exec(query.order_by(Check.name))]
    if state:
        rows = [r for r in rows if r.state == state]
    return _mark_maintenance(session, rows, now=now, tz=tz)


def check_row(session: Session, check: Check, *, tz: str = DEFAULT_TZ) -> CheckRow:
    """One check with its status and maintenance mark."""
    return _mark_maintenance(session, [CheckRow(check, session.get(CheckStatus, check.id))], tz=tz)[0]


def _mark_maintenance(session: Session, rows: list[CheckRow], *, now: datetime | None = None,
                      tz: str = DEFAULT_TZ) -> list[CheckRow]:
    """Set ``in_maintenance`` on each row from the windows active at ``now`` (read once); returns ``rows``."""
    now = now or utcnow()
    windows = active_windows(session, now=now, tz=tz)
    for row in rows:
        row.in_maintenance = in_maintenance(windows, row.check.name, now) is not None
    _mark_dead_patrol(session, [r for r in rows if r.check.kind == "scheduler"], now)
    return rows


def _mark_dead_patrol(session: Session, rows: list[CheckRow], now: datetime) -> None:
    """A scheduler check cannot report its own patroller's death: judge the lease here when it has expired."""
    if not rows:
        return
    lease_row = session.get(SchedulerLease, PATROL)
    if lease_row is not None and lease_row.expires_at > now:
        return
    for row in rows:
        result = heartbeat_result(spec_of(row.check), lease_row, now)
        row.dead_patrol = result.message if result.state == State.CRITICAL else None


@dataclass
class RunsPage:
    """One page of a check's runs, newest first."""

    runs: list[CheckRun]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def runs_page(session: Session, *, check_id: int, page: int = 1, per_page: int = 50) -> RunsPage:
    """The ``page``-th page (from 1) of a check's runs, newest first; a page past the last is the last."""
    total = run_count(session, check_id=check_id)
    page = min(max(1, page), max(1, -(-total // per_page)))
    runs = session.exec(_newest_runs(check_id).offset((page - 1) * per_page).limit(per_page))
    return RunsPage(list(runs), page, per_page, total)


def _newest_runs(check_id: int) -> Any:
    return (select(CheckRun).where(CheckRun.check_id == check_id)
            .order_by(col(CheckRun.started_at).desc(), col(CheckRun.id).desc()))


def run_count(session: Session, *, check_id: int) -> int:
    """How many runs of a check are recorded."""
    return session.exec(select(func.count()).select_from(CheckRun).where(CheckRun.check_id == check_id)).one()


def latest_run(session: Session, *, check_id: int) -> CheckRun | None:
    """A check's newest run, or None."""
    return session.exec(_newest_runs(check_id).limit(1)).first()


def latency_series(session: Session, *, check_ids: list[int], limit: int = 30) -> dict[int, list[float]]:
    """Durations (s) of each check's last ``limit`` runs, oldest first, in one query."""
    if not check_ids:
        return {}
    rank = func.row_number().over(partition_by=CheckRun.check_id,
                                  order_by=(col(CheckRun.started_at).desc(), col(CheckRun.id).desc()))
    inner = (select(CheckRun.check_id, CheckRun.started_at, CheckRun.duration, rank.label("rank"))
             .where(col(CheckRun.check_id).in_(check_ids)).subquery())
    query = select(inner.c.check_id, inner.c.duration).where(inner.c.rank <= limit).order_by(
        inner.c.check_id, inner.c.rank.desc())
    series: dict[int, list[float]] = {i: [] for i in check_ids}
    for check_id, duration in session.exec(query):
        series[check_id].append(float(duration))
    return series


@dataclass(frozen=True)
class HardProblems:
    """One check's HARD results in one problem state over a span: how many, the first and last run's start."""

    check: str
    state: str
    count: int
    first: datetime
    last: datetime


PROBLEM_STATES = ("CRITICAL", "UNKNOWN", "WARNING")


def hard_problems(session: Session, *, start: datetime, end: datetime) -> list[HardProblems]:
    """Per check and problem state, the HARD results outside maintenance of the runs started in start..end
    (the handover's failed patrols), with aware UTC times."""
    query = (select(Check.name, CheckRun.state, func.count(), func.min(CheckRun.started_at),
                    func.max(CheckRun.started_at))
             .join(Check, Check.id == CheckRun.check_id)
             .where(CheckRun.started_at >= start, CheckRun.started_at < end, CheckRun.state_type == "HARD",
                    col(CheckRun.state).in_(PROBLEM_STATES), CheckRun.in_maintenance == False)  # noqa: E712
             .group_by(Check.name, CheckRun.state))
    return [HardProblems(name, state, count, _aware(first), _aware(last))
            for name, state, count, first, last in session.exec(query)]


def _aware(value: datetime | str) -> datetime:
    """An aggregate's time as aware UTC (SQLite hands min/max back as text, PostgreSQL as naive datetimes)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value)


def scheduler_running(session: Session, *, now: datetime | None = None) -> bool:
    """Whether a scheduler process holds an unexpired patrol lease."""
    now = now or utcnow()
    return session.exec(select(SchedulerLease).where(SchedulerLease.expires_at > now)).first() is not None


def status_dict(row: CheckRow) -> dict[str, Any]:
    """The JSON view of a check and its latest state (for the API and 'run now')."""
    check, status = row.check, row.status
    data: dict[str, Any] = {"id": check.id, "name": check.name, "kind": check.kind, "domain": check.domain,
                            "severity": check.severity, "enabled": check.enabled, "interval": check.interval,
                            "state": row.state, "in_maintenance": row.in_maintenance}
    if status is None:
        return data
    data.update({"state_type": status.state_type, "attempt": status.attempt,
                 "max_attempts": row.max_attempts, "flapping": status.flapping,
                 "since": _iso(status.since), "last_run_at": _iso(status.last_run_at),
                 "last_duration": status.last_duration, "summary": row.summary, "message": row.message,
                 "metrics": status.last_metrics, "next_run_at": _iso(status.next_run_at),
                 "run_requested_at": _iso(status.run_requested_at)})
    return data


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def problems(session: Session, *, tz: str = DEFAULT_TZ) -> tuple[list[CheckRow], int]:
    """(enabled checks in a problem state, worst first; how many checks are enabled) in two small queries."""
    total = session.exec(select(func.count()).select_from(Check).where(Check.enabled == True)).one()  # noqa: E712
    query = (select(Check, CheckStatus).join(CheckStatus, CheckStatus.check_id == Check.id)
             .where(Check.enabled == True, col(CheckStatus.last_run_at).is_not(None),  # noqa: E712
                    or_(CheckStatus.state != "OK", Check.kind == "scheduler")))
    rows = [CheckRow(check, status) for check, status in session.exec(query)]
    return not_ok(_mark_maintenance(session, rows, tz=tz)), total


_RANK = {"CRITICAL": 0, "UNKNOWN": 1, "WARNING": 2, PENDING: 3, "OK": 4}  # worst first
_PROBLEMS = ("CRITICAL", "UNKNOWN", "WARNING")


def not_ok(rows: list[CheckRow]) -> list[CheckRow]:
    """Enabled checks whose latest state is a problem, worst first."""
    bad = [r for r in rows if r.check.enabled and r.state in _PROBLEMS]
    return sorted(bad, key=lambda r: (_RANK[r.state], r.check.name))


def worst_first(rows: list[CheckRow]) -> list[CheckRow]:
    """``rows`` as the checks page lists them: enabled before disabled, then worst state first, then by name."""
    return sorted(rows, key=lambda r: (not r.check.enabled, _RANK.get(r.state, 5), r.check.name))


# ------------------------------------------------------------------------------------- maintenance windows


def _row_from_window(window: MaintenanceWindow) -> MaintenanceWindowRow:
    if window.is_weekly:
        minutes = int(window.duration.total_seconds() // 60) if window.duration else 0
        return MaintenanceWindowRow(kind="weekly", weekdays=",".join(str(d) for d in window.weekdays),
                                    start_time=window.start_time.strftime("%H:%M"), duration_minutes=minutes,
                                    checks=list(window.checks), author=window.author, reason=window.reason)
    return MaintenanceWindowRow(kind="one_off", starts_at=window.start, ends_at=window.end,
                                checks=list(window.checks), author=window.author, reason=window.reason)


def window_errors(session: Session, window: MaintenanceWindow) -> dict[str, Message | str]:
    """Everything wrong with ``window``: the core's validation and checks that do not exist."""
    errors: dict[str, Message | str] = dict(validate_window(window))
    known = set(check_names(session))
    unknown = [name for name in window.checks if name not in known]
    if unknown:
        errors["checks"] = N_("No such check: %(names)s") % {"names": ", ".join(unknown)}
    if window.is_weekly and window.duration is not None and window.duration % timedelta(minutes=1):
        errors["duration"] = N_("The duration must be whole minutes.")
    return errors


def create_window(session: Session, *, actor: str, window: MaintenanceWindow) -> MaintenanceWindowRow:
    """Save a maintenance window after validating it and the names of its checks."""
    errors = window_errors(session, window)
    if errors:
        raise WindowError(errors)
    row = _row_from_window(window)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="maintenance.create", object_type="maintenance",
                 object_id=row.id, after=_window_audit(row))
    return row


def _window_audit(row: MaintenanceWindowRow) -> dict[str, Any]:
    return {"kind": row.kind, "starts_at": _iso(row.starts_at), "ends_at": _iso(row.ends_at),
            "weekdays": row.weekdays, "start_time": row.start_time, "duration_minutes": row.duration_minutes,
            "checks": row.checks, "reason": row.reason, "active": row.active}


def end_window(session: Session, *, actor: str, row: MaintenanceWindowRow, now: datetime | None = None) -> None:
    """End a window now: a one-off one is cut short, a weekly one stops recurring."""
    before = _window_audit(row)
    now = now or utcnow()
    row.active = False
    if row.kind == "one_off" and row.ends_at and row.ends_at > now:
        row.ends_at = max(now, row.starts_at) if row.starts_at else now
    session.add(row)
    audit.record(session, actor=actor, action="maintenance.end", object_type="maintenance", object_id=row.id,
                 before=before, after=_window_audit(row))
    session.flush()


def get_window(session: Session, window_id: int) -> MaintenanceWindowRow | None:
    """A maintenance window by id, or None (also for a number no id can have)."""
    return session.get(MaintenanceWindowRow, window_id) if valid_id(window_id) else None


def list_windows(session: Session, *, include_ended: bool = True) -> list[MaintenanceWindowRow]:
    """Maintenance windows, newest first (only active ones unless ``include_ended``)."""
    query = select(MaintenanceWindowRow).order_by(col(MaintenanceWindowRow.created_at).desc(),
                                                  col(MaintenanceWindowRow.id).desc())
    if not include_ended:
        query = query.where(MaintenanceWindowRow.active == True)  # noqa: E712
    return list(session.exec(query))


def active_windows(session: Session, *, now: datetime | None = None, tz: str = DEFAULT_TZ) -> list[MaintenanceWindow]:
    """The windows that are not ended (one-offs may still be in the future or past; ask ``active_at``)."""
    now = now or utcnow()
    rows = session.exec(select(MaintenanceWindowRow).where(MaintenanceWindowRow.active == True))  # noqa: E712
    return [window_from_row(r, tz) for r in rows if r.kind == "weekly" or (r.ends_at and r.ends_at > now)]
