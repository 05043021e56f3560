"""State changes that happen once, whoever else tries at the same moment: conditional updates, the publication
lock, unique version numbers, and telling a write conflict from a fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from roster.models import RosterVersion

NUMBER_ATTEMPTS = 5
PUBLISH_LOCK = 0x726F73746572  # "roster": the PostgreSQL advisory lock every publication takes
T = TypeVar("T")


def transition(session: Session, model: Any, row_id: int, *, allowed: tuple[str, ...], values: dict[str, Any],
               field: str = "status", also: tuple[ColumnElement[bool], ...] = ()) -> bool:
    """Change one row only while its ``field`` is still one of ``allowed`` (and ``also`` holds): one conditional
    UPDATE whose row count decides who won. On PostgreSQL the winner holds the row lock until it commits, so a
    concurrent loser waits, then finds the new status and changes nothing. The row in the session is refreshed."""
    stmt = (update(model).where(model.id == row_id, getattr(model, field).in_(allowed), *also).values(**values)
            .execution_options(synchronize_session=False))
    won = session.exec(stmt).rowcount == 1
    row = session.get(model, row_id)
    if row is not None:
        session.refresh(row)
    return won


def lock_publishing(session: Session) -> None:
    """Serialise publications until this transaction ends, so the published roster a check read is still the
    truth when its result is published (two swaps of one day approved at once must not undo each other).
    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write that changes nothing takes the database's one
    write lock now (waiting for the busy timeout), rather than at the first real write after the reads."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK})
    elif dialect == "sqlite":
        session.connection().execute(text("UPDATE rosterversion SET id = id WHERE 1 = 0"))


def with_next_number(session: Session, write: Callable[[int], T]) -> T:
    """``write(number)`` with the next published version number, in a savepoint. The number is unique in the
    database: when a concurrent publish took it first, the savepoint is rolled back and the next one is tried."""
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            with session.begin_nested():
                return write(next_number(session))
        except IntegrityError:
            if attempt + 1 == NUMBER_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def next_number(session: Session) -> int:
    """The number the next published version gets."""
    return (session.exec(select(func.max(RosterVersion.number))).one() or 0) + 1


def is_write_conflict(exc: Exception) -> bool:
    """Whether a database error means another writer changed the same rows at the same moment (a unique number
    taken, or SQLite's single writer busy), so the person should reload and try again, rather than a fault."""
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()
