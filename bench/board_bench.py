"""The duty board's poll cost with 500 active and 100,000 closed alerts: ``/board/data`` answered 200 (full JSON)
and 304 (ETag unchanged), through the Flask test client, on SQLite and PostgreSQL.

Usage:
    python bench/board_bench.py [--active 500] [--closed 100000] [--requests 300] [--db sqlite,postgresql]
                                [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--workers 3]

For each database: a migrated empty database (a temporary SQLite file, or a PostgreSQL schema of its own dropped
at the end), the desk's people and a published roster (tests/alerts/boardkit.py), then ``fill`` (bulk insert of
the active alerts and the closed ones spread over a year, each with its timeline entries). Logged in as the day's
leader it times, one request at a time:

- 200: ``GET /board/data`` without ``If-None-Match`` (the change markers, the roster, people, the active alerts,
  the failed notifications and the late-handover check, ordered and rendered to JSON);
- 304: the same with the ETag of the last answer (the change markers query and the digest only);
- 200 after a change: an active alert's version moved (untimed) before each request, so the board's snapshot
  (``board_service.snapshot``: people, duty, active alerts and their rows, read once per worker per change) is
  read again: what the first poll of each worker pays after a change; the plain 200 above is what the other
  boards' polls pay then;
- markers: ``board_service.change_markers`` alone (the one query every poll makes);
- then both polls over HTTP against ``gunicorn -w 3 wsgi:app`` on the same database (one keep-alive client, so
  the requests land on whichever worker accepts them), counting how many answered 304 to another worker's ETag.

The view's clock is fixed to 10:00 desk time on the roster's day. Prints wall p50 / p99 / max and the CPU p50
of this process (the app and SQLite; a PostgreSQL server's own CPU is not in it) in milliseconds: on a shared
machine the wall figures grow with the load average, the CPU figures much less.

Figures (2026-12-02, 2 CPUs shared with five other people's test runs; load average 9-15 throughout), before the
shared snapshot:

    python bench/board_bench.py --requests 150        # 500 active + 100,000 closed alerts, 3 gunicorn workers
    sqlite:      200  p50 167 ms  p99 543 ms  CPU p50 33.6 ms   (body 125 KiB)
                 304  p50  16 ms  p99  53 ms  CPU p50  4.0 ms
    postgresql:  200  p50 124 ms  p99 299 ms  CPU p50 38.4 ms
                 304  p50  19 ms  p99  35 ms  CPU p50  4.8 ms

The same command on the same box the next night (load average 7-12, other helpers' suites beside it):

    before:  sqlite 200 p50 21.5 ms p99 31.3 ms CPU 9.7 ms; 304 p50 1.4 ms p99 10.8 ms CPU 1.3 ms
             postgresql 200 p50 28.0 ms p99 66.1 ms CPU 11.8 ms; 304 p50 6.4 ms p99 22.9 ms CPU 2.2 ms
    after (python bench/board_bench.py --requests 300 --db sqlite --workers 0, load 7.1):
             sqlite 200 p50 3.9 ms p99 17.3 ms CPU 3.4 ms; 304 p50 1.4 ms p99 9.4 ms CPU 1.4 ms
    after (--requests 150 --workers 0, both databases, load 6.3-8.4):
             sqlite 200 after a change p50 23.6 ms, CPU 12.6 ms; postgresql 200 p50 15.1 ms CPU 5.2 ms,
             after a change p50 62 ms CPU 17.3 ms (wall p99s of 50-750 ms at that load are waits for a CPU)

Reading them: with the machine 4-7 times oversubscribed the wall times are mostly waiting for a CPU; the CPU
per request is the cost a desk pays. A poll that changes nothing costs ~4-5 ms of CPU (of which the change
markers query is ~0.6 ms: the rest is Flask, the session cookie and loading the logged-in person); a changed
board costs ~35 ms (two roster reads, 500 alert rows, JSON of 125 KiB). Thirty boards polling every 2.5 s while
nothing changes cost ~12 requests/s x 5 ms = 6% of one core. Every worker answered 304 to an ETag another worker
gave: the stamp is computed from the database, not from a worker's memory.

Why polling and not server-sent events: an SSE stream holds its connection for the whole shift, so under
gunicorn's default sync workers every open board would take a worker for good (3 workers, 3 boards), and it would
need an async worker class plus a cross-process wake-up (PostgreSQL LISTEN/NOTIFY; SQLite has none, so each
stream would poll the database anyway). Polling with ETag/304 works with any worker class on both databases
and, at the figures above, shows a change within the 2.5 s poll interval at a few ms of CPU per quiet poll.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk import migrate  # noqa: E402
from desk.app import create_app  # noqa: E402
from desk.db import session_scope  # noqa: E402
from desk.timeutil import utcnow  # noqa: E402
from tests import dbutil  # noqa: E402
from tests.alerts import boardkit  # noqa: E402
from tests.conftest import login  # noqa: E402

DEFAULT_PG = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"p50 {statistics.median(ordered) * 1000:6.2f} ms  p99 {p99 * 1000:6.2f} ms  "
            f"max {ordered[-1] * 1000:6.2f} ms")


CPU: list[float] = []  # the CPU seconds of each call of the last ``timed`` (this process: app and SQLite)


def timed(n: int, call: Callable[[], object], before: Callable[[], object] = lambda: None) -> list[float]:
    """Wall seconds of ``n`` calls (after 5 to warm up), each after an untimed ``before()``; their CPU seconds go
    to :data:`CPU`."""
    for _ in range(5):
        before()
        call()
    out = []
    CPU.clear()
    for _ in range(n):
        before()
        start, cpu = time.perf_counter(), time.process_time()
        call()
        out.append(time.perf_counter() - start)
        CPU.append(time.process_time() - cpu)
    return out


def cpu_p50() -> str:
    return f"  CPU p50 {statistics.median(CPU) * 1000:6.2f} ms"


def _touch(engine) -> None:
    """A change the board must show: one active alert's version moves (the change markers with it)."""
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alert SET version = version + 1 WHERE id = (SELECT min(id) FROM alert "
                             "WHERE status = 'open')"))


