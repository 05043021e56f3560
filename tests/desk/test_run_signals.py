"""``make run`` leaves nothing behind, whatever signals reach its process group (issue 11, item 7).

Real processes: ``make run`` on a free port and a temporary SQLite file, in a process group of its own, signalled
the way a terminal's Ctrl-C (SIGINT to the group) or ``timeout``/a supervisor (SIGTERM to the group) does. Every
process of the run carries a marker in its environment, so an orphan is found even after it was re-parented.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from desk import accounts
from desk.db import make_engine, session_scope
from tests import dbutil

ROOT = Path(__file__).resolve().parents[2]
MARK = "DUTYDESK_TEST_RUN_MARK"
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and prctl: Linux")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _marked(mark: str) -> list[psutil.Process]:
    """Every live process whose environment carries ``mark``: the whole run, wherever its parent went."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(MARK) == mark and _alive(proc):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _is(proc: psutil.Process, word: str) -> bool:
    try:
        return any(word in part for part in proc.cmdline())
    except psutil.Error:
        return False


@pytest.fixture
def run_env(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    """The environment of one ``make run``: a marker, a free port, a migrated SQLite file with one person in it
    (so ``make run`` skips the demo load, which would only make the test slower)."""
    url = dbutil.copy_sqlite(sqlite_template, tmp_path / "run.sqlite")
    engine = make_engine(url)
    with session_scope(engine) as session:
        fields = accounts.PersonFields(username="boss", display_name="Boss", role="manager",
                                       skills=accounts.normalise_skills(""), team_code=None)
        accounts.create_person(session, actor="test", fields=fields, password="correct-horse-9")
    engine.dispose()
    return {**os.environ, MARK: uuid.uuid4().hex, "DATABASE_URL": url, "DUTYDESK_PORT": str(_free_port()),
            "DUTYDESK_ENV": "development", "DUTYDESK_STOP_GRACE": "1", "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def make_run(run_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    """``make run`` started in its own process group; everything it started is killed at the end, whatever."""
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        # -o translations: the suite compiled the catalogs already (and must not reinstall the venv)
        proc = subprocess.Popen(["make", "--no-print-directory", "-o", "translations", "run"], cwd=ROOT,
                                env=run_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    mark = run_env[MARK]
    try:
        yield proc, mark, log
    finally:
        for leftover in _marked(mark):
            leftover.kill()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _desk_run(mark: str) -> psutil.Process:
    return next(p for p in _marked(mark) if _is(p, "desk.run"))


def _running(proc: subprocess.Popen[bytes], log: Path) -> bool:
    assert proc.poll() is None, log.read_text(errors="replace")
    text = log.read_text(errors="replace")
    return "Duty desk: http" in text and "scheduler" in text and " started" in text


def _assert_nothing_left(proc: subprocess.Popen[bytes], mark: str, log: Path) -> None:
    """When make has exited, every process of the run has ended already: nothing outlives ``make run``."""
    proc.wait(timeout=40)
    left = [p.cmdline() for p in _marked(mark)]
    assert not left, (left, log.read_text(errors="replace")[-3000:])


def test_ctrl_c_stops_everything_once_even_when_more_signals_come(make_run):
    """Ctrl-C (SIGINT to the group) once everything runs, then an impatient burst of signals to desk.run."""
    proc, mark, log = make_run
    _wait_for(lambda: _running(proc, log), 90, "make run to start")
    desk_run = _desk_run(mark)
    os.killpg(proc.pid, signal.SIGINT)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP) * 3:
        with contextlib.suppress(psutil.NoSuchProcess):
            desk_run.send_signal(signum)
        time.sleep(0.05)
    _assert_nothing_left(proc, mark, log)
    assert "scheduler stopped" in log.read_text(errors="replace")  # a clean stop (lease released), not a kill


def test_sigterm_to_the_group_while_starting_stops_everything(make_run):
    """``timeout``/a supervisor: SIGTERM to the group (make forwards it once more) as soon as the scheduler
    process exists, before the web app answers."""
    proc, mark, log = make_run
    _wait_for(lambda: any(_is(p, "scheduler.py") for p in _marked(mark)), 90, "scheduler.py to start")
    os.killpg(proc.pid, signal.SIGTERM)
    _assert_nothing_left(proc, mark, log)


CHILD_OF_KILLED_PARENT = """
import sys, time
from desk import run
child = run._start([sys.executable, "-c", "import time; time.sleep(120)"])
print(child.pid, flush=True)
time.sleep(120)
"""


def test_children_die_with_a_killed_parent():
    """SIGKILL to ``desk.run`` (no chance to stop anything): its children get SIGTERM from the kernel."""
    parent = subprocess.Popen([sys.executable, "-c", CHILD_OF_KILLED_PARENT], cwd=ROOT, stdout=subprocess.PIPE)
    child = None
    try:
        assert parent.stdout is not None
        child = psutil.Process(int(parent.stdout.readline()))
        assert _alive(child)
        parent.kill()
        parent.wait(timeout=10)
        _wait_for(lambda: not _alive(child), 10, "the orphaned child to die")
    finally:
        if parent.poll() is None:
            parent.kill()
        if child is not None and _alive(child):
            child.kill()
