"""Leave and swap services on both databases: ask, approve, reject, cancel, the validator's refusal in words,
leave opening an amendment, a swap publishing a new version. Shared desk helpers for the other request tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import cache

import pytest
from flask import Flask
from sqlmodel import Session, select

from desk.db import session_scope
from desk.demo import ensure_teams
from desk.models import AuditEvent, Person
from desk.sessions import hash_secret
from roster import drafts, leave_swaps, publishing, versions
from roster.models import RosterVersion, SwapRequest
from tests.conftest import PASSWORD, cheap_hash

START = date(2027, 1, 1)
DAYS = 8
# username, name, role, skills, team: the demo desk's shape (a leader, an info and a comms watcher per team)
DESK = (
    ("leada", "张伟", "leader", "info,comms", "A"), ("infoa", "李强", "watcher", "info", "A"),
    ("comma", "王芳", "watcher", "comms", "A"), ("leadb", "刘洋", "leader", "", "B"),
    ("infob", "陈静", "watcher", "info", "B"), ("commb", "杨敏", "watcher", "comms", "B"),
    ("leadc", "赵磊", "leader", "", "C"), ("infoc", "黄丽", "watcher", "info", "C"),
    ("commc", "周杰", "watcher", "comms", "C"), ("leadd", "吴昊", "leader", "", "D"),
    ("infod", "徐婷", "watcher", "info", "D"), ("commd", "孙鹏", "watcher", "comms", "D"),
    ("spare", "马军", "watcher", "info,comms", None), ("spare2", "朱霞", "watcher", "info,comms", None),
)


@cache
def _hash() -> str:
    return cheap_hash(PASSWORD)


def make_desk(session: Session) -> None:
    """The 14 people of the desk, all with the test password (hashed once)."""
    ensure_teams(session)
    for username, name, role, skills, team in DESK:
        session.add(Person(username=username, display_name=name, role=role, skills=skills, team_code=team,
                           password_hash=_hash()))
    session.flush()


def publish_roster(session: Session, start: date = START, days: int = DAYS) -> RosterVersion:
    """Solve and publish a roster for the period (inline, as the CLI does)."""
    version = drafts.create_draft(session, actor="test", start=start, end=start + timedelta(days=days - 1))
    assert drafts.solve_version(session, version=version).ok
    return publishing.publish(session, actor="test", version_id=version.id)


def published_desk(app: Flask) -> None:
    """The desk with a published roster of ``DAYS`` days from ``START``, committed."""
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        make_desk(session)
        publish_roster(session)


def seats(session: Session, username: str) -> list:
    return [a for a in versions.published_assignments(session, start=START, end=START + timedelta(days=DAYS - 1))
            if a.username == username]


def free_on(session: Session, username: str, day: date) -> bool:
    rows = versions.published_assignments(session, start=day - timedelta(days=1), end=day + timedelta(days=1))
    return not any(a.username == username for a in rows)


def stale_swap(session: Session, requester: str, day: date, shift: str, target: str) -> int:
    """A swap accepted before the roster changed under it, so that it now breaks a rule (offering or accepting a
    swap that breaks one is refused; the leader's page must still explain and block the stale one)."""
    seat = leave_swaps.published_seat(session, requester, day, shift)
    people = {p.username: p.id for p in session.exec(select(Person))}
    swap = SwapRequest(requester_id=people[requester], requester_day=day, requester_shift=shift,
                           requester_position=seat.position, target_id=people[target], status="accepted")
    session.add(swap)
    session.flush()
    return swap.id


@pytest.fixture
def desk(app: Flask) -> Session:
    published_desk(app)
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        yield session


def actions(session: Session, prefix: str) -> list[str]:
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)) if e.action.startswith(prefix)]


# --- leave ---------------------------------------------------------------------------------------------------

def test_leave_hitting_a_published_shift_opens_an_amendment(desk: Session) -> None:
    first = seats(desk, "infob")[0]
    leave = leave_swaps.ask_leave(desk, actor="infob", username="infob", start=first.day, end=first.day, reason="医院")
    assert leave.status == "pending" and [a.day for a in leave_swaps.leave_hits(desk, leave)] == [first.day]
    leave_swaps.approve_leave(desk, actor="leada", leave_id=leave.id, note="ok")
    draft = desk.get(RosterVersion, leave.amendment_id)
    assert leave.status == "approved" and leave.decided_by == "leada"
    assert draft.status == "draft" and draft.base_version_id is not None and draft.job_status == "queued"
    assert (draft.start, draft.end) == (first.day, first.day) and "leave" in draft.note
    result = drafts.solve_version(desk, version=draft)
    assert result.ok and all(a.username != "infob" for a in result.assignments if a.day == first.day)
    assert actions(desk, "leave.") == ["leave.ask", "leave.approve"]


