"""SOFT/HARD state machine, recovery threshold and Nagios flap detection, with time passed in."""

from datetime import UTC, datetime, timedelta

import pytest

from monitoring.checkspec import CheckResult, CheckSpec, State
from monitoring.state import (
    HARD,
    SOFT,
    CheckState,
    apply_result,
    next_run_at,
    open_problem_event,
    percent_state_change,
)

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
OK, W, C, U = State.OK, State.WARNING, State.CRITICAL, State.UNKNOWN


def spec(**changes) -> CheckSpec:
    """A check with 3 attempts unless told otherwise."""
    fields = {"name": "db", "kind": "tcp", "severity": "critical", "domain": "comms", **changes}
    return CheckSpec(**fields)


def run(states, check=None, start=None):
    """Apply results in ``states`` one minute apart; return (final state, [(kinds of events) per step])."""
    check = check or spec()
    current = start or CheckState.initial(T0)
    steps = []
    for minute, state in enumerate(states, start=1):
        current, events = apply_result(
            current, CheckResult(state, f"{state.name} now"), check, T0 + timedelta(minutes=minute)
        )
        steps.append([e.kind for e in events])
    return current, steps


def test_problem_becomes_hard_after_max_attempts():
    final, steps = run([C, C, C, C])
    assert steps == [[], [], ["problem"], []]
    assert (final.state, final.state_type, final.attempt) == (C, HARD, 3)
    assert final.since == T0 + timedelta(minutes=3)


def test_soft_attempts_count_up():
    state, _ = run([W, C])
    assert (state.state, state.state_type, state.attempt, state.hard_state) == (C, SOFT, 2, OK)


def test_soft_recovery_raises_nothing():
    final, steps = run([C, C, OK])
    assert steps == [[], [], []]
    assert (final.state, final.state_type, final.attempt) == (OK, HARD, 1)
    assert final.since == T0  # the confirmed state never changed


def test_max_attempts_one_is_hard_at_once():
    _, steps = run([C], spec(max_attempts=1))
    assert steps == [["problem"]]


def test_recovery_and_event_fields():
    check = spec(max_attempts=1)
    state = CheckState.initial(T0)
    state, _ = apply_result(state, CheckResult(C, "down"), check, T0)
    state, events = apply_result(state, CheckResult(OK, "up again"), check, T0 + timedelta(minutes=1))
    [event] = events
    assert (event.kind, event.check, event.state, event.summary) == ("recovery", "db", OK, "up again")
    assert (event.severity, event.domain, event.time) == ("critical", "comms", T0 + timedelta(minutes=1))
    assert event.key == "check:db"


def test_recovery_threshold_needs_consecutive_oks():
    check = spec(max_attempts=1, recovery_threshold=3)
    final, steps = run([C, OK, OK, C, OK, OK, OK], check)
    assert steps == [["problem"], [], [], [], [], [], ["recovery"]]
    assert (final.state, final.state_type) == (OK, HARD)


def test_pending_recovery_is_soft_ok():
    state, _ = run([C, OK], spec(max_attempts=1, recovery_threshold=2))
    assert (state.state, state.state_type, state.hard_state, state.consecutive_ok) == (OK, SOFT, C, 1)


def test_change_between_hard_problem_states_is_a_new_problem():
    final, steps = run([W, W, C, C, U], spec(max_attempts=2))
    assert steps == [[], ["problem"], ["problem"], [], ["problem"]]
    assert final.hard_state == U


def test_problem_event_carries_new_state():
    check = spec(max_attempts=1)
    state, _ = apply_result(CheckState.initial(T0), CheckResult(W, "slow"), check, T0)
    _, [event] = apply_result(state, CheckResult(C, "down"), check, T0)
    assert (event.kind, event.state) == ("problem", C)


def test_percent_state_change_matches_nagios_weights():
    assert percent_state_change([OK] * 21) == 0
    assert percent_state_change([OK, C] * 11) == pytest.approx(100)
    # only the newest transition changed: weight 1.2 of 20 -> 6 %
    assert percent_state_change([OK] * 20 + [C]) == pytest.approx(6.0)
    # only the oldest transition changed: weight 0.8 -> 4 %
    assert percent_state_change([C] + [OK] * 20) == pytest.approx(4.0)
    assert percent_state_change([]) == 0 and percent_state_change([C]) == 0


def test_flapping_raises_one_event_instead_of_a_storm():
    check = spec(max_attempts=1)
    states = [OK, C] * 15
    final, steps = run(states, check)
    flat = [kind for step in steps for kind in step]
    assert flat.count("flapping_start") == 1
    start_index = next(i for i, s in enumerate(steps) if "flapping_start" in s)
    assert all(step in ([],) for step in steps[start_index + 1 :])
    assert final.flapping
    assert flat.count("problem") + flat.count("recovery") <= start_index + 1  # only before flapping began


def test_flapping_stops_below_the_low_threshold_and_restates_a_problem():
    check = spec(max_attempts=1)
    state, steps = run([OK, C] * 8, check)
    assert state.flapping
    state, steps = run([C] * 21, check, start=state)
    flat = [kind for step in steps for kind in step]
    assert flat == ["flapping_stop", "problem"]
    assert not state.flapping and state.hard_state == C


def test_flapping_stop_when_ok_raises_only_the_stop():
    check = spec(max_attempts=1)
    state, _ = run([OK, C] * 8, check)
    state, steps = run([OK] * 21, check, start=state)
    assert [kind for step in steps for kind in step] == ["flapping_stop"]


def test_hysteresis_between_thresholds():
    check = spec(flap_start=50, flap_stop=25)
    assert apply_result(CheckState(flapping=True, history=(OK, C) * 3), CheckResult(OK, ""), check, T0)[0].flapping
    calm = CheckState(flapping=False, history=(OK, C) * 3)
    assert not apply_result(calm, CheckResult(OK, ""), check, T0)[0].flapping


def test_history_is_capped_at_21():
    state, _ = run([OK] * 30)
    assert len(state.history) == 21


def test_next_run_uses_retry_interval_while_soft():
    check = spec(interval=60, retry_interval=10)
    assert next_run_at(CheckState(), check, T0) == (T0 + timedelta(seconds=60), False)
    soft, _ = run([C], check)
    assert next_run_at(soft, check, T0) == (T0 + timedelta(seconds=10), True)
    hard, _ = run([C, C, C], check)
    assert next_run_at(hard, check, T0) == (T0 + timedelta(seconds=60), False)


def test_open_problem_event():
    assert open_problem_event(CheckState(), spec(), "fine", T0) is None
    hard, _ = run([C, C, C])
    event = open_problem_event(hard, spec(), "still down", T0)
    assert event is not None and (event.kind, event.state) == ("problem", C)


def test_last_change_tracks_soft_changes_too():
    state, _ = run([W, C])
    assert state.last_change == T0 + timedelta(minutes=2)
    assert state.since == T0
