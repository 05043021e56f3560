"""The CP-SAT solver: hard rules through the validator, sources, costs, stages and soft rules."""

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from roster.domain import Assignment, Counts, Leave, Pin, Preference, Rules
from roster.facts import build_facts
from roster.rules import square_lines
from roster.samples import desk_inputs
from roster.solver import solve, solve_stage, summarise
from tests.roster.conftest import START, solved_ok


def test_demo_desk_is_optimal_and_valid():
    inputs = desk_inputs(days=92, leaves=5, seed=1)
    result = solved_ok(solve(inputs), inputs)
    assert result.status == "OPTIMAL" and result.gap == 0.0
    assert len(result.assignments) == 92 * 2 * 3
    assert {a.source for a in result.assignments} == {"pattern", "substitute"}


def test_no_leave_follows_the_pattern_at_no_cost(small_desk):
    result = solved_ok(solve(small_desk), small_desk)
    assert all(a.source == "pattern" for a in result.assignments)
    assert summarise(result.cost_breakdown).get("substitution", 0) == 0


def test_leave_is_covered_by_a_substitute(small_desk):
    inputs = replace(small_desk, leaves=(Leave("commA0", START, START + timedelta(days=3)),))
    result = solved_ok(solve(inputs), inputs)
    subs = [a for a in result.assignments if a.source == "substitute"]
    assert subs and all(a.position == "comms" for a in subs)
    assert any(c.rule == "substitution" for c in result.cost_breakdown)


def test_pin_is_obeyed_and_marked(small_desk):
    pin = Pin("spare0", START + timedelta(days=5), "N", "info")
    inputs = replace(small_desk, pins=(pin,))
    result = solved_ok(solve(inputs), inputs)
    hit = [a for a in result.assignments if (a.username, a.day, a.shift) == ("spare0", pin.day, "N")]
    assert hit and hit[0].source == "pinned"


def _rotation_breaking(days: int = 8, spares: int = 0, seed: int = 1):
    """Inputs whose pattern stage is infeasible: two teams' comms watchers (and the spares) away."""
    inputs = desk_inputs(spares=spares, days=days, leaves=0 if days < 30 else 5, seed=seed)
    day = START + timedelta(days=2 if days < 30 else 40)
    away = [f"spare{i}" for i in range(spares)] + ["commC0", "commD0"]
    return replace(inputs, leaves=inputs.leaves + tuple(Leave(u, day, day) for u in away))


def test_pattern_stage_infeasible_falls_back_to_local_stage():
    inputs = _rotation_breaking()
    assert solve_stage(build_facts(inputs), "pattern", 10, 2).status == "INFEASIBLE"
    result = solved_ok(solve(inputs), inputs)
    assert result.stage == "local" and result.status == "OPTIMAL"


def test_free_stage_still_answers_without_the_local_stage():
    inputs = _rotation_breaking()
    local = solved_ok(solve(inputs), inputs)
    free = solved_ok(solve(inputs, stages=("pattern", "free")), inputs)
    assert free.stage == "free" and free.status == "OPTIMAL"
    assert free.objective <= local.objective  # the free model contains the local one


def test_forced_demo_desk_is_proven_optimal_by_the_local_stage():
    inputs = _rotation_breaking(days=92, spares=2, seed=7)
    result = solved_ok(solve(inputs, time_limit=20), inputs)
    assert (result.stage, result.status) == ("local", "OPTIMAL")


def test_leave_is_not_made_up_and_nights_stay_within_one(small_desk):
    night = next(d for d in small_desk.dates if small_desk.pattern.shift_of("C", d) == "N")
    inputs = replace(small_desk, days=28, leaves=(Leave("commC0", night, night + timedelta(days=1)),))
    result = solved_ok(solve(inputs), inputs)
    nights = Counter(a.username for a in result.assignments if a.shift == "N")
    rotation = Counter(u for (u, _d, s) in build_facts(inputs).pattern if s == "N")
    assert nights["commC0"] == rotation["commC0"] - 1  # no make-up night after the leave
    adjusted = [nights[u] + (u == "commC0") for u in ("commA0", "commB0", "commC0", "commD0")]
    assert max(adjusted) - min(adjusted) <= 1


