"""Explanations are stored as data and rendered in the reader's language (English here, and via a fake catalog)."""

from __future__ import annotations

import re
from datetime import date

from roster import words
from roster.domain import Explanation, Gap


def english(s: str, **kw) -> str:
    return s % kw if kw else s


def shouting(s: str, **kw) -> str:
    """A stand-in catalog: every template translated to upper case (its placeholders and parameters are not)."""
    loud = re.sub(r"%\(\w+\)s|[^%]+", lambda m: m.group(0) if m.group(0).startswith("%(") else m.group(0).upper(), s)
    return loud % kw if kw else loud


EXPL = Explanation(
    "no roster satisfies every rule; in conflict: leave of Li 12-03..12-04, rest rules for Wang",
    (Gap(date(2026, 12, 3), "N", "comms", (("li", "on leave"), ("wang", "resting after night shift"),
                                            ("zhao", "over the 28-day limit"))),),
    ("leave of Li 12-03..12-04", "rest rules for Wang"),
)


def test_the_stored_data_keeps_the_english_lines():
    data = words.explanation_data(EXPL, {"li": "Li", "wang": "Wang", "zhao": "Zhao"})
    assert data["lines"][1] == ("12-03 night: no communications watcher: Li on leave, Wang resting after night "
                                "shift, Zhao over the 28-day limit")
    assert words.english_lines(data) == data["lines"]
    assert words.english_lines(["old", "list"]) == ["old", "list"]


def test_lines_in_the_readers_language():
    data = words.explanation_data(EXPL, {"li": "Li", "wang": "Wang", "zhao": "Zhao"})
    lines = words.explanation_lines(data, english)
    assert lines[0] == "No roster satisfies every rule together; these conflict:"
    assert lines[1] == ("12-03 night: no communications watcher: Li on leave, Wang resting after a night shift, "
                        "Zhao over the 28-day limit")
    assert lines[2:] == ["leave of Li 12-03 to 12-04", "rest rules for Wang"]
    loud = words.explanation_lines(data, shouting)
    assert loud[1].startswith("12-03 NIGHT: NO COMMUNICATIONS WATCHER: Li ON LEAVE")  # names untouched
    assert "OVER THE 28-DAY LIMIT" in loud[1]


def test_unknown_phrases_are_shown_as_the_engine_wrote_them():
    data = words.explanation_data(Explanation("something new", (), ("a new kind of conflict",)), {})
    assert words.explanation_lines(data, english) == ["something new", "in conflict: a new kind of conflict"]


def test_pattern_problems_in_words():
    from roster.patterns import check_pattern, make_pattern

    problems = check_pattern(make_pattern("DNDNOO", words_anchor()))
    lines = [words.pattern_problem(m, english) for _r, m in problems]
    assert any(line.endswith("a night shift followed by a day shift") for line in lines), lines
    assert words.pattern_problem("4 working days in a row", shouting) == "4 WORKING DAYS IN A ROW"
    assert words.pattern_problem("something else", english) == "something else"


def words_anchor() -> date:
    return date(2026, 1, 1)


def test_the_unknown_year_warning_in_words():
    from roster.holidays import unknown_year_warnings

    text = words.warning(unknown_year_warnings([2031])[0], english)
    assert text.startswith("The holiday calendar has no data for 2031")
