"""Nagios plugins: real Debian plugins (skipped when absent) and small scripts for the odd cases."""

import os
import signal
import subprocess
import sys

import pytest

from monitoring import probes
from monitoring.checkspec import CheckSpec, State
from monitoring.probes import run_check, run_plugin
from tests.monitoring.conftest import plugin, write_plugin
from tests.monitoring.patrol_helpers import ROOT, summary_of, wait_for


@pytest.mark.parametrize(
    ("code", "state"), [(0, State.OK), (1, State.WARNING), (2, State.CRITICAL), (3, State.UNKNOWN)]
)
def test_check_dummy_exit_codes(code, state):
    result = run_plugin([plugin("check_dummy"), str(code), "hello world"], timeout=5)
    assert result.state == state and summary_of(result).endswith("hello world")


def test_arguments_are_not_given_to_a_shell():
    result = run_plugin([plugin("check_dummy"), "0", "a; echo injected $(id) `id`"], timeout=5)
    assert summary_of(result) == "OK: a; echo injected $(id) `id`"


def test_check_tcp_against_local_listener(tcp_port, closed_port):
    ok = run_plugin([plugin("check_tcp"), "-H", "127.0.0.1", "-p", str(tcp_port)], timeout=5)
    assert ok.state == State.OK and ok.metrics and ok.metrics[0].label == "time" and ok.metrics[0].uom == "s"
    down = run_plugin([plugin("check_tcp"), "-H", "127.0.0.1", "-p", str(closed_port)], timeout=5)
    assert down.state == State.CRITICAL


def test_check_disk_load_procs_by_bare_name():
    plugin("check_disk")
    disk = run_check(CheckSpec("d", "nagios", params={"command": ["check_disk", "-w", "1%", "-c", "1%", "-p", "/"]}))
    assert disk.state in (State.OK, State.WARNING, State.CRITICAL) and summary_of(disk).startswith("DISK")
    assert any(m.label == "/" for m in disk.metrics)
    load = run_plugin([plugin("check_load"), "-w", "100,100,100", "-c", "200,200,200"], timeout=5)
    assert load.state == State.OK and [m.label for m in load.metrics] == ["load1", "load5", "load15"]
    procs = run_plugin([plugin("check_procs"), "-c", "1:"], timeout=5)
    assert procs.state == State.OK and summary_of(procs).startswith("PROCS OK")


def test_long_output_and_perfdata_in_long_lines(plugin_dir):
    body = (
        "printf 'DISK OK - free | /=2643MB;5948;5958;0;5968\\n/ 15272 MB;\\n/boot 68 MB; | /boot=68MB;88;93;0;98\\n"
        "/home=69357MB;253404;253409;0;253414\\n'\nexit 0\n"
    )
    result = run_plugin([write_plugin(plugin_dir, body)], timeout=5)
    assert (result.state, summary_of(result)) == (State.OK, "DISK OK - free")
    assert result.long_output.splitlines() == ["/ 15272 MB;", "/boot 68 MB; "]
    assert [m.label for m in result.metrics] == ["/", "/boot", "/home"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("echo odd\nexit 5\n", "plugin exit code 5 (not 0-3): odd"),
        ("echo dying\nkill -9 $$\n", "killed by signal 9"),
        ("echo oops >&2\nexit 2\n", "(no output returned from plugin) stderr: oops"),
    ],
)
def test_odd_plugin_endings_are_explained(plugin_dir, body, fragment):
    result = run_plugin([write_plugin(plugin_dir, body)], timeout=5)
    assert fragment in summary_of(result)
    assert result.state == (State.CRITICAL if "exit 2" in body else State.UNKNOWN)


def test_timeout_kills_the_process_group(tmp_path, plugin_dir):
    pid_file = tmp_path / "child.pid"
    body = f"sleep 30 &\necho $! > {pid_file}\nsleep 30\n"
    result = run_plugin([write_plugin(plugin_dir, body)], timeout=1)
    assert result.state == State.UNKNOWN and "timed out after 1 s" in summary_of(result)
    child = int(pid_file.read_text())
    wait_for(lambda: not _alive(child), 10)


