"""Nagios range syntax: the guideline table, inclusive bounds, and clear errors."""

import contextlib
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.codes import Code
from monitoring.ranges import RangeError, check_thresholds, is_valid_range, parse_range


@pytest.mark.parametrize(
    ("text", "alerting", "quiet"),
    [
        ("10", [-1, 10.01, 11], [0, 5, 10]),
        ("10:", [-5, 9.99], [10, 11, 1e9]),
        ("~:10", [10.5, 100], [-1e9, 0, 10]),
        ("10:20", [9, 21], [10, 15, 20]),
        ("@10:20", [10, 15, 20], [9.9, 20.1]),
        ("-5:5", [-6, 6], [-5, 0, 5]),
        ("@~:0", [-1, 0], [0.1]),
        ("0.5:1.5", [0.4, 1.6], [0.5, 1.5]),
    ],
)
def test_guideline_ranges(text, alerting, quiet):
    parsed = parse_range(text)
    assert all(parsed.alerts(v) for v in alerting)
    assert not any(parsed.alerts(v) for v in quiet)


def test_parsed_bounds():
    assert parse_range("10:").end == math.inf
    assert parse_range("~:10").start == -math.inf
    assert parse_range("@10:20").inside
    assert str(parse_range(" 10:20 ")) == "10:20"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", Code.RANGE_EMPTY),
        ("@", Code.RANGE_EMPTY),
        ("abc", Code.RANGE_NOT_NUMBER),
        ("20:10", Code.RANGE_REVERSED),
        ("1:2:3", Code.RANGE_TWO_COLONS),
        ("10%", Code.RANGE_NOT_NUMBER),
        ("~", Code.RANGE_NOT_NUMBER),
        ("10:~", Code.RANGE_NOT_NUMBER),
        ("nan", Code.RANGE_NOT_NUMBER),
        ("inf", Code.RANGE_NOT_NUMBER),
    ],
)
def test_bad_ranges_say_why(text, code):
    with pytest.raises(RangeError) as caught:
        parse_range(text)
    assert caught.value.message.code == code
    assert not is_valid_range(text)


def test_non_text_is_refused():
    with pytest.raises(RangeError):
        parse_range(10)  # type: ignore[arg-type]


def test_check_thresholds_critical_wins():
    assert check_thresholds(5, "10", "20") == 0
    assert check_thresholds(15, "10", "20") == 1
    assert check_thresholds(25, "10", "20") == 2
    assert check_thresholds(25, None, None) == 0
    assert check_thresholds(float("nan"), "10", "20") == 0


@given(st.text(max_size=20))
def test_parse_never_fails_otherwise(text):
    with contextlib.suppress(RangeError):
        parse_range(text)


@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False))
def test_inside_is_the_inverse_of_outside(low, high):
    low, high = sorted((low, high))
    outside, inside = parse_range(f"{low!r}:{high!r}"), parse_range(f"@{low!r}:{high!r}")
    for value in (low, high, (low + high) / 2, low - 1, high + 1):
        assert outside.alerts(value) != inside.alerts(value)
