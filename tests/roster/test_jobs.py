"""The background solve: queued drafts are claimed once, solved, stored; failures are recorded, never raised."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from desk.db import session_scope
from desk.timeutil import utcnow
from roster import jobs, service, words
from roster.models import LeaveRequest, RosterVersion
from tests.roster.deskdata import END, START, with_people


@pytest.fixture
def desk(app):
    """The demo desk's people in the test database; the engine."""
    return with_people(app)


def _queue(engine, start=START, end=END) -> int:
    with session_scope(engine) as s:
        return service.create_draft(s, actor="lead", start=start, end=end).id


def test_a_queued_draft_is_solved_and_stored(desk):
    vid = _queue(desk)
    assert jobs.run_pending_solves(desk, now=utcnow()) == 1
    with session_scope(desk) as s:
        v = s.get(RosterVersion, vid)
        assert (v.job_status, v.solver_status, v.progress) == ("done", "OPTIMAL", "solved")
        assert v.objective is not None and v.gap == 0 and v.wall_time is not None
        assert sum(c["amount"] for c in v.cost_breakdown) == v.objective
        assert len(service.version_assignments(s, version_id=vid)) == 84
    assert jobs.run_pending_solves(desk, now=utcnow()) == 0  # nothing left


def test_an_infeasible_period_stores_the_explanation(desk):
    with session_scope(desk) as s:
        for p in service.people_by_id(s).values():  # everyone who may sit comms is away on the 3rd day
            if "comms" in p.skill_set:
                s.add(LeaveRequest(person_id=p.id, start=START + timedelta(days=2), end=START + timedelta(days=2),
                                   status="approved"))
    vid = _queue(desk)
    jobs.run_pending_solves(desk, now=utcnow())
    with session_scope(desk) as s:
        v = s.get(RosterVersion, vid)
        assert (v.job_status, v.solver_status) == ("done", "INFEASIBLE")
        lines = words.english_lines(v.explanation)
        assert any("no communications watcher" in line and "on leave" in line for line in lines), lines
        assert service.version_assignments(s, version_id=vid) == []


def test_a_draft_is_claimed_by_one_process_only(desk):
    vid = _queue(desk)
    now = utcnow()
    wins = []
    threads = [threading.Thread(target=lambda: wins.append(jobs.claim(desk, vid, now))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False, False, False, True]
    assert jobs.run_pending_solves(desk, now=now) == 0  # it is running elsewhere


def test_a_failing_solve_is_recorded_not_raised(desk, monkeypatch):
    vid = _queue(desk)

    def broken(*_a, **_k):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(service, "inputs_for", broken)
    assert jobs.run_pending_solves(desk, now=utcnow()) == 1
    with session_scope(desk) as s:
        v = s.get(RosterVersion, vid)
        assert v.job_status == "failed" and "solver exploded" in v.progress


def test_a_solve_left_running_by_a_dead_process_is_failed(desk):
    vid = _queue(desk)
    long_ago = utcnow() - timedelta(hours=1)
    assert jobs.claim(desk, vid, long_ago)
    jobs.run_pending_solves(desk, now=utcnow())
    with session_scope(desk) as s:
        assert s.get(RosterVersion, vid).job_status == "failed"


def test_a_database_failure_is_not_raised(app):
    app.extensions["dutydesk.engine"].dispose()
    from sqlalchemy import create_engine

    assert jobs.run_pending_solves(create_engine("sqlite:////nonexistent/dir/x.sqlite"), now=utcnow()) == 0


def test_a_draft_being_solved_is_not_queued_twice(desk):
    vid = _queue(desk)
    with session_scope(desk) as s, pytest.raises(service.RosterError, match="still being solved"):
        service.requeue(s, actor="lead", version_id=vid)
