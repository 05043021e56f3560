"""The duty board's page and JSON: who is on duty, the alerts in order, filters, warnings, ETag/304."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from alerts.models import Alert, Handover, Notification
from desk.db import session_scope
from tests.alerts.boardkit import DAY, add_alert, add_event, local, publish


def data(client, query: str = "", etag: str | None = None):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get("/board/data" + query, headers=headers)


def test_every_role_opens_the_board_and_sees_board_first_after_home(as_user, desk, clock):
    for username in ("dayl", "dayi", "boss"):
        html = as_user(username).get("/board").get_data(as_text=True)
        assert 'id="board"' in html and 'src="/static/board.js"' in html
        assert html.index(">Home<") < html.index(">Board<") < html.index(">Roster<")
        assert "<script>" not in html and "onclick" not in html


def test_data_says_who_is_on_duty_now_and_next(as_user, desk, clock):
    _handover(desk, status="confirmed")
    client = as_user("dayi")
    body = data(client).get_json()
    now, following = body["duty"]["now"], body["duty"]["next"]
    assert (now["day"], now["shift"]) == ("2026-12-03", "D")
    assert datetime.fromisoformat(now["ends_at"]) == local(20)
    seats = {s["seat"]: [p["name"] for p in s["people"]] for s in now["seats"]}
    assert seats == {"leader": ["Dayl"], "info": ["Dayi"], "comms": ["Dayc"]}
    assert now["seats"][0]["people"][0]["phone"].startswith("1380000")
    assert (following["shift"], following["seats"][0]["people"][0]["username"]) == ("N", "nightl")
    assert body["viewer"] == {"username": "dayi", "role": "watcher", "seat": "info", "first_domain": "info"}
    assert body["warnings"] == []


def test_alerts_most_severe_and_oldest_first_with_a_watcher_domain_first(as_user, app, desk, clock):
    engine = app.extensions["dutydesk.engine"]
    add_alert(engine, title="comms link down", severity="critical", domain="comms", first_seen=local(9),
              assignee="dayl", watcher="dayc")
    add_alert(engine, title="disk 91%", severity="minor", domain="info", first_seen=local(8, 10), assignee="dayl")
    add_alert(engine, title="old major", severity="major", domain=None, first_seen=local(7), assignee="nightl")
    add_alert(engine, title="closed", severity="critical", status="resolved", first_seen=local(6))
    client = as_user("dayl")
    titles = [a["title"] for a in data(client).get_json()["alerts"]]
    assert titles == ["comms link down", "old major", "disk 91%"]
    client = as_user("dayi")
    body = data(client).get_json()
    rows = body["alerts"]
    assert [a["title"] for a in rows] == ["disk 91%", "old major", "comms link down"]
    first, labels = rows[2], body["labels"]
    assert first["attention"] and first["assignee"]["name"] == "Dayl" and first["watcher"]["username"] == "dayc"
    assert [labels[f][first[f]] for f in ("severity", "domain", "status", "source")] == [
        "Critical", "Communications", "Unacknowledged", "Patrol"]
    assert labels["domain"][""] == "Whole desk"
    assert first["url"] == f"/alerts/{first['id']}"


def test_filters_by_domain_and_state(as_user, app, desk, clock):
    engine = app.extensions["dutydesk.engine"]
    add_alert(engine, title="a", domain="info", first_seen=local(9))
    add_alert(engine, title="b", domain="comms", status="acknowledged", first_seen=local(9))
    add_alert(engine, title="c", domain=None, first_seen=local(9))
    client = as_user("boss")
    assert [a["title"] for a in data(client, "?domain=comms").get_json()["alerts"]] == ["b"]
    assert [a["title"] for a in data(client, "?domain=desk").get_json()["alerts"]] == ["c"]
    assert [a["title"] for a in data(client, "?state=open").get_json()["alerts"]] == ["a", "c"]
    body = data(client, "?domain=nonsense").get_json()
    assert len(body["alerts"]) == 3 and body["counts"] == {"open": 2, "acknowledged": 1, "attention": 0,
                                                           "shown": 3, "total": 3}


def test_304_until_something_changes(as_user, app, desk, clock):
    engine = app.extensions["dutydesk.engine"]
    alert_id = add_alert(engine, title="a", first_seen=local(9))
    client = as_user("dayl")
    first = data(client)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    again = data(client, etag=etag)
    assert again.status_code == 304 and again.headers["ETag"] == etag and again.get_data() == b""

    def changed_by(change) -> str:
        nonlocal etag
        change()
        answer = data(client, etag=etag)
        assert answer.status_code == 200, change
        etag = answer.headers["ETag"]
        return etag

    changed_by(lambda: add_alert(engine, title="b", first_seen=local(9, 30)))
    changed_by(lambda: add_event(engine, alert_id, kind="commented", at=local(9, 40), note="looking"))
    changed_by(lambda: _bump(engine, alert_id))  # a change without a timeline entry still shows
    changed_by(lambda: publish(engine, start=DAY, days=1))
    changed_by(lambda: _handover(engine))
    changed_by(lambda: _failed_notification(engine, alert_id))
    assert data(client, "?state=open", etag=etag).status_code == 200  # another filter is another answer
    assert data(client, etag=etag).status_code == 304


def test_the_clock_minute_refreshes_the_stamp(as_user, desk, clock):
    client = as_user("dayl")
    etag = data(client).headers["ETag"]
    clock(local(10, 0, 59))
    assert data(client, etag=etag).status_code == 304
    clock(local(10, 1))
    assert data(client, etag=etag).status_code == 200


def _bump(engine, alert_id: int) -> None:
    with session_scope(engine) as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(version=Alert.version + 1))


def _handover(engine, status: str = "written") -> None:
    with session_scope(engine) as session:
        session.add(Handover(shift_day="2026-12-02", shift_code="N", change_at=local(8), status=status))


def _failed_notification(engine, alert_id: int) -> None:
    with session_scope(engine) as session:
        session.add(Notification(alert_id=alert_id, event="raised", kind="webhook", status="failed",
                                 created_at=local(9, 50), last_error="connection refused", target="http://x"))


def test_warnings_for_an_uncovered_shift_and_failed_notifications(as_user, app, desk, clock):
    engine = app.extensions["dutydesk.engine"]
    alert_id = add_alert(engine, title="a", first_seen=local(9))
    _failed_notification(engine, alert_id)
    clock(local(10, day=DAY + timedelta(days=10)))
    client = as_user("boss")
    body = data(client).get_json()
    assert body["duty"] == {"now": None, "next": None}
    kinds = [w["kind"] for w in body["warnings"]]
    assert kinds == ["uncovered"]  # the failure is older than 24 hours by then
    clock(local(10))
    _handover(engine, status="confirmed")
    warnings = data(client).get_json()["warnings"]
    assert [w["kind"] for w in warnings] == ["failed"]
    assert "1 notification could not be delivered" in warnings[0]["text"]
    assert "connection refused" in warnings[0]["text"]


def test_a_late_handover_shows_until_confirmed(as_user, app, desk, clock):
    engine = app.extensions["dutydesk.engine"]
    client = as_user("dayl")
    clock(local(8, 30))
    assert data(client).get_json()["warnings"] == []
    clock(local(8, 30, 1))
    warnings = data(client).get_json()["warnings"]
    assert [w["kind"] for w in warnings] == ["late_handover"]
    assert "was not confirmed within 30 minutes" in warnings[0]["text"]
    with session_scope(engine) as session:
        session.add(Handover(shift_day="2026-12-02", shift_code="N", change_at=local(8), status="confirmed",
                             late=True))
    assert data(client).get_json()["warnings"] == []


def test_board_in_chinese(as_user, app, desk, clock):
    add_alert(app.extensions["dutydesk.engine"], title="a", severity="critical", first_seen=local(9))
    client = as_user("dayl")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    html = client.get("/board").get_data(as_text=True)
    assert "值班看板" in html and "确认" in html
    body = data(client).get_json()
    assert body["duty"]["now"]["seats"][0]["label"] == "当班值长"
    assert body["labels"]["status"][body["alerts"][0]["status"]] == "未确认"


def test_wall_mode_has_no_action_column_and_keeps_the_filters(as_user, desk, clock):
    client = as_user("dayl")
    html = client.get("/board?full=1&domain=info").get_data(as_text=True)
    assert 'class="board wall"' in html and 'data-action="ack"' not in html
    assert 'name="full" value="1"' in html and 'value="info" selected' in html


def test_home_panel_for_the_people_on_duty_only(as_user, app, desk, clock, monkeypatch):
    monkeypatch.setattr("alerts.board_views.utcnow", lambda: local(10))
    engine = app.extensions["dutydesk.engine"]
    add_alert(engine, title="info thing", domain="info", severity="critical", first_seen=local(9))
    add_alert(engine, title="comms thing", domain="comms", first_seen=local(9))
    client = as_user("dayi")
    html = client.get("/").get_data(as_text=True)
    assert 'id="home-shift-alerts"' in html and "info thing" in html and "comms thing" not in html
    client = as_user("dayl")
    html = client.get("/").get_data(as_text=True)
    assert "info thing" in html and "comms thing" in html
    client = as_user("nightl")
    assert 'id="home-shift-alerts"' not in client.get("/").get_data(as_text=True)


def test_viewers_share_one_snapshot_until_something_changes(as_user, app, desk, clock):
    from alerts import board_service

    engine = app.extensions["dutydesk.engine"]
    alert_id = add_alert(engine, title="db down", severity="critical", first_seen=local(9))
    clock(local(10))
    with session_scope(engine) as session:
        markers = board_service.change_markers(session)
        first = board_service.snapshot(session, markers=markers, now=local(10), tz="Asia/Shanghai")
        assert board_service.snapshot(session, markers=markers, now=local(10, 0, 30), tz="Asia/Shanghai") is first
    leader, watcher = as_user("dayl"), as_user("dayi")
    assert data(leader).get_json()["alerts"][0]["status"] == "open"
    with session_scope(engine) as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(status="acknowledged",
                                                                         version=Alert.version + 1))
    assert data(watcher).get_json()["alerts"][0]["status"] == "acknowledged"  # the markers moved: read again
    assert data(leader).get_json()["alerts"][0]["status"] == "acknowledged"
    with session_scope(engine) as session:
        markers = board_service.change_markers(session)
        assert board_service.snapshot(session, markers=markers, now=local(10), tz="Asia/Shanghai") is not first
