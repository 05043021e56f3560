"""Desk-wide notification channels as managers set them (page and CLI), and the failed notifications they retry.

Keyword-only service functions ``f(session, *, actor, ...)`` that validate, change rows and write the audit trail.
Error messages are marked with ``N_`` and translated by the page; the CLI prints them as they are. A channel's
secret is never returned: an empty secret on update keeps the stored one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlmodel import Session, col, select

from alerts.models import CHANNEL_KINDS, Alert, Channel, Notification
from desk import audit
from desk.accounts import N_
from desk.settings import LANGUAGES

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ChannelError(ValueError):
    """Input refused: ``errors`` maps a field to an untranslated message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ChannelFields:
    """What a manager types for a channel; ``secret`` empty means 'keep the current one'."""

    name: str
    kind: str
    target: str
    secret: str = ""
    language: str = "zh_CN"
    enabled: bool = True


def validate(session: Session, fields: ChannelFields, *, channel_id: int | None = None) -> dict[str, str]:
    """Every mistake in ``fields``, by field name (empty when they are fine)."""
    errors: dict[str, str] = {}
    name = fields.name.strip()
    if not name or len(name) > 100:
        errors["name"] = N_("Give the channel a name (up to 100 characters).")
    elif session.exec(select(Channel.id).where(Channel.name == name, Channel.id != channel_id)).first():
        errors["name"] = N_("Another channel has this name.")
    if fields.kind not in CHANNEL_KINDS:
        errors["kind"] = N_("Choose one of the channel kinds.")
    elif error := target_error(fields.kind, fields.target.strip()):
        errors["target"] = error
    if fields.language not in LANGUAGES:
        errors["language"] = N_("Choose Chinese or English.")
    if len(fields.secret) > 200:
        errors["secret"] = N_("The secret is too long (up to 200 characters).")
    return errors


def target_error(kind: str, target: str) -> str | None:
    """Why ``target`` cannot be a ``kind`` channel's address (an http(s) URL, or an e-mail address), or None."""
    if len(target) > 500:
        return N_("The address is too long (up to 500 characters).")
    if kind == "email":
        return None if EMAIL_RE.match(target) else N_("Enter an e-mail address, like desk@example.com.")
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return N_("Enter the robot's or webhook's http:// or https:// URL.")
    return None


def _snapshot(channel: Channel) -> dict[str, Any]:
    return {"name": channel.name, "kind": channel.kind, "target": channel.target, "language": channel.language,
            "enabled": channel.enabled, "has_secret": bool(channel.secret)}


def create_channel(session: Session, *, actor: str, fields: ChannelFields) -> Channel:
    """Add a channel; raises :class:`ChannelError` on bad input."""
    errors = validate(session, fields)
    if errors:
        raise ChannelError(errors)
    channel = Channel(name=fields.name.strip(), kind=fields.kind, target=fields.target.strip(),
                      secret=fields.secret, language=fields.language, enabled=fields.enabled)
    session.add(channel)
    session.flush()
    audit.record(session, actor=actor, action="channel.create", object_type="channel", object_id=channel.id,
                 after=_snapshot(channel))
    return channel


def update_channel(session: Session, *, actor: str, channel: Channel, fields: ChannelFields) -> Channel:
    """Change a channel; an empty secret keeps the current one. Raises :class:`ChannelError` on bad input."""
    errors = validate(session, fields, channel_id=channel.id)
    if errors:
        raise ChannelError(errors)
    before = _snapshot(channel)
    channel.name, channel.kind, channel.target = fields.name.strip(), fields.kind, fields.target.strip()
    channel.language, channel.enabled = fields.language, fields.enabled
    if fields.secret:
        channel.secret = fields.secret
    session.add(channel)
    after = {**_snapshot(channel), **({"secret_changed": True} if fields.secret else {})}
    audit.record(session, actor=actor, action="channel.update", object_type="channel", object_id=channel.id,
                 before=before, after=after)
    return channel


def set_enabled(session: Session, *, actor: str, channel_id: int, enabled: bool) -> bool:
    """Enable or disable a channel once (conditional update); False when it already was."""
    table = Channel.__table__
    changed = session.execute(update(table).where(table.c.id == channel_id, table.c.enabled == (not enabled))
                              .values(enabled=enabled)).rowcount == 1
    if changed:
        audit.record(session, actor=actor, action="channel.enable" if enabled else "channel.disable",
                     object_type="channel", object_id=channel_id, before={"enabled": not enabled},
                     after={"enabled": enabled})
    return changed


def get_channel(session: Session, channel_id: int) -> Channel | None:
    """The channel of this id, or None."""
    return session.get(Channel, channel_id)


def by_name(session: Session, name: str) -> Channel | None:
    """The channel of this name, or None."""
    return session.exec(select(Channel).where(Channel.name == name)).first()


def list_channels(session: Session) -> list[Channel]:
    """Every channel, by name."""
    return list(session.exec(select(Channel).order_by(Channel.name)))


@dataclass(frozen=True)
class FailedRow:
    """A notification the dispatcher gave up on, with the alert and channel it was for."""

    notification: Notification
    alert_title: str
    channel_name: str


def failed_notifications(session: Session, *, limit: int = 50) -> list[FailedRow]:
    """The latest notifications that failed for good, newest first."""
    query = (select(Notification, Alert.title, Channel.name)
             .outerjoin(Alert, col(Alert.id) == Notification.alert_id)
             .outerjoin(Channel, col(Channel.id) == Notification.channel_id)
             .where(Notification.status == "failed").order_by(col(Notification.id).desc()).limit(limit))
    return [FailedRow(n, title or "", name or "") for n, title, name in session.exec(query)]


def retry_notification(session: Session, *, actor: str, notification_id: int, now: datetime) -> bool:
    """Put a failed notification back in the outbox with a fresh round of attempts, once (conditional update)."""
    table = Notification.__table__
    retried = session.execute(update(table).where(table.c.id == notification_id, table.c.status == "failed")
                              .values(status="pending", attempts=0, next_attempt_at=now, claimed_until=None)
                              ).rowcount == 1
    if retried:
        audit.record(session, actor=actor, action="notification.retry", object_type="notification",
                     object_id=notification_id, before={"status": "failed"}, after={"status": "pending"})
    return retried
