"""Leave (请假) and swap (换班) requests, and the personal calendar feed tokens.

Service functions: keyword-only, ``actor`` is a username ("cli" for the command line), every change audited
with ``desk.audit.record``. The views and the CLI call one of them and commit.

- Leave: a person asks (whole dates, or single shifts); a leader approves or rejects with a note; approving leave
  that hits a published shift opens an amendment (``roster.drafts.open_amendment``): a draft re-solved with
  minimal change, which the leader reviews and publishes.
- Swap: a person offers one of their published seats to a colleague, or asks to exchange it for one of the
  colleague's; the colleague accepts or declines; a leader approves, which is only possible when the published
  roster with the swap applied keeps every hard rule (``roster.validate``). Approval publishes the changed days as a
  new published version.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from desk import audit
from desk.accounts import N_, get_by_username
from desk.models import Person
from desk.sessions import hash_secret
from desk.timeutil import in_desk_range, utcnow
from roster import (
    concurrency,
    drafts,
    duty_lookup,
    exports,
    publishing,
    seat_holders,
    settings_store,
    solve_inputs,
    stored_text,
    versions,
    words,
)
from roster.domain import Assignment, Leave, Member, RosterInputs, Violation
from roster.models import FeedToken, LeaveRequest, RosterAssignment, RosterVersion, SwapRequest
from roster.validate import validate

SYSTEM_ACTORS = frozenset({"cli"})
DECIDERS = frozenset({"leader", "manager"})
MAX_LEAVE_DAYS = 92
MAX_NOTE, MAX_MESSAGE = 500, 2000
# How far after the swapped days the check looks: every rest, run and window rule the swap can touch.
LOOKAHEAD_DAYS = 28
FEED_PAST_DAYS, FEED_AHEAD_DAYS = 62, 366
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RequestError(ValueError):
    """A request that cannot be made or decided; ``message`` is marked with N_ and has ``%(name)s`` params."""

    def __init__(self, message: str, **params: Any):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class SwapRefused(RequestError):
    """Approval refused because the swapped roster breaks hard rules (``violations``)."""

    def __init__(self, check: SwapCheck):
        super().__init__(N_("This swap would break a rule: %(rules)s."),
                         rules=", ".join(sorted({v.rule for v in check.violations})))
        self.check = check


# --- people and permissions ----------------------------------------------------------------------------------

def person_by_username(session: Session, username: str) -> Person:
    """The active person with ``username`` or a RequestError."""
    person = get_by_username(session, username.strip().lower())
    if person is None or not person.active:
        raise RequestError(N_("No active person with username %(username)s."), username=username)
    return person


def _may_decide(session: Session, actor: str) -> bool:
    if actor in SYSTEM_ACTORS:
        return True
    person = get_by_username(session, actor)
    return person is not None and person.active and person.role in DECIDERS


def _require_decider(session: Session, actor: str, *parties: int) -> None:
    """Only a leader or manager decides, and never on a request they are party to (four eyes: their own leave,
    a swap they give or take a seat in)."""
    if not _may_decide(session, actor):
        raise RequestError(N_("Only a shift leader or a manager can decide requests."))
    person = get_by_username(session, actor)
    if person is not None and person.id in parties:
        if len(parties) > 1:
            raise RequestError(N_("You are part of this swap, so another leader must decide it."))
        raise RequestError(N_("You cannot decide your own request; another leader must."))


def is_party(person_id: int | None, swap: SwapRequest) -> bool:
    """Whether this person gives or takes a seat in the swap (and so may not decide it)."""
    return person_id in (swap.requester_id, swap.target_id)


def _text(text: str, limit: int = MAX_NOTE) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise RequestError(N_("Write at most %(limit)s characters."), limit=limit)
    return text


def _check_dates(*days: date | None) -> None:
    if any(d is not None and not in_desk_range(d) for d in days):
        raise RequestError(N_("Dates must lie between the years 2000 and 2100."))


def _move(session: Session, row: LeaveRequest | SwapRequest, allowed: tuple[str, ...],
          values: dict[str, Any]) -> None:
    """The request's state change, done once: when someone else decided it first, say what it is now."""
    if not concurrency.transition(session, type(row), row.id, allowed=allowed, values=values):
        raise RequestError(N_("This request is already %(status)s."), status=row.status)


