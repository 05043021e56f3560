"""Who is on duty at a moment: the night belongs to the date it starts."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from roster.domain import Assignment
from roster.oncall import next_on_duty, on_duty

SH = ZoneInfo("Asia/Shanghai")
ROWS = [
    Assignment(date(2026, 12, 3), "D", "leader", "li"),
    Assignment(date(2026, 12, 3), "N", "leader", "wang"),
    Assignment(date(2026, 12, 3), "N", "comms", "zhao"),
]


def test_day_shift():
    duty = on_duty(ROWS, datetime(2026, 12, 3, 9, 0, tzinfo=SH))
    assert duty.shift == "D" and duty.people == {"leader": ("li",)}


def test_night_after_midnight_belongs_to_the_start_date():
    duty = on_duty(ROWS, datetime(2026, 12, 4, 7, 59, tzinfo=SH))
    assert duty.day == date(2026, 12, 3) and duty.shift == "N"
    assert duty.people["comms"] == ("zhao",)
    assert duty.ends_at == datetime(2026, 12, 4, 8, 0, tzinfo=SH)


def test_utc_input_and_boundaries():
    assert on_duty(ROWS, datetime(2026, 12, 3, 12, 0, tzinfo=UTC)).shift == "N"  # 20:00 local
    assert on_duty(ROWS, datetime(2026, 12, 4, 8, 0, tzinfo=SH)) is None


def test_next_shift_and_naive_refused():
    nxt = next_on_duty(ROWS, datetime(2026, 12, 3, 9, 0, tzinfo=SH))
    assert nxt.shift == "N" and nxt.people["leader"] == ("wang",)
    with pytest.raises(ValueError):
        on_duty(ROWS, datetime(2026, 12, 3, 9, 0))
