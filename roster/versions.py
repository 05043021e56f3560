"""Roster versions on the database: finding them, their seats, the published truth, and diffs between rosters.

The published truth: for each day, the published version with the highest number whose period covers the day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from desk.accounts import N_
from desk.models import Person
from roster import domain
from roster.domain import Assignment
from roster.models import RosterAssignment, RosterVersion
from roster.refusals import RosterError


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


def drafts(session: Session, *, start: date, end: date) -> list[RosterVersion]:
    """Drafts overlapping ``start``..``end``, newest first."""
    return list(session.exec(select(RosterVersion).where(
        RosterVersion.status == "draft", RosterVersion.start <= end, RosterVersion.end >= start)
        .order_by(col(RosterVersion.id).desc())))


def history(session: Session) -> list[RosterVersion]:
    """Every version, newest first (drafts too)."""
    return list(session.exec(select(RosterVersion).order_by(col(RosterVersion.id).desc())))


def snapshot(v: RosterVersion) -> dict[str, Any]:
    return {"status": v.status, "number": v.number, "start": v.start.isoformat(), "end": v.end.isoformat(),
            "base_version_id": v.base_version_id, "note": v.note, "job_status": v.job_status}


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
    rows = (Assignment(a.day, a.shift, a.position, u, a.source) for a, u in session.exec(q))
    return sorted(rows, key=assignment_order)


def assignment_order(a: Assignment) -> tuple:
    return a.day, a.shift, domain.POSITIONS.index(a.position) if a.position in domain.POSITIONS else 9, a.username


def published_assignments(session: Session, *, start: date, end: date) -> list[Assignment]:
    """The current published truth over ``start``..``end`` (inclusive), across versions, sorted."""
    return truth_assignments(session, published_versions(session, start=start, end=end), start, end)


def truth_assignments(session: Session, versions: list[RosterVersion], start: date, end: date) -> list[Assignment]:
    """The seats over ``start``..``end`` of whichever of ``versions`` (newest first) owns each day, in one query."""
    if not versions:
        return []
    days = truth_map(versions, start, end)
    q = (select(RosterAssignment, Person.username).join(Person, Person.id == RosterAssignment.person_id)
         .where(col(RosterAssignment.version_id).in_([v.id for v in versions]),
                RosterAssignment.day >= start, RosterAssignment.day <= end))
    out = [Assignment(a.day, a.shift, a.position, u, a.source) for a, u in session.exec(q)
           if days.get(a.day) == a.version_id]
    return sorted(out, key=assignment_order)


def published_days(session: Session, *, start: date, end: date) -> dict[date, int]:
    """day -> number of the published version that is the truth for it."""
    versions = published_versions(session, start=start, end=end)
    numbers = {v.id: v.number for v in versions}
    return {d: numbers[v] for d, v in truth_map(versions, start, end).items()}


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
    for key in sorted(set(a) | set(b), key=lambda k: (k[0], k[1], assignment_order(Assignment(*k, ""))[2])):
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
        theirs = before_publication(session, version)
    return diff(theirs, mine, version.start, version.end)


def before_publication(session: Session, version: RosterVersion) -> list[Assignment]:
    """What was published over ``version``'s period just before it was (older numbers only; none for a version
    that was never published)."""
    if version.number is None:
        return []
    older = list(session.exec(select(RosterVersion).where(
        col(RosterVersion.status).in_(("published", "superseded")), col(RosterVersion.number) < version.number,
        RosterVersion.start <= version.end, RosterVersion.end >= version.start)
        .order_by(col(RosterVersion.number).desc())))
    return truth_assignments(session, older, version.start, version.end)


def has_baseline(session: Session, *, version: RosterVersion) -> bool:
    """Whether a diff of ``version`` compares with something: a published roster over its period (drafts) or an
    older published version (published ones)."""
    if version.number is None:
        return bool(published_versions(session, start=version.start, end=version.end))
    return bool(before_publication(session, version))
