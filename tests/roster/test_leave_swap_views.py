"""The leave and swap pages, the calendar feed and the downloads through the test client, on both databases."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
from icalendar import Calendar
from sqlmodel import select

from desk.db import session_scope
from roster import clock, leave_swaps, versions
from roster.models import FeedToken, LeaveRequest, SwapRequest
from tests.conftest import csrf_token, login
from tests.roster.test_leave_swaps import DAYS, START, free_on, published_desk, seats, stale_swap

NOW = datetime(2026, 12, 30, 2, 0, tzinfo=UTC)  # two days before the published roster: its seats are to come


def _engine(app):
    return app.extensions["dutydesk.engine"]


def _post(client, url: str, page: str, **data):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_watcher_asks_leader_approves_with_amendment_link(app, client) -> None:
    published_desk(app)
    with session_scope(_engine(app)) as session:
        day = seats(session, "infob")[0].day
    login(client, "infob")
    r = _post(client, "/requests/leave/new", "/requests/leave/new", start=day.isoformat(), end=day.isoformat(),
              shift="", reason="看病")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Leave asked" in page and "Published shifts it takes off" in page and 'id="approve-leave"' not in page
    assert "看病" in client.get("/requests/").get_data(as_text=True)
    assert client.get("/requests/queue").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    login(client, "leada")
    assert "1 leave request(s) and 0 swap(s) wait for your decision" in client.get("/").get_data(as_text=True)
    queue = client.get("/requests/queue").get_data(as_text=True)
    assert "陈静" in queue and "看病" in queue
    leave_id = re.search(r"/requests/leave/(\d+)", queue).group(1)
    r = _post(client, f"/requests/leave/{leave_id}/approve", f"/requests/leave/{leave_id}", note="好")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "amendment draft" in page and 'id="amendment"' in page and "/roster/versions/" in page
    with session_scope(_engine(app)) as session:
        assert session.exec(select(LeaveRequest)).one().status == "approved"


def test_leave_form_shows_errors_on_the_field(app, client, login_as) -> None:
    login_as("watcher", "wen")
    r = _post(client, "/requests/leave/new", "/requests/leave/new", start="2027-01-08", end="2027-01-05")
    assert r.status_code == 422 and "before the first" in r.get_data(as_text=True)


def test_cancel_and_reject_through_the_pages(app, client) -> None:
    published_desk(app)
    login(client, "infoa")
    _post(client, "/requests/leave/new", "/requests/leave/new", start="2027-03-01", end="2027-03-02")
    with session_scope(_engine(app)) as session:
        leave_id = session.exec(select(LeaveRequest.id)).one()
    r = _post(client, f"/requests/leave/{leave_id}/cancel", "/requests/")
    assert "Request cancelled" in client.get(r.headers["Location"]).get_data(as_text=True)
    r = _post(client, f"/requests/leave/{leave_id}/reject", "/requests/", note="x")
    assert r.status_code == 403


def _free_seat(session, target_pool):
    for taker in target_pool:
        seat = next((a for a in seats(session, "infob") if a.shift == "D" and free_on(session, taker, a.day)), None)
        if seat:
            return seat, taker
    raise AssertionError("no swappable seat")


def _swap(app, target_pool=("spare",)):
    """An accepted swap of infob's day seat; one that breaks a rule is stored as accepted before the roster changed."""
    with session_scope(_engine(app)) as session:
        seat, taker = _free_seat(session, target_pool)
        if taker == "spare":
            swap_id = leave_swaps.propose_swap(session, actor="infob", day=seat.day, shift="D", target=taker).id
            leave_swaps.accept_swap(session, actor=taker, swap_id=swap_id)
        else:
            swap_id = stale_swap(session, "infob", seat.day, "D", taker)
        return swap_id, seat, taker