def _username(session: Session, person_id: int) -> str:
    person = session.get(Person, person_id)
    return person.username if person else "?"


# --- leave ---------------------------------------------------------------------------------------------------

def _leave_snapshot(leave: LeaveRequest) -> dict[str, Any]:
    return {"person_id": leave.person_id, "start": leave.start.isoformat(), "end": leave.end.isoformat(),
            "shifts": leave.shifts, "status": leave.status, "reason": leave.reason,
            "decision_note": leave.decision_note, "amendment_id": leave.amendment_id}


def _check_leave_span(start: date, end: date, shifts: list[tuple[date, str]] | None,
                      codes: tuple[str, ...]) -> None:
    _check_dates(start, end)
    if end < start:
        raise RequestError(N_("The last day of leave is before the first."))
    if (end - start).days >= MAX_LEAVE_DAYS:
        raise RequestError(N_("Ask for at most %(days)s days of leave at a time."), days=MAX_LEAVE_DAYS)
    if shifts is not None and (not shifts or any(s not in codes for _, s in shifts)):
        raise RequestError(N_("Single-shift leave names shifts this desk has (%(codes)s)."), codes=", ".join(codes))


def shift_codes(session: Session) -> tuple[str, ...]:
    """The codes of the desk's configured shift types (``settings_store.shift_types``), e.g. D, E, N."""
    return tuple(s.code for s in settings_store.shift_types(settings_store.load(session)))


def single_shifts(start: date, end: date, shift: str) -> list[tuple[date, str]]:
    """Every ``shift`` of ``start``..``end``: the ``shifts`` of leave from only one shift type (e.g. the evenings)."""
    return [(start + timedelta(days=i), shift) for i in range((end - start).days + 1)]


def ask_leave(session: Session, *, actor: str, username: str, start: date, end: date,
              shifts: list[tuple[date, str]] | None = None, reason: str = "") -> LeaveRequest:
    """A pending leave request of ``username`` (whole days ``start``..``end`` or only ``shifts``).

    A person asks for themselves; a leader, a manager or the CLI may ask on someone's behalf."""
    person = person_by_username(session, username)
    if actor != person.username and not _may_decide(session, actor):
        raise RequestError(N_("You can only ask for leave for yourself."))
    if shifts is not None:
        shifts = sorted(set(shifts))
        start, end = (shifts[0][0], shifts[-1][0]) if shifts else (start, end)
    codes = shift_codes(session)
    _check_leave_span(start, end, shifts, codes)
    reason = _text(reason)
    _refuse_overlap(session, person, start, end, shifts, codes)
    leave = LeaveRequest(person_id=person.id, start=start, end=end, reason=reason,
                         shifts=[[d.isoformat(), s] for d, s in shifts] if shifts is not None else None)
    session.add(leave)
    session.flush()
    audit.record(session, actor=actor, action="leave.ask", object_type="leave", object_id=leave.id,
                 after=_leave_snapshot(leave))
    return leave


def _refuse_overlap(session: Session, person: Person, start: date, end: date,
                    shifts: list[tuple[date, str]] | None, codes: tuple[str, ...]) -> None:
    """No second pending or approved request for the same shifts."""
    mine = session.exec(select(LeaveRequest).where(
        LeaveRequest.person_id == person.id, LeaveRequest.status.in_(("pending", "approved")),
        LeaveRequest.start <= end, LeaveRequest.end >= start)).all()
    wanted = solve_inputs.leave_of(LeaveRequest(person_id=0, start=start, end=end,
                                       shifts=[[d.isoformat(), s] for d, s in shifts] if shifts else None), "")
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    for other in mine:
        held = solve_inputs.leave_of(other, "")
        if any(wanted.covers(d, s) and held.covers(d, s) for d in days for s in codes):
            raise RequestError(N_("You already asked for leave on %(start)s – %(end)s."),
                               start=other.start.isoformat(), end=other.end.isoformat())


