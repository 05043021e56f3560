"""Exactly one scheduler patrols: a lease row (:class:`SchedulerLease`) that its holder renews.

Any number of ``scheduler.py`` processes may run against one database. Each calls :func:`acquire` every
``ttl / 3`` seconds: the holder extends its lease, a standby gets it only once it has expired (the holder
died or hung), so a standby takes over at most ``ttl + ttl / 3`` seconds after the holder's last renewal.

Atomic on SQLite and PostgreSQL without table locks: taking or extending is one conditional
``UPDATE … WHERE name = :name AND (holder = :me OR expires_at < :now)`` (PostgreSQL re-evaluates the
condition after waiting for a concurrent writer's row lock, SQLite serialises writers), and the very first
lease is an ``INSERT`` whose unique-violation loser simply is not the holder.

Times come from the caller's clock (UTC); scheduler hosts sharing a database must keep their clocks in sync
(NTP) to within a small part of the TTL.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, insert, literal, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from desk.db import UTCDateTime
from monitoring.models import SchedulerLease

PATROL = "patrol"
DEFAULT_TTL = 15.0


def make_holder() -> str:
    """A holder id unique to this process: ``host:pid:uuid`` (the uuid tells apart a recycled pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def lease_ttl(environ: dict[str, str] | None = None) -> float:
    """Lease lifetime in seconds from ``DUTYDESK_LEASE_TTL`` (default 15; tests use 1-2 s)."""
    raw = (os.environ if environ is None else environ).get("DUTYDESK_LEASE_TTL", "")
    try:
        return max(0.5, float(raw)) if raw else DEFAULT_TTL
    except ValueError:
        return DEFAULT_TTL


def acquire(engine: Engine, *, holder: str, now: datetime, ttl: float, name: str = PATROL) -> bool:
    """Take or extend the lease ``name`` for ``holder`` until ``now + ttl``; True when ``holder`` has it."""
    expires = now + timedelta(seconds=ttl)
    table = SchedulerLease.__table__
    stmt = (
        update(table)
        .where(and_(table.c.name == name, or_(table.c.holder == holder, table.c.expires_at < now)))
        .values(
            holder=holder,
            acquired_at=case((table.c.holder == holder, table.c.acquired_at), else_=literal(now, UTCDateTime())),
            expires_at=expires,
            renewed_at=now,
        )
    )
    with engine.begin() as conn:
        if conn.execute(stmt).rowcount == 1:
            return True
        if conn.execute(select(table.c.name).where(table.c.name == name)).first() is not None:
            return False
    return _insert_first(engine, name, holder, now, expires)


def _insert_first(engine: Engine, name: str, holder: str, now: datetime, expires: datetime) -> bool:
    """Create the lease row; the loser of a race to create it gets a unique violation and is not the holder."""
    try:
        with engine.begin() as conn:
            conn.execute(insert(SchedulerLease.__table__).values(
                name=name, holder=holder, acquired_at=now, expires_at=expires, renewed_at=now))
        return True
    except IntegrityError:
        return False


def release(engine: Engine, *, holder: str, name: str = PATROL) -> bool:
    """Give the lease up at once (clean shutdown) so a standby need not wait for it to expire."""
    table = SchedulerLease.__table__
    with engine.begin() as conn:
        return conn.execute(delete(table).where(table.c.name == name, table.c.holder == holder)).rowcount == 1


def heartbeat_age(row: SchedulerLease | None, now: datetime) -> float | None:
    """Seconds since the lease holder last renewed (its heartbeat), or None when nobody ever held it.

    An expired lease counts as at least as old as its expiry: nobody is patrolling however recent the
    renewal looks (e.g. a holder that stopped cleanly and gave the lease up).
    """
    if row is None:
        return None
    renewed = row.renewed_at or row.acquired_at
    age = (now - renewed).total_seconds()
    return age if row.expires_at > now else max(age, (now - row.expires_at).total_seconds(), 0.0)


def current(engine: Engine, name: str = PATROL) -> SchedulerLease | None:
    """The lease row as stored (expired or not), or None when nobody ever held it."""
    table = SchedulerLease.__table__
    with engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.name == name)).mappings().first()
    return SchedulerLease(**row) if row else None
