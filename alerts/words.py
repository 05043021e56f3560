"""The one rendering layer of the alert codes: severities, statuses, domains, sources and timeline entries in the
reader's language (Flask-Babel). Stored params never hold sentences; this module makes them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

SEVERITY_LABELS = {"critical": _l("Critical"), "major": _l("Major"), "minor": _l("Minor"), "info": _l("Info")}
STATUS_LABELS = {"open": lazy_pgettext("alert status", "Open"), "acknowledged": _l("Acknowledged"),
                 "resolved": _l("Resolved")}
DOMAIN_LABELS = {"info": _l("Information"), "comms": _l("Communications"), None: _l("Whole desk")}
SOURCE_LABELS = {"patrol": _l("Patrol"), "alertmanager": _l("Alertmanager"), "webhook": _l("Webhook"),
                 "manual": _l("By hand")}
ROUTED_LABELS = {"leader": _l("Shift leader on duty"), "managers": _l("Managers (no roster covers this moment)")}


def label(table: Mapping[Any, Any], code: Any) -> str:
    """The label of ``code`` in one of the tables above (the code itself when unknown)."""
    return str(table.get(code, code if code is not None else ""))


def _who(params: Mapping[str, Any], key: str) -> str:
    value = params.get(key)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value) if value else "—"


def _raised(p: Mapping[str, Any]) -> str:
    if p.get("routed_to") == "managers":
        return _("Raised (%(source)s); no published roster covers this moment: sent to the managers.",
                 source=label(SOURCE_LABELS, p.get("source")))
    return _("Raised (%(source)s); assigned to the shift leader %(leader)s, watcher %(watcher)s.",
             source=label(SOURCE_LABELS, p.get("source")), leader=_who(p, "assignee"), watcher=_who(p, "watcher"))


def _routed(p: Mapping[str, Any]) -> str:
    if p.get("routed_to") == "managers":
        return _("The roster changed: no leader on duty, sent to the managers.")
    return _("The roster changed: moved from %(old)s to the shift leader %(leader)s, watcher %(watcher)s.",
             old=_who(p, "from"), leader=_who(p, "assignee"), watcher=_who(p, "watcher"))


_TEXTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "raised": _raised,
    "repeated": lambda p: _("Occurred again (%(count)s times in all).", count=p.get("occurrences", "?")),
    "severity_raised": lambda p: _("Occurred again with a higher severity: %(old)s → %(new)s (%(count)s times in "
                                   "all).", old=label(SEVERITY_LABELS, p.get("from")),
                                   new=label(SEVERITY_LABELS, p.get("to")), count=p.get("occurrences", "?")),
    "acknowledged": lambda p: _("Acknowledged."),
    "resolved": lambda p: _("Resolved by hand."),
    "recovered": lambda p: _("Recovered at its source: resolved."),
    "reopened": lambda p: _("Reopened; assigned to %(leader)s.", leader=_who(p, "assignee")),
    "reassigned": lambda p: _("Reassigned from %(old)s to %(new)s.", old=_who(p, "from"), new=_who(p, "to")),
    "commented": lambda p: _("Comment."),
    "routed": _routed,
    "notified": lambda p: _("Notified through %(channel)s.", channel=_who(p, "channel")),
    "notification_failed": lambda p: _("Notification through %(channel)s failed: %(error)s",
                                       channel=_who(p, "channel"), error=_who(p, "error")),
    "reminded": lambda p: _("Not acknowledged: reminded %(people)s (phone %(phones)s), step %(step)s.",
                            people=_who(p, "to"), phones=_who(p, "phones"), step=p.get("step", "?")),
    "escalated": lambda p: _("Not acknowledged: escalated to the managers %(people)s, step %(step)s.",
                             people=_who(p, "to"), step=p.get("step", "?")),
    "handed_over": lambda p: _("Handed over from %(old)s to %(new)s.", old=_who(p, "from"), new=_who(p, "to")),
}


def event_text(kind: str, params: Mapping[str, Any] | None) -> str:
    """The sentence of a timeline entry of ``kind`` with its ``params``, in the current request's language."""
    render = _TEXTS.get(kind)
    return render(params or {}) if render else kind