def leave_hits(session: Session, leave: LeaveRequest) -> list[Assignment]:
    """The published seats this leave takes its person off."""
    return leaves_hits(session, [leave])[leave.id]


def leaves_hits(session: Session, leaves: list[LeaveRequest]) -> dict[int, list[Assignment]]:
    """leave id -> the published seats it takes its person off, reading the published roster once."""
    if not leaves:
        return {}
    rows = versions.published_assignments(session, start=min(lv.start for lv in leaves),
                                         end=max(lv.end for lv in leaves))
    out = {}
    for leave in leaves:
        username = _username(session, leave.person_id)
        wanted = solve_inputs.leave_of(leave, username)
        out[leave.id] = [a for a in rows if a.username == username and wanted.covers(a.day, a.shift)]
    return out


def _pending_leave(session: Session, leave_id: int) -> LeaveRequest:
    leave = session.get(LeaveRequest, leave_id)
    if leave is None:
        raise RequestError(N_("No such leave request."))
    if leave.status != "pending":
        raise RequestError(N_("This request is already %(status)s."), status=leave.status)
    return leave


def approve_leave(session: Session, *, actor: str, leave_id: int, note: str = "") -> LeaveRequest:
    """Approve pending leave; when it hits published seats, open an amendment over those days."""
    leave = _pending_leave(session, leave_id)
    _require_decider(session, actor, leave.person_id)
    before = _leave_snapshot(leave)
    _move(session, leave, ("pending",), {"status": "approved", "decided_by": actor, "decided_at": utcnow(),
                                         "decision_note": _text(note)})  # the amendment's inputs see it approved
    hits = leave_hits(session, leave)
    if hits:
        person = session.get(Person, leave.person_id)
        who = person.display_name if person else "?"
        draft = drafts.open_amendment(session, actor=actor, start=min(a.day for a in hits),
                                       end=max(a.day for a in hits),
                                       reason=stored_text.auto_note("leave", id=leave.id, name=who))
        leave.amendment_id = draft.id
        session.add(leave)
    audit.record(session, actor=actor, action="leave.approve", object_type="leave", object_id=leave.id,
                 before=before, after=_leave_snapshot(leave))
    return leave


def reject_leave(session: Session, *, actor: str, leave_id: int, note: str) -> LeaveRequest:
    """Reject pending leave; the note (required) tells the person why."""
    leave = _pending_leave(session, leave_id)
    _require_decider(session, actor, leave.person_id)
    if not note.strip():
        raise RequestError(N_("Say why the request is rejected."))
    before = _leave_snapshot(leave)
    _move(session, leave, ("pending",), {"status": "rejected", "decided_by": actor, "decided_at": utcnow(),
                                         "decision_note": _text(note)})
    audit.record(session, actor=actor, action="leave.reject", object_type="leave", object_id=leave.id,
                 before=before, after=_leave_snapshot(leave))
    return leave


def cancel_leave(session: Session, *, actor: str, leave_id: int) -> LeaveRequest:
    """The person withdraws their own pending request."""
    leave = _pending_leave(session, leave_id)
    if _username(session, leave.person_id) != actor:
        raise RequestError(N_("Only the person who asked can cancel a request."))
    before = _leave_snapshot(leave)
    _move(session, leave, ("pending",), {"status": "cancelled"})
    audit.record(session, actor=actor, action="leave.cancel", object_type="leave", object_id=leave.id,
                 before=before, after=_leave_snapshot(leave))
    return leave


def leave_requests(session: Session, *, person_id: int | None = None, status: str | None = None,
                   limit: int = 200) -> list[LeaveRequest]:
    """Leave requests, newest first, optionally of one person or status."""
    query = select(LeaveRequest).order_by(LeaveRequest.created_at.desc(), LeaveRequest.id.desc()).limit(limit)
    if person_id is not None:
        query = query.where(LeaveRequest.person_id == person_id)
    if status is not None:
        query = query.where(LeaveRequest.status == status)
    return list(session.exec(query))


