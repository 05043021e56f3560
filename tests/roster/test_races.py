"""Decisions happen once: eight leaders' browsers press the same button at the same moment (8 real threads through
the app). Exactly one wins; the others are told what happened (a flash, never a 500, no exception escapes); one
audit event, one amendment draft, one published version. On PostgreSQL the conditional UPDATE's row lock decides;
on SQLite the single writer does."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from desk.db import session_scope
from desk.models import AuditEvent
from roster import drafts, leave_swaps, publishing, refusals, versions
from roster.models import RosterVersion
from tests.conftest import login, page_csrf
from tests.roster.test_leave_swaps import START, make_desk, publish_roster, seats

THREADS = 8


def _browsers(app: Flask, username: str) -> tuple[list[FlaskClient], str]:
    """``THREADS`` clients sharing one login (as one leader's tabs would) and the session's CSRF token."""
    first = app.test_client()
    assert login(first, username).status_code == 302
    cookie = first.get_cookie("session")
    token = page_csrf(first, "/")
    clients = []
    for _ in range(THREADS):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        client.set_cookie("session", cookie.value)
        clients.append(client)
    return clients, token


def _race(clients: list[FlaskClient], url: str, data: dict) -> list[list[tuple[str, str]]]:
    """POST ``data`` to ``url`` from every client at once; each client's flashes (category, message)."""
    barrier, errors, statuses = threading.Barrier(len(clients)), [], []

    def press(client: FlaskClient) -> None:
        try:
            barrier.wait(timeout=60)
            statuses.append(client.post(url, data=data).status_code)
        except BaseException as exc:  # the test asserts that nothing escapes
            errors.append(exc)

    threads = [threading.Thread(target=press, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [] and statuses == [302] * len(clients), (errors, statuses)
    out = []
    for client in clients:
        with client.session_transaction() as session:
            out.append(list(session.get("_flashes", [])))
    return out


def _one_winner(flashes: list[list[tuple[str, str]]], success: str) -> None:
    won = [f for f in flashes if any(c == "success" and success in m for c, m in f)]
    lost = [f for f in flashes if f not in won]
    assert len(won) == 1, flashes
    assert all(f and all(c == "error" for c, _m in f) for f in lost), lost


def _audit(session: Session, action: str, object_id: int | None = None) -> int:
    rows = session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()
    return sum(1 for e in rows if object_id is None or e.object_id == str(object_id))


def _solved_draft(app: Flask) -> int:
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        make_desk(s)
        draft = drafts.create_draft(s, actor="test", start=START, end=START + timedelta(days=7))
        assert drafts.solve_version(s, version=draft).ok
        return draft.id


def test_eight_publishes_of_one_draft_publish_it_once(app):
    vid = _solved_draft(app)
    clients, token = _browsers(app, "leada")
    flashes = _race(clients, f"/roster/versions/{vid}/publish", {"csrf_token": token})
    _one_winner(flashes, "Published as version 1.")
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        assert s.get(RosterVersion, vid).number == 1
        assert s.exec(select(RosterVersion.number).where(col(RosterVersion.number).is_not(None))).all() == [1]
        assert _audit(s, "roster.publish", vid) == 1


def _pending_leave(app: Flask) -> int:
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        make_desk(s)
        publish_roster(s)
        first = seats(s, "infob")[0]
        return leave_swaps.ask_leave(s, actor="infob", username="infob", start=first.day, end=first.day).id


def test_eight_approvals_of_one_leave_open_one_amendment(app):
    leave_id = _pending_leave(app)
    clients, token = _browsers(app, "leada")
    flashes = _race(clients, f"/requests/leave/{leave_id}/approve", {"csrf_token": token, "note": "ok"})
    _one_winner(flashes, "Leave approved.")
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        assert len(s.exec(select(RosterVersion).where(RosterVersion.status == "draft")).all()) == 1
        assert _audit(s, "leave.approve", leave_id) == 1 and _audit(s, "roster.amend") == 1


def _accepted_swap(app: Flask) -> int:
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        make_desk(s)
        publish_roster(s)
        day = next(a for a in seats(s, "infob") if a.shift == "D").day
        swap = leave_swaps.propose_swap(s, actor="infob", day=day, shift="D", target="spare")
        leave_swaps.accept_swap(s, actor="spare", swap_id=swap.id)
        assert leave_swaps.check_swap(s, swap_id=swap.id).ok
        return swap.id


def test_eight_approvals_of_one_swap_publish_one_version(app):
    swap_id = _accepted_swap(app)
    clients, token = _browsers(app, "leada")
    flashes = _race(clients, f"/requests/swap/{swap_id}/approve", {"csrf_token": token, "note": ""})
    _one_winner(flashes, "Swap approved and published.")
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        numbers = s.exec(select(RosterVersion.number).where(col(RosterVersion.number).is_not(None))).all()
        assert sorted(numbers) == [1, 2]
        assert _audit(s, "swap.approve", swap_id) == 1 and _audit(s, "roster.publish") == 2


def test_concurrent_publishes_of_different_drafts_get_distinct_numbers(app, db_url):
    """Numbers come from the unique constraint and a retry: four drafts published at once get 1..4, none lost.
    (PostgreSQL: its writers really run at once; SQLite's single writer would only make losers retry by hand.)"""
    if not db_url.startswith("postgresql"):
        pytest.skip("concurrent writers: PostgreSQL")
    engine = app.extensions["dutydesk.engine"]
    with session_scope(engine) as s:
        make_desk(s)
        ids = []
        for k in range(4):
            draft = drafts.create_draft(s, actor="test", start=START + timedelta(days=10 * k),
                                         end=START + timedelta(days=10 * k + 3))
            assert drafts.solve_version(s, version=draft).ok
            ids.append(draft.id)
    barrier, errors = threading.Barrier(len(ids)), []

    def publish(vid: int) -> None:
        try:
            with session_scope(engine) as s:
                barrier.wait(timeout=60)
                publishing.publish(s, actor="leada", version_id=vid)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(vid,)) for vid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with session_scope(engine) as s:
        assert sorted(s.get(RosterVersion, vid).number for vid in ids) == [1, 2, 3, 4]


def test_two_swaps_of_one_day_approved_at_once_do_not_undo_each_other(app):
    """Two leaders approve two different swaps of the same day at the same moment: each approved swap's change is
    in the published truth afterwards (a publication never builds on a roster that another one just replaced)."""
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        make_desk(s)
        publish_roster(s)
        day = next(a for a in seats(s, "infob") if a.shift == "D").day
        swaps = {}
        for giver, taker in (("infob", "spare"), ("commb", "spare2")):
            swap = leave_swaps.propose_swap(s, actor=giver, day=day, shift="D", target=taker)
            leave_swaps.accept_swap(s, actor=taker, swap_id=swap.id)
            swaps[swap.id] = (giver, taker)
    leada, token_a = _browsers(app, "leada")
    leadc, token_c = _browsers(app, "leadc")
    barrier, errors = threading.Barrier(2), []

    def approve(client: FlaskClient, token: str, swap_id: int) -> None:
        try:
            barrier.wait(timeout=60)
            assert client.post(f"/requests/swap/{swap_id}/approve", data={"csrf_token": token}).status_code == 302
        except BaseException as exc:  # the test asserts that nothing escapes
            errors.append(exc)

    (first, second) = swaps
    threads = [threading.Thread(target=approve, args=(leada[0], token_a, first)),
               threading.Thread(target=approve, args=(leadc[0], token_c, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with session_scope(app.extensions["dutydesk.engine"]) as s:
        truth = {a.username for a in versions.published_assignments(s, start=day, end=day) if a.shift == "D"}
        approved = [swaps[i] for i in swaps if s.get(leave_swaps.SwapRequest, i).status == "approved"]
        assert approved, "at least one approval goes through"
        for giver, taker in approved:
            assert taker in truth and giver not in truth, (giver, taker, truth)


def test_a_stale_page_cannot_discard_or_republish_a_published_draft(app):
    """The loser read the draft before the winner committed: its conditional UPDATE, not its read, decides."""
    vid = _solved_draft(app)
    engine = app.extensions["dutydesk.engine"]
    with Session(engine) as late:
        seen = late.get(RosterVersion, vid)  # what the loser's page saw (held, as a request holds it)
        assert seen.status == "draft"
        with session_scope(engine) as s:
            publishing.publish(s, actor="leada", version_id=vid)
        with pytest.raises(refusals.RosterError, match="just published this draft as version 1"):
            drafts.discard(late, actor="leadb", version_id=vid)
        late.rollback()
    with session_scope(engine) as s:
        assert s.get(RosterVersion, vid).status == "published"
        assert _audit(s, "roster.publish", vid) == 1 and _audit(s, "roster.discard", vid) == 0
