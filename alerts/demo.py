"""Demo alerts so a fresh ``make run`` shows a living board: the default escalation policy row, one open critical
alert and one acknowledged alert. Idempotent: each piece is added only when missing (by its key)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from alerts import service
from alerts.models import Alert, EscalationPolicy
from desk.timeutil import utcnow

DEMO = (
    ("demo:core-switch", "核心交换机 CS-01 上联端口 Gi1/0/48 中断 (core switch uplink down)", "critical", "comms"),
    ("demo:billing-db", "计费数据库复制延迟 420 秒 (billing DB replication lag)", "major", "info"),
)


def load_demo_alerts(session: Session) -> None:
    """Add the default escalation policy and the demo alerts when they are missing."""
    now = utcnow()
    if session.exec(select(EscalationPolicy).where(col(EscalationPolicy.severity).is_(None))).first() is None:
        service.save_policy(session, actor="demo", severity=None, remind_after=5, managers_after=10,
                            repeat_every=30, now=now)
    for key, title, severity, domain in DEMO:
        if session.exec(select(Alert.id).where(Alert.key == key)).first() is not None:
            continue
        raised = service.raise_alert(session, actor="demo", key=key, title=title, severity=severity,
                                     domain=domain, source="manual", now=now - timedelta(minutes=3),
                                     details={"note": "demo"})
        if key == "demo:billing-db":
            _acknowledge(session, raised.alert, now)


def _acknowledge(session: Session, alert: Alert, now: datetime) -> None:
    """Acknowledge as its watcher (or any leader when no roster covers now)."""
    names = service.usernames(session, [alert.watcher_id, alert.assignee_id])
    who = names.get(alert.watcher_id or 0) or names.get(alert.assignee_id or 0)
    if who is None:
        leaders = [p for p in service.candidates(session) if p.role == "leader"]
        who = leaders[0].username if leaders else None
    if who is not None:
        service.acknowledge(session, actor=who, alert_id=alert.id or 0, now=now, comment="正在联系数据库组")