# --- swaps ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SwapCheck:
    """The validator's verdict on a swap: the violations it would add, over ``inputs``' period."""

    violations: tuple[Violation, ...]
    inputs: RosterInputs | None
    proposed: tuple[Assignment, ...]
    problem: str = ""

    @property
    def ok(self) -> bool:
        """True when the swap can be approved."""
        return not self.violations and not self.problem


def _swap_snapshot(swap: SwapRequest) -> dict[str, Any]:
    return {"requester_id": swap.requester_id, "requester_day": swap.requester_day.isoformat(),
            "requester_shift": swap.requester_shift, "requester_position": swap.requester_position,
            "target_id": swap.target_id, "target_day": swap.target_day.isoformat() if swap.target_day else None,
            "target_shift": swap.target_shift, "target_position": swap.target_position, "status": swap.status,
            "decision_note": swap.decision_note, "amendment_id": swap.amendment_id}


def published_seat(session: Session, username: str, day: date, shift: str) -> Assignment | None:
    """The published seat ``username`` sits on ``shift`` of ``day``, if any."""
    rows = versions.published_assignments(session, start=day, end=day)
    return next((a for a in rows if a.username == username and a.shift == shift), None)


@dataclass(frozen=True)
class SwapOptions:
    """What the swap form offers ``me``: my seats; per colleague the keys of my seats they can take outright; the
    colleagues' seats I can sit, each with the keys of my seats its holder can sit (an exchange)."""

    mine: tuple[Assignment, ...]
    takers: dict[str, tuple[str, ...]]
    theirs: tuple[tuple[Assignment, tuple[str, ...]], ...]


def seat_key(a: Assignment) -> str:
    """The form value of one of my seats: ``day|shift``."""
    return f"{a.day.isoformat()}|{a.shift}"


def swap_options(rows: list[Assignment], people: dict[str, Member], me: str,
                 leaves: tuple[Leave, ...] = ()) -> SwapOptions:
    """Only the seats and people that fit: a taker is qualified for my seat, has no seat that day and no leave on
    that shift; an exchange seat is one I am qualified for, held by someone qualified for mine."""
    mine = tuple(a for a in rows if a.username == me)
    busy = {(a.username, a.day) for a in rows}

    def free(p: Member, a: Assignment) -> bool:
        return (p.username, a.day) not in busy and not any(
            lv.username == p.username and lv.covers(a.day, a.shift) for lv in leaves)

    others = [p for p in people.values() if p.username != me and p.active]
    takers = {p.username: tuple(seat_key(a) for a in mine if p.qualified(a.position) and free(p, a)) for p in others}
    me_p = people.get(me)
    theirs = []
    for a in rows:
        holder = people.get(a.username)
        if holder is None or a.username == me or me_p is None or not me_p.qualified(a.position):
            continue
        fits = tuple(seat_key(m) for m in mine if holder.qualified(m.position))
        if fits:
            theirs.append((a, fits))
    return SwapOptions(mine, {u: ks for u, ks in takers.items() if ks}, tuple(theirs))


def propose_swap(session: Session, *, actor: str, day: date, shift: str, target: str,
                 target_day: date | None = None, target_shift: str | None = None, message: str = "",
                 today: date | None = None) -> SwapRequest:
    """The actor offers their published seat (``day``, ``shift``) to ``target``, or to exchange it for the
    target's seat (``target_day``, ``target_shift``). ``today``: refuse seats on earlier dates."""
    me, other = person_by_username(session, actor), person_by_username(session, target)
    if me.id == other.id:
        raise RequestError(N_("Choose a colleague, not yourself."))
    message = _text(message, MAX_MESSAGE)
    mine = _seat_or_error(session, me.username, day, shift, today)
    theirs = None
    if target_day is not None or target_shift is not None:
        theirs = _seat_or_error(session, other.username, target_day, target_shift, today)
    _refuse_open_swap(session, me.id, day, shift)
    swap = SwapRequest(requester_id=me.id, requester_day=day, requester_shift=shift, requester_position=mine.position,
                       target_id=other.id, target_day=theirs.day if theirs else None,
                       target_shift=theirs.shift if theirs else None,
                       target_position=theirs.position if theirs else None, message=message)
    session.add(swap)
    session.flush()
    refuse_broken(session, swap)
    audit.record(session, actor=actor, action="swap.propose", object_type="swap", object_id=swap.id,
                 after=_swap_snapshot(swap))
    return swap