def test_leave_on_days_off_needs_no_amendment(desk: Session) -> None:
    leave = leave_swaps.ask_leave(desk, actor="spare", username="spare", start=START, end=START + timedelta(days=2))
    leave_swaps.approve_leave(desk, actor="leadb", leave_id=leave.id)
    assert leave.status == "approved" and leave.amendment_id is None


def test_single_shift_leave_only_hits_that_shift(desk: Session) -> None:
    night = next(a for a in seats(desk, "commc") if a.shift == "N")
    leave = leave_swaps.ask_leave(desk, actor="commc", username="commc", start=night.day, end=night.day,
                          shifts=[(night.day, "D")])
    assert leave.shifts == [[night.day.isoformat(), "D"]] and leave_swaps.leave_hits(desk, leave) == []
    other = leave_swaps.ask_leave(desk, actor="commc", username="commc", start=night.day, end=night.day,
                          shifts=[(night.day, "N")])
    assert [a.shift for a in leave_swaps.leave_hits(desk, other)] == ["N"]


def test_reject_needs_a_note_and_cancel_only_own_pending(desk: Session) -> None:
    leave = leave_swaps.ask_leave(desk, actor="infoc", username="infoc", start=START, end=START)
    with pytest.raises(leave_swaps.RequestError, match="why"):
        leave_swaps.reject_leave(desk, actor="leada", leave_id=leave.id, note=" ")
    with pytest.raises(leave_swaps.RequestError, match="Only the person"):
        leave_swaps.cancel_leave(desk, actor="infod", leave_id=leave.id)
    leave_swaps.cancel_leave(desk, actor="infoc", leave_id=leave.id)
    with pytest.raises(leave_swaps.RequestError, match="already cancelled"):
        leave_swaps.approve_leave(desk, actor="leada", leave_id=leave.id)
    again = leave_swaps.ask_leave(desk, actor="infoc", username="infoc", start=START, end=START)
    leave_swaps.reject_leave(desk, actor="leada", leave_id=again.id, note="New Year: everyone is needed")
    assert again.status == "rejected" and again.decision_note.startswith("New Year")
    assert actions(desk, "leave.") == ["leave.ask", "leave.cancel", "leave.ask", "leave.reject"]


def test_who_may_ask_and_decide(desk: Session) -> None:
    with pytest.raises(leave_swaps.RequestError, match="for yourself"):
        leave_swaps.ask_leave(desk, actor="infoa", username="infob", start=START, end=START)
    mine = leave_swaps.ask_leave(desk, actor="leada", username="leada", start=START, end=START)
    with pytest.raises(leave_swaps.RequestError, match="your own request"):
        leave_swaps.approve_leave(desk, actor="leada", leave_id=mine.id)
    theirs = leave_swaps.ask_leave(desk, actor="infoa", username="infoa", start=START, end=START)
    with pytest.raises(leave_swaps.RequestError, match="shift leader or a manager"):
        leave_swaps.approve_leave(desk, actor="infob", leave_id=theirs.id)
    on_behalf = leave_swaps.ask_leave(desk, actor="leadb", username="infod", start=START, end=START)
    assert on_behalf.person_id == desk.exec(select(Person.id).where(Person.username == "infod")).one()


def test_bad_leave_is_refused_in_words(desk: Session) -> None:
    with pytest.raises(leave_swaps.RequestError, match="before the first"):
        leave_swaps.ask_leave(desk, actor="infoa", username="infoa", start=START, end=START - timedelta(days=1))
    with pytest.raises(leave_swaps.RequestError, match="at most"):
        leave_swaps.ask_leave(desk, actor="infoa", username="infoa", start=START, end=START + timedelta(days=200))
    with pytest.raises(leave_swaps.RequestError, match="No active person"):
        leave_swaps.ask_leave(desk, actor="cli", username="nobody", start=START, end=START)
    leave_swaps.ask_leave(desk, actor="infoa", username="infoa", start=START, end=START + timedelta(days=2))
    with pytest.raises(leave_swaps.RequestError, match="already asked"):
        leave_swaps.ask_leave(desk, actor="infoa", username="infoa", start=START + timedelta(days=2),
                              end=START + timedelta(3))


# --- swaps ---------------------------------------------------------------------------------------------------

