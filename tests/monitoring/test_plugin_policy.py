"""Only the operator's plugins run, in a clean environment, with secrets as macros that never show.

Issue 11 item 2: a leader could save ``/bin/sh -c …`` as a check and read the scheduler's environment.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitoring import plugins, probes
from monitoring.checkspec import CheckSpec, State, validate_spec
from monitoring.codes import Code
from monitoring.plugins import expand, is_secret, locate_plugin, mask, plugin_dirs, plugin_env, read_macros
from monitoring.probes import run_check, run_plugin
from tests.monitoring.conftest import plugin, write_plugin
from tests.monitoring.patrol_helpers import summary_of


@pytest.fixture
def dirs(tmp_path) -> tuple[Path, Path]:
    """(allowed directory, a directory outside it)."""
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    return allowed, outside


def _exe(path: Path) -> str:
    path.write_text("#!/bin/sh\necho ran\n")
    path.chmod(0o755)
    return str(path)


# ------------------------------------------------------------------------------------- the pure path test


def test_a_plugin_inside_the_directory_resolves_by_path_and_by_bare_name(dirs):
    allowed, _ = dirs
    real = _exe(allowed / "check_ok")
    assert locate_plugin(real, [str(allowed)]).path == os.path.realpath(real)
    assert locate_plugin("check_ok", [str(allowed)]).path == os.path.realpath(real)


@pytest.mark.parametrize("program", ["/bin/sh", "/usr/bin/env", "sh/../../bin/sh", "./check_ok", ""])
def test_programs_outside_the_directories_are_refused(dirs, program):
    allowed, _ = dirs
    _exe(allowed / "check_ok")
    located = locate_plugin(program, [str(allowed)])
    assert located.path is None and located.problem and not located.missing


def test_dot_dot_out_of_the_directory_is_refused_even_when_the_target_is_absent(dirs):
    allowed, outside = dirs
    _exe(outside / "evil")
    for program in (f"{allowed}/../outside/evil", f"{allowed}/../outside/absent", f"{allowed}/..", ".."):
        located = locate_plugin(program, [str(allowed)])
        assert located.path is None and not located.missing, program


def test_a_symlink_inside_pointing_outside_is_refused(dirs):
    allowed, outside = dirs
    (allowed / "check_link").symlink_to(_exe(outside / "evil"))
    (allowed / "check_sh").symlink_to("/bin/sh")
    for program in (str(allowed / "check_link"), "check_link", "check_sh"):
        located = locate_plugin(program, [str(allowed)])
        assert located.path is None and located.problem.code == Code.PLUGIN_LEADS_OUTSIDE and not located.missing


def test_a_symlink_within_the_directories_runs_the_target_under_its_own_name(dirs):
    allowed, _ = dirs
    target = _exe(allowed / "check_icmp")
    (allowed / "check_host").symlink_to(target)
    located = locate_plugin("check_host", [str(allowed)])
    assert located.path == os.path.realpath(target) and located.argv0 == str(allowed / "check_host")


def test_a_directory_reached_through_a_symlink_is_allowed(tmp_path, dirs):
    allowed, _ = dirs
    _exe(allowed / "check_ok")
    (tmp_path / "link").symlink_to(allowed)
    assert locate_plugin(str(tmp_path / "link" / "check_ok"), [str(tmp_path / "link")]).path


def test_directories_non_executables_and_absent_plugins(dirs):
    allowed, _ = dirs
    (allowed / "subdir").mkdir()
    (allowed / "check_text").write_text("x")
    assert locate_plugin(str(allowed / "subdir"), [str(allowed)]).problem.code == Code.PLUGIN_NOT_REGULAR
    assert locate_plugin("check_text", [str(allowed)]).problem.code == Code.PLUGIN_NOT_EXECUTABLE
    absent = locate_plugin(str(allowed / "check_later"), [str(allowed)])
    assert absent.missing and absent.problem.code == Code.PLUGIN_MISSING


def test_the_plugin_dirs_setting():
    assert plugin_dirs({}, Path("/srv/desk/instance")) == (
        "/usr/lib/nagios/plugins", "/usr/lib/monitoring-plugins", "/srv/desk/instance/plugins")
    assert plugin_dirs({"DUTYDESK_PLUGIN_DIRS": "/opt/a:/opt/b:"}) == ("/opt/a", "/opt/b")


# ------------------------------------------------------------------------------------- refused when saved


def _nagios(*command: str) -> CheckSpec:
    return CheckSpec("n", "nagios", params={"command": list(command)})


def test_saving_a_shell_or_a_program_outside_is_refused(plugin_dir, tmp_path):
    outside = _exe(tmp_path / "evil")
    for command in (["/bin/sh", "-c", "id"], ["/usr/bin/env"], [outside], [f"{plugin_dir}/../evil"]):
        assert "command" in validate_spec(_nagios(*command)), command


def test_a_plugin_absent_on_this_host_may_be_saved(plugin_dir):
    assert validate_spec(_nagios(str(plugin_dir / "check_on_the_scheduler_host"), "-w", "1")) == {}
    assert validate_spec(_nagios("check_only_there")) == {}


def test_over_long_and_nul_arguments_are_refused(plugin_dir):
    path = write_plugin(plugin_dir, "exit 0\n")
    assert "command" in validate_spec(_nagios(path, "a" * 1001))
    assert "command" in validate_spec(_nagios(path, *["x"] * 100))
    assert "command" in validate_spec(_nagios(path, "a\x00b"))


# ------------------------------------------------------------------------------------- refused when it runs


def test_a_row_written_by_hand_cannot_run_anything_outside(plugin_dir, tmp_path):
    marker = tmp_path / "ran"
    outside = tmp_path / "evil"
    outside.write_text(f"#!/bin/sh\ntouch {marker}\n")
    outside.chmod(0o755)
    for command in ([str(outside)], ["/bin/sh", "-c", f"touch {marker}"], [f"{plugin_dir}/../evil"]):
        result = run_plugin(command, timeout=5)
        assert result.state == State.UNKNOWN and summary_of(result).startswith("plugin refused"), summary_of(result)
        checked = run_check(_nagios(*command))
        assert checked.state == State.UNKNOWN
    assert not marker.exists()


def test_a_plugin_missing_at_run_time_is_unknown_no_such_plugin(plugin_dir):
    result = run_check(_nagios(str(plugin_dir / "check_gone")))
    assert result.state == State.UNKNOWN and summary_of(result).startswith("no such plugin")


# ------------------------------------------------------------------------------------- the environment


def test_a_plugin_sees_none_of_the_schedulers_environment(plugin_dir, monkeypatch):
    monkeypatch.setenv("DUTYDESK_SECRET_KEY", "s3cret-key-of-the-desk")
    monkeypatch.setenv("DATABASE_URL", "postgresql://desk:pw@db/desk")
    monkeypatch.setenv("DUTYDESK_MACRO_DBPASS", "hunter22")
    result = run_plugin([write_plugin(plugin_dir, "echo env\nenv\n")], timeout=5)
    names = {line.split("=", 1)[0] for line in result.long_output.splitlines()}
    assert "DUTYDESK_SECRET_KEY" not in names and "DATABASE_URL" not in names
    assert names - {"PWD", "SHLVL", "_"} == {"PATH", "LANG", "LC_ALL", "DUTYDESK_MACRO_DBPASS"} | (
        {"TZ"} if os.environ.get("TZ") or os.environ.get("DUTYDESK_TIMEZONE") else set())
    assert "hunter22" not in result.long_output and "DUTYDESK_MACRO_DBPASS=$DBPASS$" in result.long_output


def test_plugin_env_is_built_from_nothing_but_its_inputs():
    env = plugin_env({"TOKEN": "t"}, {"HOME": "/root", "TZ": "Asia/Shanghai", "DATABASE_URL": "x"})
    assert env == {"PATH": plugins.SYSTEM_PATH, "LANG": "C", "LC_ALL": "C", "TZ": "Asia/Shanghai",
                   "DUTYDESK_MACRO_TOKEN": "t"}


# ------------------------------------------------------------------------------------------------ macros


def test_macros_come_from_resource_toml_and_the_environment_wins():
    text = '[macros]\nUSER1 = "/usr/lib/nagios/plugins"\nDBPASS = "from-file"\n'
    macros = read_macros({"DUTYDESK_MACRO_DBPASS": "from-env", "DUTYDESK_MACRO_bad": "x", "OTHER": "y"}, text)
    assert macros == {"USER1": "/usr/lib/nagios/plugins", "DBPASS": "from-env"}
    with pytest.raises(ValueError):
        read_macros({}, "[macros]\nPASS = 3\n")


def test_the_macro_store_rereads_a_changed_file(tmp_path):
    store = plugins.MacroStore(tmp_path / "resource.toml")
    assert store.get({}) == {}
    (tmp_path / "resource.toml").write_text('[macros]\nA_B = "first"\n')
    assert store.get({}) == {"A_B": "first"}
    (tmp_path / "resource.toml").write_text('[macros]\nA_B = "second value"\n')
    assert store.get({}) == {"A_B": "second value"}


def test_expand_mask_and_secret():
    macros = {"DBPASS": "hunter22", "ON": "1"}
    assert expand("-p$DBPASS$", macros) == "-phunter22"
    assert expand("^ok$|^fine$", macros) == "^ok$|^fine$"  # not a macro reference: left alone
    with pytest.raises(KeyError):
        expand("$NOPE$", macros)
    assert mask("login hunter22 failed (1)", macros) == "login $DBPASS$ failed (1)"
    assert is_secret("$DBPASS$") and is_secret("user:$DBPASS$") and not is_secret("-w") and not is_secret("$x$")


def test_a_macro_is_substituted_at_run_time_and_masked_in_the_output(monkeypatch):
    monkeypatch.setenv("DUTYDESK_MACRO_DBPASS", "hunter22")
    result = run_check(_nagios(plugin("check_dummy"), "0", "password is $DBPASS$ | pw_$DBPASS$=1"))
    assert result.state == State.OK
    assert "hunter22" not in summary_of(result) and summary_of(result).startswith("OK: password is $DBPASS$")
    assert [m.label for m in result.metrics] == ["pw_$DBPASS$"]


def test_an_unknown_macro_is_unknown_and_nothing_runs(plugin_dir, tmp_path):
    marker = tmp_path / "ran"
    path = write_plugin(plugin_dir, f"touch {marker}\n")
    result = run_check(_nagios(path, "$NOT_DEFINED$"))
    assert result.state == State.UNKNOWN and "unknown macro $NOT_DEFINED$" in summary_of(result)
    assert not marker.exists()


def test_http_header_macros(monkeypatch, http_url):
    monkeypatch.setenv("DUTYDESK_MACRO_API_TOKEN", "tok-123456")
    spec = CheckSpec("h", "http", params={"url": f"{http_url}/health", "headers": {"Authorization": "$API_TOKEN$"}})
    assert run_check(spec).state == State.OK
    spec.params["headers"] = {"Authorization": "Bearer $MISSING$"}
    result = run_check(spec)
    assert result.state == State.UNKNOWN and "unknown macro $MISSING$" in summary_of(result)


def test_a_broken_resource_file_is_unknown(monkeypatch, tmp_path):
    (tmp_path / "resource.toml").write_text("[macros\n")
    monkeypatch.setattr(probes, "MACROS", plugins.MacroStore(tmp_path / "resource.toml"))
    result = run_check(_nagios(plugin("check_dummy"), "0"))
    assert result.state == State.UNKNOWN and "cannot read the operator's macros" in summary_of(result)
