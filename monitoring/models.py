"""Tables of the patrol: checks, their latest state, every run, anomaly events, maintenance windows, the lease.

A check's definition is kept as the flat spec dict of :func:`monitoring.checkspec.spec_to_dict` (``spec``),
with the columns the pages sort and filter on copied beside it by the service that saves it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from desk.db import UTCDateTime
from desk.timeutil import utcnow


class CheckBase(SQLModel):
    name: str = Field(index=True, unique=True, max_length=100)
    kind: str = Field(max_length=16)
    domain: str = Field(max_length=8)
    severity: str = Field(default="major", max_length=16)
    enabled: bool = Field(default=True)
    interval: int = Field(default=60, description="seconds between runs")


class Check(CheckBase, table=True):
    """A patrol check as configured; ``version`` grows with every change so the scheduler notices it."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CheckPublic(CheckBase):
    id: int
    spec: dict[str, Any]


class CheckStatus(SQLModel, table=True):
    """The latest state of one check (one row per check), readable by the board in one query."""

    __table_args__ = {"sqlite_autoincrement": True}

    check_id: int = Field(primary_key=True, foreign_key="check.id", ondelete="CASCADE")
    state: str = Field(default="OK", max_length=8)
    state_type: str = Field(default="HARD", max_length=4)
    hard_state: str = Field(default="OK", max_length=8)
    attempt: int = Field(default=1)
    since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_change: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consecutive_ok: int = Field(default=0)
    history: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    flapping: bool = Field(default=False)
    percent_change: float = Field(default=0.0)
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_duration: float | None = Field(default=None)
    last_summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    last_metrics: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    last_message: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    next_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    check_version: int = Field(default=0, description="the check version this state was computed under")
    run_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                              description="'run now' from the web: the scheduler runs it within 1 s")


class CheckRun(SQLModel, table=True):
    """One run of one check, as recorded by the scheduler process that made it."""

    __table_args__ = (Index("ix_checkrun_check_started", "check_id", "started_at"), {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, primary_key=True)
    check_id: int = Field(foreign_key="check.id", ondelete="CASCADE")
    started_at: datetime = Field(sa_type=UTCDateTime, index=True)
    scheduled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    duration: float = Field(default=0.0)
    state: str = Field(max_length=8)
    state_type: str = Field(default="HARD", max_length=4)
    attempt: int = Field(default=1)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    long_output: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    metrics: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    message: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True),
                                           description="our probe's summary as {code, params}; None: see summary")
    runner: str = Field(default="", max_length=100, description="host:pid of the scheduler process")
    in_maintenance: bool = Field(default=False)


class AnomalyEventRow(SQLModel, table=True):
    """A HARD problem, a recovery or a flapping start/stop, waiting for the alert layer to route it."""

    __table_args__ = {"sqlite_autoincrement": True}

    __tablename__ = "anomalyevent"

    id: int | None = Field(default=None, primary_key=True)
    check_id: int | None = Field(default=None, foreign_key="check.id", ondelete="SET NULL")
    key: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=16)
    state: str = Field(max_length=8)
    severity: str = Field(default="major", max_length=16)
    domain: str = Field(default="info", max_length=8)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    message: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True),
                                           description="what summary says as {code, params}; None: a plugin's text")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class MaintenanceWindowRow(SQLModel, table=True):
    """A maintenance window: one-off (``starts_at``–``ends_at``) or weekly (weekdays, local start, minutes)."""

    __table_args__ = {"sqlite_autoincrement": True}

    __tablename__ = "maintenancewindow"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8, description="one_off or weekly")
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    weekdays: str = Field(default="", max_length=20, description="comma-separated, 0 = Monday")
    start_time: str = Field(default="", max_length=5, description="HH:MM in the desk's time zone")
    duration_minutes: int = Field(default=0)
    checks: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    author: str = Field(max_length=64)
    reason: str = Field(max_length=500)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SchedulerLease(SQLModel, table=True):
    """Who patrols: the scheduler process holding this row until ``expires_at``; standbys take over after."""

    __table_args__ = {"sqlite_autoincrement": True}

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=100)
    acquired_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    renewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                        description="the holder's last renewal: its heartbeat")


class PatrolCounter(SQLModel, table=True):
    """A cumulative patrol figure for ``/metrics`` (runs by state, duration and lateness histogram buckets).

    Kept by the patrolling scheduler in the same transactions as the runs, so the figures survive a failover,
    never go backwards when old runs are purged, and read the same from every web worker.
    ``labels`` is the Prometheus label set in a fixed order, e.g. ``kind="tcp",le="0.1"``.
    """

    __table_args__ = {"sqlite_autoincrement": True}

    __tablename__ = "patrolcounter"

    name: str = Field(primary_key=True, max_length=64)
    labels: str = Field(default="", primary_key=True, max_length=200)
    value: float = Field(default=0.0)
