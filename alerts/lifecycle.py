"""The alert lifecycle as a table: which statuses each action starts from and the status it leaves.

open → acknowledged → resolved; reopen takes resolved back to open; reassign, repeat and escalation keep the
status. Every action is applied as a conditional UPDATE ``WHERE status IN (from)``: the table is that condition.
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIVE = ("open", "acknowledged")


@dataclass(frozen=True)
class Transition:
    """An action's allowed starting statuses and its resulting status (None: unchanged)."""

    sources: tuple[str, ...]
    target: str | None
    timeline: str
    audit: str


TRANSITIONS: dict[str, Transition] = {
    "raise": Transition((), "open", "raised", "alert.raise"),
    "repeat": Transition(ACTIVE, None, "repeated", "alert.repeat"),
    "acknowledge": Transition(("open",), "acknowledged", "acknowledged", "alert.acknowledge"),
    "resolve": Transition(ACTIVE, "resolved", "resolved", "alert.resolve"),
    "recover": Transition(ACTIVE, "resolved", "recovered", "alert.recover"),
    "reopen": Transition(("resolved",), "open", "reopened", "alert.reopen"),
    "reassign": Transition(ACTIVE, None, "reassigned", "alert.reassign"),
    "route": Transition(("open",), None, "routed", "alert.route"),
    "hand_over": Transition(ACTIVE, None, "handed_over", "alert.hand_over"),
    "escalate": Transition(("open",), None, "escalated", "alert.escalate"),
    "comment": Transition(("open", "acknowledged", "resolved"), None, "commented", "alert.comment"),
}


def allowed(action: str, status: str) -> bool:
    """Whether ``action`` may start from ``status``."""
    return status in TRANSITIONS[action].sources


def actions_for(status: str) -> tuple[str, ...]:
    """The people's actions an alert in ``status`` offers (for the pages' buttons)."""
    return tuple(a for a in ("acknowledge", "resolve", "reopen", "reassign", "comment") if allowed(a, status))
