"""How fast alerts get in and get out, on SQLite and PostgreSQL.

Usage:
    python bench/alert_bench.py [--db sqlite,postgresql] [--single 300] [--batches 20] [--anomalies 200]
                                [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

For each database and each part, a migrated empty database of its own (a temporary SQLite file, or a PostgreSQL
schema dropped at the end) with the demo desk's people and published roster, then:

1. **Ingestion** through ``POST /api/v1/integrations/alertmanager`` on a real HTTP server (werkzeug, threaded, in
   this process; one keep-alive client): ``--single`` deliveries of one new alert each, ``--batches`` deliveries of
   100 new alerts each, and the same batches delivered again (deduplicated: each alert gains an occurrence).
   Printed as alerts per second.
2. **Anomaly to notification**: ``--anomalies`` Nagios checks (a plugin of this bench's own in an allowed plugin
   directory; one attempt, so the first CRITICAL is HARD) patrolled by a real ``scheduler.py`` process, a webhook
   channel pointing at a local HTTP receiver, every check turned CRITICAL at once. For each check, the time from the
   end of the run that turned HARD (its ``checkrun.finished_at``) to the moment the receiver got the alert's
   ``raised`` notification: p50, p99 and max. Both times are this machine's clock.

The board's poll cost is measured by bench/board_bench.py.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk import demo, migrate  # noqa: E402
from desk.app import create_app  # noqa: E402
from desk.db import session_scope  # noqa: E402

SECRET = "alert-bench-secret-key-of-at-least-32-chars"
PLUGIN = """#!/bin/sh
# OK until the bench creates the state file named after the check, then CRITICAL.
if [ -e "{state}/$1" ]; then echo "CRITICAL - $1 turned"; exit 2; fi
echo "OK - $1"; exit 0
"""


# --- databases ------------------------------------------------------------------------------------------------

def fresh_database(kind: str, pg_url: str, folder: Path) -> tuple[str, callable]:
    """A migrated empty database URL and a function that removes it."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite'}"
        migrate.upgrade(url)
        return url, lambda: None
    schema = f"alert_bench_{os.getpid()}"
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{pg_url}{'&' if '?' in pg_url else '?'}options=-csearch_path%3D{schema}"
    migrate.upgrade(url)

    def drop() -> None:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()

    return url, drop


def bench_app(url: str, smtp_host: str = ""):
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would drown the figures
    saved = os.environ.get("DUTYDESK_SMTP_HOST")
    os.environ["DUTYDESK_SMTP_HOST"] = smtp_host  # the app reads its mail server from the environment
    try:
        app = create_app({"DATABASE_URL": url, "DUTYDESK_ENV": "production", "DUTYDESK_SECRET_KEY": SECRET,
                          "DUTYDESK_SECURE_COOKIES": "0"})
    finally:
        if saved is None:
            os.environ.pop("DUTYDESK_SMTP_HOST")
        else:
            os.environ["DUTYDESK_SMTP_HOST"] = saved
    from roster.demo import load_demo_roster

    with app.app_context(), session_scope(app.extensions["dutydesk.engine"]) as session:
        demo.load(session, [load_demo_roster])  # the people and a published roster; no demo checks or alerts
    return app


def serve(app) -> tuple[str, callable]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", server.shutdown


# --- 1. ingestion ---------------------------------------------------------------------------------------------

def am_alert(n: int, status: str = "firing") -> dict:
    return {"status": status, "fingerprint": f"bench{n:08d}",
            "labels": {"alertname": f"BenchAlert{n}", "severity": "warning", "instance": f"host{n % 50}:9100"},
            "annotations": {"summary": f"bench alert {n}"}, "startsAt": "2026-12-01T08:00:00Z"}


def am_payload(alerts: list[dict]) -> dict:
    return {"version": "4", "status": "firing", "receiver": "dutydesk", "groupKey": "{}:{}",
            "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am",
            "alerts": alerts}


def ingestion(app, base: str, single: int, batches: int) -> dict[str, float]:
    from alerts import integrations

    with app.app_context(), session_scope(app.extensions["dutydesk.engine"]) as session:
        _row, token = integrations.create(session, actor="bench", name="bench-am", kind="alertmanager", domain="info",
                                          now=datetime.now(UTC))
    headers = {"Authorization": f"Bearer {token}"}
    out = {}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        out["batch of 1"] = _post_all(client, [[am_alert(n)] for n in range(single)])
        groups = [[am_alert(100_000 + b * 100 + i) for i in range(100)] for b in range(batches)]
        out["batch of 100"] = _post_all(client, groups)
        out["batch of 100, repeated"] = _post_all(client, groups)
    return out


def _post_all(client: httpx.Client, groups: list[list[dict]]) -> float:
    started = time.perf_counter()
    for group in groups:
        response = client.post("/api/v1/integrations/alertmanager", json=am_payload(group))
        if response.status_code != 202:
            raise SystemExit(f"ingestion refused: {response.status_code} {response.text[:300]}")
    return sum(len(g) for g in groups) / (time.perf_counter() - started)


# --- 2. anomaly to notification -------------------------------------------------------------------------------

class Receiver(BaseHTTPRequestHandler):
    arrivals: dict[str, float] = {}

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        now = time.time()
        message = json.loads(body)
        if message.get("event") == "raised":
            Receiver.arrivals.setdefault(message["alert"]["key"], now)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: object) -> None:
        pass


