"""Helpers for the scheduler-side tests: add checks straight into the tables, start real scheduler processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from desk.db import session_scope
from monitoring.checkspec import CheckSpec, spec_to_dict
from monitoring.models import Check, CheckRun, CheckStatus

ROOT = Path(__file__).resolve().parents[2]


def add_check(engine: Engine, spec: CheckSpec, *, status: bool = True) -> int:
    """Insert a check as the web app's service would (spec JSON, copied columns, a status row); its id."""
    with session_scope(engine) as session:
        check = Check(name=spec.name, kind=spec.kind, domain=spec.domain, severity=spec.severity,
                      enabled=spec.enabled, interval=spec.interval, spec=spec_to_dict(spec, include_defaults=True))
        session.add(check)
        session.flush()
        if status:
            session.add(CheckStatus(check_id=check.id))
        return check.id


def tcp_spec(name: str, port: int, host: str = "127.0.0.1", **extra) -> CheckSpec:
    """A TCP check on host:port (5 s interval, 2 s timeout unless given)."""
    return CheckSpec(name, "tcp", params={"host": host, "port": port}, **{"interval": 5, "timeout": 2, **extra})


def run_count(engine: Engine, check_id: int | None = None, runner: str | None = None) -> int:
    """How many runs are recorded (for one check / one runner)."""
    stmt = select(func.count()).select_from(CheckRun)
    if check_id is not None:
        stmt = stmt.where(CheckRun.check_id == check_id)
    if runner is not None:
        stmt = stmt.where(CheckRun.runner == runner)
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def wait_for(condition: Callable[[], object], timeout: float, step: float = 0.05) -> object:
    """Poll ``condition`` until truthy; return its value, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout} s")


def start_scheduler(db_url: str, log_path: Path, **env: str) -> subprocess.Popen:
    """A real ``scheduler.py`` process on ``db_url`` logging to ``log_path``."""
    environ = {**os.environ, "DATABASE_URL": db_url, "DUTYDESK_ENV": "testing", "DUTYDESK_SECRET_KEY": "t" * 32,
               "DUTYDESK_LEASE_TTL": "1.5", "DUTYDESK_STOP_GRACE": "2", **env}
    log = open(log_path, "wb")  # noqa: SIM115 (the process owns it until it ends)
    return subprocess.Popen([sys.executable, str(ROOT / "scheduler.py")], cwd=ROOT, env=environ,
                            stdout=log, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen, timeout: float = 10) -> int:
    """SIGTERM and wait; SIGKILL if it does not stop."""
    if proc.poll() is None:
        proc.terminate()
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def summary_of(result) -> str:
    """A result's summary in English: our probe's message in words, or the plugin's own line."""
    from monitoring.words import english

    return english(result.message) if result.message else result.summary
