"""The people's alert API, the pages, the integrations CLI, the anomaly job and the demo loader."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from alerts import jobs, service
from alerts.demo import load_demo_alerts
from alerts.models import Alert, EscalationPolicy, Integration
from desk.db import session_scope
from monitoring.models import AnomalyEventRow
from tests.alerts.conftest import NOW
from tests.conftest import csrf_token, login


def _raise(app, key="check:db", domain="info") -> int:
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        return service.raise_alert(s, actor="system", key=key, title="db port down", severity="critical",
                                   domain=domain, source="patrol", now=NOW).alert.id


def test_api_list_show_and_actions(app, client, desk):
    alert_id = _raise(app)
    login(client, "info1")
    token = csrf_token(client.get("/").get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    listed = client.get("/api/v1/alerts?status=active&from=2026-12-01&to=2026-12-03")
    assert listed.status_code == 200 and listed.json["total"] == 1
    item = listed.json["alerts"][0]
    assert item["assignee"] == {"username": "lead1", "name": "Lead1"} and item["watcher"]["username"] == "info1"
    assert client.get("/api/v1/alerts?status=bogus").status_code == 400
    assert client.get("/api/v1/alerts?to=2026-12-02").json["total"] == 0
    acked = client.post(f"/api/v1/alerts/{alert_id}/ack", json={"comment": "looking"}, headers=headers)
    assert acked.status_code == 200 and acked.json["acknowledged_by"] == "info1"
    again = client.post(f"/api/v1/alerts/{alert_id}/ack", json={}, headers=headers)
    assert again.status_code == 409
    missing = client.post(f"/api/v1/alerts/{alert_id}/resolve", json={"impact": "none"}, headers=headers)
    assert missing.status_code == 422 and "summary" in missing.json["error"]["message"]
    assert client.post(f"/api/v1/alerts/{alert_id}/reassign", json={"username": "lead2"},
                       headers=headers).status_code == 403  # watchers do not reassign
    done = client.post(f"/api/v1/alerts/{alert_id}/resolve", json={"impact": "无", "summary": "已恢复"},
                       headers=headers)
    assert done.status_code == 200 and done.json["status"] == "resolved"
    shown = client.get(f"/api/v1/alerts/{alert_id}")
    assert [e["kind"] for e in shown.json["timeline"]] == ["raised", "acknowledged", "resolved"]
    assert shown.json["timeline"][1]["note"] == "looking" and shown.json["timeline"][0]["text"].startswith("Raised")
    assert client.get("/api/v1/alerts/999").status_code == 404


def test_a_watcher_resolves_only_their_domain(app, client, desk):
    comms_alert = _raise(app, key="sw", domain="comms")
    login(client, "info1")
    headers = {"X-CSRFToken": csrf_token(client.get("/").get_data(as_text=True))}
    refused = client.post(f"/api/v1/alerts/{comms_alert}/resolve", json={"impact": "a", "summary": "b"},
                          headers=headers)
    assert refused.status_code == 403


def test_detail_page_forms_keep_what_was_typed_and_act(app, client, desk):
    alert_id = _raise(app)
    login(client, "lead1")
    page = client.get(f"/alerts/{alert_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ack-form" in html and "resolve-form" in html and "reassign-form" in html
    token = csrf_token(html)
    bad = client.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": token, "impact": "typed impact"})
    assert bad.status_code == 422 and "typed impact" in bad.get_data(as_text=True)
    ok = client.post(f"/alerts/{alert_id}/ack", data={"csrf_token": token, "comment": "mine"})
    assert ok.status_code == 302
    conflict = client.post(f"/alerts/{alert_id}/ack", data={"csrf_token": token}, follow_redirects=True)
    assert "Someone else changed this alert first" in conflict.get_data(as_text=True)
    client.post(f"/alerts/{alert_id}/reassign", data={"csrf_token": token, "username": "lead2"})
    client.post(f"/alerts/{alert_id}/comment", data={"csrf_token": token, "note": "call the DBA"})
    html = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "Reassigned from lead1 to lead2." in html and "call the DBA" in html
    listing = client.get("/alerts/?status=acknowledged&domain=info").get_data(as_text=True)
    assert f'id="alert-{alert_id}"' in listing


def test_timeline_in_chinese(app, client, desk):
    alert_id = _raise(app)
    login(client, "lead1")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    html = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "告警" in html and "值长" in html


def test_raise_by_hand(app, client, desk):
    login(client, "comms1")
    token = csrf_token(client.get("/alerts/new").get_data(as_text=True))
    empty = client.post("/alerts/new", data={"csrf_token": token, "severity": "major", "details": "kept"})
    assert empty.status_code == 422 and "kept" in empty.get_data(as_text=True)
    made = client.post("/alerts/new", data={"csrf_token": token, "title": "机房空调告警", "severity": "critical",
                                            "domain": "comms", "key": ""})
    assert made.status_code == 302
    with Session(app.extensions["dutydesk.engine"]) as s:
        alert = s.exec(select(Alert)).one()
    assert (alert.source, alert.severity, alert.title) == ("manual", "critical", "机房空调告警")


def test_integrations_page_and_escalation_page(app, client, desk):
    login(client, "boss")
    token = csrf_token(client.get("/alerts/integrations").get_data(as_text=True))
    made = client.post("/alerts/integrations", data={"csrf_token": token, "name": "prom", "kind": "alertmanager",
                                                     "domain": "info"})
    assert made.status_code == 200 and "ddi_" in made.get_data(as_text=True)
    assert made.headers["Cache-Control"] == "no-store"
    assert "ddi_" not in client.get("/alerts/integrations").get_data(as_text=True)
    dup = client.post("/alerts/integrations", data={"csrf_token": token, "name": "prom", "kind": "generic"})
    assert dup.status_code == 422
    with Session(app.extensions["dutydesk.engine"]) as s:
        iid = s.exec(select(Integration.id)).one()
    client.post(f"/alerts/integrations/{iid}/toggle", data={"csrf_token": token})
    with Session(app.extensions["dutydesk.engine"]) as s:
        assert s.get(Integration, iid).enabled is False
    bad = client.post("/alerts/escalation", data={"csrf_token": token, "severity": "", "remind_after": "0",
                                                  "managers_after": "10", "repeat_every": "30"})
    assert bad.status_code == 422
    ok = client.post("/alerts/escalation", data={"csrf_token": token, "severity": "critical", "remind_after": "2",
                                                 "managers_after": "3", "repeat_every": "15"})
    assert ok.status_code == 302
    with Session(app.extensions["dutydesk.engine"]) as s:
        row = s.exec(select(EscalationPolicy)).one()
    assert (row.severity, row.remind_after_minutes, row.updated_by) == ("critical", 2, "boss")
    leader = app.test_client()
    login(leader, "lead1")
    assert leader.get("/alerts/escalation").status_code == 403


def test_integrations_cli_prints_the_token_once_last(app, runner, desk):
    made = runner.invoke(args=["integrations", "create", "--name", "prom", "--kind", "alertmanager",
                               "--domain", "comms"])
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    assert token.startswith("ddi_")
    assert "prom" in runner.invoke(args=["integrations", "list"]).output
    rotated = runner.invoke(args=["integrations", "rotate", "prom"]).output.strip().splitlines()[-1]
    assert rotated.startswith("ddi_") and rotated != token
    assert runner.invoke(args=["integrations", "disable", "prom"]).exit_code == 0
    assert runner.invoke(args=["integrations", "create", "--name", "prom", "--kind", "generic"]).exit_code != 0


def test_anomaly_job_turns_events_into_alerts(app, desk):
    engine = app.extensions["dutydesk.engine"]
    with session_scope(engine) as s:
        s.add_all([
            AnomalyEventRow(key="check:db", kind="problem", state="CRITICAL", severity="critical", domain="info",
                            summary="CRITICAL - connection refused\nmore", at=NOW),
            AnomalyEventRow(key="check:db", kind="problem", state="CRITICAL", severity="critical", domain="info",
                            summary="restated", at=NOW + timedelta(seconds=30)),
            AnomalyEventRow(key="check:web:flapping", kind="flapping_start", state="WARNING", severity="major",
                            domain="comms", at=NOW),
            AnomalyEventRow(key="check:web:flapping", kind="flapping_stop", state="OK", severity="major",
                            domain="comms", at=NOW + timedelta(minutes=1)),
        ])
    assert jobs.process_anomalies(engine, now=NOW + timedelta(minutes=2)) == 4
    assert jobs.process_anomalies(engine, now=NOW + timedelta(minutes=2)) == 0
    with Session(engine) as s:
        alerts = {a.key: a for a in s.exec(select(Alert))}
    db_alert = alerts["check:db"]
    assert (db_alert.title, db_alert.occurrences, db_alert.source) == ("db: CRITICAL - connection refused", 2,
                                                                       "patrol")
    assert alerts["check:web:flapping"].status == "resolved"
    assert jobs.sweep(engine, now=NOW + timedelta(minutes=5)) == (1, 0)


def test_demo_loader_is_idempotent(app, desk):
    engine = app.extensions["dutydesk.engine"]
    for _ in range(2):
        with session_scope(engine) as s:
            load_demo_alerts(s)
    with Session(engine) as s:
        statuses = sorted(a.status for a in s.exec(select(Alert)))
        assert statuses == ["acknowledged", "open"]
        assert len(s.exec(select(EscalationPolicy)).all()) == 1


def test_metrics_count_alerts_by_status_and_severity(app, client, desk):
    _raise(app)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'dutydesk_alerts{severity="critical",status="open"} 1.0' in text
    assert 'dutydesk_alerts{severity="info",status="resolved"} 0.0' in text
