"""The escalation policy as pure functions: which step is due at ``now`` and when the next one is.

Steps, counted from the alert's escalation base (when it was raised or reopened):

1. ``remind`` minutes unacknowledged: notify the leader again, naming the phone (timeline ``reminded``);
2. ``managers`` minutes after that: notify the managers (``escalated``);
3. and on: every ``repeat`` minutes while still unacknowledged, notify leader and managers again (``reminded``).

Only ``escalation_step`` and ``next_escalation_at`` are stored; the base is recovered from them, so a scheduler
restart finds the due steps from stored times and never relies on an in-memory timer. A scheduler that was down
for a while applies the latest due step once (it does not replay the missed reminders).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

REMINDED, ESCALATED = "reminded", "escalated"


@dataclass(frozen=True)
class Policy:
    """Minutes of the escalation policy (the desk default, or one severity's override)."""

    remind_after: int = 5
    managers_after: int = 10
    repeat_every: int = 30
    severity: str | None = None


DEFAULT = Policy()
LIMITS = (1, 24 * 60)  # minutes: at least one, at most a day


@dataclass(frozen=True)
class Step:
    """A due escalation step: its number, the timeline kind and outbox event, and when the next step is due."""

    number: int
    kind: str
    event: str
    next_at: datetime


def offset(policy: Policy, step: int) -> timedelta:
    """How long after the escalation base step ``step`` (>= 1) is due."""
    if step < 1:
        return timedelta(0)
    minutes = policy.remind_after
    if step >= 2:
        minutes += policy.managers_after + (step - 2) * policy.repeat_every
    return timedelta(minutes=minutes)


def first_due(policy: Policy, base: datetime) -> datetime:
    """When the first step (the reminder) of an alert raised or reopened at ``base`` is due."""
    return base + offset(policy, 1)


def due_step(policy: Policy, *, step: int, next_at: datetime, now: datetime) -> Step | None:
    """The step to apply at ``now`` for an alert at ``step`` whose next step was due at ``next_at``; None if none.

    When several steps came due (the scheduler was down) the latest is returned, once.
    """
    if now < next_at:
        return None
    base = next_at - offset(policy, step + 1)
    number = step + 1
    while base + offset(policy, number + 1) <= now:
        number += 1
    return Step(number, ESCALATED if number == 2 else REMINDED, _event(number), base + offset(policy, number + 1))


def _event(number: int) -> str:
    """The outbox event of a step: reminder, escalated, then repeat."""
    return {1: "reminder", 2: "escalated"}.get(number, "repeat")


def policy_for(severity: str, policies: Iterable[Policy]) -> Policy:
    """The override for ``severity`` if there is one, else the default row (severity None), else :data:`DEFAULT`."""
    rows = {p.severity: p for p in policies}
    return rows.get(severity) or rows.get(None) or DEFAULT


def validate(remind_after: object, managers_after: object, repeat_every: object) -> dict[str, str]:
    """Errors by field name for minutes outside :data:`LIMITS` (empty when valid). Messages are msgids."""
    errors = {}
    for name, value in (("remind_after", remind_after), ("managers_after", managers_after),
                        ("repeat_every", repeat_every)):
        if not isinstance(value, int) or isinstance(value, bool) or not LIMITS[0] <= value <= LIMITS[1]:
            errors[name] = "Between 1 and 1440 minutes."
    return errors
