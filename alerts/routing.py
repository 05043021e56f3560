"""Who an alert goes to: a pure function of its domain and the published roster's shift at the moment.

The shift leader on duty is the assignee and the on-duty watcher of the alert's domain is named on it. With no
published roster covering the moment (or no leader on it) the alert goes to the managers, and that coverage gap is
recorded on the alert as ``routed_to = "managers"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class OnDutyLike(Protocol):
    """What routing reads of ``roster.domain.OnDuty`` (so this module needs no roster import)."""

    day: Any
    shift: str
    people: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Routing:
    """The result of routing: usernames (or None) and the shift the alert was routed in."""

    assignee: str | None
    watcher: str | None
    routed_to: str  # "leader", or "managers" when no published roster covers the moment
    shift_day: str | None
    shift_code: str | None

    def as_dict(self) -> dict[str, Any]:
        """The routing as plain JSON (kept on the alert to notice when the roster changes under it)."""
        return {"assignee": self.assignee, "watcher": self.watcher, "routed_to": self.routed_to,
                "shift_day": self.shift_day, "shift_code": self.shift_code}


TO_MANAGERS = Routing(None, None, "managers", None, None)


def route(domain: str | None, on_duty: OnDutyLike | None) -> Routing:
    """Route an alert of ``domain`` (info, comms or None for the whole desk) by the shift on duty.

    The leader on duty is the assignee; the first on-duty watcher of the domain is the watcher. No roster, or a
    shift without a leader, routes to the managers (a coverage gap).
    """
    if on_duty is None:
        return TO_MANAGERS
    leaders = on_duty.people.get("leader", ())
    watchers = on_duty.people.get(domain, ()) if domain else ()
    day, code = on_duty.day.isoformat(), on_duty.shift
    if not leaders:
        return Routing(None, watchers[0] if watchers else None, "managers", day, code)
    return Routing(leaders[0], watchers[0] if watchers else None, "leader", day, code)


def follows_roster(status: str, last: Mapping[str, Any] | None, new: Routing) -> bool:
    """Whether an alert should move to ``new``: only while unacknowledged (open), and only when the roster's
    answer changed since it was last routed (so a reassignment by hand stays until the roster itself changes)."""
    return status == "open" and dict(last or {}) != new.as_dict()
