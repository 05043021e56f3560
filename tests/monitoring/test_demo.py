"""The demo checks: valid on this machine, idempotent, both domains, runbooks, Nagios ones only when installed."""

from __future__ import annotations

import os

from sqlmodel import select

from desk.db import session_scope
from monitoring.checkspec import validate_spec
from monitoring.demo import PLUGINS, demo_specs
from monitoring.models import Check


def test_demo_specs_are_valid_and_sensible(monkeypatch):
    monkeypatch.setenv("DUTYDESK_PORT", "5123")
    specs = demo_specs()
    assert all(validate_spec(s) == {} for s in specs)
    assert {s.domain for s in specs} == {"info", "comms"}
    assert all(30 <= s.interval <= 60 and s.runbook for s in specs)
    by_name = {s.name: s for s in specs}
    assert by_name["desk-healthz"].params["url"] == "http://127.0.0.1:5123/healthz"
    assert by_name["desk-web-port"].params["port"] == 5123
    assert by_name["patrol-scheduler"].kind == "scheduler"  # this desk's own lease heartbeat, not any scheduler.py
    assert {"host-cpu", "host-memory", "host-swap", "host-root-disk", "host-load"} <= set(by_name)
    assert ("nagios-load" in by_name) == os.access(PLUGINS / "check_load", os.X_OK)


def test_demo_load_is_idempotent_and_keeps_edits(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        first = {c.name: c.version for c in session.exec(select(Check))}
        cpu = session.exec(select(Check).where(Check.name == "host-cpu")).one()
        cpu.interval = 45
        session.add(cpu)
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        again = {c.name: c.version for c in session.exec(select(Check))}
        assert session.exec(select(Check.interval).where(Check.name == "host-cpu")).one() == 45
    assert again == first and len(first) >= 8


def test_demo_checks_survive_an_export_import_round_trip(app, runner, tmp_path):
    from desk.db import session_scope as scope
    from monitoring import service
    from monitoring.demo import load_demo_checks

    with scope(app.extensions["dutydesk.engine"]) as session:
        load_demo_checks(session)
        count = len(service.export_specs(session))
    path = tmp_path / "demo.toml"
    assert runner.invoke(args=["checks", "export", "--output", str(path)]).exit_code == 0
    assert '"""' in path.read_text(encoding="utf-8")  # multi-line bilingual runbooks
    result = runner.invoke(args=["checks", "import", str(path)])
    assert result.exit_code == 0 and f"0 created, 0 updated, {count} unchanged" in result.output
