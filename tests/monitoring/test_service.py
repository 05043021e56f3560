"""monitoring.service on both databases: validation, audit, versions, import, run now, page queries, maintenance."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from desk.models import AuditEvent
from monitoring import service
from monitoring.checkspec import CheckSpec
from monitoring.maintenance import MaintenanceWindow
from monitoring.models import Check, CheckRun, CheckStatus, MaintenanceWindowRow

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def tcp(name: str = "db-port", **extra) -> CheckSpec:
    return CheckSpec(name=name, kind="tcp", params={"host": "127.0.0.1", "port": 5432}, **extra)


def audit_actions(db) -> list[str]:
    return [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]


def add_run(db, check_id: int, started: datetime, duration: float, state: str = "OK") -> None:
    db.add(CheckRun(check_id=check_id, started_at=started, duration=duration, state=state, summary=state))


def test_create_copies_columns_makes_status_and_audits(db):
    check = service.create_check(db, actor="zhang", spec=tcp(interval=30, severity="critical", domain="comms"))
    assert (check.name, check.kind, check.domain, check.interval, check.severity) == (
        "db-port", "tcp", "comms", 30, "critical")
    assert check.spec["port"] == 5432 and check.version == 1
    assert db.get(CheckStatus, check.id) is not None
    event = db.exec(select(AuditEvent)).one()
    assert (event.actor, event.action, event.object_id) == ("zhang", "check.create", str(check.id))


@pytest.mark.parametrize(("spec", "field"), [
    (tcp(warning="5:1"), "warning"),
    (CheckSpec(name="x", kind="tcp", params={"host": "h", "port": 70000}), "port"),
    (CheckSpec(name="x", kind="http", params={"url": "ftp://x"}), "url"),
    (CheckSpec(name="x", kind="http", params={"url": "http://x", "regex": "(unclosed"}), "regex"),
    (CheckSpec(name="x", kind="nagios", params={"command": ["/no/such/plugin"]}), "command"),
    (tcp(interval=2), "interval"),
])
def test_invalid_specs_are_refused_with_the_field(db, spec, field):
    with pytest.raises(service.CheckError) as info:
        service.create_check(db, actor="t", spec=spec)
    assert field in info.value.errors
    assert db.exec(select(Check)).all() == [] and audit_actions(db) == []


def test_names_are_unique(db):
    service.create_check(db, actor="t", spec=tcp())
    with pytest.raises(service.CheckError) as info:
        service.create_check(db, actor="t", spec=tcp())
    assert info.value.errors == {"name": "A check with this name already exists."}


def test_update_bumps_version_only_on_change_and_follows_renames(db):
    check = service.create_check(db, actor="t", spec=tcp())
    db.add(MaintenanceWindowRow(kind="weekly", weekdays="0", start_time="02:00", duration_minutes=60,
                                checks=["db-port", "other"], author="t", reason="patching"))
    assert service.update_check(db, actor="t", check=check, spec=tcp()) is False
    assert check.version == 1
    assert service.update_check(db, actor="t", check=check, spec=tcp("db-port-2", interval=20)) is True
    assert (check.version, check.name, check.interval) == (2, "db-port-2", 20)
    assert db.exec(select(MaintenanceWindowRow)).one().checks == ["db-port-2", "other"]
    assert audit_actions(db) == ["check.create", "check.update"]


def test_enable_disable_and_delete(db):
    check = service.create_check(db, actor="t", spec=tcp())
    service.set_enabled(db, actor="t", check=check, enabled=False)
    assert (check.enabled, check.spec["enabled"], check.version) == (False, False, 2)
    service.set_enabled(db, actor="t", check=check, enabled=False)  # no change, no audit
    add_run(db, check.id, T0, 0.01)
    db.flush()
    service.delete_check(db, actor="t", check=check)
    assert db.exec(select(Check)).all() == [] and db.exec(select(CheckRun)).all() == []
    assert db.exec(select(CheckStatus)).all() == []
    assert audit_actions(db) == ["check.create", "check.disable", "check.delete"]


def test_request_run_sets_the_request_time(db):
    check = service.create_check(db, actor="t", spec=tcp())
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert service.request_run(db, actor="li", check=check, now=now) == now
    db.commit()
    db.expire_all()
    assert db.get(CheckStatus, check.id).run_requested_at == now
    assert audit_actions(db)[-1] == "check.run_now"


def test_import_is_idempotent_by_name(db):
    specs = [tcp("a"), tcp("b")]
    report = service.import_checks(db, actor="cli", specs=specs)
    assert (report.created, report.updated, report.unchanged) == (["a", "b"], [], [])
    again = service.import_checks(db, actor="cli", specs=[tcp("a"), tcp("b", interval=30)])
    assert (again.created, again.updated, again.unchanged) == ([], ["b"], ["a"])
    dry = service.import_checks(db, actor="cli", specs=[tcp("c"), tcp("a", interval=45)], dry_run=True)
    assert (dry.created, dry.updated) == (["c"], ["a"])
    assert sorted(c.name for c in db.exec(select(Check))) == ["a", "b"]
    assert [s.name for s in service.export_specs(db)] == ["a", "b"]


def test_import_refuses_everything_when_one_is_bad(db):
    with pytest.raises(service.CheckError) as info:
        service.import_checks(db, actor="cli", specs=[tcp("good"), tcp("bad", warning="x")])
    assert "bad.warning" in info.value.errors
    assert db.exec(select(Check)).all() == []


def test_list_checks_filters_and_marks(db):
    a = service.create_check(db, actor="t", spec=tcp("a"))
    service.create_check(db, actor="t", spec=tcp("b", domain="comms"))
    status = db.get(CheckStatus, a.id)
    status.state, status.last_run_at = "CRITICAL", T0
    db.add(status)
    now = T0
    service.create_window(db, actor="t", window=MaintenanceWindow.one_off(
        now - timedelta(minutes=5), now + timedelta(hours=1), "t", "switch upgrade", ["b"]))
    rows = {r.check.name: r for r in service.list_checks(db, now=now)}
    assert rows["a"].state == "CRITICAL" and rows["b"].state == service.PENDING
    assert rows["b"].in_maintenance and not rows["a"].in_maintenance
    assert [r.check.name for r in service.list_checks(db, domain="comms", now=now)] == ["b"]
    assert [r.check.name for r in service.list_checks(db, state="CRITICAL", now=now)] == ["a"]
    assert [r.check.name for r in service.not_ok(list(rows.values()))] == ["a"]


def test_runs_page_and_latency_series(db):
    a = service.create_check(db, actor="t", spec=tcp("a"))
    b = service.create_check(db, actor="t", spec=tcp("b"))
    start = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    for i in range(45):
        add_run(db, a.id, start + timedelta(seconds=30 * i), duration=i / 1000)
    add_run(db, b.id, start, 0.5)
    db.flush()
    page = service.runs_page(db, check_id=a.id, page=2, per_page=20)
    assert (page.total, page.pages, len(page.runs)) == (45, 3, 20)
    assert page.runs[0].started_at == start + timedelta(seconds=30 * 24)  # newest first
    series = service.latency_series(db, check_ids=[a.id, b.id], limit=5)
    assert series[a.id] == pytest.approx([0.040, 0.041, 0.042, 0.043, 0.044])  # last five, oldest first
    assert series[b.id] == [0.5]


def test_maintenance_windows_validate_save_and_end(db):
    service.create_check(db, actor="t", spec=tcp("core-switch"))
    now = T0
    with pytest.raises(service.WindowError) as info:
        service.create_window(db, actor="t", window=MaintenanceWindow.one_off(
            now, now - timedelta(hours=1), "t", "oops", ["nope"]))
    assert set(info.value.errors) == {"end", "checks"}
    weekly = service.create_window(db, actor="zhao", window=MaintenanceWindow.weekly(
        [1, 3], time(2, 0), timedelta(minutes=90), "zhao", "weekly patching", ["core-switch"], tz="Asia/Shanghai"))
    assert (weekly.weekdays, weekly.start_time, weekly.duration_minutes) == ("1,3", "02:00", 90)
    back = service.window_from_row(weekly, "Asia/Shanghai")
    assert back.weekdays == (1, 3) and back.duration == timedelta(minutes=90) and back.checks == ("core-switch",)
    one_off = service.create_window(db, actor="t", window=MaintenanceWindow.one_off(
        now - timedelta(minutes=1), now + timedelta(hours=2), "t", "fibre work"))
    assert len(service.active_windows(db, now=now)) == 2
    service.end_window(db, actor="t", row=one_off, now=now + timedelta(minutes=1))
    assert not one_off.active and one_off.ends_at == now + timedelta(minutes=1)
    assert [w.id for w in service.active_windows(db, now=now)] == [weekly.id]
    assert audit_actions(db)[-3:] == ["maintenance.create", "maintenance.create", "maintenance.end"]


def test_a_check_stored_with_its_defaults_is_unchanged_by_the_same_spec(db):
    from monitoring.checkspec import spec_to_dict

    db.add(Check(name="a", kind="tcp", domain="info", spec=spec_to_dict(tcp("a"), include_defaults=True)))
    db.flush()
    report = service.import_checks(db, actor="cli", specs=[tcp("a")])
    assert report.unchanged == ["a"] and not report.changed


def test_run_now_is_queued_once_until_the_scheduler_answers(db):
    check = service.create_check(db, actor="t", spec=tcp())
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    service.request_run(db, actor="li", check=check, now=now)
    with pytest.raises(service.AlreadyQueued):
        service.request_run(db, actor="wang", check=check, now=now + timedelta(seconds=1))
    assert audit_actions(db).count("check.run_now") == 1
    db.execute(CheckStatus.__table__.update().values(run_requested_at=None))  # the scheduler's batch answered it
    assert service.request_run(db, actor="wang", check=check, now=now + timedelta(seconds=2))


def test_concurrent_run_now_clicks_queue_one_run(app, db):
    """Eight clicks at once on real threads: one conditional UPDATE wins, the others are told it is queued."""
    import threading

    from desk.db import session_scope

    check_id = service.create_check(db, actor="t", spec=tcp()).id
    db.commit()
    barrier, outcomes = threading.Barrier(8), []

    def click(n: int) -> None:
        with session_scope(app.extensions["dutydesk.engine"]) as session:
            check = service.get_check(session, check_id)
            barrier.wait(timeout=30)
            try:
                service.request_run(session, actor=f"w{n}", check=check,
                                    now=datetime(2026, 11, 28, 12, 0, n, tzinfo=UTC))
                outcomes.append("queued")
            except service.AlreadyQueued:
                outcomes.append("already")

    threads = [threading.Thread(target=click, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already"] * 7 + ["queued"]
    db.expire_all()
    assert audit_actions(db).count("check.run_now") == 1


def test_runs_page_clamps_a_page_past_the_last(db):
    check = service.create_check(db, actor="t", spec=tcp())
    for minute in range(3):
        add_run(db, check.id, datetime(2026, 11, 28, 12, minute, tzinfo=UTC), 0.01)
    db.flush()
    page = service.runs_page(db, check_id=check.id, page=2**63 - 1, per_page=2)
    assert (page.page, page.pages, len(page.runs)) == (2, 2, 1)
    assert service.get_check(db, 2**63) is None and service.get_check(db, 10**20) is None
