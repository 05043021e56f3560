"""A stand-in for the process that raises an alert, run by test_outbox_sigkill.py and SIGKILLed there.

``python -m tests.alerts.outbox_driver DB_URL HOOK_URL MODE`` writes, in ONE transaction, an alert, a webhook
channel and the alert's notification (as the core's ``enqueue`` does, beside the change that causes it), commits,
and then — MODE ``committed`` — stops there, or — MODE ``claimed`` — also claims the row for delivery as a
dispatcher would just before sending. It prints ``ready <notification id>`` and waits to be killed.
Its times are fixed in 2020, so the row is due (and its claim expired) for any dispatcher running today.
"""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime

from sqlalchemy import insert

from alerts.dispatch import Policy, claim_due
from alerts.models import Alert, Channel, Notification
from desk.db import make_engine
from tests.alerts.outbox_support import message

PAST = datetime(2020, 1, 1, tzinfo=UTC)


def enqueue(engine, hook_url: str) -> int:
    """Alert, channel and notification in one transaction; the notification's id."""
    with engine.begin() as conn:
        alert_id = conn.execute(insert(Alert.__table__).values(
            key="patrol:db-port", title="db-port: connection refused", severity="critical", domain="info",
            source="patrol", status="open", version=1, details={}, occurrences=1, first_seen=PAST, last_seen=PAST,
            routed_to="leader", escalation_step=0, impact="", summary="").returning(Alert.__table__.c.id)).scalar_one()
        channel_id = conn.execute(insert(Channel.__table__).values(
            name="ops-hook", kind="webhook", target=hook_url, secret="whsec", language="en", enabled=True,
            created_at=PAST).returning(Channel.__table__.c.id)).scalar_one()
        return conn.execute(insert(Notification.__table__).values(
            alert_id=alert_id, event="raised", kind="webhook", channel_id=channel_id, target="", language="en",
            message=message(alert_id), status="pending", attempts=0, next_attempt_at=PAST, last_error="",
            created_at=PAST).returning(Notification.__table__.c.id)).scalar_one()


def main(db_url: str, hook_url: str, mode: str) -> None:
    engine = make_engine(db_url)
    notification_id = enqueue(engine, hook_url)
    if mode == "claimed":
        claim_due(engine, now=PAST, policy=Policy(claim_seconds=60))
    print(f"ready {notification_id}", flush=True)
    threading.Event().wait()  # until SIGKILL


if __name__ == "__main__":
    main(*sys.argv[1:4])
