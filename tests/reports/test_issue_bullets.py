"""Issue 9's promises held to on the small desk: the API's shapes, who sees what, the A4 print stylesheet, exports
whose headers speak the reader's language, and an audit trail nothing in the app can change."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from desk.db import session_scope
from tests.conftest import login

Q = "from=2026-10-07&to=2026-10-12"
ROOT = Path(__file__).resolve().parents[2]
FIGURES = {"label", "count", "ack_median_seconds", "ack_p90_seconds", "resolve_median_seconds",
           "resolve_p90_seconds", "within_target", "escalated", "carried_over", "no_roster"}


def test_coverage_and_load_answer_in_the_issue_s_shape(as_user: Any) -> None:
    client = as_user("boss")
    coverage = client.get(f"/api/v1/reports/coverage?{Q}").get_json()
    assert set(coverage) == {"from", "to", "shifts", "fully_staffed", "rate", "target", "gaps", "substitutions",
                             "swaps", "leave_days"}
    assert (coverage["from"], coverage["to"]) == ("2026-10-07", "2026-10-12")
    assert all(set(g) == {"date", "shift", "position", "reason"} for g in coverage["gaps"])
    load = client.get(f"/api/v1/reports/load?{Q}").get_json()
    assert {"people", "groups"} <= set(load)
    assert all({"username", "name", "shifts", "hours", "nights", "weekend_shifts", "holiday_shifts",
                "substitutions_made", "substitutions_received", "swaps"} <= set(p) for p in load["people"])
    assert all({"group", "members", "shifts", "nights"} <= set(g) for g in load["groups"])
    assert set(load["groups"][0]["nights"]) == {"mean", "min", "max", "spread", "stdev", "aim"}


def test_alerts_and_patrols_answer_with_every_figure(as_user: Any, alert_desk: None, patrol_desk: int) -> None:
    client = as_user("boss")
    alerts = client.get(f"/api/v1/reports/alerts?{Q}").get_json()
    assert {"from", "to", "target", "ack_limit_seconds", "total", "noisiest", "by_severity", "by_shift", "by_leader",
            "by_domain", "by_source", "by_day", "by_week"} <= set(alerts)
    assert set(alerts["total"]) == FIGURES and all(set(f) == FIGURES for f in alerts["by_leader"])
    patrols = client.get(f"/api/v1/reports/patrols?{Q}").get_json()
    assert {"from", "to", "expected", "made", "rate", "target", "success_rate", "takeovers", "checks"} <= set(patrols)
    assert {"id", "name", "expected", "made", "runs", "made_rate", "success_rate", "seconds_in_state",
            "maintenance_seconds", "flapping_periods"} == set(patrols["checks"][0])


def _alert_count(client: Any) -> str:
    page = client.get(f"/reports/alerts?{Q}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    found = re.search(r"(\d+) alerts\)", page)
    assert found, page[-3000:]
    return found.group(1)


def test_leaders_see_the_alerts_of_the_shifts_they_led(app: Any, as_user: Any, alert_desk: None,
                                                       desk: dict[str, int]) -> None:
    from alerts.models import Alert

    with session_scope(app.extensions["dutydesk.engine"]) as session:  # la's shift, handed to a watcher since
        first = datetime(2026, 10, 8, 2, tzinfo=UTC)
        session.add(Alert(key="k:reassigned", title="t", severity="minor", source="manual", status="open",
                          first_seen=first, last_seen=first, routed_to="leader", assignee_id=desk["ia"],
                          shift_day="2026-10-08", shift_code="D"))
    assert _alert_count(as_user("boss")) == "5"
    clients = {name: app.test_client() for name in ("la", "lb")}
    for name, client in clients.items():
        assert login(client, name).status_code == 302
    assert _alert_count(clients["la"]) == "4"
    assert _alert_count(clients["lb"]) == "0"
    assert clients["lb"].get(f"/api/v1/reports/alerts?{Q}").status_code == 403  # the API is the managers'


def test_watchers_see_their_own_load_and_nothing_else(as_user: Any) -> None:
    client = as_user("ib")
    people = re.findall(r"<td>([a-z]{2})</td>", client.get(f"/reports/load?{Q}").get_data(as_text=True))
    assert set(people) == {"ib"}
    for url in ("/reports/alerts", "/reports/patrols", "/reports/audit", "/reports/settings", "/reports/kpis.csv",
                f"/api/v1/reports/alerts?{Q}", f"/api/v1/reports/patrols?{Q}"):
        assert client.get(url).status_code == 403, url


def test_pages_print_on_a4(as_user: Any) -> None:
    page = as_user("boss").get(f"/reports/coverage?{Q}").get_data(as_text=True)
    assert re.search(r'<link rel="stylesheet" href="/static/reports-print.css[^"]*" media="print">', page)
    css = (ROOT / "static" / "reports-print.css").read_text()
    assert "@page { size: A4;" in css and ".no-print" in css and "display: none" in css
    assert 'class="report-tabs no-print"' in page and 'class="period-form no-print"' in page


def test_xlsx_headers_speak_the_reader_s_language(as_user: Any, alert_desk: None) -> None:
    client = as_user("boss")
    for name in ("alerts", "coverage", "kpis", "patrols"):
        zh = load_workbook(io.BytesIO(client.get(f"/reports/{name}.xlsx?{Q}",
                                                 headers={"Accept-Language": "zh-CN"}).data))
        en = load_workbook(io.BytesIO(client.get(f"/reports/{name}.xlsx?{Q}",
                                                 headers={"Accept-Language": "en"}).data))
        for zh_sheet, en_sheet in zip(zh.worksheets, en.worksheets, strict=True):
            zh_headers = [c.value for c in zh_sheet[1]]
            en_headers = [c.value for c in en_sheet[1]]
            assert zh_headers != en_headers, (name, en_sheet.title)
            assert any(re.search(r"[\u4e00-\u9fff]", str(h)) for h in zh_headers), (name, zh_headers)
    alerts = load_workbook(io.BytesIO(client.get(f"/reports/alerts.xlsx?{Q}",
                                                 headers={"Accept-Language": "zh-CN"}).data))
    assert "5 分钟内确认 %" in [c.value for c in alerts.worksheets[0][1]]


def test_nothing_in_the_app_can_change_the_audit_trail(app: Any) -> None:
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    writes = re.compile(r"(update|delete)\(\s*AuditEvent|UPDATE\s+auditevent|DELETE\s+FROM\s+auditevent|"
                        r"session\.delete\(\s*(event|audit)", re.IGNORECASE)
    for package in ("desk", "roster", "monitoring", "alerts", "reports"):
        for path in (ROOT / package).rglob("*.py"):
            assert not writes.search(path.read_text(encoding="utf-8")), path
