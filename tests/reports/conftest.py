"""The hand-computed desk of tests/reports/data.py in the test's database, and clients of each role."""

from __future__ import annotations

from typing import Any

import pytest

from desk.db import session_scope
from tests.conftest import PASSWORD, cheap_hash, login
from tests.reports import data

_HASH: dict[str, str] = {}


def password_hash() -> str:
    """The tests' password hashed once per run (hashing per person would cost most of a test's time)."""
    if not _HASH:
        _HASH["h"] = cheap_hash(PASSWORD)
    return _HASH["h"]


@pytest.fixture
def desk(app: Any) -> dict[str, int]:
    """The small desk with its rosters, leave and swap; ``{username: id}``."""
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        return data.build(session, password_hash())


@pytest.fixture
def patrol_desk(app: Any, desk: dict[str, int]) -> int:
    """The desk's patrol history too; the id of check "web"."""
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        return data.build_patrols(session)


@pytest.fixture
def as_user(client: Any, make_person: Any, desk: dict[str, int]) -> Any:
    """Log the client in as a desk person, or as the manager ``boss`` (created on first use)."""

    def log_in(username: str) -> Any:
        if username == "boss":
            make_person("boss", role="manager", skills="")
        response = login(client, username)
        assert response.status_code == 302
        return client

    return log_in


@pytest.fixture
def alert_desk(app: Any, desk: dict[str, int]) -> None:
    """The desk's four alerts (tests/reports/data.py build_alerts)."""
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        data.build_alerts(session, desk)
