"""Optimality checked from outside the model: an independent scorer recomputes every solve's objective from the
seats and the inputs alone, a plain second model proves on tiny desks that nothing cheaper exists, and the default
stages reach the free model's optimum on the demo desk."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from roster.domain import Assignment, Counts, Pin, Preference, frozen_map
from roster.facts import build_facts
from roster.samples import desk_inputs
from roster.scorer import score
from roster.solver import solve, solve_stage, summarise
from roster.validate import validate
from tests.roster.conftest import START, solved_ok
from tests.roster.reference_model import cheapest


def _rich(days: int = 28, start: date = START):
    """Leave, wishes both ways, a pin, history and a previous roster: every soft rule has something to charge."""
    inputs = desk_inputs(days=days, leaves=4, seed=3, start=start)
    previous = solve(replace(inputs, leaves=()), time_limit=20).assignments
    return replace(
        inputs,
        preferences=(Preference("infoA0", wanted=False, shift="N", weight=2),
                     Preference("spare0", wanted=True, day=start + timedelta(days=3), shift="D")),
        pins=(Pin("spare1", start + timedelta(days=5), "N", "comms"),),
        history=frozen_map({"leadA0": Counts(nights=3, weekends=2), "commB0": Counts(substitutions=2)}),
        previous=tuple(previous),
    )


CASES = {
    "demo-92d": lambda: desk_inputs(days=92, leaves=5, seed=1),
    "rich-28d": _rich,
    "national-day": lambda: _rich(days=14, start=date(2026, 9, 28)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_scorer_equals_the_solvers_objective(case):
    inputs = CASES[case]()
    result = solved_ok(solve(inputs, time_limit=30), inputs)
    scored = score(inputs, result.assignments)
    assert scored.total == result.objective
    assert scored.by_rule() == {k: v for k, v in summarise(result.cost_breakdown).items() if v}
    assert scored.substitutes() == sum(a.source == "substitute" for a in result.assignments)


def test_scorer_charges_a_hand_edit():
    inputs = desk_inputs(days=14, leaves=0)
    result = solve(inputs, time_limit=20)
    seats = list(result.assignments)
    before = score(inputs, seats).by_rule()
    assert "substitution" not in before and "pattern_release" not in before
    first = seats[0]
    spare = next(p.username for p in inputs.people if p.team is None and p.qualified(first.position))
    edited = [Assignment(first.day, first.shift, first.position, spare, "pinned"), *seats[1:]]
    assert validate(edited, inputs) == []
    charged = score(inputs, edited).by_rule()
    assert score(inputs, edited).total > result.objective
    assert charged["substitution"] == inputs.rules.weights.substitution
    assert charged["pattern_release"] == inputs.rules.weights.pattern_release


@pytest.mark.parametrize(("days", "leaves", "seed"), [(4, 2, 1), (6, 3, 2), (8, 3, 5)])
def test_a_plain_model_finds_nothing_cheaper_on_tiny_desks(days, leaves, seed):
    inputs = desk_inputs(spares=1, days=days, leaves=leaves, seed=seed)
    engine = solved_ok(solve(inputs, time_limit=20), inputs)
    status, best, seats = cheapest(inputs, seconds=60)
    assert status == "OPTIMAL"
    assert validate(seats, inputs) == [] and score(inputs, seats).total == best
    assert engine.objective == best


@pytest.mark.parametrize("seed", [1, 4])
def test_default_stages_reach_the_free_optimum_on_a_month_of_the_demo_desk(seed):
    """The whole quarter and the 28-person desk take the free model minutes: bench/roster_bench.py compares those."""
    inputs = desk_inputs(days=28, leaves=4, seed=seed)
    staged = solve(inputs, time_limit=30)
    free = solve_stage(build_facts(inputs), "free", 120, 2)
    assert free.status == "OPTIMAL"
    assert staged.objective == free.objective


def test_a_wish_dated_outside_the_period_costs_nothing():
    inputs = desk_inputs(days=7, leaves=0)
    outside = Preference("spare0", wanted=True, day=inputs.end + timedelta(days=3), shift="D", weight=5)
    assert score(replace(inputs, preferences=(outside,)), []).by_rule().get("preference", 0) == 0
