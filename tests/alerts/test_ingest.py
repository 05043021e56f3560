"""Alertmanager (webhook payload version 4) and the generic JSON webhook: parsing and the endpoints."""

from __future__ import annotations

import copy
import json

import pytest
from sqlmodel import Session, select

from alerts import ingest, integrations, service
from alerts.models import Alert, Channel, Integration, Notification
from desk.accounts import create_token
from desk.models import AuditEvent, Person
from tests.alerts.conftest import NOW

AM = "/api/v1/integrations/alertmanager"

# As Alertmanager 0.27 posts it (webhook_config, send_resolved: true)
FIRING = {
    "receiver": "dutydesk", "status": "firing", "version": "4", "truncatedAlerts": 0,
    "groupKey": '{}:{alertname="NodeDown"}', "externalURL": "http://alertmanager:9093",
    "groupLabels": {"alertname": "NodeDown"}, "commonLabels": {"alertname": "NodeDown", "severity": "critical"},
    "commonAnnotations": {},
    "alerts": [{
        "status": "firing",
        "labels": {"alertname": "NodeDown", "instance": "db01:9100", "job": "node", "severity": "critical",
                   "domain": "info"},
        "annotations": {"summary": "db01 is down", "description": "node_exporter unreachable for 2m"},
        "startsAt": "2026-12-03T01:58:00.000Z", "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up+%3D%3D+0", "fingerprint": "6a1b2c3d4e5f6071",
        "someFutureField": {"ignored": True},
    }],
}


def _resolved(payload: dict) -> dict:
    out = copy.deepcopy(payload)
    out["status"] = "resolved"
    for a in out["alerts"]:
        a["status"], a["endsAt"] = "resolved", "2026-12-03T02:10:00.000Z"
    return out


def test_parse_alertmanager_maps_severity_and_domain():
    (item,) = ingest.parse_alertmanager(FIRING, default_domain="comms")
    assert (item.key, item.severity, item.domain, item.status) == ("am:6a1b2c3d4e5f6071", "critical", "info", "firing")
    assert item.title == "db01 is down (db01:9100)" and item.occurrence == "2026-12-03T01:58:00.000Z"
    assert item.details["labels"]["job"] == "node" and item.details["annotations"]["description"]
    bare = copy.deepcopy(FIRING)
    del bare["alerts"][0]["labels"]["domain"]
    bare["alerts"][0]["labels"]["severity"] = "warning"
    (item,) = ingest.parse_alertmanager(bare, default_domain="comms")
    assert (item.domain, item.severity) == ("comms", "minor")


@pytest.mark.parametrize("label, severity", [("error", "critical"), ("page", "critical"), ("major", "major"),
                                             ("info", "info"), ("none", "info"), ("", "major"), ("odd", "major")])
def test_severity_map(label, severity):
    payload = copy.deepcopy(FIRING)
    payload["alerts"][0]["labels"]["severity"] = label
    assert ingest.parse_alertmanager(payload, default_domain=None)[0].severity == severity


def test_parse_names_every_fault_of_a_batch():
    bad = copy.deepcopy(FIRING)
    bad["alerts"].append({"status": "burning", "labels": {"a": 1}, "fingerprint": ""})
    bad["alerts"].append("nope")
    with pytest.raises(ingest.PayloadError) as caught:
        ingest.parse_alertmanager(bad, default_domain=None)
    assert caught.value.problems == ["alerts[1].fingerprint: must be a non-empty string",
                                     "alerts[1].status: must be firing or resolved",
                                     "alerts[1].labels: must be an object of strings", "alerts[2]: must be an object"]
    with pytest.raises(ingest.PayloadError):
        ingest.parse_alertmanager({**FIRING, "version": "3"}, default_domain=None)
    with pytest.raises(ingest.PayloadError):
        ingest.parse_alertmanager([], default_domain=None)


def test_parse_generic():
    items = ingest.parse_generic({"key": "k1", "title": "t", "severity": "minor", "details": {"a": 1}},
                                 default_domain="info")
    assert (items[0].key, items[0].severity, items[0].domain, items[0].status) == ("k1", "minor", "info", "firing")
    with pytest.raises(ingest.PayloadError) as caught:
        ingest.parse_generic([{"key": 5, "severity": "huge", "domain": "x", "details": []}], default_domain=None)
    assert len(caught.value.problems) == 5
    assert ingest.parse_generic({"key": "k1", "status": "resolved"}, default_domain=None)[0].status == "resolved"


@pytest.fixture
def tokens(app, desk) -> dict[str, str]:
    engine = app.extensions["dutydesk.engine"]
    with Session(engine) as s:
        _, am = integrations.create(s, actor="t", name="prom", kind="alertmanager", domain="comms", now=NOW)
        _, generic = integrations.create(s, actor="t", name="zabbix", kind="generic", domain=None, now=NOW)
        _, off = integrations.create(s, actor="t", name="old", kind="generic", domain=None, now=NOW)
        integrations.set_enabled(s, actor="t", integration=integrations.find(s, "old"), enabled=False)
        personal = create_token(s, actor="t", person=s.exec(select(Person).where(Person.username == "lead1")).one(),
                                label="cli")
        s.commit()
    return {"am": am, "generic": generic, "off": off, "personal": personal}


def _post(client, url, token, body, raw=False):
    data = body if raw else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", headers={"Authorization": f"Bearer {token}"})


def _alerts(app) -> list[Alert]:
    with Session(app.extensions["dutydesk.engine"]) as s:
        return list(s.exec(select(Alert).order_by(Alert.id)))


def test_alertmanager_firing_repeated_resolved(app, client, tokens):
    first = _post(client, AM, tokens["am"], FIRING)
    assert first.status_code == 202 and first.json["raised"] == 1
    again = _post(client, AM, tokens["am"], FIRING)  # Alertmanager re-sends: same firing, nothing changes
    assert again.json["unchanged"] == 1
    (alert,) = _alerts(app)
    assert (alert.status, alert.occurrences, alert.source, alert.domain) == ("open", 1, "alertmanager", "info")
    assert alert.details["source"]["labels"]["instance"] == "db01:9100"
    done = _post(client, AM, tokens["am"], _resolved(FIRING))
    assert done.json["resolved"] == 1
    assert _post(client, AM, tokens["am"], _resolved(FIRING)).json["resolved"] == 0  # idempotent
    assert [a.status for a in _alerts(app)] == ["resolved"]


def test_alertmanager_batch_of_100_without_domain_label(app, client, tokens):
    batch = copy.deepcopy(FIRING)
    template = batch["alerts"][0]
    del template["labels"]["domain"]
    batch["alerts"] = [{**template, "fingerprint": f"fp{i:04d}", "labels": {**template["labels"], "n": str(i)}}
                       for i in range(100)]
    response = _post(client, AM, tokens["am"], batch)
    assert response.status_code == 202 and response.json["raised"] == 100
    alerts = _alerts(app)
    assert len(alerts) == 100 and {a.domain for a in alerts} == {"comms"}


def test_malformed_and_wrong_types_store_nothing(app, client, tokens):
    broken = _post(client, AM, tokens["am"], '{"version": "4", "alerts": [', raw=True)
    assert broken.status_code == 400 and broken.json["error"]["code"] == "bad_json"
    mixed = copy.deepcopy(FIRING)
    mixed["alerts"].append({**FIRING["alerts"][0], "fingerprint": 42, "startsAt": 7})
    wrong = _post(client, AM, tokens["am"], mixed)
    assert wrong.status_code == 422
    assert "alerts[1].fingerprint" in wrong.json["error"]["message"]
    generic = _post(client, "/api/v1/alerts", tokens["generic"], {"key": ["x"], "title": 3})
    assert generic.status_code == 422 and "payload.key" in generic.json["error"]["message"]
    assert _alerts(app) == []


