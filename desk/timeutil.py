"""Time helpers: the desk stores UTC and shows its own local time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat a naive datetime as UTC (as the database returns it) and convert an aware one to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """The same instant in the desk's time zone, or None."""
    return None if value is None else as_utc(value).astimezone(tz)
