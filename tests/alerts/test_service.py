"""The alert services on both databases: raise-or-repeat, the lifecycle, escalation sweeps, re-routing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from alerts import outbox, service
from alerts.models import Alert, AlertEvent, Channel, EscalationPolicy, Notification
from desk.db import session_scope
from desk.models import AuditEvent
from tests.alerts.conftest import NOW, shift


def _raise(db: Session, key: str = "check:db", **kw) -> service.Raised:
    args = {"actor": "system", "key": key, "title": "db port down", "severity": "critical", "domain": "info",
            "source": "patrol", "now": NOW, **kw}
    return service.raise_alert(db, **args)


@pytest.fixture
def mail(db: Session) -> None:
    """A desk with a mail server (``DUTYDESK_SMTP_HOST``), so alerts are e-mailed too."""
    db.info[outbox.MAIL_KEY] = "mail.example.cn"


def _kinds(db: Session, alert_id: int) -> list[str]:
    return [e.kind for e in service.timeline(db, alert_id)]


def test_raise_routes_to_the_leader_on_duty_and_writes_timeline_audit_outbox(app, db, desk, mail):
    db.add(Channel(name="robot", kind="wecom", target="http://127.0.0.1:9/robot"))
    db.flush()
    raised = _raise(db)
    alert = raised.alert
    assert raised.created and alert.status == "open" and alert.routed_to == "leader"
    names = service.usernames(db, [alert.assignee_id, alert.watcher_id])
    assert (names[alert.assignee_id], names[alert.watcher_id]) == ("lead1", "info1")
    assert (alert.shift_day, alert.shift_code) == ("2026-12-03", "D")
    assert alert.next_escalation_at == NOW + timedelta(minutes=5)
    assert _kinds(db, alert.id) == ["raised"]
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "alert.raise")).one().object_id == str(alert.id)
    rows = db.exec(select(Notification).order_by(Notification.id)).all()
    assert [(n.kind, n.target) for n in rows] == [("wecom", "http://127.0.0.1:9/robot"),
                                                  ("email", "lead1@example.com")]
    message = rows[0].message
    assert message["event"] == "raised" and message["url"] == f"/alerts/{alert.id}"
    assert message["alert"]["assignee"] == {"username": "lead1", "name": "Lead1", "phone": "13800000001"}
    assert message["mention_phones"] == ["13800000001", "13800000003"]


def test_no_roster_goes_to_the_managers_as_a_gap(app, db, desk, mail):
    desk["now"] = None
    alert = _raise(db).alert
    assert (alert.routed_to, alert.assignee_id, alert.shift_day) == ("managers", None, None)
    emails = db.exec(select(Notification.target).where(Notification.kind == "email")).all()
    assert emails == ["boss@example.com"]


def test_without_a_mail_server_nothing_is_emailed(app, db, desk):
    db.add(Channel(name="robot", kind="wecom", target="http://127.0.0.1:9/robot"))
    db.add(Channel(name="desk mailbox", kind="email", target="desk@example.cn"))
    db.flush()
    _raise(db)
    assert db.exec(select(Notification.kind)).all() == ["wecom"]  # no row that could only fail


def test_repeat_folds_into_the_active_alert_and_a_new_one_opens_after_resolution(app, db, desk):
    first = _raise(db).alert
    again = _raise(db, now=NOW + timedelta(minutes=1))
    assert not again.created and again.alert.id == first.id
    assert (again.alert.occurrences, again.alert.last_seen) == (2, NOW + timedelta(minutes=1))
    service.recover(db, actor="system", key="check:db", now=NOW + timedelta(minutes=2))
    later = _raise(db, now=NOW + timedelta(minutes=3))
    assert later.created and later.alert.id != first.id
    assert _kinds(db, first.id) == ["raised", "repeated", "recovered"]


def test_the_same_firing_delivered_twice_changes_nothing(app, db, desk):
    first = _raise(db, occurrence="2026-12-03T02:00:00Z").alert
    again = _raise(db, occurrence="2026-12-03T02:00:00Z", now=NOW + timedelta(minutes=1))
    assert (again.created, again.changed, again.alert.occurrences) == (False, False, 1)
    assert _kinds(db, first.id) == ["raised"]


def test_invalid_raise_names_the_fields(app, db, desk):
    with pytest.raises(service.AlertError) as caught:
        _raise(db, key="", severity="huge", domain="power")
    assert set(caught.value.errors) == {"key", "severity", "domain"}


def test_lifecycle_acknowledge_resolve_reopen_reassign_comment(app, db, desk):
    alert = _raise(db).alert
    acked = service.acknowledge(db, actor="info1", alert_id=alert.id, now=NOW, comment="on it")
    assert acked.status == "acknowledged" and acked.next_escalation_at is None
    with pytest.raises(service.AlertConflict):
        service.acknowledge(db, actor="lead1", alert_id=alert.id, now=NOW)
    with pytest.raises(service.AlertError) as caught:
        service.resolve(db, actor="lead1", alert_id=alert.id, impact=" ", summary="", now=NOW)
    assert set(caught.value.errors) == {"impact", "summary"}
    with pytest.raises(service.AlertError):
        service.resolve(db, actor="lead1", alert_id=alert.id, impact="x" * 2001, summary="s", now=NOW)
    done = service.resolve(db, actor="lead1", alert_id=alert.id, impact="无业务影响", summary="重启端口", now=NOW)
    assert (done.status, done.impact, done.summary) == ("resolved", "无业务影响", "重启端口")
    reopened = service.reopen(db, actor="lead1", alert_id=alert.id, now=NOW + timedelta(minutes=1))
    assert reopened.status == "open" and reopened.acknowledged_at is None and reopened.escalation_step == 0
    moved = service.reassign(db, actor="lead1", alert_id=alert.id, username="lead2", now=NOW)
    assert service.usernames(db, [moved.assignee_id])[moved.assignee_id] == "lead2"
    with pytest.raises(service.AlertError):
        service.reassign(db, actor="lead1", alert_id=alert.id, username="nobody", now=NOW)
    service.comment(db, actor="info1", alert_id=alert.id, note="port flaps", now=NOW)
    assert _kinds(db, alert.id) == ["raised", "acknowledged", "resolved", "reopened", "reassigned", "commented"]
    assert service.timeline(db, alert.id)[1].note == "on it"
    with pytest.raises(service.AlertNotFound):
        service.acknowledge(db, actor="lead1", alert_id=999, now=NOW)


def test_a_stale_version_is_a_conflict_and_reopen_refuses_when_the_key_is_active_again(app, db, desk):
    alert = _raise(db).alert
    with pytest.raises(service.AlertConflict):
        service.acknowledge(db, actor="lead1", alert_id=alert.id, now=NOW, version=alert.version - 1)
    service.recover(db, actor="system", key=alert.key, now=NOW)
    _raise(db, now=NOW + timedelta(minutes=1))
    with pytest.raises(service.AlertConflict):
        service.reopen(db, actor="lead1", alert_id=alert.id, now=NOW + timedelta(minutes=2))


def test_escalation_sweep_reminds_escalates_repeats_and_stops_on_acknowledgement(app, db, desk, mail):
    db.add(EscalationPolicy(severity="minor", remind_after_minutes=1, managers_after_minutes=1,
                            repeat_every_minutes=1))
    alert = _raise(db).alert
    assert service.escalate_due(db, now=NOW + timedelta(minutes=4)) == 0
    assert service.escalate_due(db, now=NOW + timedelta(minutes=5)) == 1
    assert service.escalate_due(db, now=NOW + timedelta(minutes=5)) == 0  # done once
    assert service.escalate_due(db, now=NOW + timedelta(minutes=15)) == 1
    events = service.timeline(db, alert.id)
    assert [e.kind for e in events] == ["raised", "reminded", "escalated"]
    assert events[1].params == {"step": 1, "to": ["lead1"], "phones": ["13800000001"]}
    assert events[2].params["to"] == ["boss"]
    service.acknowledge(db, actor="lead1", alert_id=alert.id, now=NOW + timedelta(minutes=16))
    assert service.escalate_due(db, now=NOW + timedelta(hours=5)) == 0
    minor = _raise(db, key="check:minor", severity="minor").alert
    assert minor.next_escalation_at == NOW + timedelta(minutes=1)
    events = db.exec(select(Notification.event).where(Notification.alert_id == alert.id)).all()
    assert events == ["raised", "reminder", "escalated"]


def test_a_new_roster_moves_an_unacknowledged_alert_but_not_an_acknowledged_one(app, db, desk):
    open_ = _raise(db, key="a").alert
    acked = _raise(db, key="b").alert
    service.acknowledge(db, actor="lead1", alert_id=acked.id, now=NOW)
    assert service.reroute_open(db, now=NOW) == 0
    desk["now"] = shift(leader="lead2")  # a swap published after the alerts
    assert service.reroute_open(db, now=NOW + timedelta(minutes=1)) == 1
    assert service.reroute_open(db, now=NOW + timedelta(minutes=2)) == 0
    names = service.usernames(db, [db.get(Alert, open_.id).assignee_id, db.get(Alert, acked.id).assignee_id])
    assert sorted(names.values()) == ["lead1", "lead2"]
    assert db.get(Alert, open_.id).assignee_id != db.get(Alert, acked.id).assignee_id
    assert _kinds(db, open_.id) == ["raised", "routed"]


def test_a_reassignment_by_hand_stays_until_the_roster_changes(app, db, desk):
    alert = _raise(db).alert
    service.reassign(db, actor="lead1", alert_id=alert.id, username="boss", now=NOW)
    assert service.reroute_open(db, now=NOW + timedelta(minutes=1)) == 0


def _race(app, work) -> list:
    engine = app.extensions["dutydesk.engine"]
    barrier, results = threading.Barrier(2), []

    def run(i: int) -> None:
        barrier.wait(timeout=10)
        try:
            with session_scope(engine) as session:
                results.append(work(session, i))
        except service.AlertConflict:
            results.append("conflict")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_people_acknowledging_at_once_make_one_acknowledgement(app, db, desk):
    alert_id = _raise(db).alert.id
    db.commit()
    results = _race(app, lambda s, i: service.acknowledge(s, actor=("lead1", "info1")[i], alert_id=alert_id,
                                                          now=NOW).id)
    assert sorted(map(str, results)) == sorted([str(alert_id), "conflict"])
    with Session(app.extensions["dutydesk.engine"]) as fresh:
        acks = fresh.exec(select(AlertEvent).where(AlertEvent.kind == "acknowledged")).all()
        audits = fresh.exec(select(AuditEvent).where(AuditEvent.action == "alert.acknowledge")).all()
    assert (len(acks), len(audits)) == (1, 1)


def test_two_deliveries_racing_for_one_key_open_one_alert(app, db, desk):
    db.commit()
    results = _race(app, lambda s, i: _raise(s, key="race").created)
    assert sorted(results) == [False, True]
    with Session(app.extensions["dutydesk.engine"]) as fresh:
        rows = fresh.exec(select(Alert).where(Alert.key == "race")).all()
    assert [(r.status, r.occurrences) for r in rows] == [("open", 2)]


def test_hand_over_moves_an_active_alert_to_the_incoming_leader(app, db, desk):
    alert = _raise(db).alert
    service.acknowledge(db, actor="lead1", alert_id=alert.id, now=NOW)
    moved = service.hand_over(db, actor="lead1", alert_id=alert.id, username="lead2", now=NOW, handover_id=7)
    assert service.usernames(db, [moved.assignee_id])[moved.assignee_id] == "lead2" and moved.status == "acknowledged"
    assert service.timeline(db, alert.id)[-1].params == {"from": "lead1", "to": "lead2", "handover": 7, "late": False}
    service.resolve(db, actor="lead2", alert_id=alert.id, impact="i", summary="s", now=NOW)
    with pytest.raises(service.AlertConflict):
        service.hand_over(db, actor="system", alert_id=alert.id, username="lead1", now=NOW)


def test_a_repeat_of_higher_severity_raises_the_alert(app, db, desk):
    db.add(Channel(name="robot", kind="wecom", target="http://127.0.0.1:9/robot"))
    db.add(EscalationPolicy(severity="critical", remind_after_minutes=2, managers_after_minutes=5,
                            repeat_every_minutes=10))
    db.flush()
    first = _raise(db, severity="minor", occurrence="w").alert
    assert first.next_escalation_at == NOW + timedelta(minutes=5)
    again = _raise(db, severity="critical", occurrence="w", now=NOW + timedelta(minutes=1)).alert  # same firing
    assert (again.id, again.severity, again.occurrences) == (first.id, "critical", 2)
    assert again.next_escalation_at == NOW + timedelta(minutes=2)  # the critical policy, from first_seen
    lower = _raise(db, severity="minor", now=NOW + timedelta(minutes=2)).alert
    assert (lower.severity, lower.occurrences) == ("critical", 3)  # never lowered by a repeat
    assert _kinds(db, first.id) == ["raised", "severity_raised", "repeated"]
    event = db.exec(select(AlertEvent).where(AlertEvent.kind == "severity_raised")).one()
    assert event.params == {"occurrences": 2, "from": "minor", "to": "critical"}
    audits = db.exec(select(AuditEvent).where(AuditEvent.action == "alert.repeat")).all()
    assert len(audits) == 2 and audits[0].after["to"] == "critical"
    sent = db.exec(select(Notification.event).where(Notification.alert_id == first.id)
                   .order_by(Notification.id)).all()
    assert sent == ["raised", "severity_raised"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from alerts.words import event_text
        assert event_text("severity_raised", event.params) == (
            "Occurred again with a higher severity: Minor → Critical (2 times in all).")
