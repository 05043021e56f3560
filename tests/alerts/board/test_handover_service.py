"""Handover against the database: written once per shift, confirmed once, alerts moved with a timeline entry each
and one audit event; the sweep 30 minutes after the change (not at 08:30:00, at 08:30:01); the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

import scheduler
from alerts import handover_service as service
from alerts.models import Alert, AlertEvent, Handover
from desk.db import session_scope
from desk.models import AuditEvent, Person
from desk.settings import load_settings
from monitoring.models import Check, CheckRun
from tests.alerts.boardkit import DAY, add_alert, add_event, local
from tests.conftest import TEST_SECRET, csrf_token

TZ = "Asia/Shanghai"


def person(session, username: str) -> Person:
    return session.exec(select(Person).where(Person.username == username)).one()


def write(engine, username: str = "nightl", at=None, note: str = "all quiet", change_seen_at=None):
    at = at or local(7, 50)
    with session_scope(engine) as session:
        state = service.at_hand(session, now=change_seen_at or at, tz=TZ)
        return service.write(session, actor=person(session, username), state=state, note=note, now=at).id


def confirm(engine, handover_id: int, username: str = "dayl", at=None) -> int:
    with session_scope(engine) as session:
        row = service.get(session, handover_id)
        return service.confirm(session, actor=person(session, username), handover=row, tz=TZ,
                               now=at or local(8, 5))


def active_alerts(engine) -> tuple[int, int]:
    a = add_alert(engine, title="db slow", severity="critical", domain="info", first_seen=local(2),
                  assignee="nightl", watcher="nighti", status="acknowledged", acknowledged_at=local(2, 5))
    b = add_alert(engine, title="link flaps", domain="comms", first_seen=local(6), assignee="nightl",
                  watcher="nightc")
    add_alert(engine, title="done", first_seen=local(3), status="resolved", resolved_at=local(4),
              assignee="nightl")
    return a, b


def audit_actions(engine) -> list[str]:
    with session_scope(engine) as session:
        return [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.object_type == "handover")
                                               .order_by(AuditEvent.id))]


def test_summary_of_the_night_shift(desk):
    a, b = active_alerts(desk)
    add_event(desk, a, kind="commented", at=local(3), actor="nighti", note="DBA paged")
    add_event(desk, a, kind="commented", at=local(9), actor="dayi", note="after the shift")
    with session_scope(desk) as session:
        check = Check(name="db-port", kind="tcp", domain="info", spec={})
        session.add(check)
        session.flush()
        for minute, state, kind in ((10, "CRITICAL", "HARD"), (11, "CRITICAL", "HARD"), (12, "WARNING", "SOFT"),
                                    (13, "WARNING", "HARD")):
            session.add(CheckRun(check_id=check.id, started_at=local(1, minute), state=state, state_type=kind))
        session.add(CheckRun(check_id=check.id, started_at=local(9), state="CRITICAL"))  # the day shift's
        state = service.at_hand(session, now=local(7, 30), tz=TZ)
        summary = service.shift_summary(session, state.change.outgoing)
    assert [x["id"] for x in summary["active"]] == [a, b]
    assert [x["id"] for x in summary["raised"]] == [a, b, a + 2]
    assert [x["id"] for x in summary["resolved"]] == [a + 2]
    assert [n["note"] for n in summary["notes"]] == ["DBA paged"]
    assert [(p["check"], p["worst"], p["results"]) for p in summary["patrols"]] == [("db-port", "CRITICAL", 3)]


def test_written_once_by_the_outgoing_leader_then_confirmed_once_by_the_incoming(desk):
    a, b = active_alerts(desk)
    with pytest.raises(service.HandoverError, match="outgoing shift leader"):
        write(desk, "dayl")
    with pytest.raises(service.HandoverError, match="one hour before"):
        write(desk, at=local(6, 59, 59), change_seen_at=local(7))
    handover_id = write(desk)
    with pytest.raises(service.HandoverConflict):
        write(desk, "boss")
    with pytest.raises(service.HandoverError, match="incoming shift leader"):
        confirm(desk, handover_id, "nightl")
    assert confirm(desk, handover_id) == 2
    with pytest.raises(service.HandoverConflict):
        confirm(desk, handover_id, "boss")
    with session_scope(desk) as session:
        row = session.get(Handover, handover_id)
        assert (row.status, row.late, row.note, row.confirmed_at) == ("confirmed", False, "all quiet", local(8, 5))
        moved = {x.id: x for x in session.exec(select(Alert).where(Alert.id.in_([a, b])))}
        day = {p.username: p.id for p in session.exec(select(Person))}
        assert moved[a].assignee_id == moved[b].assignee_id == day["dayl"]
        assert (moved[a].watcher_id, moved[b].watcher_id) == (day["dayi"], day["dayc"])
        assert moved[a].version == 2 and moved[a].status == "acknowledged"
        events = session.exec(select(AlertEvent).where(AlertEvent.kind == "handed_over")).all()
        assert sorted(e.alert_id for e in events) == [a, b]
        assert events[0].params == {"from": "nightl", "to": "dayl", "handover": handover_id, "late": False}
    assert audit_actions(desk) == ["handover.write", "handover.confirm"]


def test_a_confirmation_after_the_deadline_is_recorded_late(desk):
    handover_id = write(desk)
    confirm(desk, handover_id, at=local(8, 30, 1))
    with session_scope(desk) as session:
        assert session.get(Handover, handover_id).late is True


def test_sweep_waits_until_thirty_minutes_have_passed_then_moves_the_alerts(desk):
    a, b = active_alerts(desk)
    with session_scope(desk) as session:  # the evening change before was handed over
        session.add(Handover(shift_day="2026-12-02", shift_code="D", change_at=local(20, day=DAY - timedelta(days=1)),
                             status="confirmed"))
    for moment in (local(7, 59, 59), local(8), local(8, 30)):
        assert service.sweep(desk, now=moment, tz=TZ) is None
    assert service.sweep(desk, now=local(8, 30, 1), tz=TZ) == "auto"
    assert service.sweep(desk, now=local(8, 31), tz=TZ) is None  # once
    with session_scope(desk) as session:
        row = session.exec(select(Handover).where(Handover.shift_code == "N")).one()
        assert (row.shift_day, row.shift_code, row.status, row.late) == ("2026-12-02", "N", "auto", True)
        assert [x["id"] for x in row.summary["active"]] == [a, b]
        dayl = person(session, "dayl").id
        assert {x.assignee_id for x in session.exec(select(Alert).where(Alert.status != "resolved"))} == {dayl}
        events = session.exec(select(AlertEvent).where(AlertEvent.kind == "handed_over")).all()
        assert [(e.actor, e.params["late"]) for e in events] == [("system", True)] * 2
    assert audit_actions(desk) == ["handover.auto"]


def test_sweep_marks_a_written_handover_late_and_it_can_still_be_confirmed(desk):
    active_alerts(desk)
    handover_id = write(desk)
    assert service.sweep(desk, now=local(8, 45), tz=TZ) == "late"
    assert service.sweep(desk, now=local(8, 46), tz=TZ) is None
    assert confirm(desk, handover_id, at=local(9)) == 0  # already moved
    with session_scope(desk) as session:
        row = session.get(Handover, handover_id)
        assert (row.status, row.late) == ("confirmed", True)
    assert audit_actions(desk) == ["handover.write", "handover.late", "handover.confirm"]


def test_sweep_does_nothing_once_the_incoming_shift_is_over_or_already_confirmed(desk):
    handover_id = write(desk)
    confirm(desk, handover_id)
    assert service.sweep(desk, now=local(9), tz=TZ) is None
    assert service.sweep(desk, now=local(8) + timedelta(hours=12, minutes=29), tz=TZ) is None


def test_only_the_lease_holder_sweeps(db_url, monkeypatch):
    monkeypatch.setenv("DUTYDESK_LEASE_TTL", "3")
    calls = []
    monkeypatch.setattr("alerts.handover_service.sweep", lambda engine, *, now, tz: calls.append(tz))
    runtime = scheduler.Runtime(load_settings({"DATABASE_URL": db_url, "DUTYDESK_ENV": "testing",
                                            "DUTYDESK_SECRET_KEY": TEST_SECRET}))
    try:
        runtime.handover_sweep()
        assert calls == []
        runtime.keep_lease()
        runtime.handover_sweep()
        assert calls == [runtime.settings.timezone]
    finally:
        runtime.close()


# --- the pages ----------------------------------------------------------------------------------------------

def test_write_and_confirm_through_the_pages(desk, as_user, clock):
    active_alerts(desk)
    clock(local(7, 40))
    night = as_user("nightl")
    page = night.get("/handover")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="write-handover"' in html and "Nightl" in html and "Dayl" in html
    form = night.get("/handover/new").get_data(as_text=True)
    assert "db slow" in form and "link flaps" in form and 'data-list="active"' in form
    done = night.post("/handover/new", data={"csrf_token": csrf_token(form), "note": "watch the DB"})
    assert done.status_code == 302
    handover_url = done.headers["Location"]
    again = night.post("/handover/new", data={"csrf_token": csrf_token(form), "note": "twice"})
    assert again.status_code == 302 and again.headers["Location"] == handover_url  # already written
    clock(local(8, 2))
    day = as_user("dayl")
    detail = day.get(handover_url).get_data(as_text=True)
    assert "watch the DB" in detail and 'id="confirm-form"' in detail
    confirmed = day.post(handover_url + "/confirm", data={"csrf_token": csrf_token(detail)},
                         follow_redirects=True)
    assert "2 active alerts are now with the incoming leader" in confirmed.get_data(as_text=True)
    boss = as_user("boss")
    loser = boss.post(handover_url + "/confirm", data={"csrf_token": csrf_token(boss.get(handover_url).get_data(
        as_text=True))}, follow_redirects=True)
    assert loser.status_code == 200 and "already confirmed" in loser.get_data(as_text=True)
    rows = day.get("/board/data").get_json()["alerts"]
    assert {r["assignee"]["username"] for r in rows} == {"dayl"}


def test_a_leader_out_of_seat_gets_the_error_on_the_form_and_keeps_the_note(desk, as_user, clock):
    clock(local(7, 40))
    day = as_user("dayl")
    form = day.get("/handover/new").get_data(as_text=True)
    answer = day.post("/handover/new", data={"csrf_token": csrf_token(form), "note": "my typed note"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Only the outgoing shift leader" in html and "my typed note" in html


def test_watchers_do_not_reach_the_handover_pages(desk, as_user, clock):
    watcher = as_user("dayi")
    assert watcher.get("/handover").status_code == 403
    assert 'href="/handover"' not in watcher.get("/board").get_data(as_text=True)
    assert as_user("boss").get("/handover/999").status_code == 404
