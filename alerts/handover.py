"""Handover (交接班), the pure part: which shift change is at hand at a moment, whether its handover may be written
or is late, and the outgoing shift's summary from plain data. Time is always passed in.

A shift belongs to the date on which it starts (the night of 12-03 runs 12-03 20:00 to 12-04 08:00). The change
at hand is the next one when it is less than ``WRITE_BEFORE`` away (the outgoing leader writes ahead), else the one
that just happened (the incoming leader confirms after it). Unconfirmed ``LATE_AFTER`` past the change, the
scheduler moves the alerts anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from roster.domain import DEFAULT_SHIFTS, ShiftDef

WRITE_BEFORE = timedelta(hours=1)
LATE_AFTER = timedelta(minutes=30)
ACTIVE = ("open", "acknowledged")


@dataclass(frozen=True)
class ShiftRef:
    """One shift on one day with its aware start and end."""

    day: date
    code: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Change:
    """A shift change: ``outgoing`` ends and ``incoming`` begins at ``at``."""

    outgoing: ShiftRef
    incoming: ShiftRef

    @property
    def at(self) -> datetime:
        return self.outgoing.ends_at

    @property
    def deadline(self) -> datetime:
        """After this moment an unconfirmed handover is late and the scheduler moves the alerts."""
        return self.at + LATE_AFTER


def shifts_around(now: datetime, shifts: Sequence[ShiftDef] = DEFAULT_SHIFTS, tz: str = "Asia/Shanghai"
                  ) -> list[ShiftRef]:
    """Every shift starting from two days before ``now`` to two days after (desk time), in start order."""
    zone = ZoneInfo(tz)
    local_day = now.astimezone(zone).date()
    refs = [ShiftRef(day, sd.code, sd.starts_at(day).replace(tzinfo=zone), sd.ends_at(day).replace(tzinfo=zone))
            for day in (local_day + timedelta(days=k) for k in range(-2, 3)) for sd in shifts]
    return sorted(refs, key=lambda r: r.starts_at)


def changes_around(now: datetime, shifts: Sequence[ShiftDef] = DEFAULT_SHIFTS, tz: str = "Asia/Shanghai"
                   ) -> list[Change]:
    """The shift changes near ``now``: each shift handing to the next one that starts when or after it ends."""
    refs = shifts_around(now, shifts, tz)
    out = []
    for i, ref in enumerate(refs):
        following = [r for r in refs[i + 1:] if r.starts_at >= ref.ends_at]
        if following:
            out.append(Change(ref, following[0]))
    return out


def change_at_hand(now: datetime, shifts: Sequence[ShiftDef] = DEFAULT_SHIFTS, tz: str = "Asia/Shanghai"
                   ) -> Change:
    """The change a handover page is about at ``now``: the next one when it is within ``WRITE_BEFORE``, else the
    last one that happened."""
    changes = changes_around(now, shifts, tz)
    upcoming = [c for c in changes if c.at > now]
    if upcoming and upcoming[0].at - now <= WRITE_BEFORE:
        return upcoming[0]
    return [c for c in changes if c.at <= now][-1]


def last_change(now: datetime, shifts: Sequence[ShiftDef] = DEFAULT_SHIFTS, tz: str = "Asia/Shanghai") -> Change:
    """The latest change at or before ``now``."""
    return [c for c in changes_around(now, shifts, tz) if c.at <= now][-1]


def may_write(change: Change, now: datetime) -> bool:
    """Whether the outgoing leader may write this change's handover at ``now`` (from ``WRITE_BEFORE`` ahead)."""
    return now >= change.at - WRITE_BEFORE


def is_late(change: Change, now: datetime) -> bool:
    """Whether a handover not confirmed by ``now`` is late (strictly more than ``LATE_AFTER`` after the change)."""
    return now > change.deadline


# --- the outgoing shift's summary -----------------------------------------------------------------------------

@dataclass(frozen=True)
class AlertFact:
    """What the summary needs of an alert."""

    id: int
    title: str
    severity: str
    status: str
    first_seen: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class NoteFact:
    """A note written on an alert's timeline (a comment, an acknowledgement or resolution note)."""

    alert_id: int
    at: datetime
    actor: str
    kind: str
    note: str


@dataclass(frozen=True)
class PatrolFact:
    """A check that had HARD problem results during the shift."""

    check: str
    worst: str
    results: int
    first_at: datetime
    last_at: datetime


def summarise(start: datetime, end: datetime, alerts: Iterable[AlertFact], notes: Iterable[NoteFact] = (),
              patrols: Iterable[PatrolFact] = ()) -> dict[str, Any]:
    """The shift ``start``..``end``'s summary as stored on the handover (plain JSON): the alerts raised,
    acknowledged and resolved in it and those still active, the failed patrols, and the shift's notes."""

    def inside(t: datetime | None) -> bool:
        return t is not None and start <= t < end

    rows = sorted(alerts, key=lambda a: a.id)
    return {
        "start": start.isoformat(), "end": end.isoformat(),
        "raised": [_brief(a) for a in rows if inside(a.first_seen)],
        "acknowledged": [_brief(a) for a in rows if inside(a.acknowledged_at)],
        "resolved": [_brief(a) for a in rows if inside(a.resolved_at)],
        "active": [_brief(a) for a in rows if a.status in ACTIVE],
        "patrols": [{"check": p.check, "worst": p.worst, "results": p.results, "first_at": p.first_at.isoformat(),
                     "last_at": p.last_at.isoformat()} for p in sorted(patrols, key=lambda p: p.check)],
        "notes": [{"alert_id": n.alert_id, "at": n.at.isoformat(), "actor": n.actor, "kind": n.kind,
                   "note": n.note} for n in sorted(notes, key=lambda n: (n.at, n.alert_id)) if inside(n.at)],
    }


def _brief(alert: AlertFact) -> dict[str, Any]:
    return {"id": alert.id, "title": alert.title, "severity": alert.severity, "status": alert.status}


def summary_counts(summary: dict[str, Any]) -> dict[str, int]:
    """How many entries each list of a stored summary has (0 for a list it lacks)."""
    return {key: len(summary.get(key) or []) for key in ("raised", "acknowledged", "resolved", "active",
                                                           "patrols", "notes")}
