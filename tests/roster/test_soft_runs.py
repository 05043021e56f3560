"""Soft bounds on runs: working runs shorter or longer than wished, and too short a rest between two runs, cost per
day; the model's objective equals the independent scorer's, and a brute force over every roster of a tiny desk
finds nothing cheaper than the engine's optimum."""

from __future__ import annotations

import itertools
from datetime import time, timedelta

import pytest

from roster.domain import Assignment, Cover, Limit, Member, RosterInputs, Rules, ShiftDef, Weights
from roster.scorer import score
from roster.solver import solve
from roster.validate import validate
from tests.roster.test_general_rules import MONDAY

PLAIN = Weights(substitution=0, pattern_release=0, fair_nights=0, fair_weekends=0, fair_holidays=0,
                fair_substitutions=0, preference=1)
RUNS = (
    Limit("work_run", hard_max=4, soft_min=3, min_cost=4, soft_max=2, max_cost=3),  # 3 wished, 2 at most wished
    Limit("off_run", soft_min=2, min_cost=2),                                       # two days' rest wished
)


def _desk(people: int = 2, days: int = 6, limits: tuple[Limit, ...] = RUNS) -> RosterInputs:
    team = tuple(Member(f"p{i}", f"P{i}", skills=frozenset({"ops"}), position="ops") for i in range(people))
    return RosterInputs(
        people=team, start=MONDAY, days=days, pattern=None, shifts=(ShiftDef("D", time(8), minutes=480),),
        coverage={}, cover=(Cover("ops", 1, shift="D", under=10, over=3),),
        rules=Rules(min_rest_hours=0, forbidden=(), weights=PLAIN, limits=limits), day_kinds={},
    )


def _seats(user: str, days: list[int]) -> list[Assignment]:
    return [Assignment(MONDAY + timedelta(days=d), "D", "ops", user) for d in days]


def _runs_cost(inputs: RosterInputs, seats: list[Assignment]) -> dict[str, int]:
    charges = [c for c in score(inputs, seats).charges if c.rule.startswith("limit_")]
    out: dict[str, int] = {}
    for c in charges:
        out[c.rule] = out.get(c.rule, 0) + c.amount
    return out


@pytest.mark.parametrize(("days", "expected"), [
    ([0, 1, 2], {"limit_over": 3}),                             # a run of 3: one day beyond 2; the rest touches the end
    ([0], {"limit_under": 2 * 4}),                              # a run of 1 misses two days of the wished 3
    ([0, 1, 2, 3], {"limit_over": 2 * 3, "limit_under": 0}),    # a run of 4: two days beyond 2
    ([0, 1, 2, 4, 5], {"limit_over": 3, "limit_under": 4 + 2}),  # run of 3 (+1 over), rest of 1 (-1), run of 2 (-1)
])
def test_the_scorer_charges_each_day_a_run_misses_its_soft_bounds(days, expected):
    inputs = _desk(people=1, days=6)
    got = _runs_cost(inputs, _seats("p0", days))
    assert got == {k: v for k, v in expected.items() if v}


def test_a_rest_touching_either_end_of_the_period_is_never_short():
    inputs = _desk(people=1, days=6, limits=(Limit("off_run", soft_min=3, min_cost=5),))
    assert _runs_cost(inputs, _seats("p0", [1, 2, 3, 4])) == {}       # off on day 0 and day 5 only
    assert _runs_cost(inputs, _seats("p0", [0, 1, 3, 4])) == {"limit_under": 2 * 5}


def test_a_run_of_days_off_has_no_maximum():
    with pytest.raises(ValueError, match="minimum only"):
        Limit("off_run", soft_max=3, max_cost=1)
    with pytest.raises(ValueError, match="minimum only"):
        Limit("off_run", hard_max=3)


def _cheapest_by_brute_force(inputs: RosterInputs) -> int:
    """The least cost over every valid roster of a one-shift desk (2 ** (people x days) rosters)."""
    slots = [(p.username, d) for p in inputs.people for d in range(inputs.days)]
    best = None
    for chosen in itertools.product((False, True), repeat=len(slots)):
        picked = [slot for slot, on in zip(slots, chosen, strict=True) if on]
        seats = [Assignment(MONDAY + timedelta(days=d), "D", "ops", u) for u, d in picked]
        if validate(seats, inputs):
            continue
        cost = score(inputs, seats).total
        best = cost if best is None else min(best, cost)
    assert best is not None
    return best


def test_the_engine_optimum_is_the_brute_force_optimum_and_the_scorer_agrees():
    inputs = _desk(people=2, days=6)
    result = solve(inputs, time_limit=20)
    assert result.status == "OPTIMAL"
    assert validate(result.assignments, inputs) == []
    assert score(inputs, result.assignments).total == result.objective
    assert result.objective == _cheapest_by_brute_force(inputs)
