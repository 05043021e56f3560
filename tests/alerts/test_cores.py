"""The pure cores: routing at shift boundaries, the escalation steps, the lifecycle table."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts import escalation, lifecycle
from alerts.escalation import Policy, due_step, first_due, policy_for
from alerts.routing import Routing, follows_roster, route
from roster.domain import Assignment
from roster.oncall import on_duty

DAY = date(2026, 12, 3)


def _seats(day: date, shift: str, leader: str, info: str, comms: str) -> list[Assignment]:
    return [Assignment(day, shift, "leader", leader), Assignment(day, shift, "info", info),
            Assignment(day, shift, "comms", comms)]


ROSTER = (_seats(DAY - timedelta(days=1), "N", "night_lead", "night_info", "night_comms")
          + _seats(DAY, "D", "day_lead", "day_info", "day_comms"))


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "UTC"])
def test_shift_boundary_in_the_desks_zone(tz):
    zone = ZoneInfo(tz)
    before = datetime(2026, 12, 3, 7, 59, 59, tzinfo=zone).astimezone(UTC)
    at_change = datetime(2026, 12, 3, 8, 0, 0, tzinfo=zone).astimezone(UTC)
    assert route("info", on_duty(ROSTER, before, tz=tz)) == Routing(
        "night_lead", "night_info", "leader", "2026-12-02", "N")
    assert route("comms", on_duty(ROSTER, at_change, tz=tz)) == Routing(
        "day_lead", "day_comms", "leader", "2026-12-03", "D")


def test_same_instant_differs_between_a_shanghai_and_a_utc_desk():
    instant = datetime(2026, 12, 3, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai, 00:30 at a UTC desk
    assert route("info", on_duty(ROSTER, instant, tz="Asia/Shanghai")).assignee == "day_lead"
    assert route("info", on_duty(ROSTER, instant, tz="UTC")).assignee == "night_lead"


def test_no_roster_goes_to_the_managers():
    late = datetime(2026, 12, 3, 21, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    routing = route("info", on_duty(ROSTER, late))
    assert routing == Routing(None, None, "managers", None, None)


def test_desk_wide_alert_names_no_watcher_and_a_shift_without_leader_is_a_gap():
    at = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert route(None, on_duty(ROSTER, at)).watcher is None
    leaderless = [a for a in ROSTER if a.position != "leader"]
    routing = route("info", on_duty(leaderless, at))
    assert (routing.routed_to, routing.assignee, routing.watcher) == ("managers", None, "day_info")


def test_a_swap_published_after_the_alert_moves_only_an_unacknowledged_alert():
    at = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    first = route("info", on_duty(ROSTER, at))
    swapped = [Assignment(a.day, a.shift, a.position, "swap_lead" if a.username == "day_lead" else a.username)
               for a in ROSTER]
    after = route("info", on_duty(swapped, at))
    assert after.assignee == "swap_lead"
    assert follows_roster("open", first.as_dict(), after)
    assert not follows_roster("acknowledged", first.as_dict(), after)
    assert not follows_roster("open", after.as_dict(), after)  # nothing changed: no re-route


BASE = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def _at(minutes: float) -> datetime:
    return BASE + timedelta(minutes=minutes)


def test_escalation_steps_from_stored_times():
    policy = Policy()
    next_at = first_due(policy, BASE)
    assert next_at == _at(5)
    assert due_step(policy, step=0, next_at=next_at, now=_at(4.99)) is None
    one = due_step(policy, step=0, next_at=next_at, now=_at(5))
    assert (one.number, one.kind, one.event, one.next_at) == (1, "reminded", "reminder", _at(15))
    two = due_step(policy, step=1, next_at=one.next_at, now=_at(15))
    assert (two.number, two.kind, two.event, two.next_at) == (2, "escalated", "escalated", _at(45))
    three = due_step(policy, step=2, next_at=two.next_at, now=_at(45))
    assert (three.number, three.event, three.next_at) == (3, "repeat", _at(75))


def test_a_scheduler_back_after_a_long_stop_applies_the_latest_step_once():
    step = due_step(Policy(), step=0, next_at=_at(5), now=_at(80))
    assert (step.number, step.next_at) == (4, _at(105))


def test_per_severity_override():
    rows = [Policy(7, 8, 9), Policy(1, 2, 3, severity="critical")]
    assert policy_for("critical", rows).remind_after == 1
    assert policy_for("minor", rows).remind_after == 7
    assert policy_for("minor", []) == escalation.DEFAULT
    critical = policy_for("critical", rows)
    assert due_step(critical, step=0, next_at=first_due(critical, BASE), now=_at(3)).number == 2


def test_policy_validation():
    assert escalation.validate(5, 10, 30) == {}
    assert set(escalation.validate(0, "10", 1441)) == {"remind_after", "managers_after", "repeat_every"}


def test_lifecycle_table():
    assert lifecycle.allowed("acknowledge", "open") and not lifecycle.allowed("acknowledge", "acknowledged")
    assert lifecycle.allowed("reopen", "resolved") and not lifecycle.allowed("resolve", "resolved")
    assert lifecycle.actions_for("resolved") == ("reopen", "comment")
    assert lifecycle.actions_for("open") == ("acknowledge", "resolve", "reassign", "comment")