def _seat_or_error(session: Session, username: str, day: date | None, shift: str | None,
                   today: date | None) -> Assignment:
    codes = shift_codes(session)
    if day is None or shift not in codes:
        raise RequestError(N_("Name both the date and one of the desk's shifts (%(codes)s)."), codes=", ".join(codes))
    _check_dates(day)
    if today is not None and day < today:
        raise RequestError(N_("That shift is in the past."))
    seat = published_seat(session, username, day, shift)
    if seat is None:
        raise RequestError(N_("%(username)s has no published shift %(shift)s on %(day)s."),
                           username=username, shift=shift, day=day.isoformat())
    return seat


def _refuse_open_swap(session: Session, person_id: int, day: date, shift: str) -> None:
    open_one = session.exec(select(SwapRequest.id).where(
        SwapRequest.requester_id == person_id, SwapRequest.requester_day == day,
        SwapRequest.requester_shift == shift, SwapRequest.status.in_(("proposed", "accepted")))).first()
    if open_one is not None:
        raise RequestError(N_("You already offered this shift (request #%(id)s)."), id=open_one)


def get_swap(session: Session, swap_id: int) -> SwapRequest:
    """The swap request or a RequestError."""
    swap = session.get(SwapRequest, swap_id)
    if swap is None:
        raise RequestError(N_("No such swap request."))
    return swap


def _swap_in(session: Session, swap_id: int, statuses: tuple[str, ...]) -> SwapRequest:
    swap = get_swap(session, swap_id)
    if swap.status not in statuses:
        raise RequestError(N_("This request is already %(status)s."), status=swap.status)
    return swap


SWAP_ACTIONS = {"accepted": "accept", "declined": "decline", "cancelled": "cancel", "approved": "approve",
                "rejected": "reject"}


def _set_status(session: Session, swap: SwapRequest, *, actor: str, status: str, allowed: tuple[str, ...],
                note: str = "", then: Callable[[], None] | None = None) -> SwapRequest:
    """Move the swap from one of ``allowed`` to ``status`` once (``then`` runs only for the winner), audited."""
    before = _swap_snapshot(swap)
    values: dict[str, Any] = {"status": status}
    if note:
        values["decision_note"] = _text(note)
    if status == "accepted":
        values["accepted_at"] = utcnow()
    if status in ("approved", "rejected"):
        values["decided_by"], values["decided_at"] = actor, utcnow()
    _move(session, swap, allowed, values)
    if then is not None:
        then()
    audit.record(session, actor=actor, action=f"swap.{SWAP_ACTIONS[status]}",
                 object_type="swap", object_id=swap.id, before=before, after=_swap_snapshot(swap))
    return swap


def accept_swap(session: Session, *, actor: str, swap_id: int) -> SwapRequest:
    """The colleague agrees; the request goes to the leaders' queue."""
    swap = _swap_in(session, swap_id, ("proposed",))
    if _username(session, swap.target_id) != actor:
        raise RequestError(N_("Only the colleague asked can accept or decline."))
    refuse_broken(session, swap)  # the roster may have changed since the offer
    return _set_status(session, swap, actor=actor, status="accepted", allowed=("proposed",))


def decline_swap(session: Session, *, actor: str, swap_id: int, note: str = "") -> SwapRequest:
    """The colleague says no."""
    swap = _swap_in(session, swap_id, ("proposed",))
    if _username(session, swap.target_id) != actor:
        raise RequestError(N_("Only the colleague asked can accept or decline."))
    return _set_status(session, swap, actor=actor, status="declined", allowed=("proposed",), note=note)


