"""Login throttling: attempts counted per account, per address and per (account, address), atomically in SQL.

Every attempt is counted *before* its password is checked, by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
committed on its own, so forty parallel guesses get forty distinct counts and only those within the limit are
checked; a successful login takes its attempt back. The limits follow OWASP's advice against both guessing and
lock-out abuse:

- the (account, address) pair is the tight limit (``max_failures``): one place guessing one account is stopped;
- the account alone allows four times that from all addresses together, so spraying one account from many
  addresses is slowed too, while a stranger has to work that much harder to lock a colleague out;
- the address alone allows twenty times that, so a desk behind a proxy that was not declared
  (``DUTYDESK_PROXY_HOPS``), where everyone shares one address, is not locked out by a few typos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from desk.models import LoginThrottle
from desk.timeutil import as_utc

ACCOUNT_FACTOR = 4
ADDRESS_FACTOR = 20


@dataclass(frozen=True)
class Limits:
    """How many attempts each key may make in one window."""

    pair: int
    account: int
    address: int
    window: timedelta

    @classmethod
    def from_settings(cls, max_failures: int, lock_minutes: int) -> Limits:
        """The desk's limits from ``DUTYDESK_LOGIN_MAX_FAILURES`` and ``DUTYDESK_LOGIN_LOCK_MINUTES``."""
        return cls(pair=max_failures, account=max_failures * ACCOUNT_FACTOR, address=max_failures * ADDRESS_FACTOR,
                   window=timedelta(minutes=lock_minutes))


@dataclass(frozen=True)
class Verdict:
    """The outcome of counting one attempt: allowed, or locked until when."""

    allowed: bool
    until: datetime | None = None


def keys(username: str, address: str) -> dict[str, str]:
    """The three counters one attempt touches."""
    account = username.strip().lower()[:64]
    return {"pair": f"{account}|{address}"[:160], "account": account, "address": address[:160]}


def _upsert(conn: Connection, kind: str, key: str, now: datetime, since: datetime) -> tuple[int, datetime]:
    """Add one attempt to the counter of (kind, key), restarting it when its window is over; returns the count."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    stale = table.c.window_start < since
    when = literal(now, type_=table.c.window_start.type)
    stmt = dialect.insert(table).values(kind=kind, key=key, window_start=now, attempts=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.kind, table.c.key],
        set_={"attempts": case((stale, literal(1)), else_=table.c.attempts + 1),
              "window_start": case((stale, when), else_=table.c.window_start)},
    ).returning(table.c.attempts, table.c.window_start)
    attempts, start = conn.execute(stmt).one()
    return attempts, as_utc(start)


def count_attempt(conn: Connection, *, username: str, address: str, limits: Limits, now: datetime) -> Verdict:
    """Count one login attempt on every key; refuse it when any key is over its limit."""
    since = now - limits.window
    until: datetime | None = None
    for kind, key in keys(username, address).items():
        attempts, start = _upsert(conn, kind, key, now, since)
        if attempts > getattr(limits, kind):
            until = max(until or start, start + limits.window)
    return Verdict(allowed=until is None, until=until)


def forgive(conn: Connection, *, username: str, address: str) -> None:
    """A successful login: its pair starts afresh and its attempt no longer counts against account or address."""
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    found = keys(username, address)
    conn.execute(delete(table).where(table.c.kind == "pair", table.c.key == found["pair"]))
    for kind in ("account", "address"):
        conn.execute(update(table).where(table.c.kind == kind, table.c.key == found[kind], table.c.attempts > 0)
                     .values(attempts=table.c.attempts - 1))
