"""Tables of the roster: settings, versions with their assignments and pins, leave, swaps, preferences, feed tokens.

A roster version is a draft until a shift leader publishes it; published versions are immutable and numbered
(1, 2, 3…). Where two published versions cover the same day, the one with the higher number is the truth for that
day (``roster.versions.published_assignments``); a version whose every day is covered by newer ones is marked
``superseded``. A draft carries the state of its background solve (``job_*`` and the solver figures).

People are referred to by ``person.id``; the engine (``roster.domain``) works with usernames, and
``roster.seat_holders``, ``roster.versions`` and ``roster.solve_inputs`` map between the two.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from desk.db import UTCDateTime
from desk.timeutil import utcnow

VERSION_STATUSES = ("draft", "published", "superseded", "discarded")
JOB_STATUSES = ("queued", "running", "done", "failed")
SHIFT_CODES = ("D", "N")
LEAVE_STATUSES = ("pending", "approved", "rejected", "cancelled")
SWAP_STATUSES = ("proposed", "accepted", "declined", "approved", "rejected", "cancelled")


class RosterSettings(SQLModel, table=True):
    """The desk's single row of roster settings (id 1): pattern, shifts, coverage and rules.

    ``offsets``: team -> offset into the pattern; ``coverage``: position -> seats per shift;
    ``rules``: min_rest_hours, max_consecutive (null: derived), window_days, max_shifts_in_window (null: derived)
    and ``weights`` (the soft-rule weights of roster.domain.Weights)."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    pattern_code: str = Field(default="DNOO", max_length=32)
    anchor: date
    offsets: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    day_start: str = Field(default="08:00", max_length=5, description="HH:MM local")
    night_start: str = Field(default="20:00", max_length=5, description="HH:MM local")
    coverage: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_by: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RosterVersion(SQLModel, table=True):
    """A roster over ``start``..``end`` (inclusive): a draft, or a published (numbered, immutable) version.

    ``base_version_id`` is set for an amendment (the published version it changes). The ``job_*`` fields and
    the solver figures are written by the background solve (roster.jobs)."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    number: int | None = Field(default=None, unique=True, description="1, 2, 3… once published; null for drafts")
    status: str = Field(default="draft", max_length=12, index=True)
    start: date
    end: date
    base_version_id: int | None = Field(default=None, foreign_key="rosterversion.id")
    note: str = Field(default="", max_length=500, description="why this version exists (reason of an amendment)")
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_by: str | None = Field(default=None, max_length=64)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    job_status: str | None = Field(default=None, max_length=8, index=True)
    progress: str = Field(default="", max_length=200)
    job_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    job_finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    job_heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                              description="last sign of life of the process solving it")
    solver_status: str | None = Field(default=None, max_length=16)
    objective: int | None = Field(default=None)
    best_bound: int | None = Field(default=None)
    gap: float | None = Field(default=None)
    wall_time: float | None = Field(default=None)
    cost_breakdown: list[Any] | None = Field(default=None, sa_column=Column(JSON))
    stage: str | None = Field(default=None, max_length=8,
                              description="the solver stage that answered: pattern | local | free (roster.solver)")
    hand_edits: int | None = Field(default=None, description="seats edited by hand since the solve (cost rescored)")
    explanation: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON),
                                               description="why no roster: roster.words.explanation_data")
    warnings: list[Any] | None = Field(default=None, sa_column=Column(JSON))


class RosterAssignment(SQLModel, table=True):
    """One seat of one version: ``person`` sits ``position`` on ``shift`` (D/N) of ``day``."""

    __table_args__ = (Index("ix_rosterassignment_version_day", "version_id", "day"), {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="rosterversion.id", ondelete="CASCADE")
    day: date
    shift: str = Field(max_length=1)
    position: str = Field(max_length=8)
    person_id: int = Field(foreign_key="person.id", index=True)
    source: str = Field(default="pattern", max_length=12, description="pattern | substitute | pinned")


class RosterPin(SQLModel, table=True):
    """A seat fixed by hand in a draft: the next solve of that draft must keep it."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="rosterversion.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id")
    day: date
    shift: str = Field(max_length=1)
    position: str = Field(max_length=8)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LeaveRequest(SQLModel, table=True):
    """Leave asked by a person: whole days ``start``..``end`` (``shifts`` null) or single shifts
    (``shifts`` = [[ISO date, "D"|"N"], …]). Approved leave is a hard constraint of every later solve.
    ``amendment_id``: the draft amendment its approval opened, if any."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    start: date
    end: date
    shifts: list[Any] | None = Field(default=None, sa_column=Column(JSON))
    reason: str = Field(default="", max_length=500)
    status: str = Field(default="pending", max_length=12, index=True)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=500)
    amendment_id: int | None = Field(default=None, foreign_key="rosterversion.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SwapRequest(SQLModel, table=True):
    """换班: the requester gives their seat to the target (``target_day`` null) or exchanges it for the target's
    seat. The target accepts, then a leader approves (validated against every hard rule).
    ``amendment_id``: the roster version its approval produced, if any."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    requester_id: int = Field(foreign_key="person.id", index=True)
    requester_day: date
    requester_shift: str = Field(max_length=1)
    requester_position: str = Field(max_length=8)
    target_id: int = Field(foreign_key="person.id", index=True)
    target_day: date | None = Field(default=None)
    target_shift: str | None = Field(default=None, max_length=1)
    target_position: str | None = Field(default=None, max_length=8)
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(default="proposed", max_length=12, index=True)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=500)
    amendment_id: int | None = Field(default=None, foreign_key="rosterversion.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Preference(SQLModel, table=True):
    """A wish: work (``wanted``) or not work a date or a weekday (0 = Monday), one shift or any (null)."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    wanted: bool = Field(default=False)
    day: date | None = Field(default=None)
    weekday: int | None = Field(default=None)
    shift: str | None = Field(default=None, max_length=1)
    weight: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeedToken(SQLModel, table=True):
    """The secret in a person's iCalendar feed URL (one per person; replace it to revoke the old URL).

    Only its SHA-256 is kept, like an API token's: the URL is shown once, when it is made.
    """

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HolidayDay(SQLModel, table=True):
    """A day of the desk's own holiday calendar: a public ``holiday`` or a (make-up) ``workday`` that overrides the
    chinese_calendar library for its date (and makes its year known). Managers keep it on the holidays page."""

    __tablename__ = "holidayday"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True, index=True)
    kind: str = Field(max_length=8, description="holiday or workday")
    name: str = Field(default="", max_length=64)
    updated_by: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
