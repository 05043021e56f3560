"""Maintenance windows: one-off and weekly in the desk time zone; events inside them are muted."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitoring.checkspec import State
from monitoring.codes import Code
from monitoring.maintenance import MaintenanceWindow, filter_events, in_maintenance, validate_window
from monitoring.state import AnomalyEvent

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    """A Shanghai local time."""
    return datetime(*args, tzinfo=SH)


ONE_OFF = MaintenanceWindow.one_off(at(2026, 3, 2, 22), at(2026, 3, 3, 2), "li", "DB upgrade", ["db"])
# Saturdays 23:00 local for 3 hours: runs past midnight into Sunday
WEEKLY = MaintenanceWindow.weekly([5], time(23, 0), timedelta(hours=3), "wang", "backup", [])


def test_one_off_window_bounds():
    assert in_maintenance([ONE_OFF], "db", at(2026, 3, 2, 22)) is ONE_OFF
    assert in_maintenance([ONE_OFF], "db", at(2026, 3, 3, 1, 59)) is ONE_OFF
    assert in_maintenance([ONE_OFF], "db", at(2026, 3, 3, 2)) is None  # end is exclusive
    assert in_maintenance([ONE_OFF], "web", at(2026, 3, 2, 23)) is None  # other check


def test_one_off_compares_in_utc_too():
    assert in_maintenance([ONE_OFF], "db", datetime(2026, 3, 2, 15, 30, tzinfo=UTC)) is ONE_OFF


def test_weekly_window_crosses_midnight_for_every_check():
    saturday_night, sunday_early = at(2026, 3, 7, 23, 30), at(2026, 3, 8, 1, 59)
    assert in_maintenance([WEEKLY], "anything", saturday_night) is WEEKLY
    assert in_maintenance([WEEKLY], "anything", sunday_early) is WEEKLY
    assert in_maintenance([WEEKLY], "anything", at(2026, 3, 8, 2, 0)) is None
    assert in_maintenance([WEEKLY], "anything", at(2026, 3, 7, 22, 59)) is None
    assert in_maintenance([WEEKLY], "anything", at(2026, 3, 6, 23, 30)) is None  # a Friday


def test_weekly_window_uses_the_desk_time_zone():
    # 23:30 Saturday in Shanghai is 15:30 UTC Saturday
    assert in_maintenance([WEEKLY], "x", datetime(2026, 3, 7, 15, 30, tzinfo=UTC)) is WEEKLY
    assert in_maintenance([WEEKLY], "x", datetime(2026, 3, 7, 23, 30, tzinfo=UTC)) is None


def test_filter_events_mutes_inside_windows():
    inside = AnomalyEvent("problem", "db", State.CRITICAL, "down", at(2026, 3, 2, 23))
    outside = AnomalyEvent("problem", "db", State.CRITICAL, "down", at(2026, 3, 3, 3))
    other = AnomalyEvent("problem", "web", State.CRITICAL, "down", at(2026, 3, 2, 23))
    raised, muted = filter_events([inside, outside, other], [ONE_OFF])
    assert raised == [outside, other]
    assert muted == [(inside, ONE_OFF)]


def test_validate_window():
    assert validate_window(ONE_OFF) == {} and validate_window(WEEKLY) == {}
    backwards = MaintenanceWindow.one_off(at(2026, 3, 3), at(2026, 3, 2), "li", "x")
    assert "end" in validate_window(backwards)
    naive = MaintenanceWindow.one_off(datetime(2026, 3, 2), datetime(2026, 3, 3), "li", "x")
    assert validate_window(naive)["start"].code == Code.SPAN_NEEDS_ZONE
    bad = MaintenanceWindow.weekly([7], time(1), timedelta(0), "", "", tz="Mars/Base")
    assert set(validate_window(bad)) == {"author", "reason", "weekdays", "duration", "tz"}
