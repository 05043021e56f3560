"""Price and dive (roster.columns): column generation over each person's own rosters, for desks coupled only by
soft cover, and the solver's path through it."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest

import roster.solver as solver_module
from roster import columns
from roster.domain import Cover, Limit, SolveResult
from roster.facts import build_facts
from roster.scorer import score
from roster.solver import solve
from roster.validate import validate
from tests.roster.test_first_roster import _two_people_one_seat
from tests.roster.test_general_rules import MONDAY, _day_only


def _soon(seconds: float) -> float:
    return time.perf_counter() + seconds


def _build(inputs, seconds: float = 20.0) -> columns.Plan | None:
    start = time.perf_counter()
    return columns.build(build_facts(inputs), start + seconds * 0.4, start + seconds, workers=2)


def _optimum(inputs) -> int:
    """The whole model's proven optimum (CP-SAT alone)."""
    result = solve(inputs, time_limit=30)
    assert result.status == "OPTIMAL"
    assert result.objective is not None
    return result.objective


def test_the_master_chooses_one_column_per_person_and_prices_the_seat():
    inputs = _two_people_one_seat(days=1)  # one day, one seat for one person; a shortfall costs 100
    facts = build_facts(inputs)
    master = columns.Master(facts)
    a_works = frozenset({("a", MONDAY, "D", "ops")})
    b_works = frozenset({("b", MONDAY, "D", "ops")})
    assert master.add("a", a_works, 3) and master.add("a", frozenset(), 0)
    assert master.add("b", b_works, 5) and master.add("b", frozenset(), 0)
    assert not master.add("a", a_works, 3)  # a column the master has already
    relaxed = master.solve()
    assert relaxed.value == pytest.approx(3)  # a works (3) rather than b (5) or a shortfall (100)
    assert relaxed.likeliest["a"] == (0, pytest.approx(1.0))
    assert relaxed.likeliest["b"] == (1, pytest.approx(1.0))
    # b sitting the seat instead would cost 2 more: its reduced cost says so
    assert master.reduced_cost(relaxed, "b", b_works, 5) == pytest.approx(2)
    master.fix("a", 1)  # a may only take the day off now
    assert master.solve().value == pytest.approx(5)


def test_price_and_dive_keeps_every_hard_rule_and_its_bound_is_below_the_optimum():
    inputs = _day_only(days=14)
    plan = _build(inputs)
    assert plan is not None and plan.columns > len(inputs.people) and plan.rounds > 0
    seats = solver_module._seats(plan.keys)
    assert validate(seats, inputs) == []
    optimum = _optimum(inputs)
    assert score(inputs, seats).total >= optimum
    assert plan.bound is not None and plan.bound <= optimum + 1e-6


def test_the_dive_reaches_the_optimum_of_a_small_desk():
    inputs = _day_only(days=7)
    plan = _build(inputs)
    assert plan is not None
    seats = solver_module._seats(plan.keys)
    assert validate(seats, inputs) == []
    assert score(inputs, seats).total == _optimum(inputs)


def test_a_person_whose_own_rules_leave_no_roster_gives_none():
    inputs = _day_only()
    impossible = Limit("minutes", hard_min=8 * 480, who="p0")  # eight shifts in a seven-day week
    inputs = replace(inputs, rules=replace(inputs.rules, limits=(*inputs.rules.limits, impossible)))
    assert _build(inputs, seconds=5) is None


