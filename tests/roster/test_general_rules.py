"""Rules as data (issue 10): shift types in minutes, forbidden successions, per-person limit rows, soft and hard
cover rows, weighted requests, a desk without a rotation — each solved, validated by the independent validator and
costed by the independent scorer (equal to the solver's objective), and each broken hard rule named."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from roster.domain import (
    Assignment,
    Cover,
    Leave,
    Limit,
    Member,
    Preference,
    ResolvedRules,
    RosterInputs,
    Rules,
    ShiftDef,
    Weights,
)
from roster.patterns import check_pattern, make_pattern, resolve_rules
from roster.scorer import score
from roster.solver import solve, summarise
from roster.validate import validate

MONDAY = date(2027, 3, 1)
THREE = (ShiftDef("D", time(8), minutes=480), ShiftDef("E", time(16), minutes=480), ShiftDef("N", time(0), minutes=480))
PLAIN = Weights(substitution=0, pattern_release=0, fair_nights=0, fair_weekends=0, fair_holidays=0,
                fair_substitutions=0, preference=1)


def _team(n: int = 6) -> tuple[Member, ...]:
    return tuple(Member(f"p{i}", f"P{i}", skills=frozenset({"nurse"}), position="nurse") for i in range(n))


def _day_only(days: int = 7, **rules: object) -> RosterInputs:
    """Six nurses, three 8-hour shifts, no rotation, soft cover of 1-2 per shift, limits on everything."""
    limits = (
        Limit("shifts", hard_max=2, shift="N"),                 # at most 2 nights each
        Limit("minutes", hard_min=3 * 480, hard_max=5 * 480),   # 3 to 5 shifts' worth of minutes
        Limit("work_run", hard_min=2, hard_max=4),              # runs of 2 to 4 working days
        Limit("off_run", hard_min=2),                           # days off at least two at a time
        Limit("weekends", hard_max=1),                          # one weekend at most
        Limit("shifts", soft_max=3, max_cost=7, who="p0"),      # p0 prefers at most 3 shifts
    )
    cover = (*(Cover("nurse", 1, shift=s.code, under=50, over=3) for s in THREE),
             Cover("nurse", 3, day=MONDAY, shift="D", under=50, over=3))  # Monday's day shift wants three
    return RosterInputs(
        people=_team(), start=MONDAY, days=days, pattern=None, shifts=THREE, coverage={}, cover=cover,
        leaves=(Leave("p1", MONDAY + timedelta(days=3), MONDAY + timedelta(days=3)),),
        preferences=(Preference("p2", True, shift="N", weight=9),  # p2 would work every night (at most 2 allowed)
                     Preference("p3", False, day=MONDAY, shift="D", weight=4)),
        rules=Rules(min_rest_hours=8, forbidden=(("E", "D"), ("N", "D")), weights=PLAIN, limits=limits, **rules),
        day_kinds={},
    )


def test_resolved_rules_are_their_own_type():
    resolved = resolve_rules(Rules(), make_pattern("DNOO", MONDAY))
    assert isinstance(resolved, ResolvedRules) and not isinstance(resolved, Rules)
    assert resolved.max_consecutive == 3
    assert resolve_rules(Rules(), None).max_consecutive >= 10_000  # no pattern, nothing stated: no limit


def test_a_desk_without_rotation_is_solved_directly_and_every_cost_is_explained():
    inputs = _day_only()
    result = solve(inputs, time_limit=20)
    assert result.status == "OPTIMAL" and result.stage == "pattern"
    assert validate(result.assignments, inputs) == []
    scored = score(inputs, result.assignments)
    assert scored.total == result.objective == sum(c.amount for c in result.cost_breakdown)
    assert scored.by_rule() == summarise(result.cost_breakdown)
    assert set(summarise(result.cost_breakdown)) <= {"cover_under", "cover_over", "preference", "limit_over"}


def test_forbidden_successions_and_lengths_in_minutes_hold():
    inputs = _day_only()
    seats = solve(inputs, time_limit=20).assignments
    worked = {(a.username, a.day): a.shift for a in seats}
    for (u, d), s in worked.items():
        assert (s, worked.get((u, d + timedelta(days=1)))) not in {("E", "D"), ("N", "D")}
    for p in inputs.people:
        minutes = 480 * sum(1 for a in seats if a.username == p.username)
        assert 3 * 480 <= minutes <= 5 * 480


@pytest.mark.parametrize("rows, rule", [
    ((Limit("shifts", hard_max=1, shift="N"),), "limit_above"),
    ((Limit("minutes", hard_min=480 * 5),), "limit_below"),
    ((Limit("work_run", hard_max=1),), "limit_above"),
    ((Limit("work_run", hard_min=3),), "limit_below"),
    ((Limit("off_run", hard_min=2),), "limit_below"),
    ((Limit("weekends", hard_max=0),), "limit_above"),
])
def test_the_validator_names_each_broken_limit(rows, rule):
    inputs = replace(_day_only(days=7), rules=Rules(weights=PLAIN, limits=rows, forbidden=()))
    d = [MONDAY + timedelta(days=i) for i in range(7)]
    seats = [Assignment(d[0], "N", "nurse", "p0"), Assignment(d[1], "N", "nurse", "p0"),
             Assignment(d[3], "D", "nurse", "p0"), Assignment(d[5], "D", "nurse", "p0")]
    found = [v for v in validate(seats, inputs) if v.username == "p0"]
    assert rule in {v.rule for v in found}


def test_the_validator_names_a_forbidden_succession_and_hard_cover():
    inputs = replace(_day_only(days=7), cover=(Cover("nurse", 1, shift="D"),))
    d = MONDAY
    seats = [Assignment(d, "E", "nurse", "p0"), Assignment(d + timedelta(days=1), "D", "nurse", "p0")]
    rules = {v.rule for v in validate(seats, inputs)}
    assert {"succession", "coverage"} <= rules


def test_soft_cover_charges_each_missing_and_extra_person():
    inputs = _day_only(days=7)
    seats = [Assignment(MONDAY, "D", "nurse", f"p{i}") for i in range(3)]
    charges = score(inputs, seats).by_rule()
    assert charges.get("cover_over", 0) == 0  # Monday's day shift wants three
    seats.append(Assignment(MONDAY + timedelta(days=1), "D", "nurse", "p0"))
    seats += [Assignment(MONDAY + timedelta(days=1), "D", "nurse", f"p{i}") for i in (1, 2)]
    charges = score(inputs, seats).by_rule()
    assert charges["cover_over"] == 2 * 3  # Tuesday's wants one
    assert charges["cover_under"] == 50 * (1 * 5 + 1 * 7 + 1 * 7)  # every other shift of the week empty


def test_a_pattern_may_use_three_shift_types():
    pattern = make_pattern("NNDDEEOO", MONDAY)
    assert check_pattern(pattern, Rules(min_rest_hours=8, forbidden=()), THREE) == []
    problems = check_pattern(pattern, Rules(min_rest_hours=8, forbidden=(("D", "E"),)), THREE)
    assert [r for r, _m in problems] == ["succession"]


def test_re_solving_with_a_previous_roster_changes_only_what_the_absence_forces():
    inputs = _day_only()
    first = solve(inputs, time_limit=20).assignments
    who = next(a.username for a in first if a.day == MONDAY + timedelta(days=3))
    away = Leave(who, MONDAY + timedelta(days=3), MONDAY + timedelta(days=4))
    again = replace(inputs, leaves=(*inputs.leaves, away), previous=first,
                    rules=replace(inputs.rules, weights=replace(PLAIN, change=100, change_added=100)))
    result = solve(again, time_limit=20)
    assert result.ok and validate(result.assignments, again) == []
    assert score(again, result.assignments).total == result.objective
    before = {(a.username, a.day, a.shift) for a in first}
    after = {(a.username, a.day, a.shift) for a in result.assignments}
    assert before != after and len(before ^ after) <= 12


def test_solve_reports_each_better_roster_to_the_progress_callback():
    seen: list[tuple[float, int]] = []
    result = solve(_day_only(), time_limit=20, progress=lambda s, o: seen.append((s, o)))
    assert seen and all(isinstance(s, float) and s >= 0 for s, _o in seen)
    assert [o for _s, o in seen] == sorted((o for _s, o in seen), reverse=True)
    assert seen[-1][1] == result.objective


def test_the_curtois_adaptor_states_instance1_and_the_engine_proves_its_optimum():
    from bench.curtois_format import parse
    from bench.curtois_inputs import to_inputs, to_roster
    from bench.curtois_score import score as curtois_score

    path = Path("/work/shared/curtois/Instance1.txt")
    if not path.exists():
        pytest.skip("the benchmark instances are not on this machine")
    instance = parse(path)
    inputs = to_inputs(instance)
    result = solve(inputs, time_limit=30)
    assert result.status == "OPTIMAL" and result.objective == 607
    assert validate(result.assignments, inputs) == []
    independent = curtois_score(instance, to_roster(instance, result))
    assert score(inputs, result.assignments).total == 607 == independent.objective and not independent.violations


def test_a_shift_type_capped_at_zero_gets_no_seat_variables_and_is_never_worked():
    from roster.cpsat import RosterModel
    from roster.facts import build_facts

    inputs = _day_only(days=7)
    never = Limit("shifts", hard_max=0, shift="N", who="p4")  # p4 works no nights
    inputs = replace(inputs, rules=replace(inputs.rules, limits=(*inputs.rules.limits, never)))
    rm = RosterModel(build_facts(inputs), "pattern")
    assert not [k for k in rm.x if k[0] == "p4" and k[2] == "N"]
    assert [k for k in rm.x if k[0] == "p4" and k[2] == "D"]
    assert [k for k in RosterModel(build_facts(inputs), "pattern", soft_facts=True).x if k[0] == "p4" and k[2] == "N"]
    result = solve(inputs, time_limit=10)
    assert result.ok and not [a for a in result.assignments if a.username == "p4" and a.shift == "N"]
    assert validate(result.assignments, inputs) == []
