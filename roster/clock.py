"""The roster's clock: the real one, or the moment an operator's demo or a test pins with
``app.config["DUTYDESK_NOW"]`` (an aware datetime, or a callable returning one).

Every view that asks "what is today / now" goes through here, so a page's notion of today can be fixed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from desk.timeutil import as_utc, utcnow

CONFIG_KEY = "DUTYDESK_NOW"


def now() -> datetime:
    """The current moment (aware UTC): the app's pinned clock when it has one, else the real time."""
    pinned: datetime | Callable[[], datetime] | None = current_app.config.get(CONFIG_KEY) if has_app_context() \
        else None
    if pinned is None:
        return utcnow()
    return as_utc(pinned() if callable(pinned) else pinned)


def today(tz: ZoneInfo) -> date:
    """Today's date in the time zone ``tz`` by ``now()``."""
    return now().astimezone(tz).date()