def _give_day(session: Session, giver: str, taker: str):
    """A day seat of ``giver`` that ``taker`` (free around it) could take."""
    return next(a for a in seats(session, giver) if a.shift == "D" and free_on(session, taker, a.day))


def test_offer_accept_approve_publishes_a_new_version(desk: Session) -> None:
    seat = _give_day(desk, "infob", "spare")
    swap = leave_swaps.propose_swap(desk, actor="infob", day=seat.day, shift="D", target="spare", message="家里有事")
    assert swap.status == "proposed" and swap.requester_position == "info"
    leave_swaps.accept_swap(desk, actor="spare", swap_id=swap.id)
    check = leave_swaps.check_swap(desk, swap_id=swap.id)
    assert check.ok, check.violations
    leave_swaps.approve_swap(desk, actor="leada", swap_id=swap.id, note="fine")
    version = desk.get(RosterVersion, swap.amendment_id)
    assert swap.status == "approved" and version.status == "published" and version.number == 2
    now = versions.published_assignments(desk, start=seat.day, end=seat.day)
    assert any(a.username == "spare" and a.position == "info" and a.source == "substitute" for a in now)
    assert all(a.username != "infob" for a in now)
    assert len(now) == 6  # every seat of the day is in the new version
    assert actions(desk, "swap.") == ["swap.propose", "swap.accept", "swap.approve"]
    assert actions(desk, "roster.publish")[-1] == "roster.publish"


def test_exchange_of_a_night_for_the_next_day_shift(desk: Session) -> None:
    """Team X's night (n) for team Y's day (n+1): X works D, off, D; Y works N, off, N; every rule holds."""
    night = next(a for a in seats(desk, "infoa") if a.shift == "N" and a.day < START + timedelta(days=DAYS - 1))
    day = next(a for u in ("infob", "infoc", "infod") for a in seats(desk, u)
               if (a.day, a.shift) == (night.day + timedelta(days=1), "D"))
    swap = leave_swaps.propose_swap(desk, actor="infoa", day=night.day, shift="N", target=day.username,
                            target_day=day.day, target_shift="D")
    leave_swaps.accept_swap(desk, actor=day.username, swap_id=swap.id)
    assert leave_swaps.check_swap(desk, swap_id=swap.id).ok
    leave_swaps.approve_swap(desk, actor="leadb", swap_id=swap.id)
    now = {(a.day, a.shift): a.username for a in versions.published_assignments(
        desk, start=night.day, end=day.day) if a.position == "info"}
    assert now[(night.day, "N")] == day.username and now[(day.day, "D")] == "infoa"
    assert desk.get(RosterVersion, swap.amendment_id).start == night.day


def test_swap_that_breaks_a_rule_cannot_be_approved_and_says_which(desk: Session) -> None:
    taker = next(u for u in ("commc", "commd", "comma") if any(  # comms-only watchers
        a.shift == "D" and free_on(desk, u, a.day) for a in seats(desk, "infob")))
    seat = _give_day(desk, "infob", taker)
    swap_id = stale_swap(desk, "infob", seat.day, "D", taker)
    check = leave_swaps.check_swap(desk, swap_id=swap_id)
    assert [v.rule for v in check.violations] == ["qualification"]
    rule, sentence = leave_swaps.rule_and_sentence(check.violations[0], check.inputs, {taker: "周杰"})
    assert rule == "Only qualified people"
    assert sentence == f"周杰 is not qualified to sit the information watcher seat on {seat.day:%m-%d} day shift"
    with pytest.raises(leave_swaps.SwapRefused, match="qualification"):
        leave_swaps.approve_swap(desk, actor="leada", swap_id=swap_id)
    assert desk.get(SwapRequest, swap_id).status == "accepted"


def test_a_swap_that_breaks_a_rule_is_refused_when_offered_and_when_accepted(desk: Session) -> None:
    taker = next(u for u in ("commc", "commd", "comma") if any(
        a.shift == "D" and free_on(desk, u, a.day) for a in seats(desk, "infob")))
    seat = _give_day(desk, "infob", taker)
    with pytest.raises(leave_swaps.SwapRefused) as refused:
        leave_swaps.propose_swap(desk, actor="infob", day=seat.day, shift="D", target=taker)
    assert [v.rule for v in refused.value.check.violations] == ["qualification"]
    desk.rollback()
    stale = stale_swap(desk, "infob", seat.day, "D", taker)
    desk.get(SwapRequest, stale).status = "proposed"  # offered before the roster changed
    with pytest.raises(leave_swaps.SwapRefused, match="qualification"):
        leave_swaps.accept_swap(desk, actor=taker, swap_id=stale)
    assert not desk.exec(select(AuditEvent).where(AuditEvent.action == "swap.accept")).all()