def test_the_solver_prices_and_dives_when_the_first_search_proves_nothing(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(solver_module, "PRICE_AND_DIVE", (0.0, 0.4, 0.7, 0.8))  # no time for a first proof
    built: list[columns.Plan | None] = []
    real_build = columns.build
    monkeypatch.setattr(columns, "build", lambda *a, **k: built.append(real_build(*a, **k)) or built[-1])
    inputs = _day_only(days=14)
    seen: list[int] = []
    result = solve(inputs, time_limit=20, progress=lambda _s, o: seen.append(o))
    assert built and built[0] is not None
    assert result.status in ("OPTIMAL", "FEASIBLE") and result.objective is not None
    assert validate(result.assignments, inputs) == []
    assert result.objective == score(inputs, result.assignments).total == sum(c.amount for c in result.cost_breakdown)
    assert result.objective <= score(inputs, solver_module._seats(built[0].keys)).total  # never worse than the dive
    assert seen and min(seen) == result.objective
    assert result.best_bound is not None and result.best_bound <= result.objective


def test_a_desk_proven_by_the_first_search_never_prices(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(columns, "build", lambda *a, **k: pytest.fail("priced a desk already proven"))
    result = solve(_two_people_one_seat(days=7), time_limit=20)
    assert result.status == "OPTIMAL" and result.objective == 0


def test_fairness_keeps_a_desk_on_the_whole_model(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(solver_module, "PRICE_AND_DIVE", (0.0, 0.4, 0.7, 0.8))
    monkeypatch.setattr(columns, "build", lambda *a, **k: pytest.fail("priced a desk whose fairness couples people"))
    inputs = _day_only(days=7)
    inputs = replace(inputs, rules=replace(inputs.rules, weights=replace(inputs.rules.weights, fair_nights=5)))
    assert solve(inputs, time_limit=10).status in ("OPTIMAL", "FEASIBLE")


def test_a_bound_from_elsewhere_raises_the_result_and_proves_it_when_it_meets_the_cost():
    found = SolveResult("FEASIBLE", objective=120, best_bound=90, gap=0.25)
    raised = solver_module._with_bound(found, 110.4)
    assert (raised.status, raised.best_bound) == ("FEASIBLE", 111)
    assert raised.gap == pytest.approx(9 / 120)
    assert solver_module._with_bound(found, 119.2).status == "OPTIMAL"  # costs are whole: 119.2 proves 120
    assert solver_module._with_bound(found, 119.0000001).status == "FEASIBLE"  # rounding noise proves nothing
    assert solver_module._with_bound(found, 80.0) == replace(found, best_bound=90, gap=pytest.approx(0.25))
    assert solver_module._with_bound(found, None) is found


def test_the_master_leaves_out_a_seat_nobody_may_sit():
    inputs = _day_only(days=7)
    closed = (MONDAY + timedelta(days=2), "E", "nurse")
    inputs = replace(inputs, cover=(*inputs.cover, Cover("nurse", 0, day=closed[0], shift="E")))
    master = columns.Master(build_facts(inputs))
    assert closed not in master.seats  # a hard row of need 0: each person's own model forbids it
    plan = _build(inputs, seconds=10)
    assert plan is not None and not any(k[1:] == closed for k in plan.keys)


def test_a_desk_too_large_for_the_time_gives_none_and_the_solver_still_answers(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(columns, "MIN_ROUNDS", 10**9)  # no time would hold that many rounds
    inputs = _day_only(days=14)
    assert _build(inputs, seconds=5) is None
    monkeypatch.setattr(solver_module, "PRICE_AND_DIVE", (0.0, 0.4, 0.7, 0.8))
    result = solve(inputs, time_limit=5)
    assert result.status in ("OPTIMAL", "FEASIBLE") and validate(result.assignments, inputs) == []


def test_the_master_is_solved_again_in_a_fresh_glop_when_its_warm_start_fails(monkeypatch: pytest.MonkeyPatch):
    master = columns.Master(build_facts(_two_people_one_seat(days=1)))
    master.add("a", frozenset({("a", MONDAY, "D", "ops")}), 3)
    master.add("a", frozenset(), 0)
    master.add("b", frozenset(), 0)
    old = master.lp
    monkeypatch.setattr(old, "Solve", lambda: columns.pywraplp.Solver.ABNORMAL)
    relaxed = master.solve()
    assert master.lp is not old
    assert relaxed.value == pytest.approx(3) and relaxed.likeliest["a"] == (0, pytest.approx(1.0))
    master.fix("a", 1)  # the fresh GLOP's variables are the ones fixed
    assert master.solve().value == pytest.approx(100)


def _one_seat_master() -> columns.Master:
    """One day, one seat (a shortfall costs 100): a works it for 3 or rests (column 1), b works it for 5 or rests."""
    master = columns.Master(build_facts(_two_people_one_seat(days=1)))
    for u, cost in (("a", 3), ("b", 5)):
        master.add(u, frozenset({(u, MONDAY, "D", "ops")}), cost)
        master.add(u, frozenset(), 0)
    return master


def _search(master: columns.Master, monkeypatch: pytest.MonkeyPatch) -> columns._Search:
    monkeypatch.setattr(columns._Search, "generate", lambda *a, **k: None)  # no pricing: the columns are all there
    return columns._Search(master, {"a": None, "b": None}, None)  # type: ignore[dict-item, arg-type]


def test_the_dive_looks_ahead_past_a_fix_that_lifts_the_relaxation(monkeypatch: pytest.MonkeyPatch):
    master = _one_seat_master()
    search = _search(master, monkeypatch)
    relaxed = columns.Relaxed(3.0, {}, {}, {"a": (1, 0.6), "b": (1, 0.6)})  # as if both leaned to resting
    search._look_ahead(["a", "b"], relaxed, seconds=1.0)
    assert search.fixed == {"b": 1}  # a resting would cost 5 (b works); b resting leaves a to work for 3
    assert master.solve().value == pytest.approx(3)


def test_the_dive_takes_the_smallest_lift_when_every_fix_lifts_the_relaxation(monkeypatch: pytest.MonkeyPatch):
    master = _one_seat_master()
    search = _search(master, monkeypatch)
    relaxed = columns.Relaxed(3.0, {}, {}, {"a": (1, 0.6), "b": (0, 0.6)})
    search._look_ahead(["b", "a"], relaxed, seconds=1.0)  # b working costs 5, a resting costs 5 too: b was first
    assert search.fixed == {"b": 0}
    assert master.solve().value == pytest.approx(5)


def test_a_poor_dive_is_dived_again_from_the_top_while_time_allows(monkeypatch: pytest.MonkeyPatch):
    master = _one_seat_master()
    search = _search(master, monkeypatch)
    plans = iter([{"a": 1, "b": 1}, {"a": 0, "b": 1}])  # first nobody works (a shortfall, 100), then a works (3)
    monkeypatch.setattr(columns._Search, "dive", lambda self, until: [self._fix(u, j) for u, j in next(plans).items()])
    assert search.dives(_soon(60)) == {("a", MONDAY, "D", "ops")}
    assert search.dived == 2


def test_a_poor_dive_stays_when_no_time_is_left(monkeypatch: pytest.MonkeyPatch):
    master = _one_seat_master()
    search = _search(master, monkeypatch)
    monkeypatch.setattr(columns._Search, "dive", lambda self, until: [self._fix(u, 1) for u in ("a", "b")])
    assert search.dives(_soon(-1)) == set()  # the deadline has passed: nobody works, and no second dive
    assert search.dived == 1
