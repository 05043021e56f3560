"""Each person's own choice of alert e-mails (``NotificationPreference``).

A person with an e-mail address gets alert e-mails unless they turned them off: the people an alert is for are on
duty, and a new account should not miss its first alert because nobody ticked a box.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from alerts.models import NotificationPreference
from desk import audit
from desk.models import Person
from desk.timeutil import utcnow


def wants_email(session: Session, person_ids: Iterable[int]) -> set[int]:
    """The ids among ``person_ids`` of active people with an address who did not turn alert e-mails off."""
    ids = set(person_ids)
    if not ids:
        return set()
    query = (select(Person.id).outerjoin(NotificationPreference, NotificationPreference.person_id == Person.id)
             .where(Person.id.in_(ids), Person.active, Person.email != "",
                    NotificationPreference.email.is_not(False)))  # type: ignore[union-attr]
    return set(session.exec(query))


def email_enabled(session: Session, person_id: int) -> bool:
    """Whether the person chose to get alert e-mails (the default when they never chose)."""
    row = session.exec(select(NotificationPreference).where(NotificationPreference.person_id == person_id)).first()
    return True if row is None else row.email


def set_email(session: Session, *, actor: str, person: Person, enabled: bool) -> bool:
    """Record the person's choice (with an audit event when it changes); True when it changed."""
    row = session.exec(select(NotificationPreference).where(NotificationPreference.person_id == person.id)).first()
    before = True if row is None else row.email
    if before == enabled:
        return False
    if row is None:
        row = NotificationPreference(person_id=person.id, email=enabled)
    row.email, row.updated_at = enabled, utcnow()
    session.add(row)
    audit.record(session, actor=actor, action="notification.preference", object_type="person",
                 object_id=person.id, before={"email": before}, after={"email": enabled})
    return True