def test_offering_a_swap_that_breaks_a_rule_names_the_rule_on_the_form(app, client) -> None:
    app.config[clock.CONFIG_KEY] = NOW
    published_desk(app)
    with session_scope(_engine(app)) as session:
        seat, taker = _free_seat(session, ("commc", "commd", "comma"))
    login(client, "infob")
    r = _post(client, "/requests/swap/new", "/requests/swap/new", mine=f"{seat.day}|D", colleague=taker, theirs="")
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "This swap would break a rule: Only qualified people." in page
    assert "is not qualified to sit the information watcher seat" in page
    assert f'value="{seat.day}|D" selected' in page or f'selected value="{seat.day}|D"' in page
    with session_scope(_engine(app)) as session:
        assert session.exec(select(SwapRequest)).all() == []


def test_swap_page_shows_the_broken_rule_and_disables_approval(app, client) -> None:
    published_desk(app)
    swap_id, _seat, _taker = _swap(app, ("commc", "commd", "comma"))
    login(client, "leada")
    page = client.get(f"/requests/swap/{swap_id}").get_data(as_text=True)
    assert "Only qualified people" in page and "is not qualified to sit the information watcher seat" in page
    assert re.search(r'id="approve-swap"[^>]*\bdisabled\b', page)
    assert "Approval is not possible: Only qualified people." in page
    r = _post(client, f"/requests/swap/{swap_id}/approve", f"/requests/swap/{swap_id}")
    assert "This swap would break a rule" in client.get(r.headers["Location"]).get_data(as_text=True)
    queue = client.get("/requests/queue").get_data(as_text=True)
    assert "Approval is not possible" in queue


def test_swap_offer_accept_approve_through_the_pages(app, client) -> None:
    app.config[clock.CONFIG_KEY] = NOW
    published_desk(app)
    with session_scope(_engine(app)) as session:
        seat = next(a for a in seats(session, "infob") if a.shift == "D" and free_on(session, "spare", a.day))
    login(client, "infob")
    form = client.get("/requests/swap/new").get_data(as_text=True)
    assert f'value="{seat.day}|D"' in form
    r = _post(client, "/requests/swap/new", "/requests/swap/new", mine=f"{seat.day}|D", colleague="spare",
              theirs="", message="家里有事")
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    url = r.headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_token(form)})
    login(client, "spare")
    assert "陈静 offers you the day shift of" in client.get("/").get_data(as_text=True)
    assert 'id="accept-swap"' in client.get(url).get_data(as_text=True)
    _post(client, f"{url}/accept", url)
    client.post("/logout", data={"csrf_token": csrf_token(form)})
    login(client, "leadc")
    page = client.get(url).get_data(as_text=True)
    assert "keeps every rule" in page and not re.search(r'id="approve-swap"[^>]*\bdisabled\b', page)
    r = _post(client, f"{url}/approve", url, note="ok")
    assert "Swap approved and published" in client.get(r.headers["Location"]).get_data(as_text=True)
    with session_scope(_engine(app)) as session:
        assert session.exec(select(SwapRequest)).one().status == "approved"


def test_swap_form_refuses_without_a_colleague(app, client) -> None:
    published_desk(app)
    with session_scope(_engine(app)) as session:
        seat = seats(session, "infob")[0]
    login(client, "infob")
    r = _post(client, "/requests/swap/new", "/requests/swap/new", mine=f"{seat.day}|{seat.shift}", colleague="",
              theirs="")
    assert r.status_code == 422 and "Choose a colleague" in r.get_data(as_text=True)


