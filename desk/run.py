"""``make run``: migrate, load the demo desk when empty, start the web app and scheduler.py together.

Ctrl-C (or SIGTERM) stops both. Meant for one machine; larger installs run gunicorn and scheduler.py
under their own service manager (see the README).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from desk.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def _flask(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, check=True)


def _start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=ROOT, start_new_session=True)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for proc in processes:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _wait_until_up(url: str, seconds: float = 20) -> None:
    """Give the web app a moment, so the URL is printed when it answers rather than before."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.3)


def main() -> int:
    """Prepare the database, then run the web app and the scheduler until one stops or Ctrl-C."""
    port = os.environ.get("DUTYDESK_PORT", "5000")
    _flask("db", "upgrade")
    _flask("demo", "load-if-empty")
    web = _start([sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1",
                  "--port", port, "--no-reload"])
    scheduler = _start([sys.executable, "scheduler.py"])
    _wait_until_up(f"http://127.0.0.1:{port}/healthz")
    print(f"\n  Duty desk: http://127.0.0.1:{port}/   (Ctrl-C stops the web app and the scheduler)", flush=True)
    print(f"  Demo logins: zhangwei (leader), liqiang (watcher), guohua (manager)… password {DEMO_PASSWORD}\n",
          flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        while web.poll() is None and scheduler.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        _stop([web, scheduler])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
