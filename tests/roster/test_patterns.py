"""Patterns: presets, default offsets, derived limits and the save-time check."""

from datetime import date

import pytest

from roster.domain import Rules
from roster.patterns import (
    PatternError,
    check_pattern,
    default_offsets,
    longest_run,
    make_pattern,
    require_valid,
    resolve_rules,
)

ANCHOR = date(2026, 1, 1)


@pytest.mark.parametrize("code", ["DNOO", "DDNNOOOO"])
def test_presets_put_one_team_on_each_shift(code):
    pattern = make_pattern(code, ANCHOR)
    assert check_pattern(pattern) == []
    for k in range(len(code)):
        day = date(2026, 1, 1 + k)
        shifts = sorted(pattern.shift_of(t, day) for t in "ABCD")
        assert shifts.count("D") == 1 and shifts.count("N") == 1


def test_derived_limits_for_dnoo():
    rules = resolve_rules(Rules(), make_pattern("DNOO", ANCHOR))
    assert rules.max_consecutive == 3
    assert rules.max_shifts_in_window == 16
    assert longest_run("DDNNOOOO") == 4


def test_night_then_day_refused():
    pattern = make_pattern("DNDO", ANCHOR, {"A": 0, "B": 1, "C": 2, "D": 3})
    rules = {r for r, _ in check_pattern(pattern)}
    assert "night_then_day" in rules


def test_coverage_refused_when_teams_collide():
    pattern = make_pattern("DNOO", ANCHOR, {"A": 0, "B": 0, "C": 2, "D": 2})
    assert any(r == "coverage" for r, _ in check_pattern(pattern))


def test_window_and_consecutive_limits_refused():
    pattern = make_pattern("DDNNOOOO", ANCHOR)
    problems = {r for r, _ in check_pattern(pattern, Rules(max_consecutive=3, max_shifts_in_window=10))}
    assert problems == {"max_consecutive", "window_limit"}


def test_require_valid_raises_with_rules():
    with pytest.raises(PatternError) as err:
        require_valid(make_pattern("DNXO", ANCHOR))
    assert err.value.problems[0][0] == "bad_code"


def test_default_offsets_search_for_odd_lengths():
    offsets = default_offsets("DNOO")
    assert sorted(offsets.values()) == [0, 1, 2, 3]