def test_calendar_feed_by_secret_url(app, client) -> None:
    published_desk(app)
    assert client.get("/roster/feed/unknown.ics").status_code == 404
    login(client, "infob")
    page = client.get("/roster/calendar").get_data(as_text=True)
    assert 'id="feed-url"' not in page  # no address until one is made
    made = _post(client, "/roster/calendar/regenerate", "/roster/calendar").get_data(as_text=True)
    url = re.search(r'id="feed-url" value="([^"]+)"', made).group(1)
    path = url.split("localhost", 1)[1]
    assert 'id="feed-url"' not in client.get("/roster/calendar").get_data(as_text=True)  # shown once
    with session_scope(_engine(app)) as session:
        stored = session.exec(select(FeedToken.token_hash)).one()
    assert stored == hashlib.sha256(path.split("/")[-1].removesuffix(".ics").encode()).hexdigest()
    client.post("/logout", data={"csrf_token": csrf_token(made)})
    r = client.get(path)  # anonymous: the token is the key
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    events = Calendar.from_ical(r.data).walk("VEVENT")
    with session_scope(_engine(app)) as session:
        assert len(events) == len(seats(session, "infob")) > 0
    login(client, "infob")
    again = _post(client, "/roster/calendar/regenerate", "/roster/calendar").get_data(as_text=True)
    assert client.get(path).status_code == 404
    new_url = re.search(r'id="feed-url" value="([^"]+)"', again).group(1)
    assert client.get(new_url.split("localhost", 1)[1]).status_code == 200


def test_downloads_for_leaders_and_managers(app, client, login_as) -> None:
    published_desk(app)
    login_as("manager", "boss")
    r = client.get(f"/roster/export?format=xlsx&month={START:%Y-%m}")
    assert r.status_code == 200 and "roster-2027-01.xlsx" in r.headers["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(r.data)).active
    assert ws.max_column >= 31 + 3 and ws.cell(1, 1).value.startswith("Duty roster")
    r = client.get(f"/roster/export?format=csv&month={START:%Y-%m}")
    assert r.status_code == 200 and r.data.decode("utf-8-sig").count("\n") == DAYS * 6 + 1


def _cells(ws) -> set:
    return {ws.cell(r, c).value for r in range(1, ws.max_row + 1) for c in range(1, ws.max_column + 1)}


def test_downloads_speak_the_readers_language(app, client, login_as) -> None:
    published_desk(app)
    login_as("manager", "boss")
    url = f"/roster/export?month={START:%Y-%m}&format="
    en = _cells(openpyxl.load_workbook(io.BytesIO(client.get(url + "xlsx").data)).active)
    assert {"D", "N", "Off", "Name"} <= en and not {"白", "夜", "休", "假"} & en
    zh_xlsx = client.get(url + "xlsx", headers={"Accept-Language": "zh-CN"}).data
    zh = _cells(openpyxl.load_workbook(io.BytesIO(zh_xlsx)).active)
    assert {"白", "夜", "休", "姓名"} <= zh, {v for v in zh if isinstance(v, str) and len(v) < 4}
    assert not {"N", "Off"} & zh  # ("D" is also team D)
    rows = list(csv.DictReader(io.StringIO(client.get(url + "csv").data.decode("utf-8-sig"))))
    assert rows[0]["Seat"] == "Shift leader" and rows[0]["Shift"] in ("Day shift", "Night shift")
    zh_csv = client.get(url + "csv", headers={"Accept-Language": "zh-CN"}).data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(zh_csv)))
    assert rows[0]["岗位"] == "值长" and rows[0]["班次"] in ("白班", "夜班")
    assert "leader" not in zh_csv and ",D," not in zh_csv
    assert client.get("/roster/export?format=pdf").status_code == 400
    assert client.get("/roster/export?month=2027-13").status_code == 400


