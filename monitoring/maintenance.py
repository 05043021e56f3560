"""Maintenance windows (pure): inside one, results are still recorded but raise no anomaly.

A window is either one-off (``start``..``end``, aware datetimes) or weekly (``weekdays`` with a local
``start_time`` and a ``duration``, in the desk time zone ``tz``; a weekly window may run past midnight).
It covers the checks named in ``checks``, or every check when ``checks`` is empty.

The scheduler records every run, then passes the events from ``monitoring.state.apply_result`` through
:func:`filter_events`. When a window ends with a check still in a HARD problem, it calls
``monitoring.state.open_problem_event`` so the problem is raised then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitoring.codes import Code, Message, msg
from monitoring.state import AnomalyEvent

DEFAULT_TZ = "Asia/Shanghai"
YEARS = (2000, 2100)  # the dates a window may have
MAX_REASON = 500


@dataclass(frozen=True)
class MaintenanceWindow:
    """A one-off or weekly maintenance window. Build with :meth:`one_off` or :meth:`weekly`.

    ``weekdays`` uses Python's numbering: 0 = Monday ... 6 = Sunday.
    """

    author: str
    reason: str
    checks: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    weekdays: tuple[int, ...] = ()
    start_time: time | None = None
    duration: timedelta | None = None
    tz: str = DEFAULT_TZ
    id: int | None = None

    @classmethod
    def one_off(
        cls,
        start: datetime,
        end: datetime,
        author: str,
        reason: str,
        checks: tuple[str, ...] | list[str] = (),
        **extra: Any,
    ) -> MaintenanceWindow:
        """A window from ``start`` to ``end`` (aware datetimes)."""
        return cls(author, reason, tuple(checks), start=start, end=end, **extra)

    @classmethod
    def weekly(
        cls,
        weekdays: tuple[int, ...] | list[int],
        start_time: time,
        duration: timedelta,
        author: str,
        reason: str,
        checks: tuple[str, ...] | list[str] = (),
        tz: str = DEFAULT_TZ,
        **extra: Any,
    ) -> MaintenanceWindow:
        """A window every given weekday at local ``start_time`` for ``duration`` in time zone ``tz``."""
        return cls(
            author,
            reason,
            tuple(checks),
            weekdays=tuple(weekdays),
            start_time=start_time,
            duration=duration,
            tz=tz,
            **extra,
        )

    @property
    def is_weekly(self) -> bool:
        """True for a recurring weekly window."""
        return self.start_time is not None

    def covers_check(self, check_name: str) -> bool:
        """True when the window applies to ``check_name`` (an empty list means every check)."""
        return not self.checks or check_name in self.checks

    def active_at(self, now: datetime) -> bool:
        """True when ``now`` (aware) is inside the window; start inclusive, end exclusive."""
        if not self.is_weekly:
            return self.start is not None and self.end is not None and self.start <= now < self.end
        if self.duration is None:
            return False
        return any(start <= now < start + self.duration for start in self._recent_starts(now))

    def _recent_starts(self, now: datetime) -> list[datetime]:
        """Local starts of the occurrences that could still be running at ``now``."""
        assert self.duration is not None and self.start_time is not None  # a weekly window has both
        zone = ZoneInfo(self.tz)
        today = now.astimezone(zone).date()
        days_back = self.duration.days + 1  # an occurrence can only be running if it began this recently
        starts = []
        for back in range(days_back + 1):
            day: date = today - timedelta(days=back)
            if day.weekday() in self.weekdays:
                starts.append(datetime.combine(day, self.start_time, tzinfo=zone))
        return starts


def validate_window(window: MaintenanceWindow) -> dict[str, Message]:
    """``{field: message}`` for a window that cannot work (empty when valid)."""
    errors: dict[str, Message] = {}
    if not window.author.strip():
        errors["author"] = msg(Code.AUTHOR_REQUIRED)
    if not window.reason.strip():
        errors["reason"] = msg(Code.REASON_REQUIRED)
    elif len(window.reason) > MAX_REASON:
        errors["reason"] = msg(Code.TOO_LONG, n=MAX_REASON)
    if window.is_weekly:
        _validate_weekly(window, errors)
    elif window.start is None or window.end is None:
        errors["start"] = msg(Code.ONE_OFF_NEEDS_SPAN)
    elif window.start.tzinfo is None or window.end.tzinfo is None:
        errors["start"] = msg(Code.SPAN_NEEDS_ZONE)
    else:
        _validate_span(window.start, window.end, errors)
    return errors


def _validate_span(start: datetime, end: datetime, errors: dict[str, Message]) -> None:
    """Years within :data:`YEARS` (year 1 or 9999 overflows on conversion to UTC), the end after the start."""
    for key, moment in (("start", start), ("end", end)):
        if not YEARS[0] <= moment.year <= YEARS[1]:
            errors[key] = msg(Code.WINDOW_YEARS, first=YEARS[0], last=YEARS[1])
    if not errors.keys() & {"start", "end"} and end <= start:
        errors["end"] = msg(Code.END_BEFORE_START)


def _validate_weekly(window: MaintenanceWindow, errors: dict[str, Message]) -> None:
    """Weekdays, duration and time zone of a weekly window."""
    if not window.weekdays or not all(isinstance(d, int) and 0 <= d <= 6 for d in window.weekdays):
        errors["weekdays"] = msg(Code.WEEKDAYS_REQUIRED)
    if window.duration is None or not timedelta(0) < window.duration <= timedelta(days=7):
        errors["duration"] = msg(Code.DURATION_RANGE)
    try:
        ZoneInfo(window.tz)
    except (ZoneInfoNotFoundError, ValueError):
        errors["tz"] = msg(Code.ZONE_UNKNOWN, zone=str(window.tz))


def in_maintenance(
    windows: list[MaintenanceWindow], check_name: str, now: datetime
) -> MaintenanceWindow | None:
    """The first window covering ``check_name`` that is active at ``now``, or None."""
    for window in windows:
        if window.covers_check(check_name) and window.active_at(now):
            return window
    return None


def filter_events(
    events: list[AnomalyEvent], windows: list[MaintenanceWindow]
) -> tuple[list[AnomalyEvent], list[tuple[AnomalyEvent, MaintenanceWindow]]]:
    """Split events into (to raise, [(muted event, its window)]), judged at each event's own time."""
    raised: list[AnomalyEvent] = []
    muted: list[tuple[AnomalyEvent, MaintenanceWindow]] = []
    for event in events:
        window = in_maintenance(windows, event.check, event.time)
        if window is None:
            raised.append(event)
        else:
            muted.append((event, window))
    return raised, muted
