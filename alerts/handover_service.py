"""Handover (交接班) service: the change at hand with who hands to whom, the outgoing shift's summary from the
database, writing (once per shift), confirming (once), and the scheduler's sweep that moves the alerts of an
unconfirmed handover 30 minutes after the change.

Every transition is decided by the database: the unique index on (shift_day, shift_code) lets one handover be
written per shift, and conditional UPDATEs let one confirmation (or one late sweep) win; the loser gets
:class:`HandoverConflict`. Each transition writes exactly one audit event; each moved alert gets a ``handed_over``
timeline entry and ``version + 1``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from alerts import handover as core
from alerts import service as alert_service
from alerts.models import ACTIVE_STATUSES, Alert, AlertEvent, Handover
from desk import audit
from desk.accounts import N_
from desk.db import session_scope
from desk.models import Person
from monitoring import service as monitoring
from roster import duty_lookup, settings_store

NOTE_KINDS = ("commented", "acknowledged", "resolved", "reopened", "reassigned")
_STATE_RANK = {"CRITICAL": 0, "UNKNOWN": 1, "WARNING": 2}


class HandoverError(ValueError):
    """A handover step refused; ``message`` is untranslated (the view translates it with ``params``)."""

    status = 422

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


class HandoverConflict(HandoverError):
    """Someone else did it first (written twice, confirmed twice): a flash or 409, never a 500."""

    status = 409


@dataclass(frozen=True)
class Seats:
    """Who sits a shift per the published roster (usernames by position; empty when no roster covers it)."""

    leaders: tuple[str, ...] = ()
    info: tuple[str, ...] = ()
    comms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeState:
    """A change with its seats on both sides and its handover row (None until written or swept)."""

    change: core.Change
    outgoing: Seats
    incoming: Seats
    handover: Handover | None


def desk_shifts(session: Session) -> tuple:
    """The desk's shift definitions (day and night start times from the roster settings)."""
    return settings_store.current(session).shifts


def seats(session: Session, ref: core.ShiftRef, tz: str) -> Seats:
    """Who sits ``ref`` per the published roster."""
    duty = duty_lookup.on_duty_at(session, at=ref.starts_at, tz=tz)
    if duty is None or duty.day != ref.day or duty.shift != ref.code:
        return Seats()
    return Seats(tuple(duty.people.get("leader", ())), tuple(duty.people.get("info", ())),
                 tuple(duty.people.get("comms", ())))


def state_of(session: Session, change: core.Change, tz: str) -> ChangeState:
    """The change with its seats and handover row."""
    return ChangeState(change, seats(session, change.outgoing, tz), seats(session, change.incoming, tz),
                       handover_for(session, change.outgoing))


def at_hand(session: Session, *, now: datetime, tz: str) -> ChangeState:
    """The change a leader deals with at ``now`` (see :func:`alerts.handover.change_at_hand`)."""
    return state_of(session, core.change_at_hand(now, desk_shifts(session), tz), tz)


def handover_for(session: Session, ref: core.ShiftRef) -> Handover | None:
    """The handover of the shift ``ref`` hands over, if any."""
    return session.exec(select(Handover).where(Handover.shift_day == ref.day.isoformat(),
                                               Handover.shift_code == ref.code)).first()


def get(session: Session, handover_id: int) -> Handover | None:
    """One handover by id."""
    return session.get(Handover, handover_id)


def recent(session: Session, *, limit: int = 60, offset: int = 0) -> list[Handover]:
    """Handovers newest shift first."""
    query = select(Handover).order_by(col(Handover.change_at).desc(), col(Handover.id).desc())
    return list(session.exec(query.offset(offset).limit(limit)))


# --- the outgoing shift's summary ---------------------------------------------------------------------------

def shift_summary(session: Session, ref: core.ShiftRef) -> dict[str, Any]:
    """The summary of the shift ``ref`` as the handover form shows it and the handover stores it."""
    facts = _alert_facts(session, ref.starts_at, ref.ends_at)
    notes = _notes(session, [f.id for f in facts])
    return core.summarise(ref.starts_at, ref.ends_at, facts, notes, failed_patrols(session, ref))


def _alert_facts(session: Session, start: datetime, end: datetime) -> list[core.AlertFact]:
    """Alerts raised, acknowledged or resolved in start..end, and every active one."""

    def within(column: Any) -> Any:
        return (column >= start) & (column < end)

    query = select(Alert).where(or_(within(col(Alert.first_seen)), within(col(Alert.acknowledged_at)),
                                    within(col(Alert.resolved_at)), col(Alert.status).in_(ACTIVE_STATUSES)))
    return [core.AlertFact(a.id, a.title, a.severity, a.status, a.first_seen, a.acknowledged_at, a.resolved_at)
            for a in session.exec(query)]


