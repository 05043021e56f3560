"""The roster lifecycle on both databases: generate → publish → amend → diff → publish v2, the published truth
across versions, hand edits, settings refusal and who is on duty at the shift boundaries."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from desk.db import session_scope
from desk.models import AuditEvent, Person
from roster import drafts, duty_lookup, hand_edits, publishing, refusals, scorer, settings_store, solve_inputs, versions
from roster.models import LeaveRequest, RosterPin, RosterVersion
from roster.validate import validate
from tests.roster.deskdata import END, START, published

SH = ZoneInfo("Asia/Shanghai")


def _leave(session, username: str, start, end) -> None:
    person = session.exec(select(Person).where(Person.username == username)).one()
    session.add(LeaveRequest(person_id=person.id, start=start, end=end, status="approved", reason="test"))
    session.flush()


def test_generate_publish_amend_diff_publish(desk):
    v1 = published(desk)
    with session_scope(desk) as s:
        rows = versions.published_assignments(s, start=START, end=END)
        assert len(rows) == 14 * 2 * 3
        inputs = solve_inputs.build_inputs(s, start=START, days=14, previous=False)
        assert validate(rows, inputs) == []
        assert s.get(RosterVersion, v1).number == 1
        # leave for a leader on a day they work: an amendment over those days removes them
        victim = next(a for a in rows if a.position == "leader" and a.day == START + timedelta(days=4))
        _leave(s, victim.username, victim.day, victim.day + timedelta(days=1))
        amendment = drafts.open_amendment(s, actor="lead", start=victim.day - timedelta(days=1),
                                           end=victim.day + timedelta(days=3), reason="leave of a leader")
        assert amendment.base_version_id == v1 and amendment.job_status == "queued"
        assert drafts.solve_version(s, version=amendment).ok
        changes = versions.version_diff(s, version_id=amendment.id)
        assert changes and all(c.kind == "changed" for c in changes)
        assert any(victim.username in c.before and c.day == victim.day for c in changes)
        assert len(changes) <= 4, changes  # minimal change: the lost seats and little else
        publishing.publish(s, actor="lead", version_id=amendment.id)
    with session_scope(desk) as s:
        assert s.get(RosterVersion, amendment.id).number == 2
        assert s.get(RosterVersion, v1).status == "published"  # still the truth outside the amendment
        rows = versions.published_assignments(s, start=START, end=END)
        assert len(rows) == 84
        assert not [a for a in rows if a.username == victim.username and victim.day <= a.day <= victim.day
                    + timedelta(days=1)]
        assert validate(rows, solve_inputs.build_inputs(s, start=START, days=14, previous=False)) == []
        assert versions.published_days(s, start=START, end=END)[victim.day] == 2
        # the published v2 shows its changes against v1
        assert versions.version_diff(s, version_id=amendment.id) == changes
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.object_type == "roster_version"))]
        assert {"roster.generate", "roster.publish", "roster.amend"} <= set(actions)


def test_a_version_covered_by_newer_ones_is_superseded(desk):
    v1 = published(desk)
    v2 = published(desk, START - timedelta(days=2), END + timedelta(days=2))
    with session_scope(desk) as s:
        assert s.get(RosterVersion, v1).status == "superseded"
        assert s.get(RosterVersion, v2).status == "published"
        assert set(versions.published_days(s, start=START, end=END).values()) == {2}
        with pytest.raises(refusals.RosterError):
            hand_edits.edit_seat(s, actor="x", version_id=v2, day=START, shift="D", position="info", username="majun")


def test_publish_needs_a_solved_draft_and_refuses_one_broken_by_new_leave(desk):
    with session_scope(desk) as s:
        draft = drafts.create_draft(s, actor="lead", start=START, end=END)
        with pytest.raises(refusals.RosterError, match="solved draft"):
            publishing.publish(s, actor="lead", version_id=draft.id)
        drafts.solve_version(s, version=draft)
        seat = versions.version_assignments(s, version_id=draft.id)[0]
        _leave(s, seat.username, seat.day, seat.day)
        with pytest.raises(refusals.RosterError) as refused:
            publishing.publish(s, actor="lead", version_id=draft.id)
        assert any("is on approved leave on" in p for p in refused.value.problems)


def test_hand_edit_is_validated_and_pinned(desk):
    with session_scope(desk) as s:
        draft = drafts.create_draft(s, actor="lead", start=START, end=END)
        solved = drafts.solve_version(s, version=draft)
        assert (draft.stage, draft.hand_edits, draft.objective) == (solved.stage, 0, solved.objective)
        rows = versions.version_assignments(s, version_id=draft.id)
        night = next(a for a in rows if a.shift == "N" and a.position == "leader" and a.day < END)
        with pytest.raises(refusals.RosterError) as refused:
            hand_edits.edit_seat(s, actor="lead", version_id=draft.id, day=night.day + timedelta(days=1), shift="D",
                              position="leader", username=night.username)
        assert any("right after a night shift" in p for p in refused.value.problems), refused.value
        with pytest.raises(refusals.RosterError, match="cannot sit"):  # a comms-only watcher in an info seat
            hand_edits.edit_seat(s, actor="lead", version_id=draft.id, day=START, shift="D", position="info",
                              username="wangfang")
        busy = {a.day for a in rows if a.username == "majun"}
        free = next(d for d in (START + timedelta(days=i) for i in range(3, 14))
                    if not {d - timedelta(days=1), d, d + timedelta(days=1)} & busy)
        seat = hand_edits.edit_seat(s, actor="lead", version_id=draft.id, day=free, shift="D", position="info",
                                 username="majun")
        assert seat.source == "pinned"
        # the summary's cost is the edited roster's, recomputed by the independent scorer (issue 7 item 7)
        s.flush()
        inputs, after = solve_inputs.draft_inputs(s, draft)
        rescored = scorer.score(inputs, versions.version_assignments(s, version_id=draft.id) + list(after))
        assert (draft.hand_edits, draft.objective) == (1, rescored.total) and rescored.total != solved.objective
        assert sum(c["amount"] for c in draft.cost_breakdown) == draft.objective
        pins = s.exec(select(RosterPin).where(RosterPin.version_id == draft.id)).all()
        assert [(p.day, p.shift, p.position) for p in pins] == [(free, "D", "info")]
        # solving again keeps the pin
        drafts.requeue(s, actor="lead", version_id=draft.id)
        assert drafts.solve_version(s, version=draft).ok and draft.hand_edits == 0
        assert any(a.username == "majun" and a.day == free and a.position == "info"
                   for a in versions.version_assignments(s, version_id=draft.id))


def test_a_pattern_breaking_a_hard_rule_is_refused(desk):
    with session_scope(desk) as s:
        with pytest.raises(settings_store.SettingsError) as refused:
            settings_store.save(s, actor="lead", values={"pattern_code": "DN", "offsets": {
                "A": 0, "B": 1, "C": 0, "D": 1}})
        rules = {r for r, _m in refused.value.problems}
        assert "night_then_day" in rules
        row = settings_store.save(s, actor="lead", values={"pattern_code": "DDNNOOOO", "offsets": {
            "A": 0, "B": 6, "C": 4, "D": 2}})
        assert row.pattern_code == "DDNNOOOO"
    with session_scope(desk) as s:
        assert settings_store.load(s).pattern_code == "DDNNOOOO"


@pytest.mark.parametrize(("local", "expected"), [
    ("07:59", None), ("08:00", ("D", 0)), ("19:59", ("D", 0)), ("20:00", ("N", 0)), ("+1 07:59", ("N", 0)),
    ("+1 08:00", ("D", 1)),
])
def test_on_duty_at_shift_boundaries(desk, local, expected):
    published(desk)
    plus, _, hhmm = local.rpartition(" ")
    day = START + timedelta(days=1 if plus else 0)
    at = datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time()).replace(tzinfo=SH)
    with session_scope(desk) as s:
        duty = duty_lookup.on_duty_at(s, at=at.astimezone(ZoneInfo("UTC")), tz="Asia/Shanghai")
        if expected is None:
            assert duty is None
            return
        assert (duty.shift, duty.day) == (expected[0], START + timedelta(days=expected[1]))
        assert set(duty.people) == {"leader", "info", "comms"}
        truth = versions.published_assignments(s, start=duty.day, end=duty.day)
        assert duty.people["leader"] == tuple(a.username for a in truth
                                              if a.shift == duty.shift and a.position == "leader")


def test_an_amendment_keeps_the_rest_rules_against_the_published_days_after_it(desk):
    """The whole night crew of a day goes on leave; one-day amendments must not put their substitutes on a
    night right before a published day shift (the engine only looks back, so the days after are pinned)."""
    published(desk)
    for k in (2, 5, 8):
        with session_scope(desk) as s:
            day = START + timedelta(days=k)
            for seat in versions.published_assignments(s, start=day, end=day):
                if seat.shift == "N":
                    _leave(s, seat.username, day, day)
            amendment = drafts.open_amendment(s, actor="lead", start=day, end=day, reason="night crew away")
            assert drafts.solve_version(s, version=amendment).ok
            assert {a.day for a in versions.version_assignments(s, version_id=amendment.id)} == {day}
            publishing.publish(s, actor="lead", version_id=amendment.id)
    with session_scope(desk) as s:
        merged = versions.published_assignments(s, start=START, end=END)
        assert len(merged) == 84
        assert validate(merged, solve_inputs.build_inputs(s, start=START, days=14, previous=False)) == []
        assert [v.number for v in versions.published_versions(s, start=START, end=END)] == [4, 3, 2, 1]
