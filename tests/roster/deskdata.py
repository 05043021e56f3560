"""Helpers of the roster lifecycle tests: the demo desk's people (no demo loaders), drafts solved inline."""

from __future__ import annotations

import functools
from datetime import date, timedelta

from sqlmodel import Session

from desk import accounts, demo
from desk.db import session_scope
from desk.models import Person
from roster import drafts, publishing
from tests.conftest import PASSWORD, cheap_hash

START = date(2026, 9, 28)  # two weeks over the National Day holidays
END = START + timedelta(days=13)


@functools.cache
def _password_hash() -> str:
    return cheap_hash(PASSWORD)


def add_people(session: Session) -> None:
    """The demo desk's 14 leaders and watchers and 2 managers, with the tests' password (hashed once: hashing
    for each person would cost most of a test's time)."""
    demo.ensure_teams(session)
    for username, name, role, skills, team in demo.DEMO_PEOPLE:
        session.add(Person(username=username, display_name=name, role=role,
                           skills=",".join(accounts.normalise_skills(skills)), team_code=team,
                           password_hash=_password_hash()))
    session.flush()


def with_people(app):
    """Put the demo people into the app's database; returns its engine (each test module's ``desk`` fixture)."""
    engine = app.extensions["dutydesk.engine"]
    with session_scope(engine) as session:
        add_people(session)
    return engine


def published(engine, start: date = START, end: date = END, actor: str = "lead") -> int:
    """Generate, solve inline and publish a roster; returns the version id."""
    with session_scope(engine) as session:
        version = drafts.create_draft(session, actor=actor, start=start, end=end)
        assert drafts.solve_version(session, version=version).ok
        publishing.publish(session, actor=actor, version_id=version.id)
        return version.id


def approved_leave(engine, username: str, start: date, end: date) -> None:
    """Approved leave for ``username`` (asked by them, approved by the demo manager), before any roster exists."""
    from roster import leave_swaps

    with session_scope(engine) as session:
        leave = leave_swaps.ask_leave(session, actor=username, username=username, start=start, end=end, reason="test")
        session.flush()
        leave_swaps.approve_leave(session, actor="guohua", leave_id=leave.id)
