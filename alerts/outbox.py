"""The outbox, write side: notification rows added in the caller's transaction (delivery sends them).

``enqueue`` writes one :class:`Notification` per enabled desk channel and one e-mail row per person who opted in
to e-mail and has an address. The message is plain JSON (see ALERTS.md), rendered at delivery in its language.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from sqlmodel import Session, select

from alerts.models import Alert, Channel, Notification
from alerts.preferences import wants_email
from desk.models import Person
from desk.timeutil import as_utc

EVENTS = ("raised", "severity_raised", "reminder", "escalated", "repeat", "reassigned", "handed_over", "resolved")


def enqueue(session: Session, *, alert: Alert, event: str, now: datetime, people: Sequence[Person] = (),
            channels: Sequence[Channel] | None = None, wanted: set[int] | None = None) -> list[Notification]:
    """Add the notifications of ``event`` on ``alert`` to ``session`` (the caller commits) and return them.

    ``channels`` (optional) are the enabled channels and ``wanted`` who of ``people`` takes e-mail, when the caller
    already read them (a batch of raises).
    """
    rows = [Notification(**row) for row in notification_rows(session, alert=alert, event=event, now=now,
                                                             people=people, channels=channels, wanted=wanted)]
    session.add_all(rows)
    return rows


def notification_rows(session: Session, *, alert: Alert, event: str, now: datetime, people: Sequence[Person] = (),
                      channels: Sequence[Channel] | None = None,
                      wanted: set[int] | None = None) -> list[dict[str, Any]]:
    """The column values of the notifications of ``event`` on ``alert``: one per enabled desk channel, one e-mail
    per person who takes e-mail. No e-mail at all while the desk has no mail server (:func:`mail_configured`):
    such a row could only fail."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    message = alert_message(session, alert=alert, event=event, people=people)
    mail = mail_configured(session)
    base = {"alert_id": alert.id, "event": event, "message": message, "next_attempt_at": now, "created_at": now}
    rows = [{**base, "kind": c.kind, "channel_id": c.id, "person_id": None, "target": c.target,
             "language": c.language or "zh_CN"}
            for c in (enabled_channels(session) if channels is None else channels) if mail or c.kind != "email"]
    if not mail:
        return rows
    if wanted is None:
        wanted = wants_email(session, [p.id for p in people if p.id is not None and p.email])
    rows += [{**base, "kind": "email", "channel_id": None, "person_id": p.id, "target": p.email,
              "language": p.language or "zh_CN"} for p in _unique(people) if p.id in wanted]
    return rows


MAIL_KEY = "dutydesk.smtp_host"


def mail_configured(session: Session) -> bool:
    """Whether the desk has a mail server (``DUTYDESK_SMTP_HOST``): the session's ``info`` says so when its opener
    set it, else the running app's settings, else the environment (the scheduler reads its settings there)."""
    if MAIL_KEY in session.info:
        return bool(session.info[MAIL_KEY])
    if has_app_context() and "dutydesk.settings" in current_app.extensions:
        return bool(current_app.extensions["dutydesk.settings"].smtp.host)
    return bool(os.environ.get("DUTYDESK_SMTP_HOST", "").strip())


def enabled_channels(session: Session) -> list[Channel]:
    """The desk's enabled channels."""
    return list(session.exec(select(Channel).where(Channel.enabled == True).order_by(Channel.id)))  # noqa: E712


def _unique(people: Sequence[Person]) -> list[Person]:
    """People once each, in order."""
    seen: dict[int | None, Person] = {}
    for person in people:
        seen.setdefault(person.id, person)
    return list(seen.values())


def person_json(person: Person | None) -> dict[str, str] | None:
    """``{"username", "name", "phone"}`` of a person, or None."""
    if person is None:
        return None
    return {"username": person.username, "name": person.display_name, "phone": person.phone}


def alert_message(session: Session, *, alert: Alert, event: str, people: Sequence[Person] = ()) -> dict[str, Any]:
    """The outbox message of ``event`` on ``alert`` (ALERTS.md's shape)."""
    assignee = session.get(Person, alert.assignee_id) if alert.assignee_id else None
    watcher = session.get(Person, alert.watcher_id) if alert.watcher_id else None
    phones = [p.phone for p in _unique(people) if p.phone] or ([assignee.phone] if assignee and assignee.phone else [])
    return {
        "event": event,
        "alert": {
            "id": alert.id, "key": alert.key, "title": alert.title, "severity": alert.severity,
            "domain": alert.domain, "status": alert.status, "source": alert.source,
            "occurrences": alert.occurrences, "first_seen": _iso(alert.first_seen),
            "last_seen": _iso(alert.last_seen), "escalation_step": alert.escalation_step,
            "assignee": person_json(assignee), "watcher": person_json(watcher), "routed_to": alert.routed_to,
        },
        "mention_phones": phones,
        "url": f"/alerts/{alert.id}",
    }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat().replace("+00:00", "Z")
