"""Who is on duty at a moment: ``on_duty(assignments, at) -> OnDuty | None``.

A shift belongs to the calendar date on which it starts, so the night shift of 12-03 runs
12-03 20:00 to 12-04 08:00 local time. The alert routing calls this with the published roster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from roster.domain import DEFAULT_SHIFTS, Assignment, OnDuty, ShiftDef

DEFAULT_TZ = "Asia/Shanghai"


def on_duty(
    assignments: Iterable[Assignment],
    at: datetime,
    shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS,
    tz: str = DEFAULT_TZ,
) -> OnDuty | None:
    """The shift running at the aware datetime ``at`` and who sits each seat; None if unstaffed."""
    if at.tzinfo is None:
        raise ValueError("on_duty needs an aware datetime")
    zone = ZoneInfo(tz)
    local = at.astimezone(zone).replace(tzinfo=None)
    rows = list(assignments)
    for day in (local.date(), local.date() - timedelta(days=1)):
        for sd in shifts:
            if sd.starts_at(day) <= local < sd.ends_at(day):
                found = _staff(rows, day, sd.code)
                if found:
                    begin, end = _aware(sd.starts_at(day), zone), _aware(sd.ends_at(day), zone)
                    return OnDuty(day, sd.code, begin, end, found)
    return None


def next_on_duty(
    assignments: Iterable[Assignment],
    at: datetime,
    shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS,
    tz: str = DEFAULT_TZ,
) -> OnDuty | None:
    """The next shift starting after ``at`` that has people on it (within 2 days), or None."""
    zone, rows = ZoneInfo(tz), list(assignments)
    local = at.astimezone(zone).replace(tzinfo=None)
    starts = sorted(
        ((sd.starts_at(local.date() + timedelta(days=k)), k, sd) for k in range(-1, 3) for sd in shifts),
        key=lambda t: t[:2],
    )
    for begin, k, sd in starts:
        day = local.date() + timedelta(days=k)
        found = _staff(rows, day, sd.code) if begin > local else {}
        if found:
            return OnDuty(day, sd.code, _aware(begin, zone), _aware(sd.ends_at(day), zone), found)
    return None


def _staff(rows: list[Assignment], day, shift: str) -> dict[str, tuple[str, ...]]:
    """position -> usernames on ``shift`` of ``day`` (empty when nobody)."""
    out: dict[str, list[str]] = defaultdict(list)
    for a in rows:
        if a.day == day and a.shift == shift:
            out[a.position].append(a.username)
    return {q: tuple(sorted(us)) for q, us in out.items()}


def _aware(naive: datetime, zone: ZoneInfo) -> datetime:
    """Attach the desk's zone to a naive local time."""
    return naive.replace(tzinfo=zone)
