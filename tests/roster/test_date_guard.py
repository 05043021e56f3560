"""Guard: the tests' date-sensitive arrangements hold whatever the day. Each runs over 14 consecutive start dates
(every phase of the 4-day DNOO cycle and of the week, across a month end, 2026-12-01 included: the day the request
flows once failed), so a test that works on one pinned date cannot hide a plan that only works on some."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel, create_engine, select

import desk.model_registry  # noqa: F401  (every table, for create_all)
from desk.db import session_scope
from roster import clock, demo, leave_swaps, versions
from roster.models import RosterVersion
from tests.conftest import login
from tests.roster.deskdata import add_people, published, with_people
from tests.roster.flows import OUTSIDER, arrange

FIRST = date(2026, 11, 24)
DATES = [FIRST + timedelta(days=i) for i in range(14)]
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def memory() -> Iterator[Engine]:
    engine = _fresh()
    yield engine
    engine.dispose()


@pytest.mark.parametrize("start", DATES, ids=str)
def test_the_request_flows_find_their_seats(memory, start: date) -> None:
    """What test_browser_requests relies on: the leave opens an amendment, the spare may take infob's day seat,
    and the outsider may not take infoc's."""
    with session_scope(memory) as session:
        flows = arrange(session, start)
        leave = leave_swaps.ask_leave(session, actor="infob", username="infob", start=flows.leave.day,
                                      end=flows.leave.day)
        assert leave_swaps.approve_leave(session, actor="leada", leave_id=leave.id).amendment_id is not None
        give = leave_swaps.propose_swap(session, actor="infob", day=flows.give.day, shift="D", target="spare",
                                        today=start)
        leave_swaps.accept_swap(session, actor="spare", swap_id=give.id)
        assert leave_swaps.check_swap(session, swap_id=give.id).ok
        leave_swaps.approve_swap(session, actor="leada", swap_id=give.id)
        with pytest.raises(leave_swaps.SwapRefused) as refused:
            leave_swaps.propose_swap(session, actor="infoc", day=flows.bad.day, shift="D", target=OUTSIDER[0])
        assert "qualification" in {v.rule for v in refused.value.check.violations}


def test_the_demo_roster_covers_the_coming_months_from_any_day() -> None:
    """The demo loader, run on each day (a fresh desk per demo period), publishes once and covers that day to the
    end of the month two months on; run again on a later day of the same period it changes nothing."""
    engines: dict[tuple[date, date], Engine] = {}
    for today in DATES:
        period = demo.demo_period(today)
        if period not in engines:
            engines[period] = _fresh()
            with session_scope(engines[period]) as session:
                add_people(session)
        with session_scope(engines[period]) as session:
            demo.load_demo_roster(session, today=today)
            covered = versions.published_days(session, start=today, end=period[1])
            assert len(covered) == (period[1] - today).days + 1, today
            assert len(session.exec(select(RosterVersion)).all()) == 1, today
    assert len(engines) == 2  # the two weeks cross a month end
    for engine in engines.values():
        engine.dispose()


def test_the_duty_pages_see_the_pinned_day(app, client) -> None:
    """What test_api / test_views rely on: with the clock pinned to 10:00 on any day and a roster around it, the
    home page and /api/v1/oncall/now show the shift on duty."""
    engine = with_people(app)
    assert login(client, "liqiang").status_code == 302
    for day in DATES:
        published(engine, day - timedelta(days=1), day + timedelta(days=1))
        app.config[clock.CONFIG_KEY] = datetime.combine(day, time(10), TZ).astimezone(UTC)
        body = client.get("/api/v1/oncall/now").get_json()
        assert (body["date"], body["shift"]) == (day.isoformat(), "D") and body["positions"]["leader"], day
        home = client.get("/").get_data(as_text=True)
        now = home[home.index('id="duty-now"'):home.index('id="duty-next"')]
        assert 'data-position="leader"' in now and "No published roster" not in now, day


def _fresh() -> Engine:
    """A private in-memory database with every table (the arrangement, not the database, is under test)."""
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    SQLModel.metadata.create_all(engine)
    return engine
