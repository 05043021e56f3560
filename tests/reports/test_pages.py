"""The pages, the JSON and the exports tell the same figures; each reader sees only what is theirs."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from desk import audit
from desk.db import session_scope

Q = "from=2026-10-07&to=2026-10-12"
PATROL_Q = "from=2026-10-07&to=2026-10-07"


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def people_rows(body: bytes) -> list[str]:
    """The usernames of the export's first table (load per person)."""
    rows = csv_rows(body)
    end = rows.index([])
    return [r[0] for r in rows[2:end]]


def test_coverage_json_page_and_exports_agree(as_user: Any) -> None:
    client = as_user("boss")
    data = client.get(f"/api/v1/reports/coverage?{Q}").get_json()
    assert {k: data[k] for k in ("shifts", "fully_staffed", "substitutions", "swaps", "leave_days")} == {
        "shifts": 12, "fully_staffed": 7, "substitutions": 1, "swaps": 1, "leave_days": 2}
    assert data["rate"] == pytest.approx(7 / 12, abs=1e-6) and data["target"] == 1.0
    assert data["gaps"][3] == {"date": "2026-10-12", "shift": "D", "position": None, "reason": "no_roster"}
    page = client.get(f"/reports/coverage?{Q}").get_data(as_text=True)
    assert "58.33 %" in page and "7 of 12 shifts fully staffed" in page
    assert page.count('<td class="cov cov-no_roster">') == 2 and page.count('<td class="cov cov-gap">') == 3
    rows = csv_rows(client.get(f"/reports/coverage.csv?{Q}").data)
    assert ["Coverage rate %", "58.3", "100.0"] in rows and ["Fully staffed shifts", "7", ""] in rows
    book = load_workbook(io.BytesIO(client.get(f"/reports/coverage.xlsx?{Q}").data))
    assert book.sheetnames == ["Coverage", "Seats", "Gaps"]
    assert [c.value for c in book["Gaps"][5]] == ["2026-10-12", "Day", "—", "no published roster"]
    assert book["Gaps"].max_row == 1 + len(data["gaps"])


def test_load_json_page_and_exports_agree(as_user: Any) -> None:
    client = as_user("boss")
    people = {p["username"]: p for p in client.get(f"/api/v1/reports/load?{Q}").get_json()["people"]}
    assert people["cc"] == {"username": "cc", "name": "CC", "group": "comms", "shifts": 4, "hours": 48,
                            "nights": 2, "weekend_shifts": 1, "holiday_shifts": 1, "substitutions_made": 0,
                            "substitutions_received": 0, "swaps": 1}
    book = load_workbook(io.BytesIO(client.get(f"/reports/load.xlsx?{Q}").data))
    sheet = book["Load per person"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "cc")
    assert row[3:] == (4, 48, 2, 1, 1, 0, 0, 1)
    page = client.get(f"/reports/load?{Q}").get_data(as_text=True)
    assert "<svg" in page and not re.search(r"<script(?![^>]*\bsrc=)", page)  # pygal, its inline script dropped


def test_patrol_json_page_and_export_agree(as_user: Any, patrol_desk: int) -> None:
    client = as_user("boss")
    data = client.get(f"/api/v1/reports/patrols?{PATROL_Q}").get_json()
    assert (data["expected"], data["made"], data["takeovers"]) == (1380, 1300, 1)
    page = client.get(f"/reports/patrols?{PATROL_Q}").get_data(as_text=True)
    assert "94.20 %" in page and "<svg" in page
    rows = csv_rows(client.get(f"/reports/patrols.csv?{PATROL_Q}").data)
    web = next(r for r in rows if r and r[0] == "web")
    assert web[:5] == ["web", "1380", "1300", "94.2", "94.85"]


def test_kpi_page_shows_targets_and_no_data_honestly(as_user: Any) -> None:
    page = as_user("boss").get(f"/reports/?{Q}").get_data(as_text=True)
    assert 'data-kpi="coverage"' in page and "kpi-bad" in page
    assert page.count("no data yet") >= 2  # alerts and handovers: nothing recorded yet
    assert "▲ up" in page


