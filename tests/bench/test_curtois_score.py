"""The independent scorer, pinned on hand-made tiny instances: one test per hard rule and per penalty."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bench.curtois_format import Cover, Instance, Request, ShiftType, Staff, parse
from bench.curtois_score import runs, score, score_rows

SHARED = Path("/work/shared/curtois")


def person(pid: str = "A", **limits: int) -> Staff:
    base = {"max_minutes": 10_000, "min_minutes": 0, "max_consecutive": 14, "min_consecutive": 1,
            "min_days_off": 1, "max_weekends": 2}
    base.update(limits)
    return Staff(pid, {"D": 14, "N": 14}, **base)


def tiny(*staff: Staff, days: int = 14, **fields: object) -> Instance:
    """Two shifts: D (480 min) and N (600 min); D may not follow N."""
    shifts = (ShiftType("D", 480, frozenset()), ShiftType("N", 600, frozenset({"D"})))
    inst = Instance("Tiny", days, shifts, staff or (person(),), {}, (), (), ())
    return replace(inst, **fields)  # type: ignore[arg-type]


def work(pid: str, shift: str, *days: int) -> dict[tuple[str, int], str]:
    return {(pid, d): shift for d in days}


def test_all_off_on_a_free_instance_scores_nothing() -> None:
    assert score(tiny(), {}) == score(tiny(), {}).__class__(0, 0, 0, 0, 0, ())


def test_unmet_on_request_costs_its_weight() -> None:
    inst = tiny(on_requests=(Request("A", 2, "D", 3), Request("A", 3, "N", 5)))
    result = score(inst, {("A", 2): "D", ("A", 3): "D"})  # day 3 works, but D where N was asked
    assert (result.on_requests, result.objective) == (5, 5)


def test_violated_off_request_costs_its_weight() -> None:
    inst = tiny(off_requests=(Request("A", 2, "D", 3), Request("A", 3, "N", 4)))
    result = score(inst, {("A", 2): "D", ("A", 3): "D"})  # day 3 works D, so the N-off request holds
    assert (result.off_requests, result.objective) == (3, 3)


def test_cover_under_and_over_cost_their_weights_per_person() -> None:
    inst = tiny(person("A"), person("B"), person("C"),
                cover=(Cover(0, "D", 3, 100, 1), Cover(1, "D", 1, 100, 7), Cover(1, "N", 0, 100, 5)))
    roster = {("A", 0): "D", ("A", 1): "D", ("B", 1): "D", ("C", 1): "D"}
    result = score(inst, roster)
    assert (result.under, result.over, result.objective) == (200, 14, 214)
    assert result.violations == ()


def test_working_a_fixed_day_off() -> None:
    result = score(tiny(days_off={"A": frozenset({3})}), work("A", "D", 2, 3))
    assert result.violations == ("A day 3: works D on a fixed day off",)


def test_max_shifts_of_a_type() -> None:
    inst = tiny(replace(person(), max_shifts={"D": 2, "N": 0}))
    result = score(inst, work("A", "D", 0, 1, 2) | work("A", "N", 5))
    assert result.violations == (
        "A: 3 shifts of D, more than the maximum 2", "A: 1 shifts of N, more than the maximum 0")


@pytest.mark.parametrize("roster,words", [
    (work("A", "D", 0, 1, 2), "1440 minutes worked, more than the maximum 1000"),
    (work("A", "N", 0), "600 minutes worked, fewer than the minimum 960"),
    ({}, "0 minutes worked, fewer than the minimum 960"),
])
def test_total_minutes_both_ways(roster: dict[tuple[str, int], str], words: str) -> None:
    result = score(tiny(person(max_minutes=1000, min_minutes=960)), roster)
    assert result.violations == (f"A: {words}",)


def test_total_minutes_at_the_limits_are_fine() -> None:
    assert score(tiny(person(max_minutes=1080, min_minutes=1080)), work("A", "D", 0) | work("A", "N", 1)).valid


def test_max_consecutive_shifts() -> None:
    result = score(tiny(person(max_consecutive=3)), work("A", "D", 2, 3, 4, 5))
    assert result.violations == ("A days 2-5: 4 shifts in a row, more than the maximum 3",)
    assert score(tiny(person(max_consecutive=3)), work("A", "D", 2, 3, 4, 6)).valid


def test_min_consecutive_shifts_in_the_middle() -> None:
    result = score(tiny(person(min_consecutive=2)), work("A", "D", 4, 5) | work("A", "D", 8))
    assert result.violations == ("A days 8-8: 1 shifts in a row, fewer than the minimum 2",)


@pytest.mark.parametrize("day", [0, 13])
def test_min_consecutive_shifts_holds_at_either_end_of_the_horizon(day: int) -> None:
    """The days outside the horizon are off, so a lone shift on the first or last day is still too short."""
    result = score(tiny(person(min_consecutive=2)), work("A", "D", day))
    assert result.violations == (f"A days {day}-{day}: 1 shifts in a row, fewer than the minimum 2",)


def test_min_consecutive_days_off_in_the_middle() -> None:
    result = score(tiny(person(min_days_off=2)), work("A", "D", *range(0, 5), *range(6, 14)))
    assert result.violations == ("A days 5-5: 1 days off in a row, fewer than the minimum 2",)


@pytest.mark.parametrize("worked", [range(1, 14), range(0, 13)])
def test_an_off_run_touching_either_end_needs_no_minimum(worked: range) -> None:
    assert score(tiny(person(min_days_off=3)), work("A", "D", *worked)).valid


def test_max_weekends_counts_a_weekend_worked_if_either_day_is() -> None:
    inst = tiny(person(max_weekends=1))
    assert score(inst, work("A", "D", 5, 6)).valid  # one weekend, both days
    result = score(inst, work("A", "D", 6) | work("A", "D", 12))  # Sunday of week 0, Saturday of week 1
    assert result.violations == ("A: 2 weekends worked, more than the maximum 1",)
    assert score(inst, work("A", "D", 4, 7)).valid  # Friday and Monday are not the weekend


def test_forbidden_succession() -> None:
    result = score(tiny(), work("A", "N", 3) | work("A", "D", 4))
    assert result.violations == ("A days 3-4: D may not follow N",)
    assert score(tiny(), work("A", "D", 3) | work("A", "N", 4)).valid  # the other way round is allowed


def test_unknown_shift_staff_and_day() -> None:
    result = score(tiny(days=7), {("A", 1): "X", ("Z", 2): "D", ("A", 9): "D"})
    assert "A day 1: unknown shift 'X'" in result.violations
    assert "Z day 2: unknown staff member" in result.violations
    assert "A day 9: outside the horizon of 7 days" in result.violations


def test_one_shift_per_day_from_rows() -> None:
    result = score_rows(tiny(), [("A", 2, "D"), ("A", 2, "N"), ("A", 3, "N")])
    assert result.violations == ("A day 2: more than one shift on one day (D, N)",)


def test_runs_splits_into_maximal_runs() -> None:
    assert runs([True, True, False, True]) == [(True, 0, 2), (False, 2, 1), (True, 3, 1)]
    assert runs([]) == []


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared instances are not on this machine")
def test_instance1_all_off_scores_7137() -> None:
    result = score(parse(SHARED / "Instance1.txt"), {})
    assert (result.objective, result.on_requests, result.off_requests, result.under, result.over) == (
        7137, 37, 0, 7100, 0)
    assert len(result.violations) == 8  # everyone below the minimum minutes