def test_interval_share_lines_are_exact():
    for half in (0, 1):
        lines = square_lines(-6, 7, half)
        assert all(max(a * y + b for a, b in lines) == y * (y - half) for y in range(-6, 8))


def test_minimal_change_reproduces_the_published_roster():
    inputs = desk_inputs(days=28, leaves=3, seed=4)
    first = solved_ok(solve(inputs), inputs)
    redo = replace(inputs, previous=first.assignments)
    again = solved_ok(solve(redo), redo)
    assert set(again.assignments) == set(first.assignments)
    assert "change" not in summarise(again.cost_breakdown)


def test_amendment_changes_few_seats():
    inputs = desk_inputs(days=28, leaves=2, seed=5)
    first = solved_ok(solve(inputs), inputs)
    extra = Leave("infoB0", START + timedelta(days=10), START + timedelta(days=11))
    amended = replace(inputs, leaves=(*inputs.leaves, extra), previous=first.assignments)
    second = solved_ok(solve(amended), amended)
    changed = set(first.assignments) ^ set(second.assignments)
    assert 0 < len(changed) <= 8


def test_unwanted_preference_is_honoured_when_cheap(small_desk):
    day = START + timedelta(days=4)
    inputs = replace(small_desk, leaves=(Leave("infoA0", day, day),),
                     preferences=(Preference("spare0", wanted=False, day=day, weight=5),))
    result = solved_ok(solve(inputs), inputs)
    assert not any(a.username == "spare0" and a.day == day for a in result.assignments)


def test_history_moves_nights_to_the_spare_with_fewer():
    inputs = desk_inputs(days=28, leaves=0)
    nights = tuple(Leave(f"comm{t}0", START + timedelta(days=k), START + timedelta(days=k + 1))
                   for k, t in ((2, "A"), (9, "B"), (17, "C")))
    inputs = replace(inputs, leaves=nights, history={"spare0": Counts(nights=10, substitutions=10)})
    result = solved_ok(solve(inputs), inputs)
    worked = {u: sum(1 for a in result.assignments if a.username == u) for u in ("spare0", "spare1")}
    assert worked["spare0"] <= worked["spare1"]


def test_days_before_the_period_are_respected(small_desk):
    before = (Assignment(START - timedelta(days=1), "N", "info", "infoA0"),)
    inputs = replace(small_desk, before=before)
    result = solved_ok(solve(inputs), inputs)
    assert not any(a.username == "infoA0" and a.day == START and a.shift == "D" for a in result.assignments)


def test_ddnnoooo_and_larger_coverage():
    inputs = desk_inputs(per_position=2, spares=2, days=16, leaves=3, seed=2, code="DDNNOOOO")
    result = solved_ok(solve(inputs), inputs)
    assert len(result.assignments) == 16 * 2 * 6


def test_invalid_pattern_is_refused(small_desk):
    inputs = replace(small_desk, rules=Rules(max_shifts_in_window=10))
    result = solve(inputs)
    assert result.status == "INVALID_PATTERN"
    assert result.explanation.conflicts[0].code == "pattern_window"


def test_leader_on_leave_is_replaced_by_a_leader():
    inputs = desk_inputs(days=10, leaves=0)
    day = START + timedelta(days=3)
    inputs = replace(inputs, leaves=(Leave("leadA0", day, day + timedelta(days=1)),))
    result = solved_ok(solve(inputs), inputs)
    leaders = {a.username for a in result.assignments if a.position == "leader"}
    assert leaders <= {"leadA0", "leadB0", "leadC0", "leadD0"}


def test_unknown_pin_person_is_explained(small_desk):
    inputs = replace(small_desk, pins=(Pin("ghost", date(2026, 1, 3), "D", "info"),))
    result = solve(inputs)
    assert result.status == "INFEASIBLE"
    assert any(c.code == "pin_unqualified" and c.kw["person"] == "ghost" for c in result.explanation.conflicts)
