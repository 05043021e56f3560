"""Login timing and throttling: does the answer time tell whether a username exists, and how many of N parallel
guesses against one account get their password checked?

Usage:
    python bench/login_bench.py [--rounds 30] [--parallel 40] [--db sqlite,postgresql] [--pg URL]

For each database it migrates a scratch database, creates one person, then through the real app (test client,
CSRF off) times ``--rounds`` wrong-password logins for the real username and as many for unknown usernames (the
throttle table is emptied after each, so throttling stays out of the way), printing median and p90 of each;
then ``--parallel`` threads released by a barrier send a wrong password for the same account from one address,
and it prints how many got 401 (password checked) and how many 429 (refused before any check).
The limit is DUTYDESK_LOGIN_MAX_FAILURES (5).

Figures (2026-12-01, 2 CPUs shared with five other people's test runs, load average 12; scrypt dominates):

    == sqlite       existing username median 1014.6 ms p90 1511.1 ms | unknown median 1091.9 ms p90 1497.3 ms
                    40 parallel guesses: 5 checked (401), 35 refused (429)
    == postgresql   existing username median  907.4 ms p90 1242.5 ms | unknown median  880.4 ms p90 1163.6 ms
                    40 parallel guesses: 5 checked (401), 35 refused (429)

(Before: unknown 13 ms against 135 ms for a real one, and 15–17 of 40 parallel guesses checked.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desk import accounts, migrate
from desk.app import create_app
from desk.db import session_scope
from tests import dbutil

SECRET = "bench-secret-key-of-at-least-32-characters"


def _app(url: str):
    app = create_app({"DATABASE_URL": url, "DUTYDESK_ENV": "testing", "DUTYDESK_SECRET_KEY": SECRET,
                      "WTF_CSRF_ENABLED": False})
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        fields = accounts.PersonFields(username="li", display_name="Li", role="watcher", skills=("info",),
                                       team_code="A")
        accounts.create_person(session, actor="bench", fields=fields, password="correct-horse-9")
    return app


def _timed(client, username: str, address: str) -> float:
    start = time.perf_counter()
    status = client.post("/login", data={"username": username, "password": "wrong-guess"},
                         environ_base={"REMOTE_ADDR": address}).status_code
    elapsed = (time.perf_counter() - start) * 1000
    assert status == 401, status
    with client.application.extensions["dutydesk.engine"].begin() as conn:  # timing, not throttling, is measured
        conn.execute(sa.text("DELETE FROM login_throttle"))
    return elapsed


def timing(app, rounds: int) -> None:
    client = app.test_client()
    known, unknown = [], []
    for n in range(rounds):
        known.append(_timed(client, "li", f"10.2.{n // 4}.{n}"))
        unknown.append(_timed(client, f"nobody{n}", f"10.3.{n // 4}.{n}"))
    for label, values in (("existing username", known), ("unknown username", unknown)):
        values.sort()
        print(f"  {label:<18} median {statistics.median(values):6.1f} ms  p90 {values[int(len(values) * .9)]:6.1f} ms")


def parallel(app, count: int) -> None:
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        status = client.post("/login", data={"username": "li", "password": f"guess-{n}"},
                             environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"  {count} parallel guesses: {statuses.count(401)} checked (401), {statuses.count(429)} refused (429), "
          f"other {len(statuses) - statuses.count(401) - statuses.count(429)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--parallel", type=int, default=40)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    for kind in args.db.split(","):
        if kind == "sqlite":
            url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
            migrate.upgrade(url)
        else:
            schema = dbutil.run_schema("dd_login_bench")
            url = dbutil.fresh_postgres_schema(args.pg, schema)
            migrate.upgrade(url)
        print(f"== {kind}")
        app = _app(url)
        timing(app, args.rounds)
        parallel(app, args.parallel)
        app.extensions["dutydesk.engine"].dispose()
        if kind != "sqlite":
            dbutil.drop_postgres_schema(args.pg, schema)


if __name__ == "__main__":
    main()
