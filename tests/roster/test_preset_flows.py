"""Issue 10 end to end on the desk's own pages: each preset applied on the settings page, people put in the teams
it needs (team E of 五班三运转 on the people page), a roster generated and published, the month grid, the xlsx and
the CSV exports naming every shift type; leave, a swap and a wish on an evening (E) shift of 四班三运转, and a shift
the desk does not have refused by name."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import openpyxl
import pytest
from sqlmodel import select

from desk.db import session_scope
from desk.models import Person
from roster import drafts, leave_swaps, publishing, settings_store, versions
from roster.clock import CONFIG_KEY
from roster.domain import Assignment
from tests.conftest import csrf_token, login
from tests.roster.deskdata import with_people

START = date(2026, 10, 5)  # a Monday; two weeks, inside one month
END = START + timedelta(days=13)
MONTH = "2026-10"
# Each preset's shift types with the words the grid legend, the CSV and the xlsx legend use for them.
NAMES = {"D": "Day shift", "E": "Evening shift", "N": "Night shift"}
PRESET_SHIFTS = {"4x2": ("D", "N"), "4x3": ("D", "E", "N"), "5x3": ("D", "E", "N"), "day": ("D",)}


@pytest.fixture
def desk(app):
    app.config[CONFIG_KEY] = datetime(2026, 9, 20, 4, tzinfo=UTC)  # pages' "today": before the roster
    return with_people(app)


def _post(client, url: str, page: str, **data):
    return client.post(url, data={"csrf_token": csrf_token(client.get(page).get_data(as_text=True)), **data})


def _as(client, username: str):
    home = client.get("/")
    if home.status_code == 200:
        client.post("/logout", data={"csrf_token": csrf_token(home.get_data(as_text=True))})
    assert login(client, username).status_code == 302
    return client


def _apply_preset(client, name: str) -> None:
    _as(client, "zhangwei")
    assert _post(client, "/roster/settings/preset", "/roster/settings", preset=name).status_code == 302


def _put_in_team_e(client, make_person) -> None:
    """A manager makes team E on the people pages: a new leader, and the two spares moved into it."""
    make_person("wulei", role="leader", skills="info,comms", team="E", name="武磊")
    _as(client, "guohua")
    for username in ("majun", "zhuxia"):
        pid = _person_id(client.application, username)
        html = client.get(f"/people/{pid}").get_data(as_text=True)
        assert '<option value="E">E</option>' in html
        form = {k: unescape(v) for k, v in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html)}
        form.update({"role": "watcher", "skills": ["info", "comms"], "team_code": "E", "language": ""})
        assert client.post(f"/people/{pid}", data=form).status_code == 302
    assert client.get("/people/").get_data(as_text=True).count("<td>E</td>") == 3


def _person_id(app, username: str) -> int:
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        return session.exec(select(Person.id).where(Person.username == username)).one()


def _generate_and_publish(engine) -> list[Assignment]:
    with session_scope(engine) as session:
        version = drafts.create_draft(session, actor="zhangwei", start=START, end=END)
        assert drafts.solve_version(session, version=version, time_limit=20).ok
        publishing.publish(session, actor="zhangwei", version_id=version.id)
    with session_scope(engine) as session:
        return list(versions.published_assignments(session, start=START, end=END))


def _grid_shows(client, codes: tuple[str, ...]) -> str:
    month = client.get(f"/roster/?month={MONTH}").get_data(as_text=True)
    legend = re.search(r'id="grid-legend">(.*?)</p>', month, re.S).group(1)
    for code in codes:
        assert f'class="key s{code}"' in legend, code
        assert re.search(rf'<td class="[^"]*\bs{code}\b', month), f"no {code} cell in the grid"
    return month


def _exports_show(client, codes: tuple[str, ...]) -> None:
    csv_text = client.get(f"/roster/export?format=csv&month={MONTH}").get_data(as_text=True)
    assert {line.split(",")[1] for line in csv_text.splitlines()[1:]} == {NAMES[c] for c in codes}
    ws = openpyxl.load_workbook(io.BytesIO(client.get(f"/roster/export?format=xlsx&month={MONTH}").data)).active
    values = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for code in codes:
        assert code in values, code
        assert any(v.startswith(NAMES[code]) or NAMES[code] in v for v in values), NAMES[code]


@pytest.mark.parametrize("preset", ["4x2", "4x3", "5x3", "day"])
def test_each_preset_generates_publishes_and_shows_its_shift_types(client, desk, make_person, preset) -> None:
    codes = PRESET_SHIFTS[preset]
    _apply_preset(client, preset)
    if preset == "5x3":
        _put_in_team_e(client, make_person)
    seats = _generate_and_publish(desk)
    assert {a.shift for a in seats} == set(codes)
    if preset == "5x3":
        assert {a.shift for a in seats if a.username == "wulei"} >= {"D", "E", "N"}  # team E rotates too
    _as(client, "zhangwei")
    month = _grid_shows(client, codes)
    if preset == "5x3":
        assert "Team E" in month and "武磊" in month
    if preset == "day":
        assert not [a for a in seats if a.day.weekday() >= 5]
    _exports_show(client, codes)


# --- leave, swap and wish on an evening shift of 四班三运转 -----------------------------------------------------------

@pytest.fixture
def evening_desk(client, desk):
    _apply_preset(client, "4x3")
    return _generate_and_publish(desk)


def _evening_seat(seats: list[Assignment], position: str, free: set[str] = frozenset()) -> Assignment:
    """An E seat of ``position`` (from the second day) whose day and neighbours leave everyone in ``free`` off."""
    busy = {(a.username, a.day) for a in seats}
    return next(a for a in seats if a.shift == "E" and a.position == position and a.day > START and not any(
        (u, a.day + timedelta(days=k)) in busy for u in free for k in (-1, 0, 1)))


def test_leave_on_evening_shifts_only(client, evening_desk) -> None:
    seat = _evening_seat(evening_desk, "info")
    _as(client, seat.username)
    page = client.get("/requests/leave/new").get_data(as_text=True)
    assert '<option value="E">Only evening shifts</option>' in page
    r = _post(client, "/requests/leave/new", "/requests/leave/new", start=seat.day.isoformat(),
              end=seat.day.isoformat(), shift="E", reason="family")
    assert r.status_code == 302, r.get_data(as_text=True)
    leave_id = int(r.headers["Location"].rsplit("/", 1)[1])
    with session_scope(client.application.extensions["dutydesk.engine"]) as session:
        leave = session.get(leave_swaps.LeaveRequest, leave_id)
        assert leave.shifts == [[seat.day.isoformat(), "E"]]
        assert [(a.day, a.shift) for a in leave_swaps.leave_hits(session, leave)] == [(seat.day, "E")]
        leave_swaps.approve_leave(session, actor="zhangwei", leave_id=leave_id)
        assert leave.status == "approved"


def test_leave_on_a_shift_the_desk_does_not_have_is_refused_and_kept(client, evening_desk) -> None:
    _as(client, "liqiang")
    r = _post(client, "/requests/leave/new", "/requests/leave/new", start="2026-10-08", end="2026-10-09",
              shift="X", reason="kept")
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "This desk has no shift X; its shifts are D, E, N." in body
    assert '<option selected value="X">X</option>' in body and "kept</textarea>" in body
    with session_scope(client.application.extensions["dutydesk.engine"]) as session:
        with pytest.raises(leave_swaps.RequestError) as refused:
            leave_swaps.ask_leave(session, actor="liqiang", username="liqiang", start=date(2026, 10, 8),
                                  end=date(2026, 10, 8), shifts=[(date(2026, 10, 8), "X")])
        assert refused.value.params == {"codes": "D, E, N"}


def test_swap_of_an_evening_seat_goes_through(client, evening_desk) -> None:
    seat = _evening_seat(evening_desk, "info", free={"majun"})
    _as(client, seat.username)
    page = client.get("/requests/swap/new").get_data(as_text=True)
    assert f'value="{seat.day.isoformat()}|E"' in page and "Evening shift" in page
    r = _post(client, "/requests/swap/new", "/requests/swap/new", mine=f"{seat.day.isoformat()}|E",
              colleague="majun", theirs="", message="")
    assert r.status_code == 302, r.get_data(as_text=True)
    swap_id = int(r.headers["Location"].rsplit("/", 1)[1])
    with session_scope(client.application.extensions["dutydesk.engine"]) as session:
        leave_swaps.accept_swap(session, actor="majun", swap_id=swap_id)
        leave_swaps.approve_swap(session, actor="zhangwei", swap_id=swap_id)
    with session_scope(client.application.extensions["dutydesk.engine"]) as session:
        rows = versions.published_assignments(session, start=seat.day, end=seat.day)
    holders = {(a.username, a.shift, a.position) for a in rows}
    assert ("majun", "E", "info") in holders and (seat.username, "E", "info") not in holders


def test_swap_naming_a_shift_the_desk_does_not_have_is_refused(client, evening_desk) -> None:
    engine = client.application.extensions["dutydesk.engine"]
    with session_scope(engine) as session, pytest.raises(leave_swaps.RequestError) as refused:
        leave_swaps.propose_swap(session, actor="liqiang", day=date(2026, 10, 8), shift="X", target="majun")
    assert refused.value.message == "Name both the date and one of the desk's shifts (%(codes)s)."
    assert refused.value.params == {"codes": "D, E, N"}


def test_wishes_offer_the_evening_shift_and_refuse_an_unknown_one(client, evening_desk) -> None:
    _as(client, "liqiang")
    page = client.get("/roster/mine").get_data(as_text=True)
    assert '<option value="E">the evening shift</option>' in page
    data = {"wanted": "0", "shift": "E", "weekday": "4", "day": "", "weight": "3"}
    r = _post(client, "/roster/mine/wishes", "/roster/mine", **data)
    assert r.status_code == 302
    assert "the evening shift" in client.get("/roster/mine").get_data(as_text=True)
    data["shift"] = "X"
    r = _post(client, "/roster/mine/wishes", "/roster/mine", **data)
    assert "This desk has no shift X; its shifts are D, E, N." in client.get("/roster/mine").get_data(as_text=True)
    with session_scope(client.application.extensions["dutydesk.engine"]) as session:
        assert settings_store.load(session).rules["preset"] == "4x3"
