"""Fixtures of the board and handover tests: the desk's six people and a manager, a published roster around
2026-12-03, and the views' clock fixed at a moment the test chooses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask

from tests.alerts import boardkit
from tests.conftest import login


@pytest.fixture
def desk(app: Flask) -> Any:
    """The database engine with the desk's people and a published roster covering 12-01..12-05."""
    engine = app.extensions["dutydesk.engine"]
    boardkit.add_desk(engine)
    boardkit.publish(engine)
    return engine


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Set the moment the board and handover views take as now."""

    def set_now(moment: datetime) -> None:
        for module in ("alerts.board_views", "alerts.handover_views"):
            monkeypatch.setattr(f"{module}.utcnow", lambda: moment)

    set_now(boardkit.local(10))
    return set_now


@pytest.fixture
def as_user(app: Flask) -> Callable[[str], Any]:
    """A fresh English-speaking browser logged in as ``username``."""

    def log_in(username: str) -> Any:
        browser = app.test_client()
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        assert login(browser, username).status_code == 302
        return browser

    return log_in
