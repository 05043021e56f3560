"""The outbox dispatcher: delivers the ``Notification`` rows the alert layer writes, with retries.

The scheduler's lease holder calls :func:`dispatch_due` every half second. One call:

1. gives up on rows whose last claim expired with no attempts left (the dispatcher died mid-delivery);
2. **claims** due rows in one transaction: ``SELECT id … due … LIMIT n FOR UPDATE SKIP LOCKED``, then
   ``UPDATE … SET status='sending', claimed_until=now+claim, attempts=attempts+1 WHERE id IN (…) AND <due>
   RETURNING …`` — pending rows whose ``next_attempt_at`` has come, and ``sending`` rows whose claim expired
   (SQLite has no row locks but serialises writers, and the re-checked condition makes the loser claim nothing);
3. delivers each claimed row (a few at a time in threads) and records its outcome as soon as it is known, in a
   short transaction (with the other attempts that ended meanwhile), conditional on the claim still being its own
   (``status='sending' AND claimed_until=:mine``):
   sent; or back to pending after an exponential back-off (10 s, 20 s, 40 s … capped at 10 min); or, after the last
   attempt or a permanent error, **failed** with a ``notification_failed`` entry on the alert's timeline.

Guarantees. A crash between the commit that wrote a row and its delivery loses nothing: the row is pending (or
``sending`` with a claim that will expire and be reclaimed). A delivery is never repeated after it was recorded as
sent. The one window left is a crash after the channel took the message and before ``sent`` was committed: the row
is then delivered again when its claim expires. Webhook receivers can drop that repeat by the ``X-DutyDesk-Delivery``
/ ``Idempotency-Key`` header (the notification id, the same on every attempt); e-mails carry it as a header too;
group robots cannot deduplicate, so a group may, rarely, see a message twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Engine, Row

from alerts.models import AlertEvent, Channel, Notification
from alerts.senders import DeliveryError, Target, deliver, render_for, shared_client
from desk.settings import Settings
from monitoring.models import PatrolCounter

log = logging.getLogger("dutydesk.notify")
_RECORD = threading.Lock()  # outcome transactions one at a time: the counter rows are created on first use
NOTIFICATION = Notification.__table__


@dataclass(frozen=True)
class Policy:
    """How the dispatcher retries: first delay, cap, attempts before giving up, claim length, batch size, threads,
    batches per call."""

    first_delay: float = 10.0
    max_delay: float = 600.0
    max_attempts: int = 6
    claim_seconds: float = 60.0
    batch: int = 100
    workers: int = 8
    rounds: int = 10  # batches one dispatch_due call may take while each comes back full


DEFAULT_POLICY = Policy()


@dataclass
class DispatchReport:
    """What one :func:`dispatch_due` call did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int, policy: Policy = DEFAULT_POLICY) -> timedelta:
    """The wait before the next try after ``attempts`` failed tries: first_delay × 2^(attempts-1), capped."""
    exponent = max(0, attempts - 1)
    seconds = policy.max_delay if exponent > 30 else min(policy.max_delay, policy.first_delay * 2 ** exponent)
    return timedelta(seconds=seconds)


def give_up_now(attempts: int, permanent: bool, policy: Policy = DEFAULT_POLICY) -> bool:
    """Whether a failed try is the last: a permanent error, or no attempts left."""
    return permanent or attempts >= policy.max_attempts


def _due(now: datetime, policy: Policy) -> Any:
    table = NOTIFICATION
    return or_(and_(table.c.status == "pending", table.c.next_attempt_at <= now),
               and_(table.c.status == "sending", table.c.claimed_until < now,
                    table.c.attempts < policy.max_attempts))


def claim_due(engine: Engine, *, now: datetime, policy: Policy = DEFAULT_POLICY) -> list[Row]:
    """Claim up to ``policy.batch`` due rows for this dispatcher; return them as claimed.

    One transaction: choose due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so a concurrent dispatcher
    chooses others), then ``UPDATE … WHERE id IN (chosen) AND <still due>``: only the rows this UPDATE changed
    are returned, so a row another dispatcher claimed first (SQLite serialises writers) is not claimed twice.
    (A single ``UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`` may claim more than n rows on
    PostgreSQL, which can re-run the subquery.)
    """
    table = NOTIFICATION
    chosen = (select(table.c.id).where(_due(now, policy)).order_by(table.c.next_attempt_at, table.c.id)
              .limit(policy.batch).with_for_update(skip_locked=True))
    with engine.begin() as conn:
        ids = conn.execute(chosen).scalars().all()
        if not ids:
            return []
        rows = conn.execute(update(table).where(table.c.id.in_(ids), _due(now, policy))
                            .values(status="sending", claimed_until=now + timedelta(seconds=policy.claim_seconds),
                                    attempts=table.c.attempts + 1)
                            .returning(*table.c)).all()
    return sorted(rows, key=lambda r: (r.next_attempt_at, r.id))