def cancel_swap(session: Session, *, actor: str, swap_id: int) -> SwapRequest:
    """The requester withdraws a swap not yet decided."""
    swap = _swap_in(session, swap_id, ("proposed", "accepted"))
    if _username(session, swap.requester_id) != actor:
        raise RequestError(N_("Only the person who asked can cancel a request."))
    return _set_status(session, swap, actor=actor, status="cancelled", allowed=("proposed", "accepted"))


def reject_swap(session: Session, *, actor: str, swap_id: int, note: str) -> SwapRequest:
    """A leader refuses an accepted swap, saying why."""
    swap = _swap_in(session, swap_id, ("accepted",))
    _require_decider(session, actor, swap.requester_id, swap.target_id)
    if not note.strip():
        raise RequestError(N_("Say why the request is rejected."))
    return _set_status(session, swap, actor=actor, status="rejected", allowed=("accepted",), note=note)


def _swap_days(swap: SwapRequest) -> list[date]:
    return sorted({swap.requester_day, *([swap.target_day] if swap.target_day else [])})


def apply_swap(rows: list[Assignment], swap: SwapRequest, requester: str, target: str) -> list[Assignment] | None:
    """``rows`` with the swap applied (None when a swapped seat is no longer published as it was)."""
    out, moved = list(rows), 0
    for i, a in enumerate(out):
        if (a.username, a.day, a.shift, a.position) == (requester, swap.requester_day, swap.requester_shift,
                                                         swap.requester_position):
            out[i], moved = replace(a, username=target, source="substitute"), moved + 1
        elif swap.target_day and (a.username, a.day, a.shift, a.position) == (
                target, swap.target_day, swap.target_shift, swap.target_position):
            out[i], moved = replace(a, username=requester, source="substitute"), moved + 1
    return out if moved == (2 if swap.target_day else 1) else None


def check_swap(session: Session, *, swap_id: int) -> SwapCheck:
    """Validate the published roster with the swap applied, from the first swapped day to
    ``LOOKAHEAD_DAYS`` after the last (within the published roster). Only violations the swap adds count."""
    swap = get_swap(session, swap_id)
    requester, target = _username(session, swap.requester_id), _username(session, swap.target_id)
    days = _swap_days(swap)
    rows = versions.published_assignments(session, start=days[0], end=days[-1] + timedelta(days=LOOKAHEAD_DAYS))
    proposed = apply_swap(rows, swap, requester, target)
    if proposed is None:
        return SwapCheck((), None, (), problem=N_("The published roster changed: a swapped seat is no longer "
                                                   "held as it was when the swap was asked."))
    last = max(a.day for a in rows)
    inputs = solve_inputs.build_inputs(session, start=days[0], days=(last - days[0]).days + 1)
    known = {_key(v) for v in validate(rows, inputs)}
    new = tuple(v for v in validate(proposed, inputs) if _key(v) not in known)
    return SwapCheck(new, inputs, tuple(proposed))


def refuse_broken(session: Session, swap: SwapRequest) -> SwapCheck:
    """The check of ``swap``, or a RequestError (SwapRefused with the violations) when the published roster with it
    applied breaks a hard rule: such a swap is never offered, accepted or approved."""
    check = check_swap(session, swap_id=swap.id)
    if check.problem:
        raise RequestError(check.problem)
    if check.violations:
        raise SwapRefused(check)
    return check


def _key(v: Violation) -> tuple:
    return (v.rule, v.day, v.shift, v.position, v.username)


def approve_swap(session: Session, *, actor: str, swap_id: int, note: str = "") -> SwapRequest:
    """Approve an accepted swap that keeps every rule, publishing the changed days as a new version."""
    concurrency.lock_publishing(session)  # the check below must still hold when the swap is published
    swap = _swap_in(session, swap_id, ("accepted",))
    _require_decider(session, actor, swap.requester_id, swap.target_id)
    check = refuse_broken(session, swap)
    days = _swap_days(swap)
    changed = [a for a in check.proposed if days[0] <= a.day <= days[-1]]

    def publish() -> None:  # only the one approval that moved the swap publishes
        version = publish_changed(session, actor=actor, start=days[0], end=days[-1], assignments=changed,
                                  note=stored_text.auto_note("swap", id=swap.id))
        swap.amendment_id = version.id
        session.add(swap)

    return _set_status(session, swap, actor=actor, status="approved", allowed=("accepted",), note=note, then=publish)