def measure(url: str, args: argparse.Namespace) -> None:
    import alerts.board_views as views
    from alerts import board_service

    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "DUTYDESK_ENV": "testing", "DUTYDESK_SECRET_KEY": "bench-" * 8,
                      "TESTING": True})
    engine = app.extensions["dutydesk.engine"]
    now = boardkit.local(10)
    views.utcnow = lambda: now  # the view's clock, fixed inside the roster
    boardkit.add_desk(engine)
    today = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()  # gunicorn's board runs on the real clock
    first_day = min(today, boardkit.DAY) - timedelta(days=2)
    boardkit.publish(engine, start=first_day, days=(max(today, boardkit.DAY) - first_day).days + 3)
    started = time.perf_counter()
    boardkit.fill(engine, active=args.active, closed=args.closed, now=now)
    print(f"  filled {args.active} active + {args.closed} closed alerts in {time.perf_counter() - started:.1f} s")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, "dayl")
    first = client.get("/board/data")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and len(first.get_json()["alerts"]) == args.active
    print(f"  200 body: {len(first.get_data()) / 1024:.0f} KiB for {args.active} alerts")
    full = timed(args.requests, lambda: client.get("/board/data"))
    print(f"  200      {percentiles(full)}{cpu_p50()}")
    cached = timed(args.requests, lambda: client.get("/board/data", headers={"If-None-Match": etag}))
    print(f"  304      {percentiles(cached)}{cpu_p50()}")
    assert client.get("/board/data", headers={"If-None-Match": etag}).status_code == 304
    changed = timed(args.requests, lambda: client.get("/board/data"), before=lambda: _touch(engine))
    print(f"  200 after a change (the snapshot read again)  {percentiles(changed)}{cpu_p50()}")
    with session_scope(engine) as session:
        markers = timed(args.requests, lambda: board_service.change_markers(session))
    print(f"  markers  {percentiles(markers)}{cpu_p50()}")
    engine.dispose()
    if args.workers:
        over_gunicorn(url, args)


def over_gunicorn(url: str, args: argparse.Namespace) -> None:
    """The same two polls over HTTP against ``gunicorn -w N wsgi:app``: every worker must answer 304 to the ETag
    another worker gave (the stamp comes from the database, not from a worker's memory)."""
    import re
    import signal
    import socket
    import subprocess

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "DUTYDESK_ENV": "testing", "DUTYDESK_SECRET_KEY": "bench-" * 8}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Accept-Language": "en"}) as http:
            _wait_up(http)
            token = re.search(r'name="csrf-token" content="([^"]+)"', http.get("/login").text).group(1)
            http.post("/login", data={"username": "dayl", "password": boardkit.PASSWORD, "csrf_token": token})
            full = timed(args.requests, lambda: http.get("/board/data"))
            answers: list[int] = []
            seen = {"etag": http.get("/board/data").headers["ETag"]}
            cached = timed(args.requests, lambda: poll(http, seen, answers))
        print(f"  gunicorn -w {args.workers}: 200 {percentiles(full)}")
        print(f"  gunicorn -w {args.workers}: 304 {percentiles(cached)}  ({answers.count(304)}/{len(answers)} "
              "answered 304 to an ETag another worker may have given; the rest 200 when the minute turned)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def poll(http, seen: dict[str, str], answers: list[int]) -> None:
    """One poll as board.js makes it: the last ETag sent, a new one kept (the real clock's minute turns)."""
    response = http.get("/board/data", headers={"If-None-Match": seen["etag"]})
    answers.append(response.status_code)
    seen["etag"] = response.headers.get("ETag", seen["etag"])


def _wait_up(http) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if http.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)  # the bench (never a test) waits for the server to listen
    raise RuntimeError("gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--active", type=int, default=500)
    parser.add_argument("--closed", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (0: skip the HTTP part)")
    args = parser.parse_args()
    for kind in args.db.split(","):
        print(f"{kind}:  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)", flush=True)
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                measure(f"sqlite:///{folder}/bench.sqlite", args)
        else:
            schema = dbutil.run_schema("dd_board_bench")
            url = dbutil.fresh_postgres_schema(args.pg, schema)
            try:
                measure(url, args)
            finally:
                dbutil.drop_postgres_schema(args.pg, schema)
    return 0


if __name__ == "__main__":
    sys.exit(main())
