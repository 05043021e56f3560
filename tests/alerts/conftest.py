"""Fixtures of the alert tests: people on a shift, a settable roster answer, fixed times."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from roster.domain import OnDuty

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: the day shift of 12-03


def shift(leader: str = "lead1", info: str = "info1", comms: str = "comms1") -> OnDuty:
    """The day shift of 2026-12-03 with these people."""
    return OnDuty(date(2026, 12, 3), "D", datetime(2026, 12, 3, 0, 0, tzinfo=UTC),
                  datetime(2026, 12, 3, 12, 0, tzinfo=UTC), {"leader": (leader,), "info": (info,), "comms": (comms,)})


@pytest.fixture
def roster(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """``roster["now"]`` is what ``roster.duty_lookup.on_duty_at`` answers (None: no published roster)."""
    answer: dict[str, Any] = {"now": shift()}
    monkeypatch.setattr("roster.duty_lookup.on_duty_at", lambda session, *, at, tz=None: answer["now"])
    return answer


@pytest.fixture
def desk(make_person: Any, roster: dict[str, Any]) -> dict[str, Any]:
    """The people of the shift, a second leader and a manager (with phones and e-mail)."""
    make_person("lead1", role="leader", skills="info,comms", phone="13800000001", email="lead1@example.com")
    make_person("lead2", role="leader", skills="info,comms", team="B", phone="13800000002")
    make_person("info1", role="watcher", skills="info", phone="13800000003")
    make_person("comms1", role="watcher", skills="comms", phone="13800000004")
    make_person("boss", role="manager", skills="", phone="13800000009", email="boss@example.com")
    return roster
