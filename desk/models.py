"""Tables of the shell: teams, people and their accounts, login sessions, API tokens, audit trail, login throttling.

Families follow the SQLModel pattern: ``XBase`` holds the shared fields, ``X(table=True)`` the stored row,
``XPublic`` what the API shows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from desk.db import UTCDateTime
from desk.timeutil import utcnow

ROLES = ("manager", "leader", "watcher")
SKILLS = ("info", "comms")
TEAMS = ("A", "B", "C", "D", "E")  # E: the fifth team of 五班三运转; four-team desks leave it empty


class Team(SQLModel, table=True):
    """One of the rotating teams: A–D of 四班二运转 and 四班三运转, A–E of 五班三运转."""

    __table_args__ = {"sqlite_autoincrement": True}

    code: str = Field(primary_key=True, max_length=1)
    name: str = Field(max_length=64)


class PersonBase(SQLModel):
    username: str = Field(index=True, unique=True, max_length=64)
    display_name: str = Field(max_length=100)
    role: str = Field(max_length=16)
    skills: str = Field(default="", max_length=32, description="comma-separated subset of info,comms")
    team_code: str | None = Field(default=None, foreign_key="team.code", max_length=1)
    active: bool = Field(default=True)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)
    language: str = Field(default="", max_length=8, description="zh_CN, en, or empty for the browser's")


class Person(PersonBase, table=True):
    """A person of the desk and their login account."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def skill_set(self) -> frozenset[str]:
        return frozenset(s for s in self.skills.split(",") if s)

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class PersonPublic(PersonBase):
    """A person as the API shows them (no password hash)."""

    id: int


class ApiToken(SQLModel, table=True):
    """A personal API token; only the SHA-256 of the secret is kept."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    label: str = Field(max_length=100)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked: bool = Field(default=False)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEvent(SQLModel, table=True):
    """One state-changing action: who did what to which object, with the state before and after."""

    __table_args__ = (Index("ix_auditevent_object", "object_type", "object_id"), {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=64, description="username, or 'system' / 'cli'")
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=64)
    object_id: str = Field(default="", max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class LoginSession(SQLModel, table=True):
    """One login: the session cookie and the remember-me cookie carry its random token, every request checks it.

    Only the SHA-256 of the token is kept, so a copy of the database (a backup, a read-only leak) opens no session.
    """

    __tablename__ = "login_session"
    __table_args__ = {"sqlite_autoincrement": True}

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=255)
    address: str = Field(default="", max_length=64)
    remember: bool = Field(default=False)


class LoginThrottle(SQLModel, table=True):
    """Login attempts of one key in the current window: ``kind`` is account, address or pair (account+address).

    Incremented in SQL by one upsert whose returned count decides, so parallel attempts cannot slip past the limit.
    """

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_login_throttle_kind_key"),
                      {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    key: str = Field(max_length=160)
    window_start: datetime = Field(sa_type=UTCDateTime)
    attempts: int = Field(default=0)
