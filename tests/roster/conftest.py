"""Shared helpers of the roster engine tests."""

from __future__ import annotations

from datetime import date

import pytest

from roster.domain import SolveResult
from roster.samples import desk_inputs
from roster.validate import validate
from tests.conftest import login
from tests.roster.deskdata import with_people

START = date(2026, 1, 1)


def solved_ok(result: SolveResult, inputs) -> SolveResult:
    """Assert ``result`` is a roster with no hard-rule violation (every solver result goes here)."""
    assert result.ok, (result.status, result.explanation)
    assert validate(result.assignments, inputs) == []
    assert sum(c.amount for c in result.cost_breakdown) == result.objective
    return result


@pytest.fixture
def small_desk():
    """The 14-person demo desk over two weeks with no leave."""
    return desk_inputs(per_position=1, spares=2, days=14, leaves=0)


@pytest.fixture
def desk(app):
    """The demo desk's people in the test database; the engine."""
    return with_people(app)


@pytest.fixture
def leader(client, desk):
    """A client logged in as the demo desk's shift leader."""
    assert login(client, "zhangwei").status_code == 302
    return client
