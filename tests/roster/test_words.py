"""Explanations are stored as codes and rendered in the reader's language; drafts stored before still display."""

from __future__ import annotations

import json
from datetime import date

from roster import words
from roster.domain import Explanation, Gap, Violation, msg
from tests.roster.test_codes import CJK, babel_app, render_in  # noqa: F401 (babel_app: the fixture)

EXPL = Explanation(
    msg("no_roster"),
    (Gap(date(2026, 12, 3), "N", "comms", (("li", msg("on_leave")), ("wang", msg("resting_after_night")),
                                            ("zhao", msg("over_window", limit=16, days=28)))),),
    (msg("leave_of", person="li", start=date(2026, 12, 3), end=date(2026, 12, 4)), msg("rest_rules_of", person="wang")),
)
NAMES = {"li": "Li", "wang": "Wang", "zhao": "Zhao"}


def test_the_stored_data_is_json_with_names_and_iso_dates():
    data = json.loads(json.dumps(words.explanation_data(EXPL, NAMES)))
    assert data["v"] == words.STORED_VERSION
    assert data["conflicts"][0] == {"code": "leave_of", "params": {"person": "Li", "start": "2026-12-03",
                                                                   "end": "2026-12-04"}}
    assert data["gaps"][0]["reasons"][0] == ["Li", {"code": "on_leave", "params": {}}]


def test_lines_in_english():
    lines = words.explanation_lines(words.explanation_data(EXPL, NAMES))
    assert lines == [
        "No roster satisfies every rule together; these conflict:",
        "12-03 night: no communications watcher: Li on leave, Wang resting after a night shift, "
        "Zhao over the limit of 16 shifts in 28 days",
        "leave of Li from 12-03 to 12-04",
        "the rest rules of Wang",
    ]
    assert words.lines(EXPL, names=NAMES) == lines


def test_drafts_stored_before_the_codes_still_display():
    old = {"lines": ["no roster satisfies every rule; in conflict: rest rules for Wang", "conflict: x"],
           "summary": "no roster satisfies every rule; in conflict: rest rules for Wang", "gaps": [],
           "conflicts": ["rest rules for Wang"]}
    assert words.explanation_lines(old, words.ENGLISH) == old["lines"]
    assert words.explanation_lines(["old", "list"]) == ["old", "list"]
    old_warning = "holiday calendar has no data for 2027: only weekends counted, public holidays unknown"
    assert words.warning(old_warning) == old_warning


def test_warnings_are_stored_as_codes():
    stored = words.stored_warnings((msg("holiday_year_unknown", year=2031),))
    assert stored == [{"code": "holiday_year_unknown", "params": {"year": 2031}}]
    assert words.warning(stored[0]).startswith("The holiday calendar has no data for 2031")


def test_pattern_problems_and_field_problems_in_words():
    from roster.patterns import check_pattern, make_pattern

    problems = check_pattern(make_pattern("DNDNOO", date(2026, 1, 1)))
    lines = [words.pattern_problem(m) for _r, m in problems]
    assert any(line.endswith("a night shift followed by a day shift") for line in lines), lines
    assert words.pattern_problem("the night shift starts after the day shift") == (
        "the night shift starts after the day shift")


def test_violations_carry_their_figures():
    v = Violation("window_limit", date(2026, 12, 1), None, None, "li", (("days", 28), ("limit", 16), ("n", 17)))
    assert words.violation_sentence(v, NAMES) == "Li would work 17 shifts, more than 16, in the 28 days from 12-01"
    night = Violation("night_then_day", date(2026, 12, 2), "D", "info", "li")
    assert words.violation_sentence(night, {}) == "li would work the day shift of 12-02 right after a night shift"


def test_what_a_solve_proved_is_said_in_both_languages(babel_app):  # noqa: F811 (the fixture)
    """OPTIMAL of a rotation-restricted stage is not optimal for the whole desk; hand edits leave the solver's
    answer behind; the free stage's OPTIMAL needs no note (issue 7 item 5)."""
    app = babel_app
    assert words.proof_note("OPTIMAL", "free", 0) == "" and words.proof_note("FEASIBLE", "pattern", None) == ""
    for stage in words.RESTRICTED_STAGES:
        en = words.proof_note("OPTIMAL", stage, 0)
        assert "not proven best for the whole desk" in en and stage in en
        zh = render_in(app, "zh_CN", lambda w, stage=stage: words.proof_note("OPTIMAL", stage, 0, w))
        assert CJK.search(zh) and stage in zh and "whole desk" not in zh
    assert words.proof_note("OPTIMAL", "pattern", 2).startswith("2 seats were edited by hand")
    zh = render_in(app, "zh_CN", lambda w: words.proof_note("OPTIMAL", "pattern", 1, w))
    assert CJK.search(zh) and "edited" not in zh

