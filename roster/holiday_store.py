"""The desk's holiday calendar in the database (table ``holidayday``): read it as a ``holidays.Calendar``,
set or remove a day, import a parsed file. Every change is audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import Session, select

from desk import audit
from desk.timeutil import utcnow
from roster.holidays import OVERRIDE_KINDS, Calendar, Override
from roster.models import HolidayDay


class HolidayError(ValueError):
    """A day the calendar cannot take: ``field`` is the form field, ``code`` what is wrong."""

    def __init__(self, field: str, code: str):
        super().__init__(code)
        self.field, self.code = field, code


def calendar(session: Session) -> Calendar:
    """The library's calendar with every day of the desk's own on top."""
    return Calendar({o.day: o for o in desk_days(session)})


def desk_days(session: Session, year: int | None = None) -> list[Override]:
    """The desk's own days (of ``year``), by date."""
    stmt = select(HolidayDay).order_by(HolidayDay.day)
    if year is not None:
        stmt = stmt.where(HolidayDay.day >= date(year, 1, 1), HolidayDay.day <= date(year, 12, 31))
    return [Override(r.day, r.kind, r.name) for r in session.exec(stmt)]


def set_day(session: Session, *, actor: str, day: Override) -> None:
    """Add the desk's entry for ``day.day`` or change it."""
    if day.kind not in OVERRIDE_KINDS:
        raise HolidayError("kind", "bad_kind")
    row = session.exec(select(HolidayDay).where(HolidayDay.day == day.day)).first()
    before = _public(row)
    if row is None:
        row = HolidayDay(day=day.day, kind=day.kind)
    row.kind, row.name, row.updated_by, row.updated_at = day.kind, day.name, actor, utcnow()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="holiday.set", object_type="holiday", object_id=day.day.isoformat(),
                 before=before, after=_public(row))


def remove_day(session: Session, *, actor: str, day: date) -> bool:
    """Remove the desk's entry for ``day`` (the library's word stands again); False when there was none."""
    row = session.exec(select(HolidayDay).where(HolidayDay.day == day)).first()
    if row is None:
        return False
    before = _public(row)
    session.delete(row)
    audit.record(session, actor=actor, action="holiday.remove", object_type="holiday", object_id=day.isoformat(),
                 before=before)
    return True


def import_days(session: Session, *, actor: str, days: Iterable[Override], source: str = "") -> tuple[int, int]:
    """Set every day of a parsed file; returns (added, changed). One audit event for the whole import."""
    days = list(days)
    existing = {r.day: r for r in session.exec(select(HolidayDay).where(HolidayDay.day.in_([d.day for d in days])))}
    added = changed = 0
    for d in days:
        row = existing.get(d.day)
        if row is None:
            session.add(HolidayDay(day=d.day, kind=d.kind, name=d.name, updated_by=actor))
            added += 1
        elif (row.kind, row.name) != (d.kind, d.name):
            row.kind, row.name, row.updated_by, row.updated_at = d.kind, d.name, actor, utcnow()
            changed += 1
    session.flush()
    audit.record(session, actor=actor, action="holiday.import", object_type="holiday", object_id=source[:64],
                 after={"days": len(days), "added": added, "changed": changed})
    return added, changed


def _public(row: HolidayDay | None) -> dict[str, Any] | None:
    return None if row is None else {"day": row.day.isoformat(), "kind": row.kind, "name": row.name}
