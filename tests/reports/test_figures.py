"""Every figure of the reports against the hand-computed desk of tests/reports/data.py."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlmodel import Session

from monitoring import store
from monitoring.models import CheckRun
from reports import core, service
from reports.service import Scope
from tests.reports.data import CHECK_DAY, END, NOW, START

PERIOD = core.Period(START, END)


@pytest.fixture
def session(app: Any, desk: dict[str, int]) -> Any:
    with Session(app.extensions["dutydesk.engine"]) as s:
        yield s


def test_coverage_counts_gaps_substitutions_swaps_and_leave(session: Session) -> None:
    report = service.coverage_report(session, period=PERIOD)
    assert len(report.shifts) == 12  # 6 days x day/night
    assert report.fully_staffed == 7
    assert report.rate == pytest.approx(7 / 12)
    assert report.target == 1.0
    assert report.gaps() == [
        (date(2026, 10, 8), "N", "comms", "unqualified"),  # a hand edit put an info-only watcher there
        (date(2026, 10, 9), "N", "comms", "empty"),
        (date(2026, 10, 10), "N", "info", "on_leave"),  # single-shift leave approved after publishing
        (date(2026, 10, 12), "D", None, "no_roster"),
        (date(2026, 10, 12), "N", None, "no_roster"),
    ]
    assert (report.substitutions, report.swaps, report.leave_days) == (1, 1, 2)  # the rejected leave is not counted


def test_coverage_says_how_each_seat_was_filled(session: Session) -> None:
    report = service.coverage_report(session, period=PERIOD)
    seats = {(s.day.isoformat(), s.shift, seat.position): (seat.username, seat.how)
             for s in report.shifts for seat in s.seats}
    assert seats[("2026-10-08", "D", "info")] == ("sp", "substitute")
    assert seats[("2026-10-08", "N", "comms")] == ("ib", "hand_edit")
    assert seats[("2026-10-09", "D", "comms")] == ("cc", "swap")  # version 2 (the swap) is the truth for 10-09
    assert seats[("2026-10-07", "D", "leader")] == ("ld", "rotation")
    assert seats[("2026-10-09", "N", "comms")] == (None, None)


def test_a_leader_sees_the_shifts_of_their_own_team(session: Session) -> None:
    report = service.coverage_report(session, period=PERIOD, scope=Scope(team="B"))
    # DNOO: in the period B works 10-09 D and 10-10 N only
    assert [(s.day.isoformat(), s.shift, s.state) for s in report.shifts] == [
        ("2026-10-09", "D", "full"), ("2026-10-10", "N", "gap")]
    assert (report.substitutions, report.swaps, report.leave_days) == (0, 1, 1)


LOAD = {  # username: shifts, nights, weekend, holiday, subs made, subs received, swaps
    "la": (2, 1, 0, 0, 0, 0, 0), "ia": (1, 1, 0, 0, 0, 1, 0), "ca": (1, 0, 0, 0, 0, 0, 0),
    "lb": (2, 1, 0, 0, 0, 0, 0), "ib": (3, 2, 0, 0, 0, 0, 0), "cb": (1, 1, 0, 0, 0, 0, 1),
    "lc": (3, 2, 1, 1, 0, 0, 0), "ic": (3, 2, 1, 1, 0, 0, 0), "cc": (4, 2, 1, 1, 0, 0, 1),
    "ld": (3, 1, 1, 1, 0, 0, 0), "id": (3, 1, 1, 1, 0, 0, 0), "cd": (2, 0, 1, 1, 0, 0, 0),
    "sp": (1, 0, 0, 0, 1, 0, 0),
}


def test_load_per_person(session: Session) -> None:
    report = service.load_report(session, period=PERIOD)
    got = {r.username: (r.shifts, r.nights, r.weekend_shifts, r.holiday_shifts, r.substitutions_made,
                        r.substitutions_received, r.swaps) for r in report.people}
    assert got == LOAD
    assert {r.username: r.hours for r in report.people}["cc"] == 48
    assert report.ytd_people == report.people  # nothing was published before the period this year


def test_fairness_per_group(session: Session) -> None:
    groups = {g.key: g for g in service.load_report(session, period=PERIOD).groups}
    assert set(groups) == {"leader", "info", "comms", "info/spare"}
    info = groups["info"].spread("shifts")
    assert (info.low, info.high, info.spread, info.mean, info.stdev) == (1, 3, 2, 2.5, 0.87)
    assert not info.met  # the engine aims for a spread of at most one
    leaders = groups["leader"].spread("nights")
    assert (leaders.spread, leaders.mean, leaders.stdev, leaders.met) == (1, 1.25, 0.43, True)
    assert groups["comms"].spread("shifts").spread == 3


def test_a_watcher_sees_only_their_own_load(session: Session) -> None:
    report = service.load_report(session, period=PERIOD, scope=Scope(username="ib"))
    assert [r.username for r in report.people] == ["ib"]
    assert [r.username for r in report.ytd_people] == ["ib"]


def test_patrol_figures(session: Session, patrol_desk: int) -> None:
    report = service.patrol_report(session, period=core.Period(CHECK_DAY, CHECK_DAY), tz="Asia/Shanghai", now=NOW)
    web, db = (next(c for c in report.checks if c.name == n) for n in ("web", "db"))
    assert web.maintenance_seconds == 3600
    assert web.expected == (86400 - 3600) // 60 == 1380
    assert (web.made, web.runs, web.ok) == (1300, 1360, 1290)
    assert web.made_rate == pytest.approx(1300 / 1380)
    assert web.success_rate == pytest.approx(1290 / 1360)
    assert web.time_in_state == {"OK": 1290 * 60.0, "WARNING": 0.0, "CRITICAL": 70 * 60.0, "UNKNOWN": 0.0}
    assert web.flapping == 1
    assert (db.expected, db.runs, db.made_rate) == (0, 0, None)  # disabled: nothing expected
    assert (report.expected, report.made, report.takeovers) == (1380, 1300, 1)
    assert report.rate == pytest.approx(1300 / 1380)


def test_patrols_expect_nothing_after_now(session: Session, patrol_desk: int) -> None:
    noon = NOW.replace(year=2026, month=10, day=6, hour=22)  # 6 hours into the local day of 10-07
    report = service.patrol_report(session, period=core.Period(CHECK_DAY, CHECK_DAY), tz="Asia/Shanghai", now=noon)
    assert next(c for c in report.checks if c.name == "web").expected == 6 * 60


def test_kpis_this_period_against_the_previous(session: Session) -> None:
    kpis = {k.key: k for k in service.kpis(session, period=PERIOD, tz="Asia/Shanghai", now=NOW)}
    coverage = kpis["coverage"]
    assert coverage.value == pytest.approx(7 / 12)
    assert coverage.previous == 0.0  # 10-01..10-06: no roster at all, every shift a gap
    assert (coverage.met, coverage.trend) == (False, "up")
    assert kpis["ack"].value is None and kpis["ack"].met is None  # no alerts yet: no data, not a fake 100 %
    assert kpis["handover"].value is None


def test_alert_handling(session: Session, alert_desk: None) -> None:
    report = service.alert_report(session, period=PERIOD, tz="Asia/Shanghai")
    t = report.total
    assert (t.count, t.escalated, t.carried_over, t.no_roster) == (4, 2, 2, 1)
    assert (t.ack_median, t.ack_p90) == (240, 600)  # 120, 240, 600 s; a3 never acknowledged
    assert (t.resolve_median, t.resolve_p90) == (1800, 3000)
    assert t.within_target == 0.5  # a1 and a4 within 5 minutes; a2 late, a3 never
    leaders = {f.label: f.count for f in report.by["leader"]}
    assert leaders == {"la": 3, "-": 1}
    assert {f.label: f.count for f in report.by["severity"]} == {"critical": 1, "major": 2, "minor": 1}
    assert {f.label: f.count for f in report.by["day"]} == {"2026-10-08": 3, "2026-10-12": 1}
    assert {f.label: f.count for f in report.by["week"]} == {"2026-W41": 3, "2026-W42": 1}
    assert report.noisiest[0] == ("check:web", 2)


def test_a_leader_sees_the_alerts_of_their_own_shifts(session: Session, alert_desk: None) -> None:
    assert service.alert_report(session, period=PERIOD, tz="Asia/Shanghai",
                                scope=Scope(team="A", leader="la")).total.count == 3
    assert service.alert_report(session, period=PERIOD, tz="Asia/Shanghai",
                                scope=Scope(team="B", leader="lb")).total.count == 0


def test_ack_kpi_counts_the_alerts(session: Session, alert_desk: None) -> None:
    kpis = {k.key: k for k in service.kpis(session, period=PERIOD, tz="Asia/Shanghai", now=NOW)}
    assert kpis["ack"].value == 0.5 and kpis["ack"].met is False and kpis["ack"].previous is None


def test_rolled_up_days_give_the_same_figures_and_outlive_the_purge(session: Session, patrol_desk: int) -> None:
    period = core.Period(CHECK_DAY, CHECK_DAY)
    live = service.patrol_report(session, period=period, tz="Asia/Shanghai", now=NOW)
    assert service.roll_up(session, until=date(2026, 10, 8), tz="Asia/Shanghai") == [CHECK_DAY]
    assert service.roll_up(session, until=date(2026, 10, 8), tz="Asia/Shanghai") == []  # idempotent
    session.commit()
    assert service.rolled_days(session, period=period) == {CHECK_DAY}
    store.purge_runs(session.get_bind(), older_than=NOW)
    assert service.patrol_report(session, period=period, tz="Asia/Shanghai", now=NOW) == live


def test_days_not_rolled_up_are_counted_live(session: Session, patrol_desk: int) -> None:
    session.add(CheckRun(check_id=patrol_desk, started_at=datetime(2026, 10, 8, 2, tzinfo=UTC), state="OK",
                         runner="host2:2"))
    session.commit()
    two = core.Period(CHECK_DAY, date(2026, 10, 8))
    before = service.patrol_report(session, period=two, tz="Asia/Shanghai", now=NOW)
    assert before.checks[1].runs == 1361
    service.roll_up(session, until=date(2026, 10, 8), tz="Asia/Shanghai")  # 10-07 only: 10-08 stays live
    session.commit()
    assert service.rolled_days(session, period=two) == {CHECK_DAY}
    assert service.patrol_report(session, period=two, tz="Asia/Shanghai", now=NOW) == before


def test_rollup_command(runner: Any, patrol_desk: int) -> None:
    result = runner.invoke(args=["reports", "rollup", "--until", "2026-10-09"])
    assert result.exit_code == 0 and "rolled up 2 day(s) before 2026-10-09" in result.output
