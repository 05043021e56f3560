"""What the scheduler reads from and writes to the database: checks, their states, runs, counters, windows.

Reading: :func:`load_versions` (cheap: id, version, enabled of every check, for the reload every few
seconds), :func:`load_checks` (specs and states of the checks that are new or changed),
:func:`load_windows` and :func:`run_requests`.

Writing: the patrol thread pool produces one :class:`RunRecord` per run; :func:`write_batch` stores many of
them in ONE transaction (runs, states, anomaly events, 'run now' acknowledgements, /metrics counters), which
is what lets one process record hundreds of runs a second. :func:`purge_runs` drops old history in batches.

Pure helpers with time passed in: :func:`status_to_state`, :func:`state_values`, :func:`window_from_row`,
:func:`fold_result`.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitoring import anomalies, words
from monitoring.checkspec import CheckResult, CheckSpec, State, spec_from_dict
from monitoring.maintenance import MaintenanceWindow, filter_events, in_maintenance
from monitoring.models import Check, CheckRun, CheckStatus, MaintenanceWindowRow, PatrolCounter
from monitoring.state import HARD, AnomalyEvent, CheckState, apply_result, open_problem_event

log = logging.getLogger("dutydesk.scheduler")

DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LATENESS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
PURGE_BATCH = 5000
_NAME = {state: state.name for state in State}  # Enum.name is a descriptor call; this is a dict lookup


@dataclass
class LoadedCheck:
    """A check as the scheduler keeps it in memory."""

    id: int
    version: int
    spec: CheckSpec
    state: CheckState
    last_run_at: datetime | None
    next_run_at: datetime | None


@dataclass
class RunRecord:
    """One finished run with everything to store about it (built by :func:`fold_result`)."""

    check_id: int
    spec: CheckSpec
    version: int
    scheduled_at: datetime
    started_at: datetime
    result: CheckResult
    state: CheckState
    events: list[AnomalyEvent]
    in_maintenance: bool
    next_run_at: datetime
    requested_at: datetime | None = None


@dataclass
class Batch:
    """Counts of what :func:`write_batch` stored."""

    runs: int = 0
    events: int = 0
    dropped: int = 0
    counters: Counter = field(default_factory=Counter)


# ----------------------------------------------------------------------------------------------- reading


def spec_of(check: Check | dict) -> CheckSpec:
    """The spec of a check row: its flat ``spec`` JSON, with the copied columns winning."""
    row = check if isinstance(check, dict) else check.model_dump()
    columns = {k: row[k] for k in ("name", "kind", "domain", "severity", "enabled", "interval") if k in row}
    return spec_from_dict({**(row.get("spec") or {}), **columns})


def status_to_state(status: CheckStatus | dict | None, now: datetime) -> CheckState:
    """The in-memory state of a stored status row; a check never run starts HARD OK at ``now``."""
    row = status.model_dump() if isinstance(status, CheckStatus) else status
    if not row or row.get("last_run_at") is None:
        return CheckState.initial(now)
    return CheckState(
        state=State[row["state"]],
        state_type=row["state_type"],
        hard_state=State[row["hard_state"]],
        attempt=row["attempt"],
        since=row["since"],
        last_change=row["last_change"],
        consecutive_ok=row["consecutive_ok"],
        history=tuple(State[s] for s in row["history"] or ()),
        flapping=row["flapping"],
        percent_change=row["percent_change"],
    )


def state_values(state: CheckState) -> dict:
    """The status columns for a state (the inverse of :func:`status_to_state`)."""
    return {
        "state": _NAME[state.state],
        "state_type": state.state_type,
        "hard_state": _NAME[state.hard_state],
        "attempt": state.attempt,
        "since": state.since,
        "last_change": state.last_change,
        "consecutive_ok": state.consecutive_ok,
        "history": [_NAME[s] for s in state.history],
        "flapping": state.flapping,
        "percent_change": state.percent_change,
    }


def load_versions(engine: Engine) -> dict[int, tuple[int, bool]]:
    """``{check id: (version, enabled)}`` for every check: what the reload compares against memory."""
    with engine.connect() as conn:
        rows = conn.execute(select(Check.id, Check.version, Check.enabled)).all()
    return {r.id: (r.version, bool(r.enabled)) for r in rows}


def load_checks(engine: Engine, ids: Iterable[int] | None, *, now: datetime) -> dict[int, LoadedCheck]:
    """Specs and stored states of the given checks (all when ``ids`` is None)."""
    stmt = select(Check.__table__, CheckStatus.__table__).outerjoin(
        CheckStatus.__table__, CheckStatus.check_id == Check.id)
    wanted = None if ids is None else list(ids)
    loaded: dict[int, LoadedCheck] = {}
    with engine.connect() as conn:
        for chunk in _chunks(wanted, 500) if wanted is not None else [None]:
            query = stmt if chunk is None else stmt.where(Check.id.in_(chunk))
            for row in conn.execute(query).mappings():
                loaded[row["id"]] = _loaded(dict(row), now)
    return loaded


def _loaded(row: dict, now: datetime) -> LoadedCheck:
    """A joined check + status row as a :class:`LoadedCheck`."""
    status = row if row.get("check_id") is not None else None
    return LoadedCheck(
        id=row["id"],
        version=row["version"],
        spec=spec_of(row),
        state=status_to_state(status, now),
        last_run_at=row.get("last_run_at"),
        next_run_at=row.get("next_run_at"),
    )


def _chunks(items: Sequence[int], size: int) -> list[list[int]]:
    """``items`` in lists of at most ``size`` (keeps IN lists within every database's limits)."""
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def window_from_row(row: MaintenanceWindowRow, tz: str) -> MaintenanceWindow:
    """The pure window of a table row; weekly windows are in the desk time zone ``tz``."""
    checks = tuple(row.checks or ())
    extra = {"id": row.id}
    if row.kind == "weekly":
        hours, minutes = (int(part) for part in (row.start_time or "00:00").split(":"))
        weekdays = tuple(int(d) for d in row.weekdays.split(",") if d.strip())
        return MaintenanceWindow.weekly(weekdays, time(hours, minutes), timedelta(minutes=row.duration_minutes),
                                        row.author, row.reason, checks, tz=tz, **extra)
    return MaintenanceWindow.one_off(row.starts_at, row.ends_at, row.author, row.reason, checks, **extra)


def load_windows(engine: Engine, tz: str) -> list[MaintenanceWindow]:
    """Every active maintenance window; a row that cannot be read is logged and skipped."""
    with Session(engine) as session:
        rows = session.execute(select(MaintenanceWindowRow).where(MaintenanceWindowRow.active)).scalars().all()
    windows = []
    for row in rows:
        try:
            windows.append(window_from_row(row, tz))
        except (ValueError, TypeError) as exc:
            log.warning("maintenance window %s ignored: %s", row.id, exc)
    return windows


def run_requests(engine: Engine) -> dict[int, datetime]:
    """``{check id: requested at}`` for every pending 'run now'."""
    stmt = select(CheckStatus.check_id, CheckStatus.run_requested_at).where(
        CheckStatus.run_requested_at.is_not(None))
    with engine.connect() as conn:
        return {r.check_id: r.run_requested_at for r in conn.execute(stmt)}


# ------------------------------------------------------------------------------------------ folding (pure)


def fold_result(
    loaded: LoadedCheck,
    result: CheckResult,
    *,
    scheduled_at: datetime,
    started_at: datetime,
    windows: list[MaintenanceWindow],
    was_in_maintenance: bool,
) -> RunRecord:
    """Apply one result to a check's state: the new state, the events to raise, when to run next.

    Events inside a maintenance window are dropped (the run is still recorded, flagged). When a window has
    ended and the check is still in a HARD problem, the problem is raised again so that it reaches the desk.
    """
    spec = loaded.spec
    result = worded(result)
    state, events = apply_result(loaded.state, result, spec, started_at)
    now_in = in_maintenance(windows, spec.name, started_at) is not None
    raised, _muted = filter_events(events, windows)
    if was_in_maintenance and not now_in and not state.flapping and not any(e.kind == "problem" for e in raised):
        restated = open_problem_event(state, spec, result.summary, started_at, result.message)
        raised += [restated] if restated else []
    return RunRecord(loaded.id, spec, loaded.version, scheduled_at, started_at, result, state, raised, now_in,
                     next_due(state, spec, scheduled_at, started_at))


def worded(result: CheckResult) -> CheckResult:
    """``result`` with its message also written out in English as the summary: the events and notifications
    built from it, and tools reading the table, get a sentence; the pages render the message instead."""
    if result.message is None or result.summary:
        return result
    return replace(result, summary=words.english(result.message))


def next_due(state: CheckState, spec: CheckSpec, scheduled_at: datetime, started_at: datetime) -> datetime:
    """Next run: one interval (or retry interval while SOFT) after the scheduled slot, so runs do not drift.

    A 'run now' starts a new rhythm from its own start, and a run that started more than an interval late
    does not leave a backlog of missed slots behind it.
    """
    seconds = spec.retry_interval if state.state_type != HARD else spec.interval
    step = timedelta(seconds=seconds)
    base = scheduled_at if started_at - scheduled_at < step else started_at
    return base + step


# ------------------------------------------------------------------------------------------------ writing


def run_values(record: RunRecord, runner: str) -> dict:
    """The CheckRun row of a record."""
    result, state = record.result, record.state
    return {
        "check_id": record.check_id,
        "started_at": record.started_at,
        "scheduled_at": record.scheduled_at,
        "duration": round(result.duration, 6),
        "state": _NAME[result.state],
        "state_type": state.state_type,
        "attempt": state.attempt,
        "summary": result.summary[:2000],
        "message": result.message.to_dict() if result.message else None,
        "long_output": result.long_output[:65536],
        "metrics": metric_dicts(result),
        "runner": runner[:100],
        "in_maintenance": record.in_maintenance,
    }


def metric_dicts(result: CheckResult) -> list[dict]:
    """The result's metrics as stored (``PerfDatum.to_dict`` without dataclasses.asdict's deep copy)."""
    return [{"label": m.label, "value": m.value, "uom": m.uom, "warn": m.warn, "crit": m.crit, "min": m.min,
             "max": m.max} for m in result.metrics]


def status_row(record: RunRecord) -> dict:
    """The CheckStatus columns after a record."""
    return {
        "check_id": record.check_id,
        **state_values(record.state),
        "last_run_at": record.started_at,
        "last_duration": round(record.result.duration, 6),
        "last_summary": record.result.summary[:2000],
        "last_message": record.result.message.to_dict() if record.result.message else None,
        "last_metrics": metric_dicts(record.result),
        "next_run_at": record.next_run_at,
        "check_version": record.version,
    }


def counter_increments(records: Iterable[RunRecord]) -> Counter:
    """/metrics counter increments for records: runs by state, duration and lateness histograms by kind."""
    runs: Counter = Counter()
    observed: dict[tuple[str, str], list[float]] = {}
    for record in records:
        kind = record.spec.kind
        runs[(kind, _NAME[record.result.state])] += 1
        observed.setdefault(("run_duration_seconds", kind), []).append(max(0.0, record.result.duration))
        late = (record.started_at - record.scheduled_at).total_seconds()
        observed.setdefault(("start_lateness_seconds", kind), []).append(max(0.0, late))
    inc: Counter = Counter({("runs_total", f'kind="{kind}",state="{state}"'): n for (kind, state), n in runs.items()})
    for (name, kind), values in observed.items():
        _observe(inc, name, kind, values, DURATION_BUCKETS if name == "run_duration_seconds" else LATENESS_BUCKETS)
    return inc


def _observe(inc: Counter, name: str, kind: str, values: list[float], buckets: tuple[float, ...]) -> None:
    """Add observations to the cumulative histogram counters ``name`` for ``kind`` (labels built once a batch)."""
    below = [0] * len(buckets)
    for value in values:
        index = bisect_left(buckets, value)  # the first bound >= value: it and every later bound count it
        if index < len(buckets):
            below[index] += 1
    cumulative = 0
    for bound, count in zip(buckets, below, strict=True):
        cumulative += count
        if cumulative:
            inc[(f"{name}_bucket", f'kind="{kind}",le="{bound}"')] += cumulative
    inc[(f"{name}_bucket", f'kind="{kind}",le="+Inf"')] += len(values)
    inc[(f"{name}_sum", f'kind="{kind}"')] += sum(values)
    inc[(f"{name}_count", f'kind="{kind}"')] += len(values)


def write_batch(engine: Engine, records: Sequence[RunRecord], *, runner: str, now: datetime,
                counters: Counter | None = None) -> Batch:
    """Store runs, states, events, 'run now' acknowledgements and counters in one transaction.

    Records of checks deleted meanwhile are dropped (the delete wins); the rest is retried once.
    """
    try:
        return _write(engine, records, runner, now, counters)
    except IntegrityError:
        existing = set(load_versions(engine))
        kept = [r for r in records if r.check_id in existing]
        batch = _write(engine, kept, runner, now, counters)
        batch.dropped = len(records) - len(kept)
        return batch


def _write(engine: Engine, records: Sequence[RunRecord], runner: str, now: datetime,
           counters: Counter | None) -> Batch:
    """One transaction for a batch (see :func:`write_batch`)."""
    batch = Batch(runs=len(records))
    with Session(engine) as session, session.begin():
        if records:
            session.connection().execute(insert(CheckRun.__table__), [run_values(r, runner) for r in records])
            _write_statuses(session, records)
            _clear_requests(session, records)
            events = [e for r in records for e in r.events]
            batch.events = len(anomalies.record_anomalies(session, events, now=now))
        if counters:
            add_counters(session, counters)
            batch.counters = counters
    return batch


def _write_statuses(session: Session, records: Sequence[RunRecord]) -> None:
    """Update the status rows (one per check, the latest record wins); create the missing ones."""
    newest = {r.check_id: r for r in sorted(records, key=lambda r: r.started_at)}
    latest = {cid: status_row(record) for cid, record in newest.items()}
    ids = list(latest)
    have = set(session.execute(select(CheckStatus.check_id).where(CheckStatus.check_id.in_(ids))).scalars())
    table = CheckStatus.__table__
    updates = [{"b_check_id": cid, **{k: v for k, v in row.items() if k != "check_id"}}
               for cid, row in latest.items() if cid in have]
    if updates:  # Core executemany: a fraction of the ORM bulk update's cost per row
        session.connection().execute(update(table).where(table.c.check_id == bindparam("b_check_id")), updates)
    missing = [row for cid, row in latest.items() if cid not in have]
    if missing:
        session.connection().execute(insert(table), missing)


def _clear_requests(session: Session, records: Sequence[RunRecord]) -> None:
    """Clear each 'run now' a record answered, unless the request was renewed meanwhile."""
    table = CheckStatus.__table__
    for record in records:
        if record.requested_at is not None:
            session.execute(update(table).where(
                table.c.check_id == record.check_id, table.c.run_requested_at <= record.requested_at,
            ).values(run_requested_at=None))


def add_counters(session: Session, increments: Counter) -> None:
    """Add to the cumulative /metrics counters, creating rows the first time."""
    table = PatrolCounter.__table__
    have = {(r.name, r.labels) for r in session.execute(select(table.c.name, table.c.labels))}
    bumps = [{"n": n, "l": lab, "v": v} for (n, lab), v in increments.items() if (n, lab) in have]
    if bumps:
        stmt = update(table).where(table.c.name == bindparam("n"), table.c.labels == bindparam("l")).values(
            value=table.c.value + bindparam("v"))
        session.connection().execute(stmt, bumps)
    new = [{"name": n, "labels": lab, "value": v} for (n, lab), v in increments.items() if (n, lab) not in have]
    if new:
        session.execute(insert(table), new)


LOST_COUNTER = "results_lost_total"


def record_lost(engine: Engine, lost: Counter) -> None:
    """Add results a scheduler could not write (by reason) to the /metrics counter. Additions commute, so any
    process may write them, lease or not."""
    with Session(engine) as session, session.begin():
        add_counters(session, Counter({(LOST_COUNTER, f'reason="{reason}"'): n for reason, n in lost.items()}))


def purge_runs(engine: Engine, *, older_than: datetime, batch: int = PURGE_BATCH) -> int:
    """Delete runs that started before ``older_than``, ``batch`` rows per transaction; returns how many."""
    total = 0
    while True:
        with engine.begin() as conn:
            ids = conn.execute(select(CheckRun.id).where(CheckRun.started_at < older_than)
                               .order_by(CheckRun.id).limit(batch)).scalars().all()
            if ids:
                conn.execute(delete(CheckRun.__table__).where(CheckRun.id.in_(ids)))
        total += len(ids)
        if len(ids) < batch:
            return total
