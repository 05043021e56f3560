"""The roster API contract: /api/v1/roster, /api/v1/oncall/now and /api/v1/oncall?at=."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from roster import clock
from tests.conftest import login
from tests.roster.deskdata import END, START, published


@pytest.fixture
def api(client, desk):
    published(desk)
    assert login(client, "liqiang").status_code == 302  # a watcher may read the roster
    return client


def test_roster_lists_the_published_seats(api):
    r = api.get(f"/api/v1/roster?from={START}&to={START + timedelta(days=1)}")
    assert r.status_code == 200
    rows = r.get_json()
    assert len(rows) == 2 * 2 * 3
    first = rows[0]
    assert set(first) == {"date", "shift", "position", "starts_at", "ends_at", "source", "person"}
    assert (first["date"], first["shift"], first["position"]) == (START.isoformat(), "D", "leader")
    assert first["starts_at"] == f"{START}T08:00:00+08:00" and first["ends_at"] == f"{START}T20:00:00+08:00"
    assert set(first["person"]) == {"username", "name"} and first["source"] in ("pattern", "substitute", "pinned")
    night = next(x for x in rows if x["shift"] == "N")
    assert night["ends_at"] == f"{START + timedelta(days=1)}T08:00:00+08:00"
    assert api.get(f"/api/v1/roster?from={END + timedelta(days=5)}&to={END + timedelta(days=9)}").get_json() == []


@pytest.mark.parametrize("query", ["", "from=2026-13-01&to=2026-12-01", "from=2026-10-05&to=2026-10-01",
                                   "from=2026-01-01&to=2027-12-31", "from=yesterday&to=today"])
def test_roster_refuses_bad_dates(api, query):
    r = api.get(f"/api/v1/roster?{query}")
    assert r.status_code == 400
    assert r.get_json()["error"]["message"]


def test_oncall_at_a_moment(api):
    at = quote(f"{START}T20:00:00+08:00")
    r = api.get(f"/api/v1/oncall?at={at}")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["date"], body["shift"]) == (START.isoformat(), "N")
    assert body["starts_at"] == f"{START}T20:00:00+08:00"
    assert set(body["positions"]) == {"leader", "info", "comms"}
    assert all(len(v) == 1 and set(v[0]) == {"username", "name"} for v in body["positions"].values())
    utc = api.get(f"/api/v1/oncall?at={START}T00:00:00Z").get_json()  # 08:00 in Shanghai
    assert utc["shift"] == "D"
    unencoded = api.get(f"/api/v1/oncall?at={START}T12:00:00+08:00").get_json()  # '+' arrives as a space
    assert unencoded["shift"] == "D"


def test_oncall_outside_the_roster_is_404_and_bad_times_400(api):
    r = api.get(f"/api/v1/oncall?at={START - timedelta(days=3)}T10:00:00")
    assert r.status_code == 404
    assert "No published roster covers" in r.get_json()["error"]["message"]
    assert api.get("/api/v1/oncall?at=soon").status_code == 400
    now = api.get("/api/v1/oncall/now")
    assert now.status_code == 404 and now.get_json()["error"]["code"] == "no_roster"


def test_oncall_now_when_covered(app, client, desk):
    today = START + timedelta(days=3)
    app.config[clock.CONFIG_KEY] = datetime(today.year, today.month, today.day, 2, 0, tzinfo=UTC)  # 10:00 at the desk
    published(desk, today - timedelta(days=1), today + timedelta(days=1))
    login(client, "liqiang")
    body = client.get("/api/v1/oncall/now").get_json()
    assert body["shift"] in ("D", "N") and body["positions"]["leader"]


def test_the_api_needs_a_login(client, desk):
    assert client.get(f"/api/v1/roster?from={START}&to={END}").status_code == 401
    assert client.get("/api/v1/oncall/now").status_code == 401
