"""Publishing a draft: it gets the next number and becomes immutable; the versions it covers are superseded."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col

from desk import audit
from desk.accounts import N_
from desk.timeutil import utcnow
from roster.concurrency import lock_publishing, transition, with_next_number
from roster.drafts import not_a_draft_any_more
from roster.hand_edits import violation_text
from roster.models import RosterVersion
from roster.refusals import MAX_DAYS, RosterError
from roster.solve_inputs import draft_inputs
from roster.validate import validate
from roster.versions import get_draft, published_versions, snapshot, truth_map, version_assignments


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
    before = snapshot(version)
    now = utcnow()

    def claim(number: int) -> bool:
        return transition(session, RosterVersion, version.id, allowed=("draft",), also=(
            col(RosterVersion.job_status) == "done",), values={
            "number": number, "status": "published", "published_by": actor, "published_at": now})

    if not with_next_number(session, claim):
        raise not_a_draft_any_more(version)
    superseded = supersede_covered(session, start=version.start, end=version.end)
    audit.record(session, actor=actor, action="roster.publish", object_type="roster_version",
                 object_id=version.id, before=before, after={**snapshot(version), "superseded": superseded})
    return version


def supersede_covered(session: Session, *, start: date, end: date) -> list[int]:
    """Mark published versions overlapping the period that no longer own any day as superseded; their numbers."""
    versions = published_versions(session, start=start - timedelta(days=MAX_DAYS), end=end + timedelta(days=MAX_DAYS))
    if not versions:
        return []
    lo, hi = min(v.start for v in versions), max(v.end for v in versions)
    owners = set(truth_map(versions, lo, hi).values())
    out = []
    for v in versions:
        if v.id not in owners and transition(session, RosterVersion, v.id, allowed=("published",),
                                             values={"status": "superseded"}):
            out.append(v.number)
    return out