def _targets(engine: Engine, rows: Sequence[Row]) -> dict[int, Row]:
    ids = {r.channel_id for r in rows if r.channel_id is not None}
    if not ids:
        return {}
    with engine.connect() as conn:
        return {c.id: c for c in conn.execute(select(Channel.__table__).where(Channel.__table__.c.id.in_(ids)))}


def target_of(row: Row, channels: dict[int, Row]) -> Target:
    """Where a claimed row goes: its channel's URL or address, or the person's address; DeliveryError if none."""
    if row.channel_id is None:
        return Target(kind=row.kind, address=row.target, name="e-mail")
    channel = channels.get(row.channel_id)
    if channel is None or not channel.enabled:
        raise DeliveryError("the channel was disabled or removed", permanent=True)
    return Target(kind=channel.kind, address=channel.target, secret=channel.secret, name=channel.name)


def _attempt(row: Row, channels: dict[int, Row], *, now: datetime, settings: Settings,
             client: Any) -> tuple[bool, str]:
    """Deliver one row: (True, note) when it was taken, else (False, error prefixed ``permanent:`` when final)."""
    try:
        target = target_of(row, channels)
        rendered = render_for(row.message, language=row.language, settings=settings)
        note = deliver(target, rendered, message=row.message, delivery_id=row.id, now=now, settings=settings,
                       client=client)
    except DeliveryError as exc:
        return False, f"permanent: {exc}" if exc.permanent else str(exc)
    except Exception as exc:  # a bug in rendering must not keep the row 'sending' forever
        log.exception("notification %s: delivery crashed", row.id)
        return False, f"{type(exc).__name__}: {exc}"
    return True, note


def _mine(row: Row) -> Any:
    table = NOTIFICATION
    return and_(table.c.id == row.id, table.c.status == "sending", table.c.claimed_until == row.claimed_until)


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt of a claimed row came to: taken (with a note) or not (with the error)."""

    row: Row
    taken: bool
    text: str = ""
    channel_name: str = ""


def record_outcomes(engine: Engine, outcomes: Sequence[Outcome], *, now: datetime,
                    policy: Policy = DEFAULT_POLICY) -> list[str]:
    """Record attempts that just finished, in one short transaction: each 'sent', 'retry', 'failed' or 'lost'
    (the claim was taken over, so another dispatcher records that row)."""
    with _RECORD, engine.begin() as conn:
        results = [_record(conn, outcome, now=now, policy=policy) for outcome in outcomes]
    for outcome, result in zip(outcomes, results, strict=True):
        if result == "failed":
            log.error("notification %s (%s) failed after %d attempts: %s", outcome.row.id, outcome.row.kind,
                      outcome.row.attempts, outcome.text)
    return results


def _record(conn: Any, outcome: Outcome, *, now: datetime, policy: Policy) -> str:
    """One outcome, conditional on the claim still being this dispatcher's."""
    row = outcome.row
    if outcome.taken:
        values: dict[str, Any] = {"status": "sent", "sent_at": now, "claimed_until": None,
                                  "last_error": outcome.text[:1000]}
        result, counter = "sent", "notifications_sent_total"
    else:
        error = outcome.text.removeprefix("permanent: ")[:1000]
        final = give_up_now(row.attempts, outcome.text.startswith("permanent: "), policy)
        values = {"claimed_until": None, "last_error": error, "status": "failed"}
        if not final:
            values.update(status="pending", next_attempt_at=now + backoff(row.attempts, policy))
        result = "failed" if final else "retry"
        counter = "notifications_failed_total" if final else "notification_retries_total"
    if conn.execute(update(NOTIFICATION).where(_mine(row)).values(**values)).rowcount != 1:
        return "lost"
    _count(conn, counter, row.kind)
    if result == "failed":
        _failed_event(conn, row, values["last_error"], now=now, channel_name=outcome.channel_name)
    return result


