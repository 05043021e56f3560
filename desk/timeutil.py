"""Time helpers: the desk stores UTC and shows its own local time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
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


# --- the dates the desk accepts ----------------------------------------------------------------------------------
# Every date a person types or a URL carries is bounded to these years: a year 1 or 9999 only ever meant a typo,
# and date arithmetic near those ends overflows (OverflowError) deep inside the solver or the grid.
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2100, 12, 31)


def in_desk_range(value: date | datetime) -> bool:
    """Whether a date (or the UTC date of a moment) lies within the years the desk accepts, 2000–2100."""
    day = as_utc(value).date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE
