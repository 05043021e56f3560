"""/api/v1/checks: latest states for any role or a Bearer token; one check with its last run; run now."""

from __future__ import annotations

from datetime import UTC, datetime

from desk.db import session_scope
from monitoring import service
from monitoring.checkspec import CheckSpec
from monitoring.models import CheckRun, CheckStatus, SchedulerLease
from tests.conftest import csrf_token


def make_check(app, name: str = "db-port") -> int:
    spec = CheckSpec(name=name, kind="tcp", params={"host": "127.0.0.1", "port": 5432}, max_attempts=4)
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        return service.create_check(session, actor="t", spec=spec).id


def record_run(app, check_id: int) -> datetime:
    at = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        session.add(CheckRun(check_id=check_id, started_at=at, duration=0.0021, state="CRITICAL",
                             state_type="SOFT", attempt=2, summary="refused", runner="desk1:77",
                             metrics=[{"label": "time", "value": 0.0021, "uom": "s"}]))
        status = session.get(CheckStatus, check_id)
        status.state, status.state_type, status.attempt, status.last_run_at = "CRITICAL", "SOFT", 2, at
        status.last_summary, status.last_duration = "refused", 0.0021
        session.add(status)
    return at


def test_anonymous_gets_401_json(client):
    response = client.get("/api/v1/checks")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_list_with_a_bearer_token(app, client, runner, make_person):
    check_id = make_check(app)
    make_check(app, "never-run")
    record_run(app, check_id)
    make_person("grafana-bot")
    secret = runner.invoke(args=["tokens", "create", "--username", "grafana-bot", "--label", "grafana"]).output.strip()
    data = client.get("/api/v1/checks", headers={"Authorization": f"Bearer {secret}"}).json
    by_name = {c["name"]: c for c in data["checks"]}
    assert by_name["db-port"]["state"] == "CRITICAL" and by_name["db-port"]["state_type"] == "SOFT"
    assert by_name["db-port"]["attempt"] == 2 and by_name["db-port"]["max_attempts"] == 4
    assert by_name["never-run"]["state"] == "PENDING" and by_name["never-run"]["last_run_at"] is None
    assert data["scheduler_running"] is False


def test_one_check_with_its_last_run(app, client, login_as):
    check_id = make_check(app)
    at = record_run(app, check_id)
    login_as("watcher")
    data = client.get(f"/api/v1/checks/{check_id}").json
    assert data["summary"] == "refused" and datetime.fromisoformat(data["last_run_at"]) == at
    assert data["last_run"]["runner"] == "desk1:77" and data["last_run"]["metrics"][0]["label"] == "time"
    missing = client.get("/api/v1/checks/999")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"


def test_run_now_needs_csrf_in_a_session_and_reports_the_scheduler(app, client, login_as):
    check_id = make_check(app)
    login_as("watcher")
    assert client.post(f"/api/v1/checks/{check_id}/run").status_code == 400  # no CSRF header
    token = csrf_token(client.get("/checks/").get_data(as_text=True))
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        session.add(SchedulerLease(name="patrol", holder="desk1:77", acquired_at=datetime(2026, 11, 28, tzinfo=UTC),
                                   expires_at=datetime(2100, 1, 1, tzinfo=UTC)))  # held for good
    response = client.post(f"/api/v1/checks/{check_id}/run", headers={"X-CSRFToken": token})
    assert response.status_code == 202 and response.json["scheduler_running"] is True
    requested = datetime.fromisoformat(response.json["requested_at"])
    data = client.get(f"/api/v1/checks/{check_id}").json
    assert datetime.fromisoformat(data["run_requested_at"]) == requested


def test_filters_and_runs_pages(app, client, login_as):
    check_id = make_check(app)
    make_check(app, "other")
    record_run(app, check_id)
    login_as("watcher")
    assert [c["name"] for c in client.get("/api/v1/checks?state=CRITICAL").json["checks"]] == ["db-port"]
    assert [c["name"] for c in client.get("/api/v1/checks?state=PENDING").json["checks"]] == ["other"]
    assert client.get("/api/v1/checks?domain=nope").status_code == 400
    runs = client.get(f"/api/v1/checks/{check_id}/runs?per_page=10").json
    assert (runs["total"], runs["pages"], runs["runs"][0]["summary"]) == (1, 1, "refused")
    assert client.get(f"/api/v1/checks/{check_id}/runs?page=0").status_code == 400
    assert client.get("/api/v1/checks/999/runs").status_code == 404


def test_a_second_run_now_is_409_already_queued(app, client, login_as):
    check_id = make_check(app)
    login_as("watcher")
    token = csrf_token(client.get("/checks/").get_data(as_text=True))
    assert client.post(f"/api/v1/checks/{check_id}/run", headers={"X-CSRFToken": token}).status_code == 202
    again = client.post(f"/api/v1/checks/{check_id}/run", headers={"X-CSRFToken": token})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_queued"


def test_huge_ids_and_pages_are_404_or_the_last_page(app, client, login_as):
    check_id = make_check(app)
    login_as("watcher")
    for url in ("/api/v1/checks/99999999999999999999", "/api/v1/checks/9223372036854775808/runs",
                "/api/v1/checks/0"):
        response = client.get(url)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found", url
    huge = client.get(f"/api/v1/checks/{check_id}/runs?page=9223372036854775807")
    assert huge.status_code == 200 and huge.json["page"] == 1
    assert client.get(f"/api/v1/checks/{check_id}/runs?page=99999999999999999999").status_code == 400
    assert client.get(f"/api/v1/checks/{check_id}/runs?page=²").status_code == 400