def _failed_event(conn: Any, row: Row, error: str, *, now: datetime, channel_name: str) -> None:
    """The ``notification_failed`` entry on the alert's timeline (the board and managers see it)."""
    if row.alert_id is None:
        return
    params = {"notification_id": row.id, "channel": channel_name or row.kind, "kind": row.kind,
              "attempts": row.attempts, "error": error[:300]}
    if row.person_id is not None:
        params["person_id"] = row.person_id
    conn.execute(insert(AlertEvent.__table__).values(alert_id=row.alert_id, at=now, actor="system",
                                                     kind="notification_failed", params=params, note=""))


def _count(conn: Any, name: str, kind: str) -> None:
    """Add one to a cumulative /metrics counter (a ``PatrolCounter`` row, created on first use)."""
    table, labels = PatrolCounter.__table__, f'kind="{kind}"'
    bumped = conn.execute(update(table).where(table.c.name == name, table.c.labels == labels)
                          .values(value=table.c.value + 1)).rowcount
    if not bumped:
        conn.execute(insert(table).values(name=name, labels=labels, value=1.0))


def abandon_expired(engine: Engine, *, now: datetime, policy: Policy = DEFAULT_POLICY) -> int:
    """Give up on rows whose last attempt's claim expired (the dispatcher died during it); how many."""
    table = NOTIFICATION
    with engine.connect() as conn:
        rows = conn.execute(select(table).where(table.c.status == "sending", table.c.claimed_until < now,
                                                table.c.attempts >= policy.max_attempts)).all()
    lost = [Outcome(row, False, "the dispatcher stopped during the last attempt") for row in rows]
    return record_outcomes(engine, lost, now=now, policy=policy).count("failed") if lost else 0


def dispatch_due(engine: Engine, *, now: datetime, settings: Settings,
                 policy: Policy = DEFAULT_POLICY) -> DispatchReport:
    """Deliver every due notification (see the module docstring); what happened, counted.

    A full batch is followed by the next one in the same call (up to ``policy.rounds`` batches), so a burst of
    notifications (200 alerts at once) drains without waiting for the job's next run; rows retried meanwhile are
    due only after their back-off, so they are not claimed again here.
    ``now`` is the time of the claim, of the signatures and of the recorded outcomes (a bench or test passes
    its own); the scheduler passes the current time.
    """
    report = DispatchReport(failed=abandon_expired(engine, now=now, policy=policy))
    for _ in range(max(1, policy.rounds)):
        if _dispatch_batch(engine, report, now=now, settings=settings, policy=policy) < policy.batch:
            break
    return report


def _dispatch_batch(engine: Engine, report: DispatchReport, *, now: datetime, settings: Settings,
                    policy: Policy) -> int:
    """Claim one batch, deliver it and add the outcomes to ``report``; how many rows were claimed."""
    rows = claim_due(engine, now=now, policy=policy)
    if not rows:
        return 0
    channels, client = _targets(engine, rows), shared_client()

    def attempt(row: Row) -> Outcome:
        taken, text = _attempt(row, channels, now=now, settings=settings, client=client)
        name = channels[row.channel_id].name if row.channel_id in channels else ""
        return Outcome(row, taken, text, name)

    if len(rows) == 1 or policy.workers <= 1:
        results = [r for row in rows for r in record_outcomes(engine, [attempt(row)], now=now, policy=policy)]
    else:
        results = _attempt_in_threads(engine, rows, attempt, now=now, policy=policy)
    report.claimed += len(rows)
    report.sent += results.count("sent")
    report.retried += results.count("retry")
    report.failed += results.count("failed")
    return len(rows)


def _attempt_in_threads(engine: Engine, rows: Sequence[Row], attempt: Any, *, now: datetime,
                        policy: Policy) -> list[str]:
    """Deliver in worker threads; this thread records whatever attempts have finished, as soon as they have
    (group commit: one transaction for the attempts that ended meanwhile, so sending never waits on a commit)."""
    results: list[str] = []
    with ThreadPoolExecutor(max_workers=min(policy.workers, len(rows))) as pool:
        running = {pool.submit(attempt, row) for row in rows}
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            results += record_outcomes(engine, [future.result() for future in done], now=now, policy=policy)
    return results
