"""The duty board's pure core: which alerts a viewer sees in which order, the board's JSON shape, the ETag stamp.

No Flask and no database here: the views read rows, turn them into the plain values below and call these.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SEVERITY_RANK = {"critical": 0, "major": 1, "minor": 2, "info": 3}  # most severe first, as monitoring
ACTIVE = ("open", "acknowledged")
DOMAIN_FILTERS = ("info", "comms", "desk")  # desk: alerts for the whole desk (no domain)
STATE_FILTERS = ("open", "acknowledged")


@dataclass(frozen=True)
class BoardAlert:
    """What the board shows of one active alert (usernames, not people: names are looked up once)."""

    id: int
    title: str
    severity: str
    domain: str | None
    status: str
    source: str
    occurrences: int
    first_seen: datetime
    last_seen: datetime
    assignee: str | None
    watcher: str | None
    escalation_step: int
    acknowledged_by: str | None = None


@dataclass(frozen=True)
class Filters:
    """The board's filters: a domain (info, comms, desk) and a state (open, acknowledged); None shows all."""

    domain: str | None = None
    state: str | None = None


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Filters from query arguments; unknown values are ignored (the board then shows everything)."""
    domain = args.get("domain") or None
    state = args.get("state") or None
    return Filters(domain if domain in DOMAIN_FILTERS else None, state if state in STATE_FILTERS else None)


def matches(alert: BoardAlert, filters: Filters) -> bool:
    """Whether an alert passes the filters."""
    if filters.state and alert.status != filters.state:
        return False
    if filters.domain == "desk":
        return alert.domain is None
    return not filters.domain or alert.domain == filters.domain


def order(alerts: Iterable[BoardAlert], *, first_domain: str | None = None) -> list[BoardAlert]:
    """Active alerts most severe first, then oldest first; a watcher's own domain (``first_domain``) comes before
    the whole-desk alerts, which come before the other domain's."""

    def key(a: BoardAlert) -> tuple[int, int, datetime, int]:
        group = 0 if first_domain is None or a.domain == first_domain else (1 if a.domain is None else 2)
        return group, SEVERITY_RANK.get(a.severity, len(SEVERITY_RANK)), a.first_seen, a.id

    return sorted((a for a in alerts if a.status in ACTIVE), key=key)


def board_alerts(alerts: Iterable[BoardAlert], filters: Filters, *, first_domain: str | None = None
                 ) -> list[BoardAlert]:
    """The alerts the board lists for these filters, in board order."""
    return order((a for a in alerts if matches(a, filters)), first_domain=first_domain)


def first_domain_of(role: str, seat: str | None, skills: frozenset[str]) -> str | None:
    """The domain a viewer sees first: a watcher's seat on the shift now, else their only skill; leaders and
    managers see the whole desk in one order (None)."""
    if role != "watcher":
        return None
    if seat in ("info", "comms"):
        return seat
    return next(iter(skills)) if len(skills) == 1 else None


def needs_attention(alert: BoardAlert) -> bool:
    """A critical alert nobody has acknowledged yet: highlighted (and sounded) until someone does."""
    return alert.severity == "critical" and alert.status == "open"


def counts(alerts: Sequence[BoardAlert]) -> dict[str, int]:
    """How many active alerts are open, acknowledged, and critical and unacknowledged."""
    return {"open": sum(a.status == "open" for a in alerts),
            "acknowledged": sum(a.status == "acknowledged" for a in alerts),
            "attention": sum(needs_attention(a) for a in alerts)}


def alert_json(alert: BoardAlert, people: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """One row of the board's JSON, with codes: the response's ``labels`` (once, not per row) name them."""
    return {
        "id": alert.id, "title": alert.title, "severity": alert.severity, "domain": alert.domain,
        "status": alert.status, "source": alert.source, "occurrences": alert.occurrences,
        "first_seen": _iso(alert.first_seen),
        "assignee": person_json(alert.assignee, people), "watcher": person_json(alert.watcher, people),
        "escalation_step": alert.escalation_step, "attention": needs_attention(alert),
    }


def person_json(username: str | None, people: Mapping[str, Mapping[str, str]]) -> dict[str, str] | None:
    """``{username, name, phone}`` of a person, or None."""
    if not username:
        return None
    found = people.get(username, {})
    return {"username": username, "name": found.get("name", username), "phone": found.get("phone", "")}


def stamp(parts: Sequence[Any], *, viewer: str, filters: Filters, language: str, now: datetime) -> str:
    """The board's ETag: a digest of the database's change markers, what this viewer asked for, and the minute
    (so the clock-driven parts, the shift on duty and a handover turning late, refresh at least once a minute)."""
    minute = int(now.timestamp() // 60)
    raw = repr((tuple(parts), viewer, filters.domain, filters.state, language, minute))
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:20]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