def anomalies(app, url: str, folder: Path, count: int) -> dict[str, float]:
    from alerts.channel_service import ChannelFields, create_channel
    from monitoring import service as checks
    from monitoring.checkspec import CheckSpec
    from monitoring.models import CheckRun

    plugins, state = folder / "plugins", folder / "state"
    plugins.mkdir()
    state.mkdir()
    (plugins / "flip").write_text(PLUGIN.format(state=state))
    (plugins / "flip").chmod(0o755)
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    Receiver.arrivals = {}
    engine = app.extensions["dutydesk.engine"]
    names = [f"bench-{i:03d}" for i in range(count)]
    env = {**os.environ, "DATABASE_URL": url, "DUTYDESK_ENV": "production", "DUTYDESK_SECRET_KEY": SECRET,
           "DUTYDESK_PLUGIN_DIRS": str(plugins), "DUTYDESK_LEASE_TTL": "6"}
    with app.app_context(), session_scope(engine) as session:
        for name in names:
            checks.create_check(session, actor="bench", spec=CheckSpec(
                name=name, kind="nagios", params={"command": ["flip", name]}, interval=10, timeout=5,
                max_attempts=1, severity="major"))
        create_channel(session, actor="bench", fields=ChannelFields(
            name="bench-hook", kind="webhook", target=f"http://127.0.0.1:{receiver.server_port}/hook",
            secret="bench-secret", language="en"))
    log = (folder / "scheduler.log").open("w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "scheduler.py")], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        _wait(lambda: _runs(engine, CheckRun) >= count, 90, "every check ran once")
        flipped = time.time()
        for name in names:
            (state / name).touch()
        _wait(lambda: len(Receiver.arrivals) >= count, 120, "every notification arrived",
              lambda: _diagnose(engine, folder / "scheduler.log"))
        return _latencies(engine, names, flipped)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
        receiver.shutdown()


def _runs(engine, run_table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(run_table)).scalar_one()


def _wait(condition, seconds: float, what: str, diagnose=lambda: "") -> None:
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            raise SystemExit(f"timed out waiting until {what}\n{diagnose()}")
        time.sleep(0.2)


def _diagnose(engine, log: Path) -> str:
    """What got how far: alerts, notifications by status, arrivals, and the scheduler's last log lines."""
    from alerts.models import Alert, Notification

    with engine.connect() as conn:
        alerts = conn.execute(sa.select(sa.func.count()).select_from(Alert)).scalar_one()
        outbox = conn.execute(sa.select(Notification.status, sa.func.count()).group_by(Notification.status)).all()
    tail = log.read_text(errors="replace").splitlines()[-15:]
    return "\n".join([f"alerts {alerts}, outbox {dict(outbox)}, arrived {len(Receiver.arrivals)}", *tail])


def _latencies(engine, names: list[str], flipped: float) -> dict[str, float]:
    from monitoring.models import Check, CheckRun

    stmt = (sa.select(Check.name, CheckRun.started_at, CheckRun.duration)
            .join(CheckRun, CheckRun.check_id == Check.id).where(CheckRun.state == "CRITICAL"))
    hard: dict[str, float] = {}
    with engine.connect() as conn:
        for name, started, duration in conn.execute(stmt):  # the run's end: when its result turned HARD
            hard[name] = min(hard.get(name, float("inf")), _epoch(started) + duration)
    lat = sorted(Receiver.arrivals[f"check:{n}"] - hard[n] for n in names if n in hard)
    return {"p50": statistics.median(lat), "p99": lat[int(0.99 * (len(lat) - 1))], "max": lat[-1],
            "n": len(lat), "flip_to_last": max(Receiver.arrivals.values()) - flipped}


def _epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


# --- main -----------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--anomalies", type=int, default=200)
    args = parser.parse_args()
    for kind in args.db.split(","):
        for part in ("ingestion", "anomalies"):  # each on a database of its own: the first's outbox is not the second's
            if part == "anomalies" and not args.anomalies:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                url, drop = fresh_database(kind, args.pg, Path(tmp))
                try:
                    # ingestion with a mail server set, so each new alert also queues its people's e-mails (as
                    # a desk with mail does); the anomaly part without, so the dispatcher sends the webhook only
                    app = bench_app(url, smtp_host="127.0.0.1" if part == "ingestion" else "")
                    run_part(part, kind, app, url, Path(tmp), args)
                    app.extensions["dutydesk.engine"].dispose()
                finally:
                    drop()


def run_part(part: str, kind: str, app, url: str, folder: Path, args: argparse.Namespace) -> None:
    if part == "ingestion":
        base, stop = serve(app)
        try:
            for label, rate in ingestion(app, base, args.single, args.batches).items():
                print(f"{kind:<10} ingestion, {label:<24} {rate:8.0f} alerts/s", flush=True)
        finally:
            stop()
        return
    lat = anomalies(app, url, folder, args.anomalies)
    print(f"{kind:<10} anomaly -> webhook ({lat['n']} alerts): p50 {lat['p50']:.2f} s  p99 {lat['p99']:.2f} s  "
          f"max {lat['max']:.2f} s  (flip to last arrival {lat['flip_to_last']:.1f} s)", flush=True)

if __name__ == "__main__":
    main()
