"""The audit trail for managers: filtered, paged, each entry told as a sentence in the reader's language.

Read-only: nothing here (nor anywhere in the app) changes or deletes an audit event.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlmodel import Session

from desk import audit
from desk.models import AuditEvent
from desk.templating import ROLE_LABELS

PAGE_SIZE = 50

# One sentence per action code; %(who)s did it to %(what)s. Unknown codes fall back to a generic sentence.
SENTENCES: dict[str, Any] = {
    "roster.generate": _l("%(who)s asked for a new roster draft %(what)s"),
    "roster.amend": _l("%(who)s opened an amendment %(what)s"),
    "roster.solved": _l("the solver finished roster draft %(what)s"),
    "roster.publish": _l("%(who)s published roster %(what)s"),
    "roster.discard": _l("%(who)s discarded roster draft %(what)s"),
    "roster.edit_seat": _l("%(who)s changed a seat by hand in roster draft %(what)s"),
    "roster.resolve": _l("%(who)s solved roster draft %(what)s again"),
    "roster.settings": _l("%(who)s changed the roster settings"),
    "reports.ack_target": _l("%(who)s changed the alert acknowledgement target"),
    "roster.preference_add": _l("%(who)s added a wish %(what)s"),
    "roster.preference_delete": _l("%(who)s removed a wish %(what)s"),
    "leave.ask": _l("%(who)s asked for leave %(what)s"),
    "leave.approve": _l("%(who)s approved leave %(what)s"),
    "leave.reject": _l("%(who)s rejected leave %(what)s"),
    "leave.cancel": _l("%(who)s cancelled leave %(what)s"),
    "swap.propose": _l("%(who)s proposed shift swap %(what)s"),
    "swap.accept": _l("%(who)s accepted shift swap %(what)s"),
    "swap.decline": _l("%(who)s declined shift swap %(what)s"),
    "swap.cancel": _l("%(who)s cancelled shift swap %(what)s"),
    "swap.approve": _l("%(who)s approved shift swap %(what)s"),
    "swap.reject": _l("%(who)s rejected shift swap %(what)s"),
    "check.create": _l("%(who)s created patrol check %(what)s"),
    "check.update": _l("%(who)s changed patrol check %(what)s"),
    "check.delete": _l("%(who)s deleted patrol check %(what)s"),
    "check.enable": _l("%(who)s switched patrol check %(what)s on or off"),
    "check.run_now": _l("%(who)s asked patrol check %(what)s to run now"),
    "maintenance.create": _l("%(who)s opened maintenance window %(what)s"),
    "maintenance.end": _l("%(who)s ended maintenance window %(what)s"),
    "person.create": _l("%(who)s created the account %(what)s"),
    "person.update": _l("%(who)s changed the account %(what)s"),
    "person.activate": _l("%(who)s activated the account %(what)s"),
    "person.deactivate": _l("%(who)s deactivated the account %(what)s"),
    "person.change_password": _l("%(who)s changed their password"),
    "person.reset_password": _l("%(who)s reset the password of %(what)s"),
    "token.create": _l("%(who)s created API token %(what)s"),
    "feed.regenerate": _l("%(who)s replaced calendar feed link %(what)s"),
}
OBJECT_TYPES = ("roster_version", "roster_settings", "leave", "swap", "preference", "check", "maintenance",
                "person", "api_token", "feed_token", "alert", "handover", "report_settings")


def sentence(event: AuditEvent) -> str:
    """The event told in the reader's language, e.g. 'li published roster #12'."""
    what = f"#{event.object_id}" if event.object_id else ""
    who = event.actor
    template = _sentences().get(event.action)
    if template is None:
        return _("%(who)s did %(action)s on %(kind)s %(what)s", who=who, action=event.action,
                 kind=event.object_type, what=what).strip()
    return template % {"who": who, "what": what}


def _sentences() -> dict[str, str]:
    """SENTENCES in the reader's language, translated once per request (an export tells thousands)."""
    cache = g.setdefault("audit_sentences", {})
    if not cache:
        cache.update({action: str(text) for action, text in SENTENCES.items()})
    return cache


