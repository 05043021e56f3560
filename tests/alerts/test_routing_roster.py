"""Routing against a real published roster: the leader on duty gets the alert, and an amendment published after it
(the leader goes on leave) moves the unacknowledged alert at the next sweep but not the acknowledged one."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from alerts import service
from desk.db import session_scope
from desk.models import Person
from roster import drafts, duty_lookup, publishing
from roster.models import LeaveRequest
from tests.roster.deskdata import START, published, with_people

SH = ZoneInfo("Asia/Shanghai")
DAY = START + timedelta(days=2)
AT = datetime(DAY.year, DAY.month, DAY.day, 10, 0, tzinfo=SH)


def _name(session: Session, person_id: int | None) -> str | None:
    return service.usernames(session, [person_id]).get(person_id or 0)


def test_an_amendment_after_the_alert_moves_only_the_unacknowledged_one(app):
    engine = with_people(app)
    published(engine, START, START + timedelta(days=5))
    with session_scope(engine) as s:
        on_duty = duty_lookup.on_duty_at(s, at=AT, tz="Asia/Shanghai")
        leader, watcher = on_duty.people["leader"][0], on_duty.people["info"][0]
        open_id = service.raise_alert(s, actor="system", key="a", title="t", severity="major", domain="info",
                                      source="patrol", now=AT, tz="Asia/Shanghai").alert.id
        acked_id = service.raise_alert(s, actor="system", key="b", title="t", severity="major", domain="info",
                                       source="patrol", now=AT, tz="Asia/Shanghai").alert.id
        assert (_name(s, s.get(service.Alert, open_id).assignee_id), _name(s, s.get(service.Alert, open_id)
                                                                          .watcher_id)) == (leader, watcher)
        service.acknowledge(s, actor=leader, alert_id=acked_id, now=AT)
    with session_scope(engine) as s:  # the leader falls ill: leave, an amendment over the day, published
        person = s.exec(select(Person).where(Person.username == leader)).one()
        s.add(LeaveRequest(person_id=person.id, start=DAY, end=DAY, status="approved", reason="ill"))
        s.flush()
        amendment = drafts.open_amendment(s, actor="lead", start=DAY - timedelta(days=1),
                                                  end=DAY + timedelta(days=1), reason="leader ill")
        assert drafts.solve_version(s, version=amendment).ok
        publishing.publish(s, actor="lead", version_id=amendment.id)
    later = AT + timedelta(minutes=3)
    with session_scope(engine) as s:
        new_leader = duty_lookup.on_duty_at(s, at=later, tz="Asia/Shanghai").people["leader"][0]
        assert new_leader != leader
        assert service.reroute_open(s, now=later, tz="Asia/Shanghai") == 1
    with Session(engine) as s:
        assert _name(s, s.get(service.Alert, open_id).assignee_id) == new_leader
        assert _name(s, s.get(service.Alert, acked_id).assignee_id) == leader
        assert [e.kind for e in service.timeline(s, open_id)] == ["raised", "routed"]
