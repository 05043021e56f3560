"""Soft bounds of the per-person limits on the settings page: ``KIND [SHIFT] [MIN-MAX] [~MIN-MAX*COST] [@person]``
parsed into stored rows, written back the same, checked (cost, range, the engine's own refusals) and handed to the
engine as ``Limit`` rows."""

from __future__ import annotations

import re
from html import unescape

import pytest

from desk.db import session_scope
from roster import settings_store
from roster.domain import Limit
from tests.conftest import csrf_token

CODES = ["D", "N"]


@pytest.mark.parametrize("line,row", [
    ("work_run 2-5", {"kind": "work_run", "hard_min": 2, "hard_max": 5}),
    ("shifts N -8 ~-4*10", {"kind": "shifts", "shift": "N", "hard_min": None, "hard_max": 8, "soft_min": None,
                            "soft_max": 4, "min_cost": 10, "max_cost": 10}),
    ("minutes ~9600-*5", {"kind": "minutes", "hard_min": None, "hard_max": None, "soft_min": 9600,
                          "soft_max": None, "min_cost": 5, "max_cost": 5}),
    ("weekends -2 ~-1*20 @alice", {"kind": "weekends", "hard_min": None, "hard_max": 2, "soft_min": None,
                                   "soft_max": 1, "min_cost": 20, "max_cost": 20, "who": "alice"}),
    ("shifts D 4-12 ~6-10*3 @liqiang", {"kind": "shifts", "shift": "D", "hard_min": 4, "hard_max": 12, "soft_min": 6,
                                        "soft_max": 10, "min_cost": 3, "max_cost": 3, "who": "liqiang"}),
])
def test_a_line_becomes_a_row_and_is_written_back_the_same(line: str, row: dict) -> None:
    assert settings_store.parse_limits(line) == [row]
    assert settings_store.limit_text(row) == line
    assert settings_store._limit_problem(row, CODES) is None


def test_several_lines_round_trip_with_blank_lines_skipped() -> None:
    text = "work_run 2-5\nshifts N -8 ~-4*10\n\nminutes ~9600-*5\nweekends -2 ~-1*20 @alice\noff_run 2-"
    rows = settings_store.parse_limits(text)
    assert [settings_store.limit_text(r) for r in rows] == [x for x in text.splitlines() if x]
    assert settings_store.parse_limits("\n".join(settings_store.limit_text(r) for r in rows)) == rows


@pytest.mark.parametrize("text,line", [
    ("work_run 2-5\nminutes ~-*5", 2),        # a soft part with neither side
    ("shifts N ~-4", 1),                       # a soft part without its cost
    ("shifts N ~-4*", 1),
    ("weekends -2 -1*20", 1),                  # a second range without ~
    ("weekends ~-1*20 -2", 1),                 # the soft part before the hard one
    ("shifts N\nwork_run 2-5", 1),             # no bound at all
    ("work_run 2-5\n\nweekends -2 ~-1*x", 3),  # a cost that is no number
])
def test_a_malformed_line_is_named_by_its_number(text: str, line: int) -> None:
    problem = settings_store.parse_limits(text)
    assert isinstance(problem, settings_store.Problem)
    assert problem.params == {"line": line} and "~MIN-MAX*COST" in problem.msgid


@pytest.mark.parametrize("line,words", [
    ("shifts N -8 ~-4*0", "needs a cost above 0"),
    ("shifts N -8 ~-9*10", "between the hard minimum and maximum"),
    ("minutes 9000- ~8000-*5", "between the hard minimum and maximum"),
    ("weekends 2-4 ~-1*5", "between the hard minimum and maximum"),  # every roster would pay: no choice left
    ("shifts ~6-4*5", "the soft minimum is above the soft maximum"),
    ("weekends -", "give a minimum, a maximum or both"),
])
def test_an_invalid_soft_bound_is_a_problem_naming_the_limit(line: str, words: str) -> None:
    [row] = settings_store.parse_limits(line)
    problem = settings_store._limit_problem(row, CODES)
    assert problem is not None and words in problem.msgid
    assert problem.params["limit"] == line


@pytest.mark.parametrize(("line", "words"), [("off_run 2-5", "days off in a row have a minimum only"),
                                             ("off_run 2- ~-4*5", "days off in a row have a minimum only"),
                                             ("work_run N 2-5", "only a shifts limit names a shift type")])
