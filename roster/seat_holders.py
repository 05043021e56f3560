"""The people who may sit a seat (leaders and watchers), as table rows and as the engine sees them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from desk.models import Person
from roster import domain

SEAT_HOLDERS = ("leader", "watcher")


def people_by_id(session: Session) -> dict[int, Person]:
    """Every person who may sit a seat (leaders and watchers, active or not), by id."""
    rows = session.exec(select(Person).where(col(Person.role).in_(SEAT_HOLDERS)))
    return {p.id: p for p in rows}


def display_names(session: Session) -> dict[str, str]:
    """username -> display name of every seat holder (``people_by_id``)."""
    return {p.username: p.display_name for p in people_by_id(session).values()}


def to_domain_person(p: Person) -> domain.Member:
    """The engine's view of a person."""
    return domain.Member(p.username, p.display_name, p.role, p.skill_set, p.team_code, p.active)