def publish_changed(session: Session, *, actor: str, start: date, end: date, assignments: list[Assignment],
                    note: str) -> RosterVersion:
    """A new published version holding every seat of ``start``..``end`` (it overrides older versions there)."""
    ids = {p.username: p.id for p in session.exec(select(Person))}
    now = utcnow()

    def insert(number: int) -> RosterVersion:
        row = RosterVersion(number=number, status="published", start=start, end=end, note=note[:MAX_NOTE],
                            created_by=actor, created_at=now, published_by=actor, published_at=now)
        session.add(row)
        session.flush()
        return row

    version = concurrency.with_next_number(session, insert)
    number = version.number
    for a in assignments:
        session.add(RosterAssignment(version_id=version.id, day=a.day, shift=a.shift, position=a.position,
                                     person_id=ids[a.username], source=a.source))
    audit.record(session, actor=actor, action="roster.publish", object_type="roster_version",
                 object_id=version.id, after={"number": number, "start": start.isoformat(),
                                              "end": end.isoformat(), "note": note, "seats": len(assignments),
                                              "superseded": publishing.supersede_covered(session, start=start,
                                                                                          end=end)})
    return version


def swap_requests(session: Session, *, person_id: int | None = None, statuses: tuple[str, ...] | None = None,
                  limit: int = 200) -> list[SwapRequest]:
    """Swap requests, newest first: those a person asked or was asked, optionally in some statuses."""
    query = select(SwapRequest).order_by(SwapRequest.created_at.desc(), SwapRequest.id.desc()).limit(limit)
    if person_id is not None:
        query = query.where((SwapRequest.requester_id == person_id) | (SwapRequest.target_id == person_id))
    if statuses:
        query = query.where(SwapRequest.status.in_(statuses))
    return list(session.exec(query))


# --- rules in words ------------------------------------------------------------------------------------------

STATUS_WORDS = {"pending": N_("pending"), "approved": N_("approved"), "rejected": N_("rejected"),
                "cancelled": N_("cancelled"), "proposed": N_("waiting for colleague"),
                "accepted": N_("accepted, waiting for leader"), "declined": N_("declined")}


def rule_and_sentence(v: Violation, inputs: RosterInputs, names: dict[str, str],
                   gettext: Callable[..., str] | None = None) -> tuple[str, str]:
    """(rule name, sentence) of a violation in the leader's words: the page's language when ``gettext`` is
    given (Flask-Babel's), English otherwise. ``inputs`` is kept for the callers; the violation has its figures."""
    w = words.babel() if gettext is not None else words.ENGLISH
    return w.gettext(words.HARD_RULE_NAMES.get(v.rule, v.rule)), words.violation_sentence(v, names, w)


# --- calendar feed tokens ------------------------------------------------------------------------------------

def feed_token(session: Session, *, person_id: int) -> FeedToken | None:
    """The person's feed token row (its secret is not kept), or None before the first one is made."""
    return session.exec(select(FeedToken).where(FeedToken.person_id == person_id)).first()


def regenerate_feed_token(session: Session, *, actor: str, person_id: int) -> str:
    """A new secret for the person's feed, returned once (only its hash is stored); the old URL stops working."""
    secret = secrets.token_urlsafe(24)
    token = feed_token(session, person_id=person_id) or FeedToken(person_id=person_id, token_hash="")
    token.token_hash, token.created_at = hash_secret(secret), utcnow()
    session.add(token)
    session.flush()
    audit.record(session, actor=actor, action="feed.regenerate", object_type="feed_token", object_id=token.id or "")
    return secret


def person_for_token(session: Session, token: str) -> Person | None:
    """The active person whose feed URL carries ``token``, or None."""
    if not token or len(token) > 64:
        return None
    row = session.exec(select(FeedToken).where(FeedToken.token_hash == hash_secret(token))).first()
    person = session.get(Person, row.person_id) if row else None
    return person if person is not None and person.active else None


