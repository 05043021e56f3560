"""Hand edits of a solved draft: one seat at a time, validated against every hard rule, and pinned."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlmodel import Session, select

from desk import audit
from desk.accounts import N_, get_by_username
from desk.models import Person
from roster import domain, scorer, words
from roster.domain import Assignment, Pin, RosterInputs
from roster.models import RosterAssignment, RosterPin, RosterVersion
from roster.refusals import RosterError
from roster.scorer import Score
from roster.seat_holders import people_by_id
from roster.solve_inputs import draft_inputs
from roster.validate import validate
from roster.versions import get_draft, version_assignments


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
    inputs, seats = _validate_edit(session, version, seat, person)
    before = {"person_id": seat.person_id, "source": seat.source}
    seat.person_id, seat.source = person.id, "pinned"
    session.add(seat)
    session.add(RosterPin(version_id=version.id, person_id=person.id, day=day, shift=shift, position=position,
                          created_by=actor))
    audit.record(session, actor=actor, action="roster.edit_seat", object_type="roster_version",
                 object_id=version.id, before={**before, "seat": f"{day} {shift} {position}"},
                 after={"person_id": person.id, "username": username, "source": "pinned"})
    rescore(version, replace(inputs, pins=(*inputs.pins, Pin(username, day, shift, position))), seats)
    return seat


def rescore(version: RosterVersion, inputs: RosterInputs, seats: list[Assignment]) -> Score:
    """The draft's cost recomputed by the independent scorer (roster.scorer) from its seats after a hand edit, so
    the summary shows what the roster costs now, not what the solver's answer cost; counts the edit."""
    score = scorer.score(inputs, seats)
    version.objective = score.total
    version.cost_breakdown = [{"rule": c.rule, "username": c.username, "amount": c.amount, "detail": c.detail}
                              for c in score.charges]
    if version.best_bound is not None:
        version.gap = abs(score.total - version.best_bound) / max(1, abs(score.total))
    version.hand_edits = (version.hand_edits or 0) + 1
    return score


def _validate_edit(session: Session, version: RosterVersion, seat: RosterAssignment,
                   person: Person) -> tuple[RosterInputs, list[Assignment]]:
    """The draft's inputs and its seats with the edit made; RosterError naming each hard rule the edit breaks."""
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
    return inputs, changed


def violation_text(v: domain.Violation, people: dict[str, domain.Member] | None = None) -> str:
    """'Li would work the day shift of 01-03 right after a night shift' (English, for logs and the CLI)."""
    names = {u: p.name for u, p in (people or {}).items()}
    return words.violation_sentence(v, names)