def test_rest_rule_named_when_a_day_follows_a_night(desk: Session) -> None:
    nights = {(a.username, a.day) for a in versions.published_assignments(
        desk, start=START, end=START + timedelta(days=DAYS - 1)) if a.shift == "N" and a.position == "info"}
    seat = next(a for a in seats(desk, "infob") if a.shift == "D" and any(
        (u, a.day - timedelta(days=1)) in nights for u in ("infoa", "infoc", "infod")))
    tired = next(u for u in ("infoa", "infoc", "infod") if (u, seat.day - timedelta(days=1)) in nights)
    check = leave_swaps.check_swap(desk, swap_id=stale_swap(desk, "infob", seat.day, "D", tired))
    assert "night_then_day" in {v.rule for v in check.violations}
    texts = [leave_swaps.rule_and_sentence(v, check.inputs, {})[1] for v in check.violations]
    assert f"{tired} would work the day shift of {seat.day:%m-%d} right after a night shift" in texts


def test_swap_steps_belong_to_the_right_people(desk: Session) -> None:
    seat = _give_day(desk, "infob", "spare")
    with pytest.raises(leave_swaps.RequestError, match="no published shift"):
        leave_swaps.propose_swap(desk, actor="infob", day=seat.day, shift="N" if seat.shift == "D" else "D",
                                 target="spare")
    with pytest.raises(leave_swaps.RequestError, match="not yourself"):
        leave_swaps.propose_swap(desk, actor="infob", day=seat.day, shift="D", target="infob")
    with pytest.raises(leave_swaps.RequestError, match="in the past"):
        leave_swaps.propose_swap(desk, actor="infob", day=seat.day, shift="D", target="spare",
                                 today=seat.day + timedelta(1))
    swap = leave_swaps.propose_swap(desk, actor="infob", day=seat.day, shift="D", target="spare")
    with pytest.raises(leave_swaps.RequestError, match="already offered"):
        leave_swaps.propose_swap(desk, actor="infob", day=seat.day, shift="D", target="spare2")
    with pytest.raises(leave_swaps.RequestError, match="colleague asked"):
        leave_swaps.accept_swap(desk, actor="infob", swap_id=swap.id)
    with pytest.raises(leave_swaps.RequestError, match="already proposed"):
        leave_swaps.approve_swap(desk, actor="leada", swap_id=swap.id)
    leave_swaps.decline_swap(desk, actor="spare", swap_id=swap.id, note="busy")
    assert swap.status == "declined"
    again = leave_swaps.propose_swap(desk, actor="infob", day=seat.day, shift="D", target="spare2")
    leave_swaps.cancel_swap(desk, actor="infob", swap_id=again.id)
    assert again.status == "cancelled"


def test_swap_of_a_seat_changed_since_is_not_approved(desk: Session) -> None:
    seat = _give_day(desk, "infob", "spare")
    swap = leave_swaps.propose_swap(desk, actor="infob", day=seat.day, shift="D", target="spare")
    leave_swaps.accept_swap(desk, actor="spare", swap_id=swap.id)
    rows = versions.published_assignments(desk, start=seat.day, end=seat.day)
    moved = [replace(a, username="spare2", source="substitute") if a.username == "infob" else a for a in rows]
    leave_swaps.publish_changed(desk, actor="test", start=seat.day, end=seat.day, assignments=moved, note="hand")
    assert leave_swaps.check_swap(desk, swap_id=swap.id).problem
    with pytest.raises(leave_swaps.RequestError, match="no longer"):
        leave_swaps.approve_swap(desk, actor="leada", swap_id=swap.id)


def test_feed_tokens_are_made_once_and_regenerated(desk: Session) -> None:
    pid = desk.exec(select(Person.id).where(Person.username == "infoa")).one()
    assert leave_swaps.feed_token(desk, person_id=pid) is None
    first = leave_swaps.regenerate_feed_token(desk, actor="infoa", person_id=pid)
    assert leave_swaps.feed_token(desk, person_id=pid).token_hash == hash_secret(first)  # only the hash is kept
    assert leave_swaps.person_for_token(desk, first).username == "infoa"
    second = leave_swaps.regenerate_feed_token(desk, actor="infoa", person_id=pid)
    assert leave_swaps.person_for_token(desk, first) is None and leave_swaps.person_for_token(desk, "x" * 100) is None
    assert leave_swaps.person_for_token(desk, second).username == "infoa"
