"""``roster export`` and ``leave add`` on both databases: files parsed back, clear errors, exit codes."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
from icalendar import Calendar
from sqlmodel import select

from desk.db import session_scope
from roster import versions
from roster.models import LeaveRequest, RosterVersion
from tests.roster.test_leave_swaps import DAYS, START, make_desk, published_desk, seats


def test_export_csv_xlsx_and_ics(app, runner, tmp_path) -> None:
    published_desk(app)
    base = ["roster", "export", "--start", START.isoformat(), "--days", str(DAYS)]
    r = runner.invoke(args=[*base, "--format", "csv", "--lang", "en", "--output", str(tmp_path / "r.csv")])
    assert r.exit_code == 0, r.output
    assert f"{DAYS * 6} seats, {DAYS} of {DAYS} days published" in r.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text("utf-8-sig"))))
    assert len(rows) == DAYS * 6 and rows[0]["Date"] == START.isoformat() and rows[0]["Seat"] == "Shift leader"
    r = runner.invoke(args=[*base, "--format", "csv", "--output", str(tmp_path / "zh.csv")])  # the desk's zh_CN
    rows = list(csv.DictReader(io.StringIO((tmp_path / "zh.csv").read_text("utf-8-sig"))))
    assert rows[0]["日期"] == START.isoformat() and rows[0]["岗位"] == "值长"
    r = runner.invoke(args=[*base, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")])
    assert r.exit_code == 0, r.output
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    names = [ws.cell(row, 1).value for row in range(4, 18)]
    assert "张伟" in names and "马军" in names
    r = runner.invoke(args=[*base, "--format", "ics", "--username", "infob", "--output", str(tmp_path / "b.ics")])
    assert r.exit_code == 0, r.output
    events = Calendar.from_ical((tmp_path / "b.ics").read_bytes()).walk("VEVENT")
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        assert len(events) == len(seats(session, "infob")) > 0
    assert str(events[0]["SUMMARY"]) in ("白班 — 信息值班员", "夜班 — 信息值班员")
    r = runner.invoke(args=[*base, "--format", "ics", "--username", "infob", "--lang", "en",
                            "--output", str(tmp_path / "en.ics")])
    summary = str(Calendar.from_ical((tmp_path / "en.ics").read_bytes()).walk("VEVENT")[0]["SUMMARY"])
    assert summary in ("Day shift — Information watcher", "Night shift — Information watcher")


def test_export_refuses_bad_input(app, runner, tmp_path) -> None:
    base = ["roster", "export", "--start", START.isoformat(), "--days", "3"]
    out = str(tmp_path / "x")
    r = runner.invoke(args=[*base, "--format", "ics", "--output", out])
    assert r.exit_code == 2 and "--username is required" in r.output
    r = runner.invoke(args=[*base, "--format", "csv", "--username", "x", "--output", out])
    assert r.exit_code == 2 and "ics only" in r.output
    r = runner.invoke(args=[*base, "--format", "pdf", "--output", out])
    assert r.exit_code == 2 and "pdf" in r.output
    r = runner.invoke(args=[*base, "--format", "csv", "--output", out])
    assert r.exit_code == 1 and "no published roster" in r.output
    r = runner.invoke(args=[*base, "--format", "ics", "--username", "ghost", "--output", out])
    assert r.exit_code == 2 and "No active person with username ghost" in r.output


def test_leave_add_and_approve_solves_the_amendment(app, runner) -> None:
    published_desk(app)
    engine = app.extensions["dutydesk.engine"]
    with session_scope(engine) as session:
        first = seats(session, "infoc")[0].day
    r = runner.invoke(args=["leave", "add", "--username", "infoc", "--from", first.isoformat(),
                            "--to", (first + timedelta(days=1)).isoformat(), "--reason", "年假", "--approve"])
    assert r.exit_code == 0, r.output
    assert "approved" in r.output and "amendment draft" in r.output and "OPTIMAL" in r.output
    with session_scope(engine) as session:
        leave = session.exec(select(LeaveRequest)).one()
        draft = session.get(RosterVersion, leave.amendment_id)
        assert leave.reason == "年假" and draft.status == "draft" and draft.job_status == "done"
        rows = versions.version_assignments(session, version_id=draft.id)
        assert rows and all(a.username != "infoc" for a in rows)


def test_leave_add_pending_and_errors(app, runner) -> None:
    with session_scope(app.extensions["dutydesk.engine"]) as session:
        make_desk(session)
    r = runner.invoke(args=["leave", "add", "--username", "infoa", "--from", "2027-01-05", "--to", "2027-01-08"])
    assert r.exit_code == 0 and "pending" in r.output and "amendment" not in r.output
    r = runner.invoke(args=["leave", "add", "--username", "infoa", "--from", "2027-01-06", "--to", "2027-01-06"])
    assert r.exit_code == 2 and "already asked" in r.output
    r = runner.invoke(args=["leave", "add", "--username", "ghost", "--from", "2027-01-05", "--to", "2027-01-08"])
    assert r.exit_code == 2 and "No active person with username ghost" in r.output
    r = runner.invoke(args=["leave", "add", "--username", "infob", "--from", "2027-01-08", "--to", "2027-01-05"])
    assert r.exit_code == 2 and "before the first" in r.output
    r = runner.invoke(args=["leave", "add", "--username", "infob", "--from", "2027-13-01", "--to", "2027-01-05"])
    assert r.exit_code == 2 and "2027-13-01" in r.output
    r = runner.invoke(args=["leave", "add", "--username", "infob", "--from", "2027-01-05", "--to", "2027-01-06",
                            "--shift", "N", "--approve"])
    assert r.exit_code == 0 and "approved" in r.output
