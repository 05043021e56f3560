"""The independent validator catches each hard rule on hand-made rosters."""

from dataclasses import replace
from datetime import timedelta

import pytest

from roster.domain import Assignment, Leave, Pin
from roster.samples import desk_inputs
from roster.solver import solve
from roster.validate import validate
from tests.roster.conftest import START


@pytest.fixture(scope="module")
def base():
    """A solved, valid 8-day demo roster and its inputs."""
    inputs = desk_inputs(days=8, leaves=0)
    return inputs, list(solve(inputs).assignments)


def _swap(rows, old, **changes):
    """``rows`` with ``old`` replaced by a copy carrying ``changes``."""
    return [replace(a, **changes) if a == old else a for a in rows]


def _rules(rows, inputs):
    return {v.rule for v in validate(rows, inputs)}


def _seat(rows, day, shift, position):
    return next(a for a in rows if (a.day, a.shift, a.position) == (day, shift, position))


def test_valid_roster_has_no_violation(base):
    inputs, rows = base
    assert validate(rows, inputs) == []


def test_missing_seat_is_coverage(base):
    inputs, rows = base
    assert "coverage" in _rules(rows[1:], inputs)


def test_unqualified_person(base):
    inputs, rows = base
    seat = _seat(rows, START, "D", "leader")
    assert "qualification" in _rules(_swap(rows, seat, username="infoB0"), inputs)


def test_leave_broken(base):
    inputs, rows = base
    seat = _seat(rows, START, "D", "info")
    assert "leave" in _rules(rows, replace(inputs, leaves=(Leave(seat.username, START, START),)))


def test_pin_broken(base):
    inputs, rows = base
    assert "pin" in _rules(rows, replace(inputs, pins=(Pin("spare0", START, "D", "info"),)))


def test_night_then_day_and_one_per_day(base):
    inputs, rows = base
    night = _seat(rows, START, "N", "info")
    next_day = _seat(rows, START + timedelta(days=1), "D", "info")
    assert "night_then_day" in _rules(_swap(rows, next_day, username=night.username), inputs)
    same_day = _seat(rows, START, "D", "info")
    assert "one_per_day" in _rules(_swap(rows, same_day, username=night.username), inputs)


def test_min_rest_with_longer_rest_rule(base):
    inputs, rows = base
    strict = replace(inputs, rules=replace(inputs.rules, min_rest_hours=30))
    extra = [Assignment(START + timedelta(days=k), "D", "info", "spare1") for k in (2, 3)]
    days = (START + timedelta(days=2), START + timedelta(days=3))
    kept = [a for a in rows if not (a.position == "info" and a.shift == "D" and a.day in days)]
    found = _rules(kept + extra, strict)
    assert "min_rest" in found


def test_consecutive_and_window_limits(base):
    inputs, rows = base
    day_comms = [a for a in rows if a.position == "comms" and a.shift == "D"]
    rows2 = [a for a in rows if a not in day_comms]
    rows2 += [Assignment(a.day, "D", "comms", "spare0") for a in day_comms]
    found = _rules(rows2, replace(inputs, rules=replace(inputs.rules, max_shifts_in_window=6)))
    assert {"max_consecutive", "window_limit"} <= found
