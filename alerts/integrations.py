"""Integrations (senders of alerts with their own bearer token) and what their deliveries do.

A token is ``ddi_`` + 32 random bytes, shown once; only its SHA-256 is stored. Integration tokens live in their
own table, apart from personal API tokens (``ddt_…``), so neither is ever taken for the other.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from alerts import bulk, service
from alerts.ingest import Incoming
from alerts.models import DOMAINS, INTEGRATION_KINDS, Integration
from desk import audit
from desk.accounts import N_

PREFIX = "ddi_"
SOURCE_OF_KIND = {"alertmanager": "alertmanager", "generic": "webhook"}


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def list_integrations(session: Session) -> list[Integration]:
    """Every integration, by name."""
    return list(session.exec(select(Integration).order_by(col(Integration.name))))


def create(session: Session, *, actor: str, name: str, kind: str, domain: str | None,
           now: datetime) -> tuple[Integration, str]:
    """Add an integration; returns it and its token (shown once, never stored)."""
    name = name.strip()
    errors = {}
    if not name or len(name) > 100:
        errors["name"] = N_("A name of 1 to 100 characters is required.")
    elif session.exec(select(Integration).where(Integration.name == name)).first():
        errors["name"] = N_("An integration of that name exists.")
    if kind not in INTEGRATION_KINDS:
        errors["kind"] = N_("Kind is alertmanager or generic.")
    if domain is not None and domain not in DOMAINS:
        errors["domain"] = N_("Domain is info, comms or empty.")
    if errors:
        raise service.AlertError(errors)
    secret = _new_secret()
    row = Integration(name=name, kind=kind, default_domain=domain, token_hash=_hash(secret), created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="integration.create", object_type="integration", object_id=row.id or "",
                 after={"name": name, "kind": kind, "domain": domain})
    return row, secret


def find(session: Session, ref: str | int) -> Integration | None:
    """An integration by id or name."""
    if isinstance(ref, int) or str(ref).isdigit():
        return session.get(Integration, int(ref))
    return session.exec(select(Integration).where(Integration.name == ref)).first()


def rotate(session: Session, *, actor: str, integration: Integration) -> str:
    """Give the integration a new token (the old one stops working at once); returns it."""
    secret = _new_secret()
    integration.token_hash = _hash(secret)
    session.add(integration)
    audit.record(session, actor=actor, action="integration.rotate", object_type="integration",
                 object_id=integration.id or "", after={"name": integration.name})
    return secret


def set_enabled(session: Session, *, actor: str, integration: Integration, enabled: bool) -> None:
    """Enable or disable an integration (a disabled one's deliveries get 401)."""
    before = integration.enabled
    integration.enabled = enabled
    session.add(integration)
    audit.record(session, actor=actor, action="integration.enable" if enabled else "integration.disable",
                 object_type="integration", object_id=integration.id or "",
                 before={"enabled": before}, after={"name": integration.name, "enabled": enabled})


def authenticate(session: Session, *, secret: str, kind: str, now: datetime) -> Integration | None:
    """The enabled integration of ``kind`` owning this token, or None; records when it was last used."""
    if not secret.startswith(PREFIX):
        return None
    row = session.exec(select(Integration).where(Integration.token_hash == _hash(secret))).first()
    if row is None or not row.enabled or row.kind != kind:
        return None
    row.last_used_at = now
    session.add(row)
    return row


def receive(session: Session, *, integration: Integration, items: Sequence[Incoming], now: datetime) -> dict[str, int]:
    """Apply a checked delivery: firing alerts raise or repeat, resolved ones recover. Returns counts by outcome.

    The delivery's new alerts are opened in bulk (:func:`alerts.bulk.open_new`); the rest one by one, in order."""
    counts = {"raised": 0, "repeated": 0, "unchanged": 0, "resolved": 0}
    actor, lookups = f"integration:{integration.name}"[:64], service.Lookups()
    lookups.prefetch_active(session, [item.key for item in items if item.status != "resolved"])
    batch = [(item.key, _request(integration, item, actor, now)) for item in items]
    with session.no_autoflush:  # one flush at the commit, not one before every read of the batch
        opened = bulk.open_new(session, batch, tz=None, lookups=lookups)
        counts["raised"] += len(opened)
        for i, (item, (_key, request)) in enumerate(zip(items, batch, strict=True)):
            if i not in opened:
                _apply_item(session, item=item, request=request, actor=actor, now=now, lookups=lookups,
                            counts=counts)
    return counts


def _request(integration: Integration, item: Incoming, actor: str, now: datetime) -> bulk.Request | None:
    """The raise of a firing alert (None for a resolved one)."""
    if item.status == "resolved":
        return None
    return bulk.Request(actor=actor, key=item.key, title=item.title, severity=item.severity, domain=item.domain,
                        source=SOURCE_OF_KIND[integration.kind], now=now, details=item.details,
                        integration_id=integration.id, occurrence=item.occurrence)


def _apply_item(session: Session, *, item: Incoming, request: bulk.Request | None, actor: str, now: datetime,
                lookups: service.Lookups, counts: dict[str, int]) -> None:
    """One alert of a delivery: a resolution recovers, a firing raises or repeats."""
    if request is None:
        counts["resolved"] += service.recover(session, actor=actor, key=item.key, now=now) is not None
        return
    done = bulk.raise_one(session, request, tz=None, lookups=lookups)
    counts["raised" if done.created else "repeated" if done.changed else "unchanged"] += 1
