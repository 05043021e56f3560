"""Run summaries of our probes are stored as a code with parameters (and an English sentence beside it for the
alert text); pages and the API show them in the reader's language, runs stored before as the text they kept."""

from __future__ import annotations

from datetime import UTC, datetime

from desk.db import session_scope
from monitoring import service, store
from monitoring.checkspec import CheckResult, CheckSpec, State
from monitoring.codes import Code, msg
from monitoring.models import CheckRun, CheckStatus

AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
REFUSED = msg(Code.TCP_ERROR, host="10.0.0.9", port=5432, error="Connection refused")
ZH = {"Accept-Language": "zh-CN"}


def test_a_result_of_ours_gets_its_english_sentence_and_a_plugins_text_stays():
    worded = store.worded(CheckResult(State.CRITICAL, message=REFUSED))
    assert worded.summary == "TCP CRITICAL - 10.0.0.9:5432 Connection refused" and worded.message == REFUSED
    plugin = CheckResult(State.OK, "OK - written by check_foo")
    assert store.worded(plugin) is plugin


def _check_with_runs(app) -> int:
    """A check with a run stored before summaries were codes and a newer one stored as a code."""
    spec = CheckSpec(name="db-port", kind="tcp", params={"host": "10.0.0.9", "port": 5432})
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        check_id = service.create_check(session, actor="t", spec=spec).id
        session.add(CheckRun(check_id=check_id, started_at=AT.replace(hour=11), state="CRITICAL",
                             summary="TCP CRITICAL - 10.0.0.9:5432 Connection refused (old wording)"))
        session.add(CheckRun(check_id=check_id, started_at=AT, state="CRITICAL", message=REFUSED.to_dict(),
                             summary="TCP CRITICAL - 10.0.0.9:5432 Connection refused"))
        status = session.get(CheckStatus, check_id)
        status.state, status.last_run_at, status.last_message = "CRITICAL", AT, REFUSED.to_dict()
        status.last_summary = "TCP CRITICAL - 10.0.0.9:5432 Connection refused"
        session.add(status)
    return check_id


def test_the_api_gives_the_code_and_the_text_in_the_readers_language(app, client, login_as):
    check_id = _check_with_runs(app)
    login_as("watcher")
    data = client.get(f"/api/v1/checks/{check_id}", headers=ZH).json
    assert data["message"] == {"code": "tcp_error", "params": {"host": "10.0.0.9", "port": 5432,
                                                               "error": "Connection refused"}}
    assert data["summary"] == "TCP 严重 - 10.0.0.9:5432 Connection refused"
    assert data["last_run"]["summary"] == data["summary"] and data["last_run"]["message"] == data["message"]
    english = client.get(f"/api/v1/checks/{check_id}/runs").json["runs"]
    assert [r["summary"] for r in english] == ["TCP CRITICAL - 10.0.0.9:5432 Connection refused",
                                               "TCP CRITICAL - 10.0.0.9:5432 Connection refused (old wording)"]
    assert english[1]["message"] is None


def test_history_shows_new_runs_in_chinese_and_old_runs_as_they_were(app, client, login_as):
    check_id = _check_with_runs(app)
    login_as("watcher")
    html = client.get(f"/checks/{check_id}", headers=ZH).get_data(as_text=True)
    assert "TCP 严重 - 10.0.0.9:5432 Connection refused" in html
    assert "TCP CRITICAL - 10.0.0.9:5432 Connection refused (old wording)" in html


def test_a_flapping_event_is_a_code_and_its_row_keeps_an_english_summary_for_the_alerts():
    from monitoring import anomalies
    from monitoring.state import AnomalyEvent

    flap = msg(Code.FLAPPING_START, check="db-port", percent=62, said=REFUSED.to_dict())
    event = AnomalyEvent("flapping_start", "db-port", State.CRITICAL, "", AT, message=flap)
    row = anomalies._row(event, None, AT)
    assert row.summary == "db-port is flapping (62% state change): TCP CRITICAL - 10.0.0.9:5432 Connection refused"
    assert row.message == flap.to_dict() and row.key == "check:db-port:flapping"
