"""The outbox dispatcher on both databases: claim, deliver once, retry with back-off, give up loudly, reclaim.

Times are fixed (``T0`` and offsets from it); a local HTTP server stands for the channel.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from alerts.dispatch import Policy, claim_due, dispatch_due
from alerts.models import AlertEvent
from alerts.notify_metrics import NotificationCollector
from desk.db import make_engine
from monitoring.metrics import render
from tests.alerts.outbox_support import (
    T0,
    add_alert,
    add_channel,
    add_notification,
    receiver,
    row,
    settings_for,
    smtp_server,
)

POLICY = Policy(first_delay=10, max_delay=600, max_attempts=3, claim_seconds=60)
S = timedelta(seconds=1)


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def _dispatch(engine, at, **kwargs):
    return dispatch_due(engine, now=at, settings=settings_for(), policy=kwargs.pop("policy", POLICY), **kwargs)


def _events(engine, alert_id):
    with engine.connect() as conn:
        return conn.execute(select(AlertEvent.kind, AlertEvent.params, AlertEvent.actor)
                            .where(AlertEvent.alert_id == alert_id)).all()


def test_a_due_row_is_delivered_once_and_never_again(engine):
    alert = add_alert(engine)
    with receiver(default=(200, b"ok")) as hook:
        nid = add_notification(engine, alert_id=alert, channel_id=add_channel(engine, kind="webhook",
                                                                               target=hook.url(), secret="k"))
        report = _dispatch(engine, T0)
        assert (report.claimed, report.sent) == (1, 1)
        assert _dispatch(engine, T0 + 3600 * S).claimed == 0
        assert len(hook.wait(1)) == 1 and hook.got[0].headers["X-DutyDesk-Delivery"] == str(nid)
    sent = row(engine, nid)
    assert (sent.status, sent.attempts, sent.sent_at, sent.claimed_until) == ("sent", 1, T0, None)


def test_not_yet_due_waits(engine):
    with receiver() as hook:
        add_notification(engine, alert_id=add_alert(engine), due=T0 + 5 * S,
                         channel_id=add_channel(engine, kind="webhook", target=hook.url()))
        assert _dispatch(engine, T0).claimed == 0
        assert _dispatch(engine, T0 + 5 * S).sent == 1


def test_failures_back_off_then_give_up_loudly(engine):
    alert = add_alert(engine)
    with receiver(default=(503, {"error": "busy"})) as hook:
        channel = add_channel(engine, kind="webhook", target=hook.url(), name="ops-hook")
        nid = add_notification(engine, alert_id=alert, channel_id=channel)
        assert _dispatch(engine, T0).retried == 1
        assert (row(engine, nid).status, row(engine, nid).next_attempt_at) == ("pending", T0 + 10 * S)
        assert _dispatch(engine, T0 + 9 * S).claimed == 0  # not before its back-off
        assert _dispatch(engine, T0 + 10 * S).retried == 1
        assert row(engine, nid).next_attempt_at == T0 + 30 * S  # 10 s, then 20 s
        assert _dispatch(engine, T0 + 30 * S).failed == 1
        assert len(hook.wait(3)) == 3
    failed = row(engine, nid)
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 3, 'HTTP 503: {"error": "busy"}')
    (kind, params, actor), = _events(engine, alert)
    assert (kind, actor, params["channel"], params["attempts"]) == ("notification_failed", "system", "ops-hook", 3)
    assert "HTTP 503" in params["error"]
    text = render(engine, [NotificationCollector]).decode()
    assert 'dutydesk_notifications_failed_total{kind="webhook"} 1.0' in text
    assert 'dutydesk_notification_retries_total{kind="webhook"} 2.0' in text
    assert 'dutydesk_notifications{kind="webhook",status="failed"} 1.0' in text


def test_a_retry_that_succeeds_counts_once(engine):
    with receiver((500, b"oops")) as hook:
        nid = add_notification(engine, alert_id=add_alert(engine),
                               channel_id=add_channel(engine, kind="webhook", target=hook.url()))
        _dispatch(engine, T0)
        assert _dispatch(engine, T0 + 10 * S).sent == 1
    assert (row(engine, nid).status, row(engine, nid).attempts) == ("sent", 2)
    text = render(engine, [NotificationCollector]).decode()
    assert 'dutydesk_notifications_sent_total{kind="webhook"} 1.0' in text
    assert 'dutydesk_notification_retries_total{kind="webhook"} 1.0' in text


def test_an_expired_claim_is_reclaimed_and_delivered(engine):
    """A dispatcher that died mid-delivery: its row stays 'sending' until the claim expires, then goes again."""
    with receiver() as hook:
        nid = add_notification(engine, alert_id=add_alert(engine),
                               channel_id=add_channel(engine, kind="webhook", target=hook.url()))
        (claimed,) = claim_due(engine, now=T0, policy=POLICY)  # ... and the claimer dies here
        assert claimed.id == nid and row(engine, nid).status == "sending"
        assert _dispatch(engine, T0 + 59 * S).claimed == 0  # still someone else's
        assert _dispatch(engine, T0 + 61 * S).sent == 1
        assert len(hook.wait(1)) == 1
    assert (row(engine, nid).status, row(engine, nid).attempts) == ("sent", 2)


def test_a_claim_expired_on_the_last_attempt_is_given_up(engine):
    alert = add_alert(engine)
    nid = add_notification(engine, alert_id=alert, channel_id=add_channel(engine, kind="webhook",
                                                                          target="http://127.0.0.1:9/x"))
    last = Policy(max_attempts=1, claim_seconds=60)
    claim_due(engine, now=T0, policy=last)
    assert _dispatch(engine, T0 + 61 * S, policy=last).failed == 1
    assert row(engine, nid).status == "failed" and "stopped during the last attempt" in row(engine, nid).last_error
    assert [e.kind for e in _events(engine, alert)] == ["notification_failed"]


def test_two_dispatchers_claim_disjoint_rows(engine):
    alert = add_alert(engine)
    channel = add_channel(engine, kind="webhook", target="http://127.0.0.1:9/x")
    ids = {add_notification(engine, alert_id=alert, channel_id=channel) for _ in range(40)}
    claims: list[list[int]] = []
    start = threading.Barrier(4)

    def claim():
        start.wait()
        claims.append([r.id for r in claim_due(engine, now=T0, policy=Policy(batch=15))])

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    every = [i for claim in claims for i in claim]
    assert len(every) == len(set(every))  # no row claimed twice
    assert all(len(claim) <= 15 for claim in claims)  # never more than the batch (PostgreSQL too)
    while batch := claim_due(engine, now=T0, policy=Policy(batch=15)):  # what a racing loser left: next rounds
        every += [r.id for r in batch]
    assert sorted(every) == sorted(ids)


def test_a_disabled_channel_fails_at_once(engine):
    alert = add_alert(engine)
    nid = add_notification(engine, alert_id=alert, channel_id=add_channel(
        engine, kind="webhook", target="http://127.0.0.1:9/x", enabled=False))
    assert _dispatch(engine, T0).failed == 1
    assert row(engine, nid).last_error == "the channel was disabled or removed"


def test_personal_email_goes_to_the_row_address(engine):
    alert = add_alert(engine)
    with smtp_server() as box:
        nid = add_notification(engine, alert_id=alert, kind="email", target="zhang@example.cn", language="en")
        report = dispatch_due(engine, now=T0, settings=settings_for(smtp_port=box.port), policy=POLICY)
    assert report.sent == 1 and row(engine, nid).status == "sent"
    assert box.envelopes == [("desk@example.cn", ["zhang@example.cn"])]
    assert box.messages[0]["Subject"].startswith("[critical] New alert")


def test_wecom_mention_failure_is_noted_without_repeating_the_card(engine):
    with receiver((200, {"errcode": 0, "errmsg": "ok"}), (200, {"errcode": 45009, "errmsg": "freq limit"})) as bot:
        nid = add_notification(engine, alert_id=add_alert(engine), kind="wecom",
                               channel_id=add_channel(engine, kind="wecom", target=bot.url("/send?key=k")))
        assert _dispatch(engine, T0).sent == 1
        assert _dispatch(engine, T0 + 3600 * S).claimed == 0
        assert [r.json()["msgtype"] for r in bot.wait(2)] == ["markdown", "text"]
    sent = row(engine, nid)
    assert sent.status == "sent" and sent.last_error == "card sent; mention not sent: wecom errcode 45009: freq limit"


def test_a_burst_drains_in_one_call_batch_after_batch(engine, db_url):
    with receiver(default=(200, {})) as box:
        channel = add_channel(engine, kind="webhook", target=box.url())
        alert = add_alert(engine)
        for _ in range(7):
            add_notification(engine, alert_id=alert, channel_id=channel)
        report = dispatch_due(engine, now=T0, settings=settings_for(db_url), policy=Policy(batch=3, workers=2))
        assert (report.claimed, report.sent) == (7, 7)
        assert len(box.wait(7)) == 7
        assert dispatch_due(engine, now=T0, settings=settings_for(db_url)).claimed == 0