def test_what_the_engine_refuses_is_a_problem_in_the_leaders_words(line: str, words: str) -> None:
    [row] = settings_store.parse_limits(line)
    with pytest.raises(ValueError):  # the settings page follows whatever Limit itself refuses
        Limit(**row)
    problem = settings_store._limit_problem(row, CODES)
    assert problem is not None and words in problem.msgid and problem.params == {"limit": line}


def test_soft_runs_reach_the_engine() -> None:
    [work, rest] = settings_store.parse_limits("work_run 2-6 ~3-5*10\noff_run 2- ~3-*4")
    assert settings_store._limit_problem(work, CODES) is None and settings_store._limit_problem(rest, CODES) is None
    assert Limit(**work) == Limit("work_run", hard_min=2, hard_max=6, soft_min=3, soft_max=5, min_cost=10, max_cost=10)
    assert Limit(**rest) == Limit("off_run", hard_min=2, soft_min=3, min_cost=4, max_cost=4)


def test_check_names_the_limits_field_instead_of_failing_in_the_engine() -> None:
    row = settings_store.defaults()
    row.rules = {**row.rules, "limits": settings_store.parse_limits("work_run 2-5\nwork_run N 2-5")}
    problems = settings_store.check(row)
    assert [rule for rule, _m in problems] == ["limits"] and problems[0][1].params["limit"] == "work_run N 2-5"


def test_stored_soft_bounds_reach_the_engine() -> None:
    row = settings_store.defaults()
    row.rules = {**row.rules, "limits": settings_store.parse_limits("shifts N -8 ~-4*10 @liqiang\nminutes ~9600-*5")}
    assert settings_store.check(row) == []
    limits = settings_store.engine_settings(row).rules.limits
    assert limits == (Limit("shifts", hard_max=8, shift="N", who="liqiang", soft_max=4, max_cost=10, min_cost=10),
                      Limit("minutes", soft_min=9600, min_cost=5, max_cost=5))


# --- the settings page ------------------------------------------------------------------------------------------

def _settings_form(client) -> dict[str, str]:
    """The settings form as the page fills it, ready to post back."""
    html = client.get("/roster/settings").get_data(as_text=True)
    form = {k: unescape(v) for k, v in re.findall(r'<input[^>]*name="([\w_]+)"[^>]*value="([^"]*)"', html)}
    form.update({"pattern": "DNOO", "forbidden": "N>D", "csrf_token": csrf_token(html)})
    return form


def _limits_on_page(client) -> str:
    html = client.get("/roster/settings").get_data(as_text=True)
    return unescape(re.search(r'<textarea[^>]*name="limits"[^>]*>\r?\n?(.*?)</textarea>', html, re.S).group(1))


def test_a_soft_line_saved_on_the_page_comes_back_the_same(leader, desk, runner) -> None:
    lines = "shifts N -8 ~-4*10\nweekends -2 ~-1*20 @liqiang\nwork_run 2-5"
    assert leader.post("/roster/settings", data={**_settings_form(leader), "limits": lines}).status_code == 302
    assert _limits_on_page(leader) == lines
    with session_scope(desk) as session:
        stored = settings_store.load(session).rules["limits"]
    assert stored[0] == {"kind": "shifts", "shift": "N", "hard_min": None, "hard_max": 8, "soft_min": None,
                         "soft_max": 4, "min_cost": 10, "max_cost": 10}
    printed = runner.invoke(args=["roster", "preset"])
    assert "limits: shifts N -8 ~-4*10; weekends -2 ~-1*20 @liqiang; work_run 2-5" in printed.output


@pytest.mark.parametrize("lines,says", [
    ("work_run 2-5\nshifts N -8 ~-4", "limits, line 2: write KIND [SHIFT] [MIN-MAX] [~MIN-MAX*COST] [@person]"),
    ("shifts N -8 ~-9*10", "limit shifts N -8 ~-9*10: the soft bounds must lie between the hard minimum and maximum"),
    ("off_run 2- ~-4*10", "limit off_run 2- ~-4*10: days off in a row have a minimum only"),
])
def test_a_bad_soft_line_is_named_and_what_was_typed_is_kept(leader, desk, lines: str, says: str) -> None:
    r = leader.post("/roster/settings", data={**_settings_form(leader), "limits": lines})
    body = unescape(r.get_data(as_text=True))
    assert r.status_code == 422 and says in body
    assert re.search(r'<textarea[^>]*name="limits"[^>]*>\r?\n?' + re.escape(lines) + "</textarea>", body)
    with session_scope(desk) as session:
        assert not settings_store.load(session).rules.get("limits")
