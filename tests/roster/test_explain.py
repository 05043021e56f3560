"""Explanations of infeasible rosters in a leader's words."""

from dataclasses import replace
from datetime import timedelta

from roster import words
from roster.domain import Assignment, Explanation, Leave, Member, Pin, msg
from roster.explain import explain, quick_check
from roster.samples import desk_inputs
from roster.solver import solve
from tests.roster.conftest import START

DAY2 = START + timedelta(days=2)


def test_leave_conflict_names_the_seat_and_the_leave():
    inputs = desk_inputs(spares=0, days=8, leaves=0)
    leaves = tuple(Leave(u, DAY2, DAY2) for u in ("commA0", "commC0", "commD0"))
    result = solve(replace(inputs, leaves=leaves))
    assert result.status == "INFEASIBLE"
    expl = result.explanation
    assert any(g.day == DAY2 and g.position == "comms" for g in expl.gaps)
    assert any(c.code == "leave_of" for c in expl.conflicts)
    text = "\n".join(words.lines(expl))
    assert "01-03" in text and "communications watcher" in text and "on leave" in text


def test_too_few_qualified_people():
    people = tuple(replace(p, active=False) if p.username.startswith("comm") or p.username.startswith("spare")
                   else p for p in desk_inputs().people)
    inputs = replace(desk_inputs(days=4, leaves=0), people=people)
    expl = quick_check(inputs)
    assert expl is not None and expl.gaps
    assert expl.gaps[0].position == "comms"
    assert "nobody is qualified" in words.gap_line(expl.gaps[0])


def test_one_qualified_person_cannot_sit_every_shift():
    base = desk_inputs(spares=0, days=6, leaves=0)
    people = tuple(p for p in base.people if not p.username.startswith("comm") or p.username == "commA0")
    result = solve(replace(base, people=people))
    assert result.status == "INFEASIBLE"
    assert any(g.position == "comms" for g in result.explanation.gaps)


def test_rest_rule_case_says_resting_after_night():
    inputs = desk_inputs(spares=0, days=2, leaves=0)
    before = (Assignment(START - timedelta(days=1), "N", "comms", "commB0"),)
    leaves = tuple(Leave(u, START, START) for u in ("commA0", "commC0", "commD0"))
    names = {p.username: p.name for p in inputs.people}
    result = solve(replace(inputs, before=before, leaves=leaves))
    assert result.status == "INFEASIBLE"
    gap = next(g for g in result.explanation.gaps if g.shift == "D")
    line = words.gap_line(words.explanation_data(Explanation(msg("no_roster"), (gap,)), names)["gaps"][0])
    assert "01-01 day: no communications watcher" in line
    assert f"{names['commB0']} resting after a night shift" in line


def test_explain_reports_a_short_conflict_list():
    inputs = desk_inputs(spares=0, days=8, leaves=0)
    leaves = (*(Leave(u, DAY2, DAY2) for u in ("commA0", "commC0", "commD0")),
              Leave("infoA0", START + timedelta(days=6), START + timedelta(days=6)))
    expl = explain(replace(inputs, leaves=leaves))
    assert 1 <= len(expl.conflicts) <= 4
    assert not any(c.kw.get("person") == "infoA0" for c in expl.conflicts)


def test_person_record_is_plain_data():
    p = Member("x", "X", "watcher", frozenset({"info"}))
    assert p.primary == "info" and p.qualified("info") and not p.qualified("leader")


def test_a_coverage_setting_the_people_cannot_sit_is_named_as_the_cause():
    """Two shift leaders per shift with four leaders (issue 7): the setting, not pins outside the period or three
    people's rest rules, is the cause."""
    from roster.domain import frozen_map

    base = desk_inputs(spares=2, days=14, leaves=0)
    outside = (Pin("leadA0", START - timedelta(days=2), "D", "leader"), Pin("leadB0", START + timedelta(days=20),
                                                                             "N", "leader"))
    inputs = replace(base, coverage=frozen_map({"leader": 2, "info": 1, "comms": 1}), pins=outside)
    result = solve(inputs, time_limit=10)
    assert result.status == "INFEASIBLE"
    expl = result.explanation
    assert expl.summary == msg("setting_too_high")
    assert expl.conflicts == (msg("coverage_exceeds_people", position="leader", required=2, qualified=4),)
    text = words.lines(expl)
    assert text[1] == ("the setting “Shift leaders per shift” is 2, but the 4 qualified people cannot sit that many "
                       "shifts within the rest and working-day limits")


def test_explanations_cite_only_facts_inside_the_period():
    inputs = desk_inputs(spares=0, days=8, leaves=0)
    leaves = (*(Leave(u, START - timedelta(days=3), DAY2) for u in ("commA0", "commC0", "commD0")),)
    pins = (Pin("commB0", START - timedelta(days=1), "N", "comms"), Pin("commB0", START + timedelta(days=30), "D",
                                                                        "comms"))
    expl = solve(replace(inputs, leaves=leaves, pins=pins)).explanation
    assert expl is not None and not any(c.code == "pin_of" for c in expl.conflicts)
    for c in expl.conflicts:
        for key in ("day", "start", "end"):
            if key in c.kw:
                assert START <= c.kw[key] <= inputs.end, c
