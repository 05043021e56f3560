"""Server-side login sessions: each login is a row whose random token the cookies carry, checked on every request.

Logging out deletes the row, so a cookie copied before that opens nothing afterwards; a password change ends a
person's other sessions, a manager's reset, a role change and a deactivation end all of them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from desk.models import LoginSession, Person
from desk.timeutil import as_utc, utcnow

IDLE_LIMIT = timedelta(hours=14)  # a session without remember-me ends after a shift's worth of silence
REMEMBER_LIMIT = timedelta(days=14)  # remember-me lasts 14 days from the login, never longer
TOUCH_EVERY = timedelta(minutes=1)  # last-seen is written at most once a minute per session


def hash_secret(secret: str) -> str:
    """The SHA-256 (hex) under which a session, API or calendar token is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Opened:
    """A new login: its row and the token that only the person's cookies hold."""

    row: LoginSession
    token: str


def open_session(session: Session, *, person: Person, user_agent: str = "", address: str = "",
                 remember: bool = False, now: datetime | None = None) -> Opened:
    """Start a login session for ``person`` with a fresh random token (a new one on every login)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = LoginSession(token_hash=hash_secret(token), person_id=person.id or 0, created_at=now, last_seen_at=now,
                       user_agent=user_agent[:255], address=address[:64], remember=remember)
    session.add(row)
    session.flush()
    return Opened(row=row, token=token)


def _expired(row: LoginSession, now: datetime) -> bool:
    if row.remember:
        return now - as_utc(row.created_at) > REMEMBER_LIMIT
    return now - as_utc(row.last_seen_at) > IDLE_LIMIT


def check_session(session: Session, *, token: str, now: datetime | None = None) -> LoginSession | None:
    """The live session row carrying ``token``, or None (unknown, ended, expired or its person deactivated).

    An expired row is deleted; a live one gets its last-seen time refreshed when it is a minute old.
    """
    now = now or utcnow()
    if not token or len(token) > 128:
        return None
    row = session.exec(select(LoginSession).where(LoginSession.token_hash == hash_secret(token))).first()
    if row is None:
        return None
    if _expired(row, now):
        session.exec(delete(LoginSession).where(col(LoginSession.id) == row.id))
        return None
    if now - as_utc(row.last_seen_at) >= TOUCH_EVERY:
        session.exec(update(LoginSession).where(col(LoginSession.id) == row.id).values(last_seen_at=now))
        row.last_seen_at = now
    return row


def end_session(session: Session, *, person_id: int, session_id: int) -> bool:
    """End one of a person's sessions; False when it was not theirs or already ended."""
    result = session.exec(delete(LoginSession).where(col(LoginSession.id) == session_id,
                                                        col(LoginSession.person_id) == person_id))
    return bool(result.rowcount)


def end_sessions(session: Session, *, person_id: int, keep: int | None = None) -> int:
    """End every session of a person, except ``keep`` (the one making the request); returns how many ended."""
    query = delete(LoginSession).where(col(LoginSession.person_id) == person_id)
    if keep is not None:
        query = query.where(col(LoginSession.id) != keep)
    return session.exec(query).rowcount or 0


def list_sessions(session: Session, *, person_id: int, now: datetime | None = None) -> list[LoginSession]:
    """A person's live sessions, the most recently seen first."""
    now = now or utcnow()
    rows = session.exec(select(LoginSession).where(LoginSession.person_id == person_id)
                        .order_by(col(LoginSession.last_seen_at).desc(), col(LoginSession.id).desc()))
    return [row for row in rows if not _expired(row, now)]
