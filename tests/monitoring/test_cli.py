"""``flask checks``: TOML import/export round trip, a bad file refused whole, ``checks run`` exit codes, list."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from desk.db import session_scope
from monitoring.models import Check, CheckStatus
from tests.monitoring.checkfiles import DB_PORT_AND_PORTAL
from tests.monitoring.conftest import plugin

GOOD = DB_PORT_AND_PORTAL + """\
runbook = "打电话给门户组 / call the portal team"

[[checks]]
name = "root-disk"
kind = "disk"
domain = "comms"
path = "/"
warning = 80
critical = "90"
"""


def names(app) -> list[str]:
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        return sorted(session.exec(select(Check.name)))


def write(tmp_path: Path, text: str, name: str = "checks.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_export_import_round_trip(app, runner, tmp_path):
    first = runner.invoke(args=["checks", "import", write(tmp_path, GOOD)])
    assert first.exit_code == 0, first.output
    assert "created: db-port" in first.output and "3 created, 0 updated, 0 unchanged" in first.output
    exported = tmp_path / "exported.toml"
    out = runner.invoke(args=["checks", "export", "--output", str(exported)])
    assert out.exit_code == 0 and "3 checks written" in out.output
    assert "打电话给门户组" in exported.read_text(encoding="utf-8")
    again = runner.invoke(args=["checks", "import", str(exported)])
    assert again.exit_code == 0 and "0 created, 0 updated, 3 unchanged" in again.output
    stdout = runner.invoke(args=["checks", "export"]).output
    assert stdout == exported.read_text(encoding="utf-8")


def test_changed_file_updates_only_what_changed(app, runner, tmp_path):
    runner.invoke(args=["checks", "import", write(tmp_path, GOOD)])
    changed = GOOD.replace("interval = 30", "interval = 15")
    dry = runner.invoke(args=["checks", "import", "--dry-run", write(tmp_path, changed)])
    assert "would be updated: db-port" in dry.output
    result = runner.invoke(args=["checks", "import", write(tmp_path, changed)])
    assert "updated: db-port" in result.output and "0 created, 1 updated, 2 unchanged" in result.output
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        check = session.exec(select(Check).where(Check.name == "db-port")).one()
        assert (check.interval, check.version) == (15, 2)


def test_bad_file_is_refused_with_line_and_changes_nothing(app, runner, tmp_path):
    runner.invoke(args=["checks", "import", write(tmp_path, GOOD)])
    bad = GOOD.replace("interval = 30", "interval = 20") + '\n[[checks]]\nname = "new-one"\nkind = "tcp"\n' \
        'host = "10.0.0.1"\nport = 99999\n'
    result = runner.invoke(args=["checks", "import", write(tmp_path, bad, "bad.toml")])
    assert result.exit_code == 2
    assert "bad.toml:32: check #4 'new-one': port: A whole number from 1 to 65535." in result.output
    assert "refused, nothing changed" in result.output
    assert names(app) == ["db-port", "portal", "root-disk"]
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        assert session.exec(select(Check.interval).where(Check.name == "db-port")).one() == 30


def test_toml_syntax_error_names_the_line(app, runner, tmp_path):
    result = runner.invoke(args=["checks", "import", write(tmp_path, '[[checks]]\nname = "x\n')])
    assert result.exit_code == 2 and ":2: not valid TOML" in result.output
    assert names(app) == []


def test_missing_file_exits_2(runner, tmp_path):
    assert runner.invoke(args=["checks", "import", str(tmp_path / "none.toml")]).exit_code == 2


def import_one(runner, tmp_path, body: str) -> None:
    result = runner.invoke(args=["checks", "import", write(tmp_path, f"[[checks]]\n{body}\n", "one.toml")])
    assert result.exit_code == 0, result.output


def test_run_tcp_exit_codes_and_state_untouched(app, runner, tmp_path, tcp_port, closed_port):
    import_one(runner, tmp_path, f'name = "up"\nkind = "tcp"\nhost = "127.0.0.1"\nport = {tcp_port}')
    import_one(runner, tmp_path, f'name = "down"\nkind = "tcp"\nhost = "127.0.0.1"\nport = {closed_port}')
    up = runner.invoke(args=["checks", "run", "up"])
    assert up.exit_code == 0 and "state:    OK" in up.output and "time=" in up.output
    down = runner.invoke(args=["checks", "run", "down"])
    assert down.exit_code == 2 and f"summary:  TCP CRITICAL - 127.0.0.1:{closed_port} " in down.output
    chinese = runner.invoke(args=["checks", "run", "down", "--lang", "zh_CN"])
    assert chinese.exit_code == 2 and f"summary:  TCP 严重 - 127.0.0.1:{closed_port} " in chinese.output
    assert "state:    CRITICAL" in chinese.output  # the state line stays the Nagios word scripts read
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        assert all(s.last_run_at is None for s in session.exec(select(CheckStatus)))


def test_run_http_and_unknown_name(runner, tmp_path, http_url):
    import_one(runner, tmp_path, f'name = "web"\nkind = "http"\nurl = "{http_url}/health"\nkeyword = "ok"')
    assert runner.invoke(args=["checks", "run", "web"]).exit_code == 0
    import_one(runner, tmp_path, f'name = "web-err"\nkind = "http"\nurl = "{http_url}/error"')
    assert runner.invoke(args=["checks", "run", "web-err"]).exit_code == 2
    missing = runner.invoke(args=["checks", "run", "no-such"])
    assert missing.exit_code == 3 and "no check named" in missing.output


@pytest.mark.parametrize("code", [0, 1, 2, 3])
def test_run_nagios_check_dummy_exit_codes(runner, tmp_path, code):
    dummy = plugin("check_dummy")
    import_one(runner, tmp_path, f'name = "dummy"\nkind = "nagios"\ncommand = ["{dummy}", "{code}", "hello"]')
    result = runner.invoke(args=["checks", "run", "dummy"])
    assert result.exit_code == code
    assert "hello" in result.output


def test_list(runner, tmp_path):
    runner.invoke(args=["checks", "import", write(tmp_path, GOOD)])
    listing = runner.invoke(args=["checks", "list"]).output
    assert "db-port" in listing and "PENDING" in listing and "3 checks" in listing


def test_a_shell_or_a_program_outside_the_plugin_dirs_is_refused_with_its_line(app, runner, tmp_path, plugin_dir):
    runner.invoke(args=["checks", "import", write(tmp_path, GOOD)])
    evil = GOOD + '\n[[checks]]\nname = "own-the-host"\nkind = "nagios"\ncommand = ["/bin/sh", "-c", "id"]\n'
    result = runner.invoke(args=["checks", "import", write(tmp_path, evil, "evil.toml")])
    assert result.exit_code == 2
    assert "evil.toml:31: check #4 'own-the-host': command: /bin/sh is not in an allowed plugin directory" \
        in result.output
    assert "refused, nothing changed" in result.output and names(app) == ["db-port", "portal", "root-disk"]
    dotdot = f'[[checks]]\nname = "dots"\nkind = "nagios"\ncommand = ["{plugin_dir}/../../../bin/sh"]\n'
    assert runner.invoke(args=["checks", "import", write(tmp_path, dotdot, "dots.toml")]).exit_code == 2


def test_a_plugin_absent_here_is_imported_and_running_it_says_no_such_plugin(runner, tmp_path, plugin_dir):
    import_one(runner, tmp_path, f'name = "there"\nkind = "nagios"\ncommand = ["{plugin_dir}/check_elsewhere"]')
    import_one(runner, tmp_path, 'name = "bare"\nkind = "nagios"\ncommand = ["check_only_on_the_patroller"]')
    for name in ("there", "bare"):
        result = runner.invoke(args=["checks", "run", name])
        assert result.exit_code == 3 and "no such plugin" in result.output


def test_run_refuses_a_row_written_by_hand(app, runner, tmp_path):
    marker = tmp_path / "ran"
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        session.add(Check(name="by-hand", kind="nagios", domain="info",
                          spec={"name": "by-hand", "kind": "nagios", "command": ["/bin/touch", str(marker)]}))
    result = runner.invoke(args=["checks", "run", "by-hand"])
    assert result.exit_code == 3 and "not in an allowed plugin directory" in result.output
    assert not marker.exists()


def test_export_shows_macro_names_never_their_values(app, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("DUTYDESK_MACRO_DBPASS", "hunter22")
    dummy = plugin("check_dummy")
    import_one(runner, tmp_path, f'name = "secret"\nkind = "nagios"\ncommand = ["{dummy}", "0", "$DBPASS$"]')
    exported = runner.invoke(args=["checks", "export"]).output
    assert "$DBPASS$" in exported and "hunter22" not in exported
    run = runner.invoke(args=["checks", "run", "secret"])
    assert run.exit_code == 0 and "OK: $DBPASS$" in run.output and "hunter22" not in run.output


@pytest.mark.parametrize("text", [
    "[[checks]]\nname = " + "[" * 5000 + "]" * 5000 + "\n",
    "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
])
def test_deeply_nested_toml_is_a_clean_exit_2(app, runner, tmp_path, text):
    result = runner.invoke(args=["checks", "import", write(tmp_path, text)])
    assert result.exit_code == 2 and "nested too deeply" in result.output and result.exception is not None
    assert not isinstance(result.exception, RecursionError) and names(app) == []


def test_an_over_large_file_is_refused_before_it_is_read(app, runner, tmp_path):
    big = GOOD + "# " + "x" * 1_000_000 + "\n"
    result = runner.invoke(args=["checks", "import", write(tmp_path, big)])
    assert result.exit_code == 2 and "file too large" in result.output and names(app) == []


@pytest.mark.parametrize(("line", "fragment"), [
    ('name = "a\\u200bb"', "zero-width"),
    ('name = "\\u202egnp.exe"', "zero-width"),
    ('name = "x"\nwarning = "nan"', "not a number"),
    ('name = "x"\nwarning = inf', "not a number"),
    ('name = "x"\nrunbook = "' + "r" * 20_001 + '"', "At most 20000 characters"),
])
def test_invisible_names_non_finite_thresholds_and_long_texts_are_refused(app, runner, tmp_path, line, fragment):
    text = f'[[checks]]\n{line}\nkind = "memory"\n'
    result = runner.invoke(args=["checks", "import", write(tmp_path, text)])
    assert result.exit_code == 2 and fragment in result.output and names(app) == []


def test_names_are_nfkc_normalised(app, runner, tmp_path):
    import_one(runner, tmp_path, 'name = "ｄｂ－ｐｏｒｔ"\nkind = "memory"')
    assert names(app) == ["db-port"]