def test_pages_speak_chinese(as_user: Any) -> None:
    client = as_user("boss")
    page = client.get(f"/reports/coverage?{Q}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "覆盖率" in page
    book = load_workbook(io.BytesIO(client.get(f"/reports/load.xlsx?{Q}",
                                               headers={"Accept-Language": "zh-CN"}).data))
    assert "每人工作量" in book.sheetnames


@pytest.mark.parametrize("query", ["month=2026-13", "quarter=2026-Q5", "from=1999-12-01&to=2000-01-31",
                                   "from=2026-10-10&to=2026-10-01", "from=x&to=y", "month=99999-01"])
def test_bad_periods_are_form_errors(as_user: Any, query: str) -> None:
    client = as_user("boss")
    response = client.get(f"/reports/coverage?{query}")
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    api = client.get(f"/api/v1/reports/load?{query}")
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "bad_period"


def test_months_and_quarters(as_user: Any) -> None:
    client = as_user("boss")
    assert client.get("/api/v1/reports/coverage?month=2026-10").get_json()["shifts"] == 62
    assert client.get("/api/v1/reports/coverage?quarter=2026-Q4").get_json()["to"] == "2026-12-31"


def test_a_leader_sees_their_team_only(as_user: Any) -> None:
    client = as_user("lb")
    page = client.get(f"/reports/coverage?{Q}").get_data(as_text=True)
    assert "1 of 2 shifts fully staffed" in page
    assert people_rows(client.get(f"/reports/load.csv?{Q}").data) == ["cb", "ib", "lb"]
    assert client.get("/reports/coverage/2026-10-09/D").status_code == 200
    assert client.get("/reports/coverage/2026-10-07/D").status_code == 404  # not a shift of team B
    for url in ("/reports/", "/reports/patrols", "/reports/audit", f"/api/v1/reports/coverage?{Q}"):
        assert client.get(url).status_code == 403


def test_a_watcher_sees_their_own_load_only(as_user: Any) -> None:
    client = as_user("ib")
    assert people_rows(client.get(f"/reports/load.csv?{Q}").data) == ["ib"]
    assert "ib" in client.get(f"/reports/load?{Q}").get_data(as_text=True)
    for url in ("/reports/coverage", "/reports/coverage.csv", "/reports/", "/api/v1/reports/load", "/reports/alerts"):
        assert client.get(url).status_code == 403


def test_formula_cells_are_neutralised(app: Any, as_user: Any) -> None:
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        audit.record(session, actor="=HYPERLINK(\"http://x\")", action="check.create", object_type="check",
                     object_id="7", after={"name": "+cmd"})
    client = as_user("boss")
    rows = csv_rows(client.get("/reports/audit.csv").data)
    assert any(r[1] == "'=HYPERLINK(\"http://x\")" for r in rows if len(r) > 1)
    book = load_workbook(io.BytesIO(client.get("/reports/audit.xlsx").data))
    assert "'=HYPERLINK(\"http://x\")" in [row[1] for row in book.active.iter_rows(values_only=True)]


def test_audit_trail_sentences_filters_and_pages(app: Any, as_user: Any) -> None:
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        for i in range(55):
            audit.record(session, actor="lc", action="roster.publish", object_type="roster_version", object_id=i,
                         before={"status": "draft"}, after={"status": "published"})
        audit.record(session, actor="mgr", action="check.create", object_type="check", object_id="3",
                     after={"name": "web"})
    client = as_user("boss")
    page = client.get("/reports/audit?actor=lc").get_data(as_text=True)
    assert "LC published roster version #54 (deleted)" in page and "Page 1 of 2" in page and "draft" in page
    assert "roster version #4 (deleted)<" not in page
    older = client.get("/reports/audit?actor=lc&page=2").get_data(as_text=True)
    assert "LC published roster version #4 (deleted)" in older
    assert "LC published roster version 1 (2026-10-07 – 10-11)" in older
    assert "LC published roster version 2 (2026-10-09)" in older
    only = client.get("/reports/audit?object_type=check").get_data(as_text=True)
    assert "mgr created patrol check “web”" in only and "published roster" not in only
    zh = client.get("/reports/audit?object_type=check", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "mgr 创建了巡视检查「web」" in zh
    bad = client.get("/reports/audit?since=2026-99-01")
    assert bad.status_code == 400
    assert client.post("/reports/audit").status_code in (400, 405)


def test_shift_detail_explains_the_gap(as_user: Any) -> None:
    client = as_user("boss")
    page = client.get("/reports/coverage/2026-10-08/N").get_data(as_text=True)
    assert "not qualified for the seat" in page and "hand edit" in page
    assert "No published roster" in client.get("/reports/coverage/2026-10-12/N").get_data(as_text=True)
    for url in ("/reports/coverage/nonsense/N", "/reports/coverage/2026-10-08/X", "/reports/coverage/1900-01-01/D"):
        assert client.get(url).status_code == 404


def test_api_takes_personal_tokens(app: Any, as_user: Any) -> None:
    from desk import accounts

    as_user("boss")
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        person = accounts.get_by_username(session, "boss")
        secret = accounts.create_token(session, actor="boss", person=person, label="bench")
    fresh = app.test_client()
    response = fresh.get(f"/api/v1/reports/coverage?{Q}", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.get_json()["fully_staffed"] == 7
    assert fresh.get(f"/api/v1/reports/coverage?{Q}").status_code == 401


def test_alert_page_and_export_agree(as_user: Any, alert_desk: None) -> None:
    client = as_user("boss")
    page = client.get(f"/reports/alerts?{Q}").get_data(as_text=True)
    assert "50.00 %" in page and "<svg" in page
    data = client.get(f"/api/v1/reports/alerts?{Q}").get_json()
    assert data["total"]["count"] == 4 and data["total"]["within_target"] == 0.5
    assert data["total"]["ack_median_seconds"] == 240 and data["noisiest"][0] == {"key": "check:web", "count": 2}
    rows = csv_rows(client.get(f"/reports/alerts.csv?{Q}").data)
    assert ["All alerts", "4", "4.0", "10.0", "30.0", "50.0", "50.0", "2", "2", "1"] in rows


def test_the_home_page_tells_the_latest_changes_as_the_audit_trail_does(app: Any, as_user: Any) -> None:
    """Sentences and field labels, in both languages; no raw action codes, ids or Python lists (issue 7 item 7)."""
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        audit.record(session, actor="lc", action="roster.publish", object_type="roster_version", object_id=1,
                     before={"status": "draft", "number": None}, after={"status": "published", "number": 1,
                                                                        "superseded": [1, 2]})
        audit.record(session, actor="lc", action="roster.edit_seat", object_type="roster_version", object_id=1,
                     before={"person_id": 4, "seat": "2026-10-01 D info"}, after={"person_id": 5})
    client = as_user("boss")
    page = client.get("/").get_data(as_text=True)
    recent = page[page.index('id="recent-changes"'):]
    assert "LC published roster version 1 (2026-10-07 – 10-11)" in recent and "Status: draft → published" in recent
    assert "LC changed a seat by hand in roster version 1" in recent
    assert "Superseded versions:  → 1, 2" in recent and "[1, 2]" not in recent
    assert "roster.publish" not in recent and "person_id" not in recent and "roster_version" not in recent
    zh = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    recent = zh[zh.index('id="recent-changes"'):]
    assert "LC 发布了第 1 版排班表（2026-10-07 至 10-11）" in recent and "状态: 草稿 → 已发布" in recent, recent[:600]
    assert "roster.publish" not in recent and "person_id" not in recent
    assert client.get("/audit").headers["Location"].endswith("/reports/audit")

def test_audit_exports_follow_the_filters_newest_first(app: Any, as_user: Any) -> None:
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        for i in range(3):
            audit.record(session, actor="lc", action="leave.approve", object_type="leave", object_id=i,
                         before={"status": "asked"}, after={"status": "approved", "note": "好"})
        audit.record(session, actor="mgr", action="check.create", object_type="check", object_id="3")
    client = as_user("boss")
    engine = app.extensions["dutydesk.engine"]
    response = client.get("/reports/audit.csv?actor=lc")
    assert response.is_streamed and response.headers["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = csv_rows(response.data)
    assert engine.pool.checkedout() == 0  # the stream's session was closed with it (not left in a transaction)
    assert [r[1:4:2] for r in rows[2:5]] == [["LC", "LC approved IB's leave (2026-10-10)"],
                                             ["LC", "LC approved IA's leave (2026-10-08)"],
                                             ["LC", "LC approved leave request #0 (deleted)"]]
    assert rows[2][6] == '{"note": "好", "status": "approved"}' and rows[5] == []
    book = load_workbook(io.BytesIO(client.get("/reports/audit.xlsx?actor=lc").data))
    assert [r[4] for r in book.active.iter_rows(min_row=2, values_only=True)] == ["leave 2", "leave 1", "leave 0"]
    assert book.active.freeze_panes == "A2" and book.active["A1"].font.bold
    assert client.get("/reports/audit.pdf").status_code == 404
