"""Handover's pure core: the change at hand around 08:00 desk time, due and late, and the shift's summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from alerts import handover as core
from alerts.handover import AlertFact, NoteFact, PatrolFact
from roster.domain import ShiftDef
from tests.alerts.boardkit import DAY, local

TZ = "Asia/Shanghai"


@pytest.mark.parametrize(("hour", "minute", "second"), [(7, 59, 59), (8, 0, 0), (8, 30, 0), (8, 30, 1)])
def test_around_eight_the_night_hands_to_the_day(hour, minute, second):
    change = core.change_at_hand(local(hour, minute, second), tz=TZ)
    assert (change.outgoing.day, change.outgoing.code) == (DAY - timedelta(days=1), "N")
    assert (change.incoming.day, change.incoming.code) == (DAY, "D")
    assert change.at == local(8)


def test_late_strictly_after_thirty_minutes():
    change = core.change_at_hand(local(8), tz=TZ)
    assert [core.is_late(change, local(*t)) for t in ((7, 59, 59), (8, 0, 0), (8, 30, 0), (8, 30, 1))] == [
        False, False, False, True]
    assert change.deadline == local(8, 30)


def test_written_from_an_hour_before_the_change():
    before = core.change_at_hand(local(6, 59, 59), tz=TZ)
    assert before.at == local(20, day=DAY - timedelta(days=1))  # still the evening change of the day before
    at_seven = core.change_at_hand(local(7), tz=TZ)
    assert at_seven.at == local(8) and core.may_write(at_seven, local(7))
    assert not core.may_write(core.change_at_hand(local(8), tz=TZ), local(6, 59, 59))


def test_in_the_evening_the_day_hands_to_the_night_of_the_same_date():
    change = core.change_at_hand(local(19, 30), tz=TZ)
    assert (change.outgoing.day, change.outgoing.code, change.incoming.code) == (DAY, "D", "N")
    assert core.last_change(local(19, 30), tz=TZ).at == local(8)
    assert core.last_change(local(20), tz=TZ).at == local(20)


def test_a_utc_desk_with_other_shift_times():
    shifts = (ShiftDef("D", datetime(2000, 1, 1, 7).time()), ShiftDef("N", datetime(2000, 1, 1, 19).time()))
    at = datetime(2026, 12, 3, 7, 0, 0, tzinfo=UTC)
    change = core.change_at_hand(at, shifts, "UTC")
    assert (change.outgoing.day, change.outgoing.code, change.at) == (date(2026, 12, 2), "N", at)


def test_summary_sorts_the_shifts_alerts_into_its_lists():
    start, end = local(8), local(20)
    alerts = [
        AlertFact(1, "old, still open", "major", "open", local(3)),
        AlertFact(2, "raised and resolved", "critical", "resolved", local(9), local(9, 5), local(10)),
        AlertFact(3, "raised, acknowledged", "minor", "acknowledged", local(11), local(11, 1)),
        AlertFact(4, "raised after the shift", "info", "open", local(20)),
    ]
    notes = [NoteFact(2, local(9, 30), "dayi", "commented", "restarted nginx"),
             NoteFact(1, local(7), "nightl", "commented", "before the shift")]
    patrols = [PatrolFact("db-port", "CRITICAL", 4, local(9), local(9, 3))]
    summary = core.summarise(start, end, alerts, notes, patrols)
    assert [a["id"] for a in summary["raised"]] == [2, 3]
    assert [a["id"] for a in summary["acknowledged"]] == [2, 3]
    assert [a["id"] for a in summary["resolved"]] == [2]
    assert [a["id"] for a in summary["active"]] == [1, 3, 4]
    assert summary["notes"] == [{"alert_id": 2, "at": local(9, 30).isoformat(), "actor": "dayi",
                                 "kind": "commented", "note": "restarted nginx"}]
    assert summary["patrols"][0]["check"] == "db-port"
    assert core.summary_counts(summary) == {"raised": 2, "acknowledged": 2, "resolved": 1, "active": 3,
                                            "patrols": 1, "notes": 1}
    assert core.summary_counts({}) == dict.fromkeys(("raised", "acknowledged", "resolved", "active", "patrols",
                                                     "notes"), 0)
