"""The SOFT/HARD state machine and flap detection, as pure functions with the time passed in.

Semantics follow Nagios/Icinga services:

- From a good (HARD OK) state, a non-OK result is attempt 1, SOFT; the check is then re-run at the retry
  interval and the problem becomes HARD when ``attempt`` reaches ``max_attempts`` (at once when
  ``max_attempts`` is 1). Only then is a ``problem`` event raised. An OK result during SOFT attempts is a
  soft recovery: back to HARD OK, no event.
- In a HARD problem, a result in a different non-OK state (WARNING -> CRITICAL, CRITICAL -> UNKNOWN...) is
  a new ``problem`` event at once; the same state raises nothing more (re-notification is the alert layer's).
- Recovery needs ``recovery_threshold`` OK results in a row (our addition; Nagios uses 1). While they
  accumulate the state is OK SOFT; a non-OK result in between returns to the HARD problem without a new
  event unless its state differs.
- Flapping: the Nagios weighted percent state change over the last 21 results (20 transitions weighted 0.8
  for the oldest to 1.2 for the newest). It starts at ``>= flap_start`` and stops at ``<= flap_stop``.
  While flapping, problem and recovery events are suppressed: one ``flapping_start`` is raised instead of a
  storm. At ``flapping_stop``, if the check is in a HARD problem a ``problem`` event follows, so that it is
  not lost.

Maintenance windows are applied afterwards, by ``monitoring.maintenance.filter_events``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from monitoring.checkspec import CheckResult, CheckSpec, State
from monitoring.codes import Code, Message, msg

SOFT = "SOFT"
HARD = "HARD"
FLAP_HISTORY = 21
EVENT_KINDS = ("problem", "recovery", "flapping_start", "flapping_stop")


@dataclass(frozen=True)
class CheckState:
    """What the scheduler remembers about a check between runs.

    ``state``/``state_type`` — the latest result's state and whether it is confirmed (HARD) or not (SOFT);
    ``hard_state`` — the last confirmed state (what alerts are about);
    ``attempt`` — 1 for OK, the attempt number for a SOFT problem, ``max_attempts`` for a HARD problem;
    ``since`` — when ``hard_state`` began; ``last_change`` — when ``state`` (soft or hard) last changed;
    ``consecutive_ok`` — OK results in a row; ``history`` — the last 21 result states, oldest first;
    ``flapping`` and ``percent_change`` — flap detection.
    """

    state: State = State.OK
    state_type: str = HARD
    hard_state: State = State.OK
    attempt: int = 1
    since: datetime | None = None
    last_change: datetime | None = None
    consecutive_ok: int = 0
    history: tuple[State, ...] = ()
    flapping: bool = False
    percent_change: float = 0.0

    @classmethod
    def initial(cls, now: datetime) -> CheckState:
        """The state of a check never run: HARD OK since ``now`` (as Nagios assumes for new services)."""
        return cls(since=now, last_change=now)

    @property
    def is_problem(self) -> bool:
        """True when the confirmed state is not OK."""
        return self.hard_state != State.OK


@dataclass(frozen=True)
class AnomalyEvent:
    """Something the desk must hear about. ``kind`` is one of :data:`EVENT_KINDS`."""

    kind: str
    check: str
    state: State
    summary: str
    time: datetime
    severity: str = "major"
    domain: str = "info"
    percent_change: float | None = None
    message: Message | None = None  # what ``summary`` says, as a code (None: the summary is a plugin's text)

    @property
    def key(self) -> str:
        """Deduplication key for the alert layer: one open alert per check (flapping is its own alert)."""
        return f"check:{self.check}:flapping" if self.kind.startswith("flapping") else f"check:{self.check}"


def percent_state_change(history: tuple[State, ...] | list[State]) -> float:
    """Nagios weighted percent state change of the last 21 states (0-100; newer changes weigh more)."""
    recent = list(history)[-FLAP_HISTORY:]
    transitions = FLAP_HISTORY - 1
    total = 0.0
    for age, (older, newer) in enumerate(reversed(list(itertools.pairwise(recent)))):
        if older != newer:
            total += 1.2 - age * 0.4 / (transitions - 1)
    return total * 100.0 / transitions


def apply_result(
    prev: CheckState, result: CheckResult, spec: CheckSpec, now: datetime
) -> tuple[CheckState, list[AnomalyEvent]]:
    """Fold one result into the state; return the new state and the events it raises (maybe none)."""
    moved, transition_event = _transition(prev, result.state, spec, now)
    history = (*prev.history, result.state)[-FLAP_HISTORY:]
    percent = percent_state_change(history)
    flapping = _is_flapping(prev.flapping, percent, spec)
    new = replace(moved, history=history, flapping=flapping, percent_change=round(percent, 2))
    return new, _events(prev, new, transition_event, result, spec, now)


def _events(
    prev: CheckState,
    new: CheckState,
    transition_event: str | None,
    result: CheckResult,
    spec: CheckSpec,
    now: datetime,
) -> list[AnomalyEvent]:
    """Events for a step: flapping start/stop take precedence; problem/recovery are muted while flapping."""
    if new.flapping != prev.flapping:
        code = Code.FLAPPING_START if new.flapping else Code.FLAPPING_STOP
        said = result.message.to_dict() if result.message else result.summary
        flap = msg(code, check=spec.name, percent=round(new.percent_change), said=said)
        events = [_event(code.value, new, spec, "", now, flap)]
        problem = None if new.flapping else open_problem_event(new, spec, result.summary, now, result.message)
        return events + ([problem] if problem else [])
    if new.flapping or transition_event is None:
        return []
    return [_event(transition_event, new, spec, result.summary, now, result.message)]


def _event(kind: str, state: CheckState, spec: CheckSpec, summary: str, now: datetime,
           message: Message | None = None) -> AnomalyEvent:
    """Build an event for ``spec`` from the state it was raised in."""
    percent = state.percent_change if kind.startswith("flapping") else None
    shown = state.hard_state if kind in ("problem", "recovery") else state.state
    return AnomalyEvent(kind, spec.name, shown, summary, now, spec.severity, spec.domain, percent, message)


def open_problem_event(
    state: CheckState, spec: CheckSpec, summary: str, now: datetime, message: Message | None = None
) -> AnomalyEvent | None:
    """A ``problem`` event restating a HARD problem, or None when the check is OK.

    For the scheduler when something that muted events ends (a maintenance window, flapping) while the check
    is still bad, so that the problem reaches the desk.
    """
    if not state.is_problem:
        return None
    return _event("problem", state, spec, summary, now, message)


def _is_flapping(was_flapping: bool, percent: float, spec: CheckSpec) -> bool:
    """Hysteresis between the start and stop thresholds, as Nagios."""
    if percent >= spec.flap_start:
        return True
    if percent <= spec.flap_stop:
        return False
    return was_flapping


def _transition(
    prev: CheckState, new: State, spec: CheckSpec, now: datetime
) -> tuple[CheckState, str | None]:
    """The SOFT/HARD step for a result in state ``new``; returns the state and 'problem'/'recovery'/None."""
    if new == State.OK:
        return _on_ok(prev, spec, now)
    return _on_problem(prev, new, spec, now)


def _on_ok(prev: CheckState, spec: CheckSpec, now: datetime) -> tuple[CheckState, str | None]:
    """An OK result: soft recovery, pending recovery (OK SOFT) or confirmed recovery."""
    ok_count = prev.consecutive_ok + 1 if prev.state == State.OK else 1
    if not prev.is_problem:
        return _confirmed(prev, State.OK, now, ok_count, spec), None
    if ok_count >= spec.recovery_threshold:
        return _confirmed(prev, State.OK, now, ok_count, spec), "recovery"
    changed = _changed_at(prev, State.OK, now)
    return replace(
        prev, state=State.OK, state_type=SOFT, attempt=1, consecutive_ok=ok_count, last_change=changed
    ), None


def _on_problem(
    prev: CheckState, new: State, spec: CheckSpec, now: datetime
) -> tuple[CheckState, str | None]:
    """A non-OK result: next SOFT attempt, becoming HARD, or a change between HARD problem states."""
    if prev.is_problem:
        return _confirmed(prev, new, now, 0, spec), ("problem" if new != prev.hard_state else None)
    in_soft_problem = prev.state_type == SOFT and prev.state != State.OK
    attempt = prev.attempt + 1 if in_soft_problem else 1
    if attempt >= spec.max_attempts:
        return _confirmed(prev, new, now, 0, spec), "problem"
    changed = _changed_at(prev, new, now)
    return replace(
        prev, state=new, state_type=SOFT, attempt=attempt, consecutive_ok=0, last_change=changed
    ), None


def _changed_at(prev: CheckState, new: State, now: datetime) -> datetime:
    """``now`` if the state changes, else the previous change time."""
    return now if new != prev.state or prev.last_change is None else prev.last_change


def _confirmed(prev: CheckState, new: State, now: datetime, ok_count: int, spec: CheckSpec) -> CheckState:
    """A HARD state ``new``; ``since`` moves only when the confirmed state changes."""
    since = now if new != prev.hard_state or prev.since is None else prev.since
    attempt = 1 if new == State.OK else spec.max_attempts
    return replace(
        prev,
        state=new,
        state_type=HARD,
        hard_state=new,
        attempt=attempt,
        since=since,
        last_change=_changed_at(prev, new, now),
        consecutive_ok=ok_count,
    )


def next_run_at(state: CheckState, spec: CheckSpec, last_start: datetime) -> tuple[datetime, bool]:
    """When to run the check next and whether that uses the retry interval.

    The retry interval is used while the state is SOFT: confirming a problem (Nagios) and, our addition,
    confirming a recovery that needs several OK results.
    """
    retry = state.state_type == SOFT
    seconds = spec.retry_interval if retry else spec.interval
    return last_start + timedelta(seconds=seconds), retry
