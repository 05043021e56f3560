"""The person-by-person roster (roster.first_roster) for large desks coupled only by soft cover."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import time as clock_time
from datetime import timedelta

import pytest

import roster.solver as solver_module
from roster import first_roster
from roster.domain import Cover, Limit, Member, Pin, RosterInputs, Rules, ShiftDef, Weights
from roster.facts import build_facts
from roster.scorer import score
from roster.solver import solve
from roster.validate import validate
from tests.roster.test_general_rules import MONDAY, _day_only

PLAIN = Weights(substitution=0, pattern_release=0, fair_nights=0, fair_weekends=0, fair_holidays=0,
                fair_substitutions=0, preference=1)


def _two_people_one_seat(days: int = 7) -> RosterInputs:
    """Two people, one day shift that wants exactly one person (both sides cost 100)."""
    people = tuple(Member(u, u.upper(), skills=frozenset({"ops"}), position="ops") for u in ("a", "b"))
    return RosterInputs(
        people=people, start=MONDAY, days=days, pattern=None, shifts=(ShiftDef("D", clock_time(8), minutes=480),),
        coverage={}, cover=(Cover("ops", 1, shift="D", under=100, over=100),),
        rules=Rules(min_rest_hours=0, forbidden=(), weights=PLAIN), day_kinds={},
    )


def _soon(seconds: float = 20.0) -> float:
    return time.perf_counter() + seconds


def test_people_are_independent_only_when_every_seat_that_needs_someone_is_soft():
    inputs = _day_only()
    assert first_roster.independent(build_facts(inputs))
    pinned = replace(inputs, pins=(Pin("p0", MONDAY, "D", "nurse"),))
    assert not first_roster.independent(build_facts(pinned))
    hard = replace(inputs, cover=(*inputs.cover, Cover("nurse", 1, day=MONDAY, shift="E")))
    assert not first_roster.independent(build_facts(hard))  # someone must sit Monday's evening: people couple
    nobody = replace(inputs, cover=(*inputs.cover, Cover("nurse", 0, day=MONDAY, shift="E")))
    assert first_roster.independent(build_facts(nobody))  # a seat nobody may sit forbids each person alone


def test_each_person_is_rostered_against_what_the_others_left_open():
    inputs = _two_people_one_seat()
    keys = first_roster.build(build_facts(inputs), _soon(), first_seconds=2.0, workers=1)
    assert keys is not None
    per_day = sorted(k[1] for k in keys)
    assert per_day == [MONDAY + timedelta(days=i) for i in range(7)]  # one person a day: nobody doubles up
    assert score(inputs, solver_module._seats(keys)).total == 0


def test_the_roster_keeps_every_hard_rule_and_each_report_is_no_worse_than_the_last():
    inputs = _day_only(days=14)
    reported: list[int] = []
    keys = first_roster.build(build_facts(inputs), _soon(), first_seconds=2.0, workers=2,
                              report=lambda k: reported.append(score(inputs, solver_module._seats(k)).total))
    assert keys is not None and reported
    seats = solver_module._seats(keys)
    assert validate(seats, inputs) == []
    assert reported == sorted(reported, reverse=True)
    assert score(inputs, seats).total == reported[-1]


def test_a_person_whose_own_rules_leave_no_roster_gives_none():
    inputs = _day_only()
    impossible = Limit("minutes", hard_min=8 * 480, who="p0")  # eight shifts in a seven-day week
    inputs = replace(inputs, rules=replace(inputs.rules, limits=(*inputs.rules.limits, impossible)))
    assert first_roster.build(build_facts(inputs), _soon(), first_seconds=2.0) is None


def test_a_large_desk_is_solved_by_people_and_its_cost_is_the_scorers(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(solver_module, "BY_PEOPLE_FROM", 1)  # this small desk counts as large
    inputs = _day_only(days=14)
    seen: list[int] = []
    result = solve(inputs, time_limit=20, progress=lambda _s, o: seen.append(o))
    assert result.status == "FEASIBLE" and result.stage == "people"
    assert validate(result.assignments, inputs) == []
    assert result.objective == score(inputs, result.assignments).total == sum(c.amount for c in result.cost_breakdown)
    assert seen and seen[-1] == result.objective


def test_a_desk_with_hard_cover_never_takes_the_people_path(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(solver_module, "BY_PEOPLE_FROM", 1)
    inputs = _day_only(days=7)
    inputs = replace(inputs, cover=tuple(Cover("nurse", 1, shift=s) for s in ("D", "E", "N")))  # one each, hard
    result = solve(inputs, time_limit=20)
    assert result.stage != "people"


def test_size_counts_the_slots_people_could_work():
    inputs = _day_only(days=7)
    facts = build_facts(inputs)
    assert first_roster.size(facts) == 6 * 7 * 3 - 3  # p1's leave day removes three slots
    capped = Limit("shifts", hard_max=0, shift="N", who="p4")
    facts = build_facts(replace(inputs, rules=replace(inputs.rules, limits=(*inputs.rules.limits, capped))))
    assert first_roster.size(facts) == 6 * 7 * 3 - 3 - 7