def _notes(session: Session, alert_ids: list[int]) -> list[core.NoteFact]:
    """The notes on these alerts' timelines (the summary keeps those written during the shift)."""
    if not alert_ids:
        return []
    query = select(AlertEvent).where(col(AlertEvent.alert_id).in_(alert_ids), AlertEvent.note != "",
                                     col(AlertEvent.kind).in_(NOTE_KINDS))
    return [core.NoteFact(e.alert_id, e.at, e.actor, e.kind, e.note) for e in session.exec(query)]


def failed_patrols(session: Session, ref: core.ShiftRef) -> list[core.PatrolFact]:
    """Checks with HARD problem results (outside maintenance) during the shift, from the patrol's recorded runs
    (through ``monitoring.service.hard_problems``), the worst state first per check."""
    folded: dict[str, list[monitoring.HardProblems]] = defaultdict(list)
    for row in monitoring.hard_problems(session, start=ref.starts_at, end=ref.ends_at):
        folded[row.check].append(row)
    return [core.PatrolFact(name, min((r.state for r in rows), key=_STATE_RANK.__getitem__),
                            sum(r.count for r in rows), min(r.first for r in rows), max(r.last for r in rows))
            for name, rows in folded.items()]


# --- write, confirm, sweep ----------------------------------------------------------------------------------

def write(session: Session, *, actor: Person, state: ChangeState, note: str, now: datetime) -> Handover:
    """The outgoing leader (or a manager) writes the handover of the change at hand, once per shift."""
    if not core.may_write(state.change, now):
        raise HandoverError(N_("The handover can be written from one hour before the shift change."))
    _check_seat(actor, state.outgoing.leaders, N_("Only the outgoing shift leader (%(who)s) writes this handover."))
    row = _new_row(session, state, status="written", summary=shift_summary(session, state.change.outgoing),
                   note=note.strip(), now=now)
    row.outgoing_id, row.written_at = actor.id, now
    _insert_once(session, row)
    audit.record(session, actor=actor.username, action="handover.write", object_type="handover", object_id=row.id,
                 after=_audit_view(row))
    return row


def confirm(session: Session, *, actor: Person, handover: Handover, tz: str, now: datetime) -> int:
    """The incoming leader (or a manager) confirms a written handover, once; the active alerts move to the incoming
    leader. Returns how many alerts moved."""
    change = change_of(session, handover, tz)
    incoming = seats(session, change.incoming, tz)
    _check_seat(actor, incoming.leaders, N_("Only the incoming shift leader (%(who)s) confirms this handover."))
    late = core.is_late(change, now)
    to = _person(session, incoming.leaders) or actor
    values: dict[str, Any] = {"status": "confirmed", "confirmed_at": now, "confirmed_by_id": actor.id,
                              "incoming_id": to.id, **({"late": True} if late else {})}
    done = session.execute(update(Handover).where(Handover.id == handover.id, Handover.status == "written")
                           .values(**values))
    if done.rowcount != 1:
        raise HandoverConflict(N_("This handover was already confirmed."))
    moved = move_alerts(session, to=to, seats=incoming, handover_id=handover.id, actor=actor.username, now=now)
    audit.record(session, actor=actor.username, action="handover.confirm", object_type="handover",
                 object_id=handover.id, before={"status": "written"},
                 after={"status": "confirmed", "late": bool(late or handover.late), "alerts": moved})
    return len(moved)


def change_of(session: Session, handover: Handover, tz: str) -> core.Change:
    """The change a stored handover belongs to (its outgoing shift and the shift after it)."""
    for change in core.changes_around(handover.change_at, desk_shifts(session), tz):
        if change.outgoing.day.isoformat() == handover.shift_day and change.outgoing.code == handover.shift_code:
            return change
    raise HandoverError(N_("The shift of this handover is no longer among the desk's shifts."))


def _check_seat(actor: Person, holders: tuple[str, ...], message: str) -> None:
    """Managers may act for anyone; a leader only in their own seat when the roster names one."""
    if actor.role == "manager" or (actor.role == "leader" and (not holders or actor.username in holders)):
        return
    raise HandoverError(message, who=", ".join(holders) or "—")


def _new_row(session: Session, state: ChangeState, *, status: str, summary: dict[str, Any], note: str,
             now: datetime) -> Handover:
    out = state.change.outgoing
    return Handover(shift_day=out.day.isoformat(), shift_code=out.code, change_at=state.change.at, status=status,
                    outgoing_id=_person_id(session, state.outgoing.leaders),
                    incoming_id=_person_id(session, state.incoming.leaders), summary=summary, note=note)


