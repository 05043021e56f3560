"""Property tests: every roster the solver returns passes the independent validator."""

import itertools
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roster.domain import Leave, RosterInputs, frozen_map
from roster.facts import build_facts
from roster.patterns import make_pattern
from roster.samples import desk_people
from roster.solver import solve, solve_stage
from roster.validate import validate

START = date(2026, 4, 27)


@st.composite
def problems(draw):
    """Random desks (sizes, spares, pattern, leave) over one or two weeks."""
    per = draw(st.integers(1, 2))
    people = desk_people(per, draw(st.integers(0, 3)))
    days = draw(st.integers(4, 12))
    code = draw(st.sampled_from(["DNOO", "DDNNOOOO"]))
    n_leave = draw(st.integers(0, 4))
    leaves = tuple(
        Leave(draw(st.sampled_from(people)).username, START + timedelta(days=k),
              START + timedelta(days=k + ln))
        for k, ln in draw(st.lists(st.tuples(st.integers(0, days - 1), st.integers(0, 2)),
                                   min_size=n_leave, max_size=n_leave)))
    offset = draw(st.integers(0, 7))
    return RosterInputs(people=people, start=START, days=days,
                        pattern=make_pattern(code, START - timedelta(days=offset)),
                        coverage=frozen_map({"leader": per, "info": per, "comms": per}), leaves=leaves)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_solver_results_always_validate(inputs):
    result = solve(inputs, time_limit=10)
    if result.ok:
        assert validate(result.assignments, inputs) == []
        assert sum(c.amount for c in result.cost_breakdown) == result.objective
    else:
        assert result.status == "INFEASIBLE" and result.explanation is not None
        assert result.explanation.summary


@settings(max_examples=15, deadline=None)
@given(problems(), st.integers(0, 5))
def test_inactive_people_never_sit(inputs, idx):
    gone = inputs.people[idx % len(inputs.people)]
    people = tuple(replace(p, active=False) if p == gone else p for p in inputs.people)
    result = solve(replace(inputs, people=people), time_limit=10)
    assert all(a.username != gone.username for a in result.assignments)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_each_stage_contains_the_one_before(inputs):
    """pattern ⊆ local ⊆ free with one objective: each optimum is no worse than the one before, all valid."""
    facts = build_facts(inputs)
    results = [solve_stage(facts, stage, 10, 2) for stage in ("pattern", "local", "free")]
    for r in results:
        if r.ok:
            assert validate(r.assignments, inputs) == []
            assert sum(c.amount for c in r.cost_breakdown) == r.objective
    optimal = [r.objective if r.status == "OPTIMAL" else None for r in results]
    feasible = [r.status != "INFEASIBLE" for r in results]
    assert feasible == sorted(feasible)  # once a stage has a roster, every larger one has one too
    for a, b in itertools.pairwise(optimal):
        if a is not None and b is not None:
            assert b <= a
