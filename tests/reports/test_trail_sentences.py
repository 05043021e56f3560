"""The audit trail names people and objects (issue 7 item 7): each kind of object told by its name in zh_CN and en,
the event's snapshot when the row is gone, "#id (deleted)" when nothing names it, and one read per kind per page."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from alerts.models import Alert, Channel, EscalationPolicy, Handover, Integration, Notification
from desk.db import session_scope
from desk.models import ApiToken, AuditEvent
from monitoring.models import Check, MaintenanceWindowRow
from reports import trail
from roster.models import FeedToken, HolidayDay, Preference, RosterVersion

UTC = timezone.utc  # noqa: UP017


def _objects(session: Any, ids: dict[str, int]) -> dict[str, int]:
    """One row of every kind the trail names; ``{kind: id}``."""
    rows = {
        "roster_version": RosterVersion(status="draft", start=date(2027, 1, 1), end=date(2027, 1, 31), created_by="lc"),
        "check": Check(name="web", kind="http", domain="info"),
        "maintenance": MaintenanceWindowRow(kind="one_off", author="lc", reason="switch upgrade"),
        "api_token": ApiToken(person_id=ids["la"], label="bench", token_hash="h1"),
        "feed_token": FeedToken(person_id=ids["ia"], token_hash="h2"),
        "alert": Alert(key="k", title="disk full on db1", source="manual"),
        "handover": Handover(shift_day="2026-10-08", shift_code="D", change_at=datetime(2026, 10, 8, 12, tzinfo=UTC)),
        "channel": Channel(name="duty group", kind="email", target="a@b.c"),
        "integration": Integration(name="prometheus", kind="alertmanager", token_hash="h3"),
        "escalation_policy": EscalationPolicy(severity="critical"),
        "preference": Preference(person_id=ids["cb"], day=date(2026, 10, 9)),
    }
    for row in rows.values():
        session.add(row)
    session.add(HolidayDay(day=date(2027, 1, 1), kind="holiday", name="元旦"))
    session.flush()
    notification = Notification(alert_id=rows["alert"].id, event="raised", kind="email")
    session.add(notification)
    session.flush()
    return {**{kind: row.id for kind, row in rows.items()}, "notification": notification.id}


def _events(ids: dict[str, int], objects: dict[str, int]) -> list[AuditEvent]:
    """(action, object_type, object_id) of every kind; actors are people (by username) and the desk itself."""
    spec = [("roster.generate", "roster_version", objects["roster_version"]), ("roster.publish", "roster_version",
            ids["_v1"]), ("leave.approve", "leave", 1), ("swap.approve", "swap", 1),
            ("roster.preference_add", "preference", objects["preference"]), ("check.create", "check", objects["check"]),
            ("maintenance.create", "maintenance", objects["maintenance"]), ("person.update", "person", ids["ic"]),
            ("token.create", "api_token", objects["api_token"]), ("feed.regenerate", "feed_token",
            objects["feed_token"]), ("alert.acknowledge", "alert", objects["alert"]),
            ("handover.confirm", "handover", objects["handover"]), ("channel.create", "channel", objects["channel"]),
            ("integration.create", "integration", objects["integration"]),
            ("notification.retry", "notification", objects["notification"]),
            ("alert.policy", "escalation_policy", objects["escalation_policy"]),
            ("holiday.set", "holiday", "2027-01-01"), ("roster.solved", "roster_version", ids["_v1"])]
    return [AuditEvent(actor="system" if action == "roster.solved" else "lc", action=action, object_type=kind,
                       object_id=str(oid)) for action, kind, oid in spec]


EXPECTED = {
    "en": [
        "LC asked for the roster draft (2027-01-01 – 01-31)",
        "LC published roster version 1 (2026-10-07 – 10-11)",
        "LC approved IA's leave (2026-10-08)",
        "LC approved CB's shift swap with CC (10-09)",
        "LC added CB's wish for 2026-10-09",
        "LC created patrol check “web”",
        "LC opened maintenance window “switch upgrade”",
        "LC changed the account of IC",
        "LC created API token “bench” of LA",
        "LC replaced IA's calendar feed link",
        "LC acknowledged alert “disk full on db1”",
        "LC confirmed the handover after the day shift of 2026-10-08",
        "LC added notification channel “duty group”",
        "LC added integration “prometheus”",
        "LC sent the notification about alert “disk full on db1” again",
        "LC changed the escalation policy for Critical alerts",
        "LC set the holiday 2027-01-01 元旦",
        "the solver finished roster version 1 (2026-10-07 – 10-11)",
    ],
    "zh-CN": [
        "LC 申请生成排班表草稿（2027-01-01 至 01-31）",
        "LC 发布了第 1 版排班表（2026-10-07 至 10-11）",
        "LC 批准了IA的请假（2026-10-08）",
        "LC 批准了CB与CC的换班（10-09）",
        "LC 添加了CB对 2026-10-09 的排班意愿",
        "LC 创建了巡视检查「web」",
        "LC 设置了维护窗口「switch upgrade」",
        "LC 修改了IC的账号",
        "LC 创建了LA的 API 令牌「bench」",
        "LC 更换了IA的日历订阅链接",
        "LC 确认了告警「disk full on db1」",
        "LC 确认了2026-10-08 白班的交接班",
        "LC 添加了通知渠道「duty group」",
        "LC 添加了告警接入「prometheus」",
        "LC 重新发送了关于告警「disk full on db1」的通知",
        "LC 修改了严重告警的升级策略",
        "LC 设置了节假日 2027-01-01 元旦",
        "求解器完成了第 1 版排班表（2026-10-07 至 10-11）",
    ],
}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_each_kind_of_object_is_told_by_its_name(app: Any, desk: dict[str, int], lang: str) -> None:
    engine = app.extensions["dutydesk.engine"]
    with session_scope(engine) as session:
        objects = _objects(session, desk)
    events = _events(desk, objects)
    with app.test_request_context(headers={"Accept-Language": lang}), session_scope(engine) as session:
        told = [trail.Teller(session, events).sentence(e) for e in events]
    assert told == EXPECTED[lang]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_gone_object_is_told_from_its_snapshot_or_as_deleted(app: Any, desk: dict[str, int], lang: str) -> None:
    events = [AuditEvent(actor="lc", action="check.delete", object_type="check", object_id="999",
                         before={"name": "old web"}),
              AuditEvent(actor="lc", action="leave.cancel", object_type="leave", object_id="999"),
              AuditEvent(actor="departed", action="roster.discard", object_type="roster_version", object_id="999"),
              AuditEvent(actor="lc", action="roster.edit_seat", object_type="roster_version",
                         object_id=str(desk["_v1"]),
                         before={"person_id": 4, "seat": "2026-10-08 D info"},
                         after={"person_id": 5, "username": "ib", "source": "pinned"})]
    with app.test_request_context(headers={"Accept-Language": lang}), \
            session_scope(app.extensions["dutydesk.engine"]) as session:
        teller = trail.Teller(session, events)
        told = [teller.sentence(e) for e in events]
        changes = teller.changes(events[-1])
    if lang == "en":
        assert told[:3] == ["LC deleted patrol check “old web”", "LC cancelled leave request #999 (deleted)",
                            "departed discarded roster version #999 (deleted)"]
    else:
        assert told[:3] == ["LC 删除了巡视检查「old web」", "LC 撤销了请假申请 #999（已删除）",
                            "departed 作废了排班表版本 #999（已删除）"]
    assert any(new == "IB" for _label, _old, new in changes), changes  # the seat's new holder by name


def test_a_page_reads_its_names_in_one_query_per_kind(app: Any, desk: dict[str, int]) -> None:
    """50 events of three kinds: the people once and one query per kind, however many rows (never one per row)."""
    engine = app.extensions["dutydesk.engine"]
    kinds = [("leave.approve", "leave"), ("swap.approve", "swap"), ("roster.publish", "roster_version")]
    events = [AuditEvent(actor="lc", action=action, object_type=kind,
                         object_id="1" if kind == "swap" else str(1 + i % 2))
              for i in range(50) for action, kind in kinds[i % 3:i % 3 + 1]]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    with app.test_request_context(headers={"Accept-Language": "en"}), session_scope(engine) as session:
        sa_event.listen(engine, "before_cursor_execute", count)
        try:
            teller = trail.Teller(session, events)
            told = [teller.sentence(e) for e in events]
        finally:
            sa_event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 4, statements
    assert "LC approved IA's leave (2026-10-08)" in told and not any("#" in t for t in told)
