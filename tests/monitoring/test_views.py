"""The checks pages: roles, errors on the field with typed values kept, list marks, history, run now, maintenance."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from desk.db import session_scope
from monitoring import service
from monitoring.checkspec import CheckSpec
from monitoring.models import Check, CheckRun, CheckStatus, MaintenanceWindowRow
from monitoring.sparkline import sparkline_svg
from tests.conftest import NO_DATABASE, csrf_token

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def form(**values: str) -> dict[str, str]:
    data = {"name": "db-port", "kind": "tcp", "domain": "info", "severity": "major", "enabled": "y",
            "interval": "60", "timeout": "10", "max_attempts": "3", "retry_interval": "15",
            "recovery_threshold": "1", "flap_start": "50", "flap_stop": "25", "warning": "", "critical": "",
            "runbook": "", "p_tcp_host": "127.0.0.1", "p_tcp_port": "5432"}
    data.update(values)
    return data


def post(client, url: str, data: dict[str, str]):
    data = {**data, "csrf_token": csrf_token(client.get("/checks/new" if "/maintenance" not in url
                                                          else "/checks/maintenance").get_data(as_text=True))}
    return client.post(url, data=data)


def field_error(html: str, field: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return match.group(1) if match else None


def value_of(html: str, field: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{field}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


def engine(app):
    return app.extensions["dutydesk.engine"]


def make_check(app, spec: CheckSpec) -> int:
    with session_scope(engine(app)) as session:
        return service.create_check(session, actor="t", spec=spec).id


def tcp(name: str = "db-port", **extra) -> CheckSpec:
    return CheckSpec(name=name, kind="tcp", params={"host": "127.0.0.1", "port": 5432}, **extra)


def test_watcher_reads_but_does_not_edit(client, login_as, app):
    check_id = make_check(app, tcp())
    login_as("watcher")
    html = client.get("/checks/").get_data(as_text=True)
    assert "db-port" in html and "New check" not in html
    assert client.get("/checks/new").status_code == 403
    assert client.get(f"/checks/{check_id}/edit").status_code == 403
    assert client.get(f"/checks/{check_id}").status_code == 200


def test_bad_values_are_shown_on_their_fields_and_kept(client, login_as, app):
    login_as("leader")
    response = post(client, "/checks/new", form(warning="5:1", p_tcp_port="99999", interval="abc"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, "warning") == "Invalid range &#39;5:1&#39;: the start 5 is greater than the end 1."
    assert field_error(html, "p_tcp_port") == "A whole number from 1 to 65535."
    assert field_error(html, "interval") == "Enter a whole number."
    assert (value_of(html, "warning"), value_of(html, "p_tcp_port"), value_of(html, "interval")) == (
        "5:1", "99999", "abc")
    with session_scope(engine(app)) as session:
        assert session.exec(select(Check)).all() == []


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"kind": "http", "p_http_url": "ftp://portal"}, "p_http_url", "must start with http:// or https://"),
    ({"kind": "http", "p_http_url": "http://portal/", "p_http_regex": "(open"}, "p_http_regex",
     "Not a valid regular expression: missing ), unterminated subpattern"),
    ({"kind": "nagios", "p_nagios_command": "/opt/none/check_x -w 1"}, "p_nagios_command", "allowed plugin directory"),
    ({"kind": "nagios", "p_nagios_command": "check_x 'unclosed"}, "p_nagios_command", "quotes"),
    ({"kind": "process"}, "p_process_name", "Give a process name or a command line pattern."),
    ({"kind": "process", "p_process_cmdline": "[bad"}, "p_process_cmdline", "Not a valid regular expression"),
    ({"kind": "tcp", "timeout": "90"}, "timeout", "The timeout (90 s) must not be longer than the interval (60 s)."),
    ({"kind": "http", "p_http_url": "http://x/", "p_http_expect_status": "200, abc"}, "p_http_expect_status",
     "status codes"),
])
def test_kind_settings_errors_land_on_their_field(client, login_as, values, field, words):
    login_as("leader")
    html = post(client, "/checks/new", form(**values)).get_data(as_text=True)
    assert words in (field_error(html, field) or ""), html[html.find('class="error'):][:400]
    assert field_error(html, "name") is None


def test_create_edit_and_see_it_listed(client, login_as, app):
    login_as("leader")
    response = post(client, "/checks/new", form(kind="http", p_http_url="http://127.0.0.1:9/health",
                                                 p_http_expect_status="200, 204", p_http_headers="X-Desk: 1",
                                                 runbook="先查看网关 / check the gateway first"))
    assert response.status_code == 302
    with session_scope(engine(app)) as session:
        check = session.exec(select(Check)).one()
        assert check.spec["expect_status"] == [200, 204] and check.spec["headers"] == {"X-Desk": "1"}
        assert "method" not in check.spec  # defaults are left out, as in an exported file
    edit = client.get(f"/checks/{check.id}/edit").get_data(as_text=True)
    assert value_of(edit, "p_http_url") == "http://127.0.0.1:9/health"
    assert value_of(edit, "p_http_expect_status") == "200, 204"
    response = post(client, f"/checks/{check.id}/edit", form(name="portal", kind="http", interval="30",
                                                             p_http_url="http://127.0.0.1:9/health"))
    assert response.status_code == 302
    html = client.get("/checks/").get_data(as_text=True)
    assert "portal" in html and "state-PENDING" in html
    with session_scope(engine(app)) as session:
        assert session.get(Check, check.id).version == 2


def test_new_form_shows_the_kind_defaults(client, login_as):
    login_as("leader")
    html = client.get("/checks/new?kind=http").get_data(as_text=True)
    assert value_of(html, "p_http_method") == "GET" and value_of(html, "p_http_cert_warning_days") == "14"
    assert value_of(html, "p_disk_path") == "/" and 'selected value="http"' in html


def test_duplicate_name_is_refused_on_the_name(client, login_as, app):
    make_check(app, tcp())
    login_as("manager")
    html = post(client, "/checks/new", form()).get_data(as_text=True)
    assert field_error(html, "name") == "A check with this name already exists."
    html = post(client, "/checks/new", form(p_tcp_port="0")).get_data(as_text=True)  # said with other mistakes
    assert field_error(html, "name") == "A check with this name already exists."


def add_runs(app, check_id: int, count: int, state: str = "OK") -> None:
    start = T0 - timedelta(seconds=30 * count)
    with session_scope(engine(app)) as session:
        for i in range(count):
            session.add(CheckRun(check_id=check_id, started_at=start + timedelta(seconds=30 * i),
                                 duration=0.001 * (i % 7 + 1), state=state, summary=f"run {i}",
                                 metrics=[{"label": "time", "value": 0.002, "uom": "s"}], runner="host:42"))
        status = session.get(CheckStatus, check_id)
        status.state, status.state_type, status.attempt = "WARNING", "SOFT", 2
        status.last_run_at, status.since, status.flapping = T0, start, True
        status.last_summary, status.last_duration = "TCP WARNING - slow", 0.004
        session.add(status)


def test_list_shows_state_attempts_trend_and_marks(client, login_as, app):
    check_id = make_check(app, tcp())
    make_check(app, tcp("comms-link", domain="comms"))
    add_runs(app, check_id, 10)
    with session_scope(engine(app)) as session:
        session.add(MaintenanceWindowRow(kind="one_off", starts_at=datetime(2000, 1, 1, tzinfo=UTC),
                                         ends_at=datetime(2100, 1, 1, tzinfo=UTC), checks=["db-port"], author="t",
                                         reason="upgrade"))  # in force whatever the date the test runs on
    login_as("watcher")
    html = client.get("/checks/").get_data(as_text=True)
    row = html[html.find(f'id="check-{check_id}"'):]
    row = row[:row.find("</tr>")]
    assert "state-WARNING" in row and "SOFT" in row and "2/3" in row
    assert '<svg class="sparkline"' in row and "flapping" in row and "maintenance" in row
    assert "TCP WARNING - slow" in row
    assert 'id="no-scheduler"' in html  # no process holds the patrol lease
    assert "comms-link" not in client.get("/checks/?domain=info").get_data(as_text=True)
    only_warning = client.get("/checks/?state=WARNING").get_data(as_text=True)
    assert "db-port" in only_warning and "comms-link" not in only_warning


def test_history_is_paged(client, login_as, app):
    check_id = make_check(app, tcp(runbook="重启监听 / restart the listener"))
    add_runs(app, check_id, 60)
    login_as("watcher")
    first = client.get(f"/checks/{check_id}").get_data(as_text=True)
    assert "Runs recorded: 60" in first and "run 59" in first and "run 9" not in first and "host:42" in first
    assert "restart the listener" in first and "time=0.002s" in first
    second = client.get(f"/checks/{check_id}?page=2").get_data(as_text=True)
    assert "run 9" in second and "Page 2 of 2" in second
    assert client.get("/checks/999").status_code == 404


def test_enable_delete_and_run_now(client, login_as, app):
    check_id = make_check(app, tcp())
    login_as("leader")
    assert post(client, f"/checks/{check_id}/run", {}).status_code == 302
    with session_scope(engine(app)) as session:
        assert session.get(CheckStatus, check_id).run_requested_at is not None
    assert post(client, f"/checks/{check_id}/enabled", {}).status_code == 302
    page = client.get(f"/checks/{check_id}").get_data(as_text=True)
    assert "is disabled: it will not run." in page and "run-now-button" not in page
    refused = post(client, f"/checks/{check_id}/run", {})
    assert "is disabled: enable it to run it." in client.get(refused.location).get_data(as_text=True)
    assert client.post(f"/api/v1/checks/{check_id}/run",
                       headers={"X-CSRFToken": csrf_token(page)}).status_code == 409
    confirm = client.get(f"/checks/{check_id}/delete").get_data(as_text=True)
    assert "cannot be undone" in confirm
    with session_scope(engine(app)) as session:
        assert session.get(Check, check_id).enabled is False
    assert post(client, f"/checks/{check_id}/delete", {}).status_code == 302
    with session_scope(engine(app)) as session:
        assert session.get(Check, check_id) is None


def test_maintenance_windows_page(client, login_as, app):
    make_check(app, tcp("core-switch"))
    login_as("leader")
    bad = post(client, "/checks/maintenance/new", {"kind": "one_off", "starts_at": "2026-12-01 22:00",
                                                   "ends_at": "2026-12-01 21:00", "reason": "fibre"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and field_error(html, "ends_at") == "The end must be after the start."
    assert value_of(html, "starts_at") == "2026-12-01 22:00"
    weekly = {"kind": "weekly", "weekdays": ["1", "3"], "start_time": "02:00", "duration_minutes": "90",
              "checks": ["core-switch"], "reason": "每周补丁 weekly patching"}
    assert post(client, "/checks/maintenance/new", weekly).status_code == 302
    page = client.get("/checks/maintenance").get_data(as_text=True)
    assert "每周补丁" in page and "Tue, Thu 02:00" in page and "core-switch" in page and "leader1" in page
    with session_scope(engine(app)) as session:
        window_id = session.exec(select(MaintenanceWindowRow.id)).one()
    assert post(client, f"/checks/maintenance/{window_id}/end", {}).status_code == 302
    assert "ended" in client.get("/checks/maintenance").get_data(as_text=True)


def test_home_panel(client, login_as, app):
    check_id = make_check(app, tcp())
    make_check(app, tcp("other"))
    login_as("watcher")
    home = client.get("/").get_data(as_text=True)
    assert "All 2 checks OK." in home and "The scheduler is not running: nobody is patrolling." in home
    with session_scope(engine(app)) as session:
        status = session.get(CheckStatus, check_id)
        status.state, status.last_run_at, status.last_summary = "CRITICAL", T0, "refused"
        session.add(status)
    html = client.get("/").get_data(as_text=True)
    assert "1 of 2 checks need attention." in html and "state-CRITICAL" in html and "refused" in html


def test_sparkline_svg():
    assert sparkline_svg([0.1]) == ""
    svg = str(sparkline_svg([0.1, 0.3, 0.2], width=100, height=20, label="<x>"))
    assert svg.startswith('<svg class="sparkline"') and "&lt;x&gt;" in svg
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    assert points == ["2.0,18.0", "50.0,2.0", "98.0,10.0"]  # min at the bottom, max at the top
    flat = str(sparkline_svg([1.0, 1.0]))
    assert 'points="2.0,12.0 118.0,12.0"' in flat


BAD_SPECS = [
    CheckSpec(name="", kind="tcp", params={"host": "a b", "port": 0}, interval=1, timeout=0, max_attempts=0),
    CheckSpec(name=" x", kind="tcp", params={}, timeout=90, interval=60, flap_start=10, flap_stop=20),
    CheckSpec(name="x", kind="cpu", params={"sample": 20.0}, warning="5:1", critical="1:2:3"),
    CheckSpec(name="x", kind="disk", params={"path": "var"}, warning="abc", critical="@"),
    CheckSpec(name="x", kind="load", params={"period": 2}, flap_start=0),
    CheckSpec(name="x", kind="process", params={"cmdline": "[x"}),
    CheckSpec(name="x", kind="process", params={}),
    CheckSpec(name="x", kind="http", params={"url": "ftp://x", "method": "FETCH", "expect_status": [700],
                                             "regex": "(", "ca_file": "/no/ca.pem", "cert_warning_days": 1,
                                             "cert_critical_days": 5, "headers": {"A": 1}}),
    CheckSpec(name="x", kind="http", params={"url": "http:// x"}),
    CheckSpec(name="x", kind="http", params={"url": "http://"}),
    CheckSpec(name="x", kind="http", params={"url": "http://x:0/"}),
    CheckSpec(name="x", kind="nagios", params={"command": ["/no/such"]}, warning="1"),
    CheckSpec(name="x", kind="nagios", params={"command": ["sub/check_x"]}),
    CheckSpec(name="x", kind="nagios", params={"command": ["/bin/sh", "a" * 1001]}),
    CheckSpec(name="x\u202e", kind="memory", runbook="r" * 20_001, warning="9" * 101),
    CheckSpec(name="x", kind="nagios", params={"command": []}),
    CheckSpec(name="x", kind="nagios", params={"command": ["/etc/passwd"]}),
]


@NO_DATABASE  # the app only lends its request context and translations
@pytest.mark.parametrize("spec", BAD_SPECS, ids=lambda s: s.kind)
def test_every_core_message_is_shown_in_chinese(app, spec):
    from monitoring import words
    from monitoring.checkspec import validate_spec

    errors = validate_spec(spec)
    assert errors
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        untranslated = {k: m for k, m in errors.items() if words.render(m) == words.english(m)}
    assert untranslated == {}


def test_a_second_run_now_click_says_it_is_already_queued(client, login_as, app):
    check_id = make_check(app, tcp())
    login_as("watcher")
    first = post(client, f"/checks/{check_id}/run", {})
    assert "Run requested" in client.get(first.location).get_data(as_text=True)
    again = post(client, f"/checks/{check_id}/run", {})
    assert again.status_code == 302
    assert "A run of db-port is already queued" in client.get(again.location).get_data(as_text=True)
    with session_scope(engine(app)) as session:
        from desk.models import AuditEvent
        assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "check.run_now")).all()) == 1


def test_a_leader_cannot_save_a_shell_as_a_plugin(client, login_as, app):
    login_as("leader")
    typed = "/bin/sh -c 'cat /etc/passwd'"
    response = post(client, "/checks/new", form(name="own-host", kind="nagios", p_nagios_command=typed))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "is not in an allowed plugin directory" in field_error(html, "p_nagios_command")
    assert value_of(html, "p_nagios_command") == typed.replace("'", "&#39;")
    assert value_of(html, "name") == "own-host"
    with session_scope(engine(app)) as session:
        assert session.exec(select(Check)).all() == []


def test_long_and_invisible_texts_are_refused_on_their_field(client, login_as, app):
    login_as("leader")
    response = post(client, "/checks/new", form(name="core\u200bswitch", runbook="x" * 20_001))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "zero-width" in field_error(html, "name") and "At most 20000 characters" in field_error(html, "runbook")


def test_watchers_see_no_header_values_nor_secret_arguments(client, login_as, app, plugin_dir):
    http = CheckSpec(name="portal", kind="http", params={
        "url": "http://127.0.0.1:1/", "headers": {"Authorization": "Bearer plain-token-typed-in", "X-Api": "$KEY$"}})
    plugin_path = str(plugin_dir / "check_db")
    nagios = CheckSpec(name="db", kind="nagios", params={"command": [plugin_path, "-u", "desk", "-p", "$DBPASS$"]})
    ids = [make_check(app, http), make_check(app, nagios)]
    login_as("watcher")
    pages = "".join(client.get(f"/checks/{i}").get_data(as_text=True) for i in ids)
    assert "plain-token-typed-in" not in pages and "$KEY$" not in pages and "$DBPASS$" not in pages
    assert "Authorization: ••••••" in pages and f"{plugin_path} -u desk -p ••••••" in pages


def test_editors_see_macro_names_never_values(client, login_as, app, plugin_dir, monkeypatch):
    monkeypatch.setenv("DUTYDESK_MACRO_DBPASS", "hunter22")
    nagios = CheckSpec(name="db", kind="nagios", params={"command": [str(plugin_dir / "check_db"), "$DBPASS$"]})
    check_id = make_check(app, nagios)
    login_as("leader")
    html = client.get(f"/checks/{check_id}").get_data(as_text=True)
    edit = client.get(f"/checks/{check_id}/edit").get_data(as_text=True)
    assert "$DBPASS$" in html and "$DBPASS$" in edit and "hunter22" not in html + edit


@pytest.mark.parametrize("url", ["/checks/99999999999999999999", "/checks/9223372036854775808",
                                 "/checks/99999999999999999999/edit", "/checks/0"])
def test_ids_no_row_can_have_are_404(client, login_as, url):
    login_as("leader")
    assert client.get(url).status_code == 404


def test_a_page_past_the_last_shows_the_last(client, login_as, app):
    check_id = make_check(app, tcp())
    login_as("watcher")
    for page in ("99999999999999999999", "9223372036854775807", "²", "-1"):
        response = client.get(f"/checks/{check_id}?page={page}")
        assert response.status_code == 200 and "No runs recorded yet" in response.get_data(as_text=True)


@pytest.mark.parametrize(("starts", "ends", "field"), [
    ("0001-01-01 00:00", "2026-12-01 21:00", "starts_at"),
    ("2026-12-01 22:00", "9999-12-31 23:59", "ends_at"),
])
def test_maintenance_windows_are_bounded_to_2000_2100(client, login_as, app, starts, ends, field):
    login_as("leader")
    response = post(client, "/checks/maintenance/new", {"kind": "one_off", "starts_at": starts, "ends_at": ends,
                                                         "reason": "fibre"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "between the years 2000 and 2100" in field_error(html, field)
    assert value_of(html, field) == (starts if field == "starts_at" else ends)


def test_maintenance_reason_and_duration_limits(client, login_as, app):
    login_as("leader")
    weekly = {"kind": "weekly", "weekdays": ["1"], "start_time": "02:00", "duration_minutes": "9" * 30,
              "reason": "r" * 501}
    html = post(client, "/checks/maintenance/new", weekly).get_data(as_text=True)
    assert "at most 7 days" in field_error(html, "duration_minutes")
    html = post(client, "/checks/maintenance/new", {**weekly, "duration_minutes": "60"}).get_data(as_text=True)
    assert "At most 500 characters" in field_error(html, "reason")


def test_a_window_says_whether_it_mutes_all_checks_or_the_ticked_ones(client, login_as, app):
    make_check(app, tcp("core-switch"))
    make_check(app, tcp("edge-router"))
    login_as("leader")
    one_off = {"kind": "one_off", "starts_at": "2026-12-01 22:00", "ends_at": "2026-12-01 21:00", "reason": "fibre"}
    html = post(client, "/checks/maintenance/new", one_off).get_data(as_text=True)  # nothing chosen
    assert "Choose whether the window mutes all checks or only some." in html
    assert field_error(html, "ends_at") == "The end must be after the start."  # said in the same answer
    assert 'name="scope" value="all" id="scope-all">' in html  # no choice is made for the user
    one_off["ends_at"] = "2026-12-01 23:00"
    html = post(client, "/checks/maintenance/new", {**one_off, "scope": "some"}).get_data(as_text=True)
    assert "Tick the checks to mute, or choose all checks." in html
    assert 'value="some" id="scope-some" checked' in html  # the choice is kept
    assert post(client, "/checks/maintenance/new", {**one_off, "scope": "some", "checks": ["edge-router"]}
                ).status_code == 302
    assert post(client, "/checks/maintenance/new", {**one_off, "scope": "all", "checks": ["edge-router"]}
                ).status_code == 302  # "all" wins over boxes left ticked
    with session_scope(engine(app)) as session:
        rows = session.exec(select(MaintenanceWindowRow).order_by(MaintenanceWindowRow.id)).all()
        assert [r.checks for r in rows] == [["edge-router"], []]
    page = client.get("/checks/maintenance").get_data(as_text=True)
    assert 'type="checkbox" name="checks" value="core-switch"' in page and "<select" not in page.split(
        'id="window-scope"')[1].split("</fieldset>")[0]  # boxes, no Ctrl-click list


def test_severity_info_and_an_empty_name_have_their_own_chinese(client, login_as):
    login_as("leader")
    zh = {"Accept-Language": "zh-CN"}
    page = client.get("/checks/new", headers=zh).get_data(as_text=True)
    assert '<option value="info">提示</option>' in page
    token = csrf_token(page)
    html = client.post("/checks/new", headers=zh, data={**form(name=""), "csrf_token": token}).get_data(as_text=True)
    assert field_error(html, "name") == "请填写检查名称。"
