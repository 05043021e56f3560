"""``make run``: migrate, load the demo desk when empty, start the web app and scheduler.py together.

Ctrl-C (or SIGTERM, SIGHUP) stops both, exactly once: the first signal starts the stop and later ones are
ignored until it is done (``make`` forwards SIGTERM to us, so a ``timeout`` or a supervisor signalling the
process group delivers it twice). Each child also dies with this process (``PR_SET_PDEATHSIG`` on Linux), so
nothing outlives ``make run`` even when it is killed with SIGKILL. Meant for one machine; larger installs run
gunicorn and scheduler.py under their own service manager (see the README).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from desk.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _flask(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, check=True)


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child get SIGTERM when this process dies (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)  # loaded before the fork
    parent = os.getpid()

    def preexec() -> None:
        for signum in STOP_SIGNALS:  # an ignored signal would stay ignored across exec
            signal.signal(signum, signal.SIG_DFL)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died between fork and prctl: no signal will come
            os._exit(1)

    return preexec


def _start(args: list[str]) -> subprocess.Popen[bytes]:
    # Own session: a Ctrl-C or a signal to make's process group reaches only us, and we stop the children in order.
    return subprocess.Popen(args, cwd=ROOT, start_new_session=True, preexec_fn=_die_with_parent())


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every child's group, wait up to 10 s, then SIGKILL what is left."""
    for proc in processes:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_until_up(url: str, stop: threading.Event, seconds: float = 20) -> None:
    """Give the web app a moment, so the URL is printed when it answers rather than before."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stop.is_set():
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            stop.wait(0.3)


def _on_stop_signals(stop: threading.Event) -> None:
    """The first stop signal sets ``stop``; from then on the stop signals are ignored (see the module doc)."""

    def handler(_signum: int, _frame: object) -> None:
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        stop.set()

    for signum in STOP_SIGNALS:
        signal.signal(signum, handler)


def _ignore_stop_signals() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def main() -> int:
    """Prepare the database, then run the web app and the scheduler until one stops or a stop signal."""
    port = os.environ.get("DUTYDESK_PORT", "5000")
    _flask("db", "upgrade")
    _flask("demo", "load-if-empty")
    stop = threading.Event()
    _on_stop_signals(stop)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for command in (["-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", port, "--no-reload"],
                        ["scheduler.py"]):
            if not stop.is_set():
                processes.append(_start([sys.executable, *command]))
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", stop)
        if not stop.is_set():
            print(f"\n  Duty desk: http://127.0.0.1:{port}/   (Ctrl-C stops the web app and the scheduler)", flush=True)
            print(f"  Demo logins: zhangwei (leader), liqiang (watcher), guohua (manager)… password {DEMO_PASSWORD}\n",
                  flush=True)
        while not stop.wait(0.5) and all(proc.poll() is None for proc in processes):
            pass
    finally:
        _ignore_stop_signals()
        _stop(processes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
