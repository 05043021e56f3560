"""A person's wishes to work or not work a date or a weekday (soft rule ``preference``)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from desk import audit
from desk.accounts import N_
from roster import settings_store
from roster.models import Preference
from roster.refusals import RosterError


def preferences_of(session: Session, *, person_id: int) -> list[Preference]:
    """A person's wishes, oldest first."""
    return list(session.exec(select(Preference).where(Preference.person_id == person_id).order_by(Preference.id)))


def add_preference(session: Session, *, actor: str, person_id: int, wanted: bool, day: date | None = None,
                   weekday: int | None = None, shift: str | None = None, weight: int = 1) -> Preference:
    """Record a wish to work (``wanted``) or not work a date or a weekday, one shift or any; the next solves
    honour it where they can (soft rule ``preference``)."""
    if (day is None) == (weekday is None):
        raise RosterError(N_("Choose either a date or a weekday."))
    if (weekday is not None and not 0 <= weekday <= 6) or not 1 <= weight <= 5:
        raise RosterError(N_("That wish is not understood."))
    codes = [s.code for s in settings_store.current(session).shifts]
    if shift is not None and shift not in codes:
        raise RosterError(N_("This desk has no shift %(code)s; its shifts are %(codes)s."), code=shift,
                          codes=", ".join(codes))
    if len(preferences_of(session, person_id=person_id)) >= 20:
        raise RosterError(N_("At most 20 wishes per person: remove one first."))
    pref = Preference(person_id=person_id, wanted=wanted, day=day, weekday=weekday, shift=shift, weight=weight)
    session.add(pref)
    session.flush()
    audit.record(session, actor=actor, action="roster.preference_add", object_type="preference", object_id=pref.id,
                 after={"person_id": person_id, "wanted": wanted, "day": day.isoformat() if day else None,
                        "weekday": weekday, "shift": shift, "weight": weight})
    return pref


def delete_preference(session: Session, *, actor: str, person_id: int, preference_id: int) -> None:
    """Remove one of the person's own wishes."""
    pref = session.get(Preference, preference_id)
    if pref is None or pref.person_id != person_id:
        raise RosterError(N_("No such wish."))
    audit.record(session, actor=actor, action="roster.preference_delete", object_type="preference",
                 object_id=pref.id, before={"person_id": person_id, "wanted": pref.wanted})
    session.delete(pref)