def changes(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(field, before, after) of the event (every field of ``after`` that differs from ``before``)."""
    return audit.changes(event)


# The fields the desk's services record, by their label; a field not listed keeps its name.
FIELD_LABELS: dict[str, Any] = {
    "status": _l("Status"), "number": _l("Number"), "start": _l("From"), "end": _l("To"), "note": _l("Note"),
    "job_status": _l("Solve"), "seat": _l("Seat"), "username": _l("Person"), "source": _l("Source"),
    "name": _l("Name"), "enabled": _l("Enabled"), "role": _l("Role"), "active": _l("active"),
    "reason": _l("Reason"), "display_name": _l("Name"), "superseded": _l("Superseded versions"),
    "skills": _l("Skills"), "team_code": _l("Team"), "phone": _l("Phone"), "email": _l("E-mail"),
    "language": _l("Language"),
}
STATUS_WORDS: dict[str, Any] = {
    "draft": _l("draft"), "published": _l("published"), "superseded": _l("superseded"), "discarded": _l("discarded"),
    "pending": _l("pending"), "approved": _l("approved"), "rejected": _l("rejected"), "cancelled": _l("cancelled"),
}
HIDDEN_FIELDS = ("person_id", "base_version_id")  # ids a reader cannot use; the sentence names the object


def labelled_changes(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(label, before, after) of the event's changed fields in the reader's language, values as plain text (lists
    joined, None as an empty string), ids left out."""
    out = [(str(FIELD_LABELS.get(k, k)), _plain(old, k), _plain(new, k)) for k, old, new in audit.changes(event)
           if k not in HIDDEN_FIELDS]
    return [(label, old, new) for label, old, new in out if old or new]  # a field empty before and after says nothing


def _plain(value: Any, field: str = "") -> str:
    if field == "status" and value in STATUS_WORDS:
        return str(STATUS_WORDS[value])
    if field == "role" and value in ROLE_LABELS:
        return str(ROLE_LABELS[value])
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def recent_panel(session: Session, person: Any) -> dict[str, Any] | None:
    """The home page's latest changes for managers, told as the audit trail tells them."""
    if getattr(person, "role", None) != "manager":
        return None
    events = list(session.execute(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                  .limit(10)).scalars())
    return {"template": "reports/_recent_changes.html", "class": "wide", "events": events,
            "sentence": sentence, "changes": labelled_changes}


@dataclass(frozen=True)
class TrailFilter:
    """What the manager asked to see (empty: anything); ``since``/``until`` are aware UTC datetimes."""

    actor: str = ""
    object_type: str = ""
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _where(query: Any, f: TrailFilter) -> Any:
    if f.actor:
        query = query.where(AuditEvent.actor == f.actor)
    if f.object_type:
        query = query.where(AuditEvent.object_type == f.object_type)
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.since:
        query = query.where(AuditEvent.at >= f.since)
    if f.until:
        query = query.where(AuditEvent.at < f.until)
    return query


def page(session: Session, *, filters: TrailFilter, number: int = 1,
         size: int = PAGE_SIZE) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and how many match in all."""
    total = session.execute(_where(select(func.count()).select_from(AuditEvent), filters)).scalar() or 0
    query = _where(select(AuditEvent), filters).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    rows = session.execute(query.offset(max(0, number - 1) * size).limit(size)).scalars().all()
    return list(rows), int(total)


EXPORT_LIMIT = 50_000
_EXPORT_COLUMNS = (AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id,
                   AuditEvent.before, AuditEvent.after)


def export_events(session: Session, *, filters: TrailFilter, limit: int = EXPORT_LIMIT) -> Iterator[Any]:
    """The matching events newest first as plain rows (``at``, ``actor``, ``action``, ``object_type``,
    ``object_id``, ``before``, ``after``: what ``sentence`` reads), fetched a thousand at a time."""
    query = _where(select(*_EXPORT_COLUMNS), filters).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    yield from session.execute(query.limit(limit).execution_options(yield_per=1000))


def actions(session: Session) -> list[str]:
    """Every action code recorded so far (for the filter's choices)."""
    return sorted(set(SENTENCES) | set(session.execute(select(AuditEvent.action).distinct()).scalars()))


def actors(session: Session) -> list[str]:
    """Everyone who has done something recorded."""
    return sorted(session.execute(select(AuditEvent.actor).distinct()).scalars())