def test_swap_form_offers_only_the_people_and_seats_that_fit(app, client) -> None:
    app.config[clock.CONFIG_KEY] = NOW
    published_desk(app)
    with session_scope(_engine(app)) as session:
        seat = seats(session, "infob")[0]
        rows = versions.published_assignments(session, start=START, end=START + timedelta(days=DAYS - 1))
    login(client, "infob")
    page = client.get(f"/requests/swap/new?mine={seat.day}|{seat.shift}").get_data(as_text=True)
    colleague = page[page.index('name="colleague"'):page.index('name="theirs"')]
    theirs = page[page.index('name="theirs"'):]
    theirs = theirs[:theirs.index("</select>")]
    offered = re.findall(r'<option[^>]*value="([a-z0-9]+)"', colleague)
    busy = {a.username for a in rows if a.day == seat.day}
    assert offered and "spare" in offered and not {"comma", "commb", "commc", "commd", "leadb"} & set(offered)
    assert not busy & set(offered)  # nobody who already works that day
    exchange = [(*re.search(r'value="([a-z0-9]+)\|([0-9-]+)\|([DN])"', tag).groups(),
                 re.search(r'data-colleague="([a-z0-9]+)"', tag).group(1))
                for tag in re.findall(r"<option [^>]*data-colleague[^>]*>", theirs)]
    assert exchange and all(who == holder for holder, _d, _s, who in exchange)
    positions = {(a.username, a.day.isoformat(), a.shift): a.position for a in rows}
    assert {positions[(u, d, s)] for u, d, s, _w in exchange if (u, d, s) in positions} == {"info"}
    assert len(exchange) < 60 and 'src="/static/roster.js"' in page and "<script>" not in page


def test_swap_options_follow_qualification_duty_and_leave() -> None:
    from roster.domain import Assignment, Leave
    from roster.domain import Member as P

    day = START
    rows = [Assignment(day, "D", "info", "me"), Assignment(day, "D", "comms", "busy"),
            Assignment(day + timedelta(days=1), "N", "info", "other"),
            Assignment(day + timedelta(days=1), "N", "leader", "boss")]
    people = {u: P(u, u, role, frozenset(skills.split(",")) if skills else frozenset()) for u, role, skills in (
        ("me", "watcher", "info"), ("busy", "watcher", "info"), ("other", "watcher", "info"),
        ("comms", "watcher", "comms"), ("boss", "leader", ""), ("away", "watcher", "info"))}
    options = leave_swaps.swap_options(rows, people, "me", (Leave("away", day, day),))
    assert options.takers == {"other": (f"{day}|D",)}
    assert [(a.username, fits) for a, fits in options.theirs] == [("other", (f"{day}|D",))]


def test_the_swap_notice_says_what_each_side_gives(app) -> None:
    from flask_babel import force_locale

    from roster.leave_swap_views import offer_text

    give = SwapRequest(id=1, requester_id=1, requester_day=START, requester_shift="D", requester_position="info",
                       target_id=2)
    exchange = SwapRequest(id=2, requester_id=1, requester_day=START, requester_shift="D", requester_position="info",
                           target_id=2, target_day=START + timedelta(days=2), target_shift="N",
                           target_position="info")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert offer_text(give, {1: "李强"}) == "李强 offers you the day shift of 2027-01-01: answer"
        assert offer_text(exchange, {1: "李强"}) == (
            "李强 gives you the day shift of 2027-01-01 and takes your night shift of 2027-01-03: answer")
        with force_locale("zh_CN"):
            assert offer_text(exchange, {1: "李强"}) == "李强 想用 2027-01-01 的白班换你 2027-01-03 的夜班：去答复"


def test_the_queue_names_the_requester_and_the_approver(app, client) -> None:
    published_desk(app)
    with session_scope(_engine(app)) as session:
        leave = leave_swaps.ask_leave(session, actor="infob", username="infob", start=START + timedelta(days=20),
                              end=START + timedelta(days=20))
        leave_swaps.approve_leave(session, actor="leadb", leave_id=leave.id, note="ok")
        leave_swaps.ask_leave(session, actor="infoa", username="infoa", start=START + timedelta(days=21),
                      end=START + timedelta(days=21))
    login(client, "leada")
    queue = client.get("/requests/queue").get_data(as_text=True)
    assert "<th>Requester</th>" in queue and "<th>Who</th>" not in queue
    recent = queue[queue.index('id="recent-leave"'):]
    assert "刘洋" in recent and "leadb" not in recent
    detail = client.get(f"/requests/leave/{leave.id}").get_data(as_text=True)
    assert "刘洋 ·" in detail and "leadb" not in detail
    zh = client.get("/requests/queue", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "<th>申请人</th>" in zh and "<th>审批人</th>" in zh
