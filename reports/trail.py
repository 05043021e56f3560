"""The audit trail for managers: filtered, paged, each entry told as a sentence in the reader's language.

Read-only: nothing here (nor anywhere in the app) changes or deletes an audit event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import func, select
from sqlmodel import Session

from desk import audit
from desk.models import AuditEvent
from desk.templating import ROLE_LABELS
from reports import trail_names

PAGE_SIZE = 50

# One sentence per action code: %(who)s (a person's name) did it to %(what)s (the object told with its name, see
# trail_names). Unknown codes fall back to a generic sentence.
SENTENCES: dict[str, Any] = {
    "roster.generate": _l("%(who)s asked for %(what)s"),
    "roster.amend": _l("%(who)s opened an amendment: %(what)s"),
    "roster.solved": _l("the solver finished %(what)s"),
    "roster.publish": _l("%(who)s published %(what)s"),
    "roster.discard": _l("%(who)s discarded %(what)s"),
    "roster.edit_seat": _l("%(who)s changed a seat by hand in %(what)s"),
    "roster.resolve": _l("%(who)s solved %(what)s again"),
    "roster.settings": _l("%(who)s changed the roster settings"),
    "reports.ack_target": _l("%(who)s changed the alert acknowledgement target"),
    "roster.preference_add": _l("%(who)s added %(what)s"),
    "roster.preference_delete": _l("%(who)s removed %(what)s"),
    "leave.ask": _l("%(who)s filed %(what)s"),
    "leave.approve": _l("%(who)s approved %(what)s"),
    "leave.reject": _l("%(who)s rejected %(what)s"),
    "leave.cancel": _l("%(who)s cancelled %(what)s"),
    "swap.propose": _l("%(who)s proposed %(what)s"),
    "swap.accept": _l("%(who)s accepted %(what)s"),
    "swap.decline": _l("%(who)s declined %(what)s"),
    "swap.cancel": _l("%(who)s withdrew %(what)s"),
    "swap.approve": _l("%(who)s approved %(what)s"),
    "swap.reject": _l("%(who)s rejected %(what)s"),
    "check.create": _l("%(who)s created %(what)s"),
    "check.update": _l("%(who)s changed %(what)s"),
    "check.delete": _l("%(who)s deleted %(what)s"),
    "check.enable": _l("%(who)s switched on %(what)s"),
    "check.disable": _l("%(who)s switched off %(what)s"),
    "check.run_now": _l("%(who)s asked %(what)s to run now"),
    "maintenance.create": _l("%(who)s opened %(what)s"),
    "maintenance.end": _l("%(who)s ended %(what)s"),
    "person.create": _l("%(who)s created the account of %(what)s"),
    "person.update": _l("%(who)s changed the account of %(what)s"),
    "person.activate": _l("%(who)s activated the account of %(what)s"),
    "person.deactivate": _l("%(who)s deactivated the account of %(what)s"),
    "person.change_password": _l("%(who)s changed their password"),
    "person.reset_password": _l("%(who)s reset the password of %(what)s"),
    "notification.preference": _l("%(who)s changed the e-mail notifications of %(what)s"),
    "token.create": _l("%(who)s created %(what)s"),
    "token.revoke": _l("%(who)s revoked %(what)s"),
    "feed.regenerate": _l("%(who)s replaced %(what)s"),
    "alert.raise": _l("%(who)s raised %(what)s"),
    "alert.repeat": _l("%(what)s came in again"),
    "alert.acknowledge": _l("%(who)s acknowledged %(what)s"),
    "alert.resolve": _l("%(who)s resolved %(what)s"),
    "alert.recover": _l("%(what)s recovered by itself"),
    "alert.reopen": _l("%(who)s reopened %(what)s"),
    "alert.reassign": _l("%(who)s reassigned %(what)s"),
    "alert.route": _l("%(who)s routed %(what)s"),
    "alert.hand_over": _l("%(who)s handed over %(what)s"),
    "alert.escalate": _l("%(who)s escalated %(what)s"),
    "alert.comment": _l("%(who)s commented on %(what)s"),
    "alert.policy": _l("%(who)s changed %(what)s"),
    "alert.policy_delete": _l("%(who)s removed %(what)s"),
    "channel.create": _l("%(who)s added %(what)s"),
    "channel.update": _l("%(who)s changed %(what)s"),
    "channel.enable": _l("%(who)s switched on %(what)s"),
    "channel.disable": _l("%(who)s switched off %(what)s"),
    "channel.test": _l("%(who)s sent a test message to %(what)s"),
    "notification.retry": _l("%(who)s sent %(what)s again"),
    "integration.create": _l("%(who)s added %(what)s"),
    "integration.rotate": _l("%(who)s replaced the secret of %(what)s"),
    "integration.enable": _l("%(who)s switched on %(what)s"),
    "integration.disable": _l("%(who)s switched off %(what)s"),
    "handover.write": _l("%(who)s wrote %(what)s"),
    "handover.confirm": _l("%(who)s confirmed %(what)s"),
    "handover.auto": _l("%(who)s wrote %(what)s automatically"),
    "handover.late": _l("%(what)s was not confirmed in time"),
    "holiday.set": _l("%(who)s set %(what)s"),
    "holiday.remove": _l("%(who)s removed %(what)s"),
    "holiday.import": _l("%(who)s imported the holiday calendar %(what)s"),
}
OBJECT_TYPES = tuple(trail_names.KIND_NOUNS)
KIND_NOUNS = trail_names.KIND_NOUNS


def sentence(event: Any, names: trail_names.Names | None = None) -> str:
    """The event told in the reader's language, e.g. '陈立 published roster version 4 (2027-01-01 – 01-31)'.
    ``names`` are the page's (``trail_names.resolve``); without them this one event's are read."""
    names = names or trail_names.resolve(web_session(), [event])
    who, what = names.who(event.actor), names.what(event)
    template = _sentences().get(event.action)
    if template is None:
        return _("%(who)s did %(action)s on %(what)s", who=who, action=event.action,
                 what=what or KIND_NOUNS.get(event.object_type, event.object_type)).strip()
    return template % {"who": who, "what": what}


def web_session() -> Session:
    """The request's session (a sentence told without its page's names reads them itself)."""
    from desk import web

    return web.db()


def _sentences() -> dict[str, str]:
    """SENTENCES in the reader's language, translated once per request (an export tells thousands)."""
    cache = g.setdefault("audit_sentences", {})
    if not cache:
        cache.update({action: str(text) for action, text in SENTENCES.items()})
    return cache


