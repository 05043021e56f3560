"""Property: whatever text, number or date a URL of the roster carries, the answer is never a 500."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import login
from tests.roster.test_leave_swaps import published_desk

URLS = ("/api/v1/oncall?at={}", "/api/v1/roster?from={}&to=2027-01-03", "/api/v1/roster?from=2027-01-01&to={}",
        "/roster/?month={}", "/roster/export?format=csv&month={}", "/roster/generate?month={}",
        "/roster/export?format={}", "/requests/swap/new?mine={}")
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%Y-%m") if d.year >= 1000 else f"{d.year}-{d.month:02d}"),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(lambda t: t.isoformat()),
)


@pytest.fixture
def leader(app, client):
    published_desk(app)
    assert login(client, "leada").status_code == 302
    return client


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=st.sampled_from(URLS), value=VALUES)
def test_no_roster_url_answers_500(leader, url, value):
    r = leader.get(url.format(quote(value, safe="")))
    assert r.status_code < 500, (url, value, r.status_code)