def test_a_plugin_that_detaches_dies_at_its_timeout(tmp_path, plugin_dir):
    """setsid puts the child in its own session and process group: killing the plugin's group misses it."""
    pid_file = tmp_path / "child.pid"
    body = f"setsid sleep 30 &\necho $! > {pid_file}\nsleep 30\n"
    result = run_plugin([write_plugin(plugin_dir, body)], timeout=1)
    assert result.state == State.UNKNOWN and "timed out" in summary_of(result)
    child = int(pid_file.read_text())
    wait_for(lambda: not _alive(child), 10)


def test_an_orphan_left_behind_is_adopted_and_killed_by_the_subreaper(tmp_path, plugin_dir):
    """The plugin exits at once but its detached grandchild keeps the output pipe open past the timeout.

    Run in a child Python process that becomes a subreaper, as scheduler.py does (pytest itself must not).
    """
    pid_file = tmp_path / "orphan.pid"
    body = f"(setsid sleep 30 & echo $! > {pid_file})\necho started\nexit 0\n"
    path = write_plugin(plugin_dir, body)
    code = ("import sys; from monitoring import probes, reaper; assert reaper.become_subreaper(); "
            f"r = probes.run_plugin([{path!r}], 1); print(r.state.name, r.message.to_dict())")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("UNKNOWN {'code': 'plugin_timeout'")
    orphan = int(pid_file.read_text())
    wait_for(lambda: not _alive(orphan), 10)


def _alive(pid: int) -> bool:
    """True when ``pid`` runs (a zombie waiting for its parent counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def test_missing_and_unrunnable_plugins_are_unknown(plugin_dir):
    missing = run_plugin([str(plugin_dir / "check_x")], timeout=5)
    assert missing.state == State.UNKNOWN and summary_of(missing).startswith("no such plugin")
    assert summary_of(run_plugin(["check_that_does_not_exist"], timeout=5)).startswith("no such plugin")
    path = write_plugin(plugin_dir, "exit 0\n")
    os.chmod(path, 0o644)
    denied = run_plugin([path], timeout=5)
    assert denied.state == State.UNKNOWN and "not executable" in summary_of(denied)
    assert run_check(CheckSpec("n", "nagios", params={"command": ["/no/such"]})).state == State.UNKNOWN


def test_plugin_gets_what_popen_gave_it_and_none_of_our_descriptors(plugin_dir, monkeypatch):
    """posix_spawn keeps Popen's promises: stdin /dev/null, SIGPIPE at its default, no descriptor of ours."""
    inherited_r, inherited_w = os.pipe()
    os.set_inheritable(inherited_w, True)  # as if inherited from whoever started this process
    monkeypatch.setattr(probes, "_SEALED", [])  # a fresh process: sealing has not run yet
    body = "echo $(ls /proc/$$/fd | tr '\\n' ' ')\nread line; echo stdin=$?\ngrep SigIgn /proc/self/status\n"
    try:
        result = run_plugin([write_plugin(plugin_dir, body)], timeout=5)
    finally:
        os.close(inherited_r)
        os.close(inherited_w)
    fds = summary_of(result).split()
    assert str(inherited_w) not in fds and {"0", "1", "2"} <= set(fds)
    lines = result.long_output.splitlines()
    assert lines[0] == "stdin=1"  # EOF at once: /dev/null
    ignored = int(lines[1].split()[1], 16)
    assert not ignored & (1 << (signal.SIGPIPE - 1))


SWEEP = """
import subprocess, sys, time
from monitoring import probes, reaper
assert reaper.become_subreaper()
own = subprocess.Popen(["sleep", "30"])  # a child of the scheduler's own, in its process group
result = probes.run_plugin([sys.argv[1]], 5)
assert result.state.name == "OK", result
deadline, reaped = time.monotonic() + 20, 0
while not reaped and time.monotonic() < deadline:  # the detached orphan exits, is adopted, then reaped
    reaped = reaper.reap_orphans(kill_older_than=0)
    time.sleep(0.05)
assert own.poll() is None, "the scheduler's own child was killed"
own.kill()
print("reaped", reaped, own.wait())
"""


def test_the_sweep_reaps_adopted_orphans_and_leaves_the_schedulers_own_children(plugin_dir):
    body = "(setsid sh -c 'exec >/dev/null 2>&1 </dev/null; sleep 0.3' &)\necho OK\nexit 0\n"
    done = subprocess.run([sys.executable, "-c", SWEEP, write_plugin(plugin_dir, body)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    reaped = int(done.stdout.split()[1])
    assert reaped >= 1  # the detached sh (and, when the plugin exited first, the subshell that started it)