# --- exports of the published roster -------------------------------------------------------------------------

EXPORT_WORDS = {
    "cell": {"D": N_("D"), "E": N_("E"), "N": N_("N")},
    "shift": words.SHIFT_NAMES,
    "position": words.SEAT_NAMES,
    "source": {"pattern": N_("own rotation"), "substitute": N_("substitute"), "pinned": N_("edited by hand")},
    "weekdays": (N_("Mo"), N_("Tu"), N_("We"), N_("Th"), N_("Fr"), N_("Sa"), N_("Su")),
    "heads": (N_("Name"), N_("Team"), N_("Seat")),
    "columns": (N_("Date"), N_("Shift"), N_("Seat"), N_("Username"), N_("Name"), N_("Source"), N_("Starts"),
                N_("Ends")),
    "legend": {**words.SHIFT_NAMES, exports.OFF: N_("off"), exports.LEAVE: N_("on leave"),
               "D*": N_("substitute (off their own team's pattern)"), "weekend": N_("weekend"),
               "holiday": N_("public holiday")},
}


def export_words(gettext: Callable[..., str]) -> exports.Words:
    """The exports' words in the language ``gettext`` translates to (the reader's)."""
    w: dict[str, Any] = EXPORT_WORDS
    tr = {key: {k: gettext(v) for k, v in w[key].items()} for key in ("cell", "shift", "position", "source", "legend")}
    return exports.Words(**tr, off=gettext("Off"), leave=gettext("Lv"),
                         weekdays=tuple(gettext(d) for d in w["weekdays"]), title=gettext("Duty roster"),
                         heads=tuple(gettext(h) for h in w["heads"]),  # type: ignore[arg-type]
                         columns=tuple(gettext(c) for c in w["columns"]), legend_title=gettext("Legend"),
                         substitute=gettext("substitute"), calendar=gettext("Duty — %(name)s", name="%(name)s"),
                         codes_in_csv=False)


EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MIME, "ics": "text/calendar; charset=utf-8"}


def export_published(session: Session, *, start: date, end: date, fmt: str, username: str | None = None,
                     tz: str | None = None, words: exports.Words = exports.CODES) -> tuple[bytes, int]:
    """The published roster of ``start``..``end`` as csv / xlsx, or one person's ics, in ``words`` (the reader's
    language: ``export_words``); with the seat count."""
    tz = tz or duty_lookup.desk_timezone()
    rows = versions.published_assignments(session, start=start, end=end)
    inputs = solve_inputs.build_inputs(session, start=start, days=(end - start).days + 1, previous=False)
    if fmt == "csv":
        return exports.roster_csv(rows, inputs.people, tz, inputs.shifts, words).encode("utf-8-sig"), len(rows)
    if fmt == "xlsx":
        data = exports.roster_xlsx(rows, inputs.people, start, end, day_kinds=inputs.day_kinds,
                                   leaves=inputs.leaves, calendar=inputs.calendar, words=words, shifts=inputs.shifts)
        return data, len(rows)
    if fmt == "ics":
        person = person_by_username(session, username or "")
        mine = [a for a in rows if a.username == person.username]
        return exports.person_ical(mine, seat_holders.to_domain_person(person), tz, inputs.shifts,
                                   words=words), len(mine)
    raise RequestError(N_("Export as csv, xlsx or ics."))


def person_feed(session: Session, *, person: Person, today: date, tz: str | None = None,
                words: exports.Words = exports.CODES) -> bytes:
    """A person's iCalendar feed: their published shifts from ``FEED_PAST_DAYS`` ago to ``FEED_AHEAD_DAYS`` on."""
    start, end = today - timedelta(days=FEED_PAST_DAYS), today + timedelta(days=FEED_AHEAD_DAYS)
    rows = [a for a in versions.published_assignments(session, start=start, end=end) if a.username == person.username]
    shifts = settings_store.current(session).shifts
    return exports.person_ical(rows, seat_holders.to_domain_person(person), tz or duty_lookup.desk_timezone(), shifts,
                               words=words)
