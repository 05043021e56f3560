"""The background solve: queued drafts are claimed once, solved, stored; failures are recorded, never raised."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from desk.db import session_scope
from roster import drafts, jobs, refusals, seat_holders, solve_inputs, stored_text, versions, words
from roster.models import LeaveRequest, RosterVersion
from tests.roster.deskdata import END, START

NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)


def _queue(engine, start=START, end=END) -> int:
    with session_scope(engine) as s:
        return drafts.create_draft(s, actor="lead", start=start, end=end).id


def test_a_queued_draft_is_solved_and_stored(desk):
    vid = _queue(desk)
    assert jobs.run_pending_solves(desk, now=NOW) == 1
    with session_scope(desk) as s:
        v = s.get(RosterVersion, vid)
        assert (v.job_status, v.solver_status, v.progress) == ("done", "OPTIMAL", "solved")  # a code
        assert v.objective is not None and v.gap == 0 and v.wall_time is not None
        assert sum(c["amount"] for c in v.cost_breakdown) == v.objective
        assert len(versions.version_assignments(s, version_id=vid)) == 84
    assert jobs.run_pending_solves(desk, now=NOW) == 0  # nothing left


def test_an_infeasible_period_stores_the_explanation(desk):
    with session_scope(desk) as s:
        for p in seat_holders.people_by_id(s).values():  # everyone who may sit comms is away on the 3rd day
            if "comms" in p.skill_set:
                s.add(LeaveRequest(person_id=p.id, start=START + timedelta(days=2), end=START + timedelta(days=2),
                                   status="approved"))
    vid = _queue(desk)
    jobs.run_pending_solves(desk, now=NOW)
    with session_scope(desk) as s:
        v = s.get(RosterVersion, vid)
        assert (v.job_status, v.solver_status) == ("done", "INFEASIBLE")
        lines = words.explanation_lines(v.explanation)
        assert any("no communications watcher" in line and "on leave" in line for line in lines), lines
        assert versions.version_assignments(s, version_id=vid) == []


def test_a_draft_is_claimed_by_one_process_only(desk):
    vid = _queue(desk)
    now = NOW
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

    monkeypatch.setattr(solve_inputs, "inputs_for", broken)
    assert jobs.run_pending_solves(desk, now=NOW) == 1
    with session_scope(desk) as s:
        v = s.get(RosterVersion, vid)
        assert v.job_status == "failed" and "solver exploded" in v.progress


def test_a_solve_whose_process_died_is_failed_within_a_minute(desk):
    vid = _queue(desk)
    assert jobs.claim(desk, vid, NOW)  # then the process dies: no heartbeat after the claim
    jobs.run_pending_solves(desk, now=NOW + timedelta(seconds=59))
    with session_scope(desk) as s:
        assert s.get(RosterVersion, vid).job_status == "running"  # a minute without a sign of life is allowed
    jobs.run_pending_solves(desk, now=NOW + timedelta(seconds=61))
    with session_scope(desk) as s:
        v = s.get(RosterVersion, vid)
        assert v.job_status == "failed" and v.job_finished_at == NOW + timedelta(seconds=61)
        assert stored_text.progress_text(v.progress, lambda s, **kw: s % kw) == (
            "failed: the solving process stopped (no sign of life since 2026-09-01 02:00:00 UTC); solve again")


def test_a_heartbeat_keeps_a_long_solve_alive(desk):
    vid = _queue(desk)
    assert jobs.claim(desk, vid, NOW)
    beat = NOW + timedelta(minutes=10)
    with jobs.heartbeat(desk, vid, every=0.05, clock=lambda: beat):
        _wait_for(desk, vid, lambda v: v.job_heartbeat_at == beat)
    jobs.run_pending_solves(desk, now=beat + timedelta(seconds=30))  # 10.5 min after the start, alive 30 s ago
    with session_scope(desk) as s:
        assert s.get(RosterVersion, vid).job_status == "running"


def _wait_for(engine, vid: int, condition, timeout: float = 10.0) -> None:
    """Wait until the draft meets ``condition`` (re-read every 20 ms), or fail after ``timeout`` seconds."""
    expired = threading.Event()
    timer = threading.Timer(timeout, expired.set)
    timer.start()
    try:
        while not expired.is_set():
            with session_scope(engine) as s:
                if condition(s.get(RosterVersion, vid)):
                    return
            expired.wait(0.02)
        raise AssertionError("the heartbeat was never written")
    finally:
        timer.cancel()


@pytest.mark.parametrize(("status", "started", "beat", "at", "stale"), [
    ("running", 0, None, 60, False), ("running", 0, None, 61, True), ("running", 0, 100, 159, False),
    ("running", 0, 100, 161, True), ("done", 0, None, 3600, False), ("queued", None, None, 3600, False),
    ("running", None, None, 0, True)])
def test_is_stale_at_fixed_times(status, started, beat, at, stale):
    def t(seconds):
        return None if seconds is None else NOW + timedelta(seconds=seconds)

    assert jobs.is_stale(job_status=status, started_at=t(started), heartbeat_at=t(beat), now=t(at)) is stale


def test_a_database_failure_is_not_raised(app):
    app.extensions["dutydesk.engine"].dispose()
    from sqlalchemy import create_engine

    assert jobs.run_pending_solves(create_engine("sqlite:////nonexistent/dir/x.sqlite"), now=NOW) == 0


def test_a_draft_being_solved_is_not_queued_twice(desk):
    vid = _queue(desk)
    with session_scope(desk) as s, pytest.raises(refusals.RosterError, match="still being solved"):
        drafts.requeue(s, actor="lead", version_id=vid)
