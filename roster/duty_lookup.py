"""Who is on duty at a moment per the published roster, read from the database (the alert routing, the board,
the on-duty page). The pure part, over a list of seats, is ``roster.oncall``."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from sqlmodel import Session

from roster import domain, oncall, settings_store
from roster.domain import Assignment
from roster.versions import published_assignments


def desk_timezone() -> str:
    """The desk's time zone: the app's setting inside a request or command, else the environment."""
    try:
        from flask import current_app

        return current_app.extensions["dutydesk.settings"].timezone
    except (RuntimeError, KeyError):
        return os.environ.get("DUTYDESK_TIMEZONE", oncall.DEFAULT_TZ)


def _around(session: Session, at: datetime, tz: str) -> tuple[list[Assignment], tuple[domain.ShiftDef, ...]]:
    from zoneinfo import ZoneInfo

    local = at.astimezone(ZoneInfo(tz)).date()
    rows = published_assignments(session, start=local - timedelta(days=1), end=local + timedelta(days=2))
    return rows, settings_store.current(session).shifts


def on_duty_at(session: Session, *, at: datetime, tz: str | None = None) -> domain.OnDuty | None:
    """Who sits each seat of the shift running at the aware moment ``at`` per the published roster; None when no
    published roster covers it (the alert routing then goes to the managers)."""
    tz = tz or desk_timezone()
    rows, shifts = _around(session, at, tz)
    return oncall.on_duty(rows, at, shifts, tz)


def next_on_duty_at(session: Session, *, at: datetime, tz: str | None = None) -> domain.OnDuty | None:
    """The next staffed shift after ``at`` (within two days), or None."""
    tz = tz or desk_timezone()
    rows, shifts = _around(session, at, tz)
    return oncall.next_on_duty(rows, at, shifts, tz)
