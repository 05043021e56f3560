"""Tables of the alert layer: alerts and their timelines, integrations, the escalation policy, handovers, and the
notification outbox with the desk's channels.

An alert is the desk's record of one anomaly, deduplicated by ``key``: at most one alert per key is active (open or
acknowledged) at a time, enforced by a partial unique index on both databases, so two deliveries racing to open
the same alert produce one. Every change to an alert is a conditional UPDATE on ``status`` (and ``version``) and an
:class:`AlertEvent` on its timeline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, text
from sqlmodel import Field, SQLModel

from desk.db import UTCDateTime
from desk.timeutil import utcnow

SEVERITIES = ("critical", "major", "minor", "info")  # as monitoring.checkspec.SEVERITIES, most severe first
DOMAINS = ("info", "comms")
STATUSES = ("open", "acknowledged", "resolved")
ACTIVE_STATUSES = ("open", "acknowledged")
SOURCES = ("patrol", "alertmanager", "webhook", "manual")
INTEGRATION_KINDS = ("alertmanager", "generic")
CHANNEL_KINDS = ("email", "wecom", "dingtalk", "feishu", "webhook")
NOTIFICATION_STATUSES = ("pending", "sending", "sent", "failed")
HANDOVER_STATUSES = ("written", "confirmed", "auto")
_AUTOINCREMENT = {"sqlite_autoincrement": True}
_ACTIVE = "status IN ('open', 'acknowledged')"


class AlertBase(SQLModel):
    key: str = Field(max_length=200, description="deduplication key: one active alert per key")
    title: str = Field(max_length=300)
    severity: str = Field(default="major", max_length=16)
    domain: str | None = Field(default=None, max_length=8, description="info, comms, or none (the whole desk)")
    source: str = Field(max_length=16, description="patrol, alertmanager, webhook or manual")


class Alert(AlertBase, table=True):
    """One anomaly as the desk handles it: raised, routed to the on-duty leader, acknowledged, resolved."""

    __table_args__ = (
        Index("ux_alert_active_key", "key", unique=True, sqlite_where=text(_ACTIVE),
              postgresql_where=text(_ACTIVE)),
        Index("ix_alert_status_severity", "status", "severity"),
        _AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default="open", max_length=16, index=True)
    version: int = Field(default=1, description="bumped by every change; conditional updates compare it")
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    integration_id: int | None = Field(default=None, foreign_key="integration.id", ondelete="SET NULL")
    check_id: int | None = Field(default=None, description="the patrol check it came from (no FK: checks go)")
    occurrences: int = Field(default=1)
    first_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # routing: who holds it, and the shift it was raised in (day and D/N in the desk's zone)
    assignee_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    watcher_id: int | None = Field(default=None, foreign_key="person.id")
    routed_to: str = Field(default="leader", max_length=16, description="leader, or managers when no roster")
    shift_day: str | None = Field(default=None, max_length=10, description="YYYY-MM-DD of the shift's start")
    shift_code: str | None = Field(default=None, max_length=4)
    # lifecycle
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="person.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    resolved_by_id: int | None = Field(default=None, foreign_key="person.id",
                                       description="empty when its source recovered it")
    impact: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # escalation: the next due step is computed from these stored times, never from an in-memory timer
    escalation_step: int = Field(default=0)
    next_escalation_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class AlertEvent(SQLModel, table=True):
    """One entry of an alert's timeline: raised, repeated, acknowledged, resolved, reopened, reassigned, commented,
    notified, escalated, handed over. ``code`` and ``params`` are rendered in the reader's language."""

    __table_args__ = (_AUTOINCREMENT,)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=64, description="username, or 'system'")
    kind: str = Field(max_length=24)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Integration(SQLModel, table=True):
    """A sender of alerts (Prometheus Alertmanager or a generic webhook) with its own bearer token (hash only)."""

    __table_args__ = (_AUTOINCREMENT,)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    kind: str = Field(max_length=16)
    default_domain: str | None = Field(default=None, max_length=8)
    token_hash: str = Field(max_length=64, unique=True)
    enabled: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EscalationPolicy(SQLModel, table=True):
    """When an unacknowledged alert is re-notified and raised to the managers; one row per severity override,
    and the row with ``severity`` empty is the default."""

    __table_args__ = (_AUTOINCREMENT,)

    id: int | None = Field(default=None, primary_key=True)
    severity: str | None = Field(default=None, max_length=16, unique=True)
    remind_after_minutes: int = Field(default=5, description="not acknowledged: notify the leader again")
    managers_after_minutes: int = Field(default=10, description="after the reminder: raise to the managers")
    repeat_every_minutes: int = Field(default=30, description="re-notify while unacknowledged")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str = Field(default="", max_length=64)


class Handover(SQLModel, table=True):
    """交接班: what the outgoing leader of a shift hands to the incoming one, and when it was confirmed."""

    __table_args__ = (Index("ux_handover_shift", "shift_day", "shift_code", unique=True), _AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    shift_day: str = Field(max_length=10, description="the outgoing shift: YYYY-MM-DD of its start")
    shift_code: str = Field(max_length=4)
    change_at: datetime = Field(sa_type=UTCDateTime, description="when the outgoing shift ends")
    status: str = Field(default="written", max_length=16)
    outgoing_id: int | None = Field(default=None, foreign_key="person.id")
    incoming_id: int | None = Field(default=None, foreign_key="person.id")
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    written_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_by_id: int | None = Field(default=None, foreign_key="person.id")
    late: bool = Field(default=False, description="not confirmed within 30 minutes of the change")


class Channel(SQLModel, table=True):
    """A desk-wide notification channel set by managers: a group robot (WeCom, DingTalk, Feishu), an outgoing
    webhook, or a shared mailbox. The secret signs requests and is never shown back."""

    __table_args__ = (_AUTOINCREMENT,)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    kind: str = Field(max_length=16)
    target: str = Field(max_length=500, description="robot or webhook URL, or an e-mail address")
    secret: str = Field(default="", max_length=200)
    language: str = Field(default="zh_CN", max_length=8)
    enabled: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Notification(SQLModel, table=True):
    """The outbox: one message to one channel or person, written in the same transaction as the change that causes
    it and delivered by the scheduler's dispatcher with retries; never sent twice after it succeeded."""

    __table_args__ = (Index("ix_notification_due", "status", "next_attempt_at"), _AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int | None = Field(default=None, foreign_key="alert.id", index=True, ondelete="SET NULL")
    event: str = Field(max_length=24, description="raised, reminder, escalated, repeat, reassigned, handed_over…")
    kind: str = Field(max_length=16, description="one of CHANNEL_KINDS")
    channel_id: int | None = Field(default=None, foreign_key="channel.id", ondelete="SET NULL")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    target: str = Field(default="", max_length=500, description="the address for a person's e-mail")
    language: str = Field(default="zh_CN", max_length=8)
    message: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    """A person's own choice of alert e-mails; without a row a person with an address gets them."""

    __table_args__ = (_AUTOINCREMENT,)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, ondelete="CASCADE")
    email: bool = Field(default=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
