"""Windows of days re-solved around an incumbent (roster.lns.sweep), as the solver runs it after price and dive."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

import roster.solver as solver_module
from roster import lns
from roster.cpsat import RosterModel
from roster.facts import build_facts
from roster.scorer import score
from tests.roster.test_first_roster import _two_people_one_seat
from tests.roster.test_general_rules import MONDAY


def _model(days: int) -> RosterModel:
    rm = RosterModel(build_facts(_two_people_one_seat(days=days)), "pattern")
    rm.add_hard_rules()
    rm.add_soft_rules()
    return rm


def _incumbent(rm: RosterModel, keys: set) -> object:
    complete = solver_module._completed(rm, keys, time.perf_counter() + 10)
    assert complete is not None
    return complete


def test_windows_overlap_by_half_and_the_last_ends_on_the_last_day():
    days = [MONDAY + timedelta(days=i) for i in range(10)]
    windows = lns._windows(days, 7)
    assert [min(w) for w in windows] == [days[0], days[3]]
    assert all(len(w) == 7 for w in windows) and max(windows[-1]) == days[-1]
    assert lns._windows(days[:5], 7) == [set(days[:5])]  # a period shorter than a window is one window
    assert lns._windows([], 7) == []


def test_a_sweep_mends_a_roster_window_by_window():
    rm = _model(days=21)
    empty = _incumbent(rm, set())  # nobody works: every day's seat short, 21 x 100
    assert empty.objective_value == 2100
    heard: list[int] = []
    best = lns.sweep(rm, empty, time.perf_counter() + 60, workers=1, report=heard.append)
    assert best.objective_value == 0
    assert heard and heard == sorted(heard, reverse=True) and heard[-1] == 0
    seats = solver_module._read(rm, best, "FEASIBLE", "pattern").assignments
    assert score(_two_people_one_seat(days=21), seats).total == 0 and len(seats) == 21


def test_a_sweep_that_finds_nothing_stops_after_its_longest_windows(monkeypatch: pytest.MonkeyPatch):
    rm = _model(days=21)
    days = sorted(build_facts(_two_people_one_seat(days=21)).dates)
    optimum = _incumbent(rm, {("a", d, "D", "ops") for d in days})
    steps: list[int] = []
    real_step = lns._step
    monkeypatch.setattr(lns, "_step", lambda *a, **k: steps.append(1) or real_step(*a, **k))
    assert lns.sweep(rm, optimum, time.perf_counter() + 60, workers=1) is optimum
    assert len(steps) == sum(len(lns._windows(days, size)) for size in (7, 10, 14))  # 7, half as long again, the cap