def _insert_once(session: Session, row: Handover) -> None:
    """Insert the shift's handover; the unique index makes a second one (a race, or a sweep) a conflict."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise HandoverConflict(N_("The handover of this shift was already written.")) from None


def _person_id(session: Session, usernames: tuple[str, ...]) -> int | None:
    if not usernames:
        return None
    return session.exec(select(Person.id).where(Person.username == usernames[0])).first()


def _person(session: Session, usernames: tuple[str, ...]) -> Person | None:
    if not usernames:
        return None
    return session.exec(select(Person).where(Person.username == usernames[0])).first()


def move_alerts(session: Session, *, to: Person, seats: Seats, handover_id: int, actor: str, now: datetime,
                late: bool = False) -> list[int]:
    """Every active alert not yet held by ``to`` moves to them (and to the incoming watcher of its domain) through
    the alert service (conditional on status and version, a ``handed_over`` timeline entry, audit, notification).
    Returns the moved ids."""
    watchers = {d: _person_id(session, names) for d, names in (("info", seats.info), ("comms", seats.comms))}
    moved = []
    rows = session.exec(select(Alert.id, Alert.assignee_id, Alert.watcher_id, Alert.domain, Alert.version)
                        .where(col(Alert.status).in_(ACTIVE_STATUSES))).all()
    for alert_id, assignee_id, watcher_id, domain, version in rows:
        if assignee_id == to.id:
            continue
        try:
            alert_service.hand_over(session, actor=actor, alert_id=alert_id, username=to.username, now=now,
                                    handover_id=handover_id, watcher_id=watchers.get(domain or "") or watcher_id,
                                    version=version, late=late)
        except alert_service.AlertConflict:
            continue  # changed (resolved, reassigned) between our read and the update: leave it as it is now
        moved.append(alert_id)
    return moved


def _audit_view(row: Handover) -> dict[str, Any]:
    return {"shift_day": row.shift_day, "shift_code": row.shift_code, "status": row.status, "late": row.late,
            "counts": core.summary_counts(row.summary)}


def sweep(engine: Engine, *, now: datetime, tz: str) -> str | None:
    """The scheduler's job (lease holder only): 30 minutes after a change whose handover is not confirmed, mark it
    late (or write an ``auto`` one when none was written) and move the active alerts to the incoming leader.
    Returns what it did ('late', 'auto') or None."""
    with session_scope(engine) as session:
        change = core.last_change(now, desk_shifts(session), tz)
        if not core.is_late(change, now) or now >= change.incoming.ends_at:
            return None
        state = state_of(session, change, tz)
        if state.handover is None:
            return _sweep_unwritten(session, state, now)
        if state.handover.status == "written" and not state.handover.late:
            return _sweep_written(session, state, now)
    return None


def _sweep_unwritten(session: Session, state: ChangeState, now: datetime) -> str | None:
    row = _new_row(session, state, status="auto", summary=shift_summary(session, state.change.outgoing),
                   note="", now=now)
    row.late = True
    try:
        _insert_once(session, row)
    except HandoverConflict:
        return None  # written meanwhile: the next sweep sees it
    moved = _sweep_move(session, state, row.id, now)
    audit.record(session, actor="system", action="handover.auto", object_type="handover", object_id=row.id,
                 after={**_audit_view(row), "alerts": moved})
    return "auto"


def _sweep_written(session: Session, state: ChangeState, now: datetime) -> str | None:
    row = state.handover
    assert row is not None
    done = session.execute(update(Handover).where(Handover.id == row.id, Handover.status == "written",
                                                  Handover.late == False)  # noqa: E712
                           .values(late=True))
    if done.rowcount != 1:
        return None
    moved = _sweep_move(session, state, row.id, now)
    audit.record(session, actor="system", action="handover.late", object_type="handover", object_id=row.id,
                 before={"late": False}, after={"late": True, "alerts": moved})
    return "late"


def _sweep_move(session: Session, state: ChangeState, handover_id: int, now: datetime) -> list[int]:
    incoming = _person(session, state.incoming.leaders)
    if incoming is None:
        return []  # nobody on the incoming shift's seat: the alerts stay where they are (the board warns)
    return move_alerts(session, to=incoming, seats=state.incoming, handover_id=handover_id, actor="system",
                       now=now, late=True)


def late_handover(session: Session, *, now: datetime, tz: str, shifts: tuple | None = None) -> Handover | None:
    """The last change's handover when it was late and is still unconfirmed (the board shows it)."""
    change = core.last_change(now, shifts or desk_shifts(session), tz)
    row = handover_for(session, change.outgoing)
    if row is not None and row.late and row.status != "confirmed":
        return row
    if row is None and core.is_late(change, now):
        return Handover(shift_day=change.outgoing.day.isoformat(), shift_code=change.outgoing.code,
                        change_at=change.at, status="missing", late=True)
    return None