class Teller:
    """A page of events told with the names it needs, read once: ``sentence(e)``, ``changes(e)``, ``who(u)``."""

    def __init__(self, session: Session, events: Iterable[Any]) -> None:
        self.names = trail_names.resolve(session, events)

    def sentence(self, event: Any) -> str:
        """The event as a sentence."""
        return sentence(event, self.names)

    def changes(self, event: Any) -> list[tuple[str, str, str]]:
        """The changed fields with their labels, people by their names."""
        return labelled_changes(event, self.names)

    def who(self, username: str) -> str:
        """A person's name for a username."""
        return self.names.who(username)


def told(session: Session, rows: Iterable[Any], *, batch: int = 1000) -> Iterator[tuple[Any, Teller]]:
    """Each row with the teller of its batch: the names are read once per ``batch`` rows (an export streams)."""
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == batch:
            yield from _told(session, chunk)
            chunk = []
    yield from _told(session, chunk)


def _told(session: Session, chunk: list[Any]) -> Iterator[tuple[Any, Teller]]:
    if chunk:
        teller = Teller(session, chunk)
        yield from ((row, teller) for row in chunk)


def changes(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(field, before, after) of the event (every field of ``after`` that differs from ``before``)."""
    return audit.changes(event)


# The fields the desk's services record, by their label; a field not listed keeps its name.
FIELD_LABELS: dict[str, Any] = {
    "status": _l("Status"), "number": _l("Number"), "start": _l("From"), "end": _l("To"), "note": _l("Note"),
    "job_status": _l("Solve"), "seat": _l("Seat"), "username": _l("Person"), "source": _l("Source"),
    "name": _l("Name"), "enabled": _l("Enabled"), "role": _l("Role"), "active": _lp("person", "active"),
    "reason": _l("Reason"), "display_name": _l("Name"), "superseded": _l("Superseded versions"),
    "skills": _l("Skills"), "team_code": _l("Team"), "phone": _l("Phone"), "email": _l("E-mail"),
    "language": _l("Language"),
}
STATUS_WORDS: dict[str, Any] = {
    "draft": _l("draft"), "published": _l("published"), "superseded": _l("superseded"), "discarded": _l("discarded"),
    "pending": _l("pending"), "approved": _l("approved"), "rejected": _l("rejected"), "cancelled": _l("cancelled"),
}
HIDDEN_FIELDS = ("person_id", "base_version_id")  # ids a reader cannot use; the sentence names the object


def labelled_changes(event: Any, names: trail_names.Names | None = None) -> list[tuple[str, str, str]]:
    """(label, before, after) of the event's changed fields in the reader's language, values as plain text (lists
    joined, None as an empty string, people by their names), ids left out."""
    out = [(str(FIELD_LABELS.get(k, k)), _plain(old, k, names), _plain(new, k, names))
           for k, old, new in audit.changes(event) if k not in HIDDEN_FIELDS]
    return [(label, old, new) for label, old, new in out if old or new]  # a field empty before and after says nothing


PERSON_FIELDS = ("username", "from", "to")  # fields that hold a username: told by the person's name


def _plain(value: Any, field: str = "", names: trail_names.Names | None = None) -> str:
    if names is not None and field in PERSON_FIELDS and isinstance(value, str) and value:
        return names.who(value)
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
    teller = Teller(session, events)
    return {"template": "reports/_recent_changes.html", "class": "wide", "events": events,
            "sentence": teller.sentence, "changes": teller.changes}


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
