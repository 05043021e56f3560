"""Tables of the reports: daily roll-ups of the patrol runs.

A year of check runs is millions of rows; the patrol report over a quarter or a year cannot count them within a
page's second. Once a local day is over its runs are counted once into ``patrolday`` (per check, state, maintenance
flag and scheduler process), and the day is marked in ``patrolrollup``; reports add up the roll-ups and count only
the days not rolled up yet (today) from ``checkrun``. The roll-ups outlive the purge of old runs.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from desk.db import UTCDateTime
from desk.timeutil import utcnow


class PatrolDay(SQLModel, table=True):
    """Runs of one check on one local day in one state, in maintenance or not, made by one scheduler process."""

    __tablename__ = "patrolday"
    __table_args__ = (Index("ix_patrolday_day_check", "day", "check_id"), {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, primary_key=True)
    day: date
    check_id: int = Field(description="no foreign key: the figures of a deleted check stay in past reports")
    state: str = Field(max_length=8)
    in_maintenance: bool = Field(default=False)
    runner: str = Field(default="", max_length=100)
    runs: int = Field(default=0)
    first_at: datetime = Field(sa_type=UTCDateTime, description="the first of these runs")


class PatrolRollup(SQLModel, table=True):
    """A local day whose runs are in ``patrolday``."""

    __tablename__ = "patrolrollup"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    runs: int = Field(default=0)
    done_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReportSettings(SQLModel, table=True):
    """The desk's report targets managers set (one row, id 1; absent: the defaults). ``version`` makes each save a
    conditional UPDATE, so two managers saving at once cannot both win."""

    __tablename__ = "reportsettings"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    ack_minutes: int = Field(default=5, description="an alert acknowledged within this many minutes is on time")
    ack_target: float = Field(default=0.95, description="the share of alerts that should be on time")
    version: int = Field(default=1)
    updated_by: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
