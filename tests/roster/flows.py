"""The arranged data of the leave and swap flows (tests/roster/test_browser_requests.py), shared with the guard
that runs it over 14 consecutive start dates (tests/roster/test_date_guard.py).

Nothing here reads the clock: the caller gives the first day of the roster. The plan names the seats the flows use
and fails with a sentence (never a bare StopIteration) when the roster it finds does not offer one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from desk.models import Person
from roster import versions
from roster.domain import Assignment
from tests.roster.test_leave_swaps import _hash, free_on, make_desk, publish_roster

DAYS = 8
# A comms-only watcher in no team: no rotation of their own, so free on every day of a roster that needs no
# substitute, and not qualified for an information seat (the swap that must be refused).
OUTSIDER = ("commx", "宋雨", "watcher", "comms")


@dataclass(frozen=True)
class FlowPlan:
    """The seats of the flows: ``leave`` (infob asks leave on it), ``give`` (an infob day seat the spare can take)
    and ``bad`` (an infoc day seat whose swap to ``OUTSIDER`` breaks the qualification rule)."""

    start: date
    leave: Assignment
    give: Assignment
    bad: Assignment


def arrange(session: Session, start: date) -> FlowPlan:
    """The desk, the outsider and a roster of ``DAYS`` days published from ``start``; the plan over it."""
    make_desk(session)
    username, name, role, skills = OUTSIDER
    session.add(Person(username=username, display_name=name, role=role, skills=skills, team_code=None,
                       password_hash=_hash()))
    session.flush()
    publish_roster(session, start=start, days=DAYS)
    return plan(session, start)


def seats_of(session: Session, start: date, username: str) -> list[Assignment]:
    """``username``'s published seats over the flows' period."""
    rows = versions.published_assignments(session, start=start, end=start + timedelta(days=DAYS - 1))
    return [a for a in rows if a.username == username]


def _first(items: Iterable[Assignment], ok: Callable[[Assignment], bool], what: str, start: date) -> Assignment:
    found = next((a for a in items if ok(a)), None)
    assert found is not None, f"the roster published from {start} has no {what}"
    return found


def plan(session: Session, start: date) -> FlowPlan:
    """The seats the flows use, read from the published roster."""
    mine = seats_of(session, start, "infob")
    give = _first(mine, lambda a: a.shift == "D" and free_on(session, "spare", a.day),
                  "day seat of infob with the spare free around it", start)
    leave = _first(reversed(mine), lambda a: a.day != give.day, "second seat of infob", start)
    bad = _first(seats_of(session, start, "infoc"), lambda a: a.shift == "D" and free_on(session, OUTSIDER[0], a.day),
                 "day seat of infoc with the outsider free around it", start)
    return FlowPlan(start, leave, give, bad)