def test_wrong_disabled_or_personal_token_is_refused(app, client, tokens):
    for token in ("ddi_nope", tokens["off"], tokens["personal"], tokens["generic"]):
        assert _post(client, AM, token, FIRING).status_code == 401, token
    assert client.post(AM, json=FIRING).status_code == 401
    assert _post(client, "/api/v1/alerts", tokens["am"], {"key": "k", "title": "t"}).status_code == 401
    # and an integration's token is no personal token for the people's API
    assert client.get("/api/v1/alerts", headers={"Authorization": f"Bearer {tokens['generic']}"}).status_code == 401
    listed = client.get("/api/v1/alerts", headers={"Authorization": f"Bearer {tokens['personal']}"})
    assert listed.status_code == 200
    assert _alerts(app) == []


def test_generic_webhook_raise_repeat_resolve(app, client, tokens):
    body = {"key": "zbx:42", "title": "交换机 CPU 高", "severity": "major", "domain": "comms",
            "details": {"host": "sw1"}, "status": "firing"}
    assert _post(client, "/api/v1/alerts", tokens["generic"], body).json["raised"] == 1
    assert _post(client, "/api/v1/alerts", tokens["generic"], body).json["repeated"] == 1
    assert _post(client, "/api/v1/alerts", tokens["generic"], {**body, "status": "resolved"}).json["resolved"] == 1
    assert _post(client, "/api/v1/alerts", tokens["generic"], body).json["raised"] == 1  # fires again: a new alert
    alerts = _alerts(app)
    assert [(a.status, a.occurrences, a.source) for a in alerts] == [("resolved", 2, "webhook"), ("open", 1, "webhook")]
    with Session(app.extensions["dutydesk.engine"]) as s:
        assert s.exec(select(Integration).where(Integration.name == "zabbix")).one().last_used_at is not None


def test_a_mixed_batch_is_applied_in_its_order(app, client, tokens):
    """The batch's new alerts are opened in bulk; what follows them in the batch still applies after them."""
    url, token = "/api/v1/alerts", tokens["generic"]

    def item(key: str, status: str = "firing") -> dict:
        return {"key": key, "title": f"t {key}", "severity": "major", "domain": "info", "status": status}

    with Session(app.extensions["dutydesk.engine"]) as s:
        s.add(Channel(name="robot", kind="wecom", target="http://127.0.0.1:9/robot"))
        s.commit()
    assert _post(client, url, token, item("old")).json["raised"] == 1
    batch = [item("a"), item("old"), item("a"), item("b", "resolved"), item("b"), item("c"), item("c", "resolved"),
             item("c")]
    counts = _post(client, url, token, batch).json
    assert counts == {"received": 8, "raised": 4, "repeated": 2, "unchanged": 0, "resolved": 1}
    rows = sorted((a.key, a.status, a.occurrences) for a in _alerts(app))
    assert rows == [("a", "open", 2), ("b", "open", 1), ("c", "open", 1), ("c", "resolved", 1), ("old", "open", 2)]
    with Session(app.extensions["dutydesk.engine"]) as s:
        kinds = {a.key + str(a.id): [e.kind for e in service.timeline(s, a.id)] for a in _alerts(app)}
        raised = s.exec(select(AuditEvent).where(AuditEvent.action == "alert.raise")).all()
        outbox = s.exec(select(Notification.alert_id)).all()
    assert sorted(kinds.values()) == [["raised"], ["raised"], ["raised", "recovered"], ["raised", "repeated"],
                                      ["raised", "repeated"]]
    assert len(raised) == 5 and all(e.after["status"] == "open" and e.after["routed_to"] for e in raised)
    assert sorted(set(outbox)) == [a.id for a in _alerts(app)] and len(outbox) == 6  # 5 raised, 1 resolved
