"""Drafts: generating, amending, solving again, storing a solve's result, discarding."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, delete

from desk import audit
from desk.accounts import N_
from desk.timeutil import utcnow
from roster import stored_text, words
from roster.concurrency import transition
from roster.domain import SolveResult
from roster.models import RosterAssignment, RosterVersion
from roster.refusals import RosterError, check_period, check_text
from roster.seat_holders import people_by_id
from roster.solve_inputs import inputs_for
from roster.versions import get_draft, published_versions, snapshot


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
                 after=snapshot(version))
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
                 after=snapshot(version))
    return version


def discard(session: Session, *, actor: str, version_id: int) -> RosterVersion:
    """Throw a draft away (kept for the record as ``discarded``)."""
    version = get_draft(session, version_id)
    before = snapshot(version)
    if not transition(session, RosterVersion, version.id, allowed=("draft",), values={"status": "discarded"}):
        raise not_a_draft_any_more(version)
    transition(session, RosterVersion, version.id, field="job_status", allowed=("queued",),
               values={"job_status": "failed", "progress": stored_text.encode("discarded")})
    audit.record(session, actor=actor, action="roster.discard", object_type="roster_version",
                 object_id=version.id, before=before, after=snapshot(version))
    return version


def not_a_draft_any_more(version: RosterVersion) -> RosterError:
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
    version.solver_status, version.stage, version.hand_edits = result.status, result.stage, 0
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
