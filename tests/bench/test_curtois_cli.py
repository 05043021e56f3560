"""The benchmark CLI's own parts, with a stand-in engine (the desk's engine has its own end-to-end test)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bench import curtois
from bench.curtois_format import Instance, parse, parse_text
from bench.curtois_score import Score, score_rows
from tests.bench.test_curtois_format import TINY

SHARED = Path("/work/shared/curtois")
GOOD = {("A", 1): "E", ("A", 2): "E", ("B", 0): "E"}  # valid for TINY: A 960 min, B off day 4


def fake_engine(roster: dict[tuple[str, int], str], status: str = "OPTIMAL") -> curtois.Engine:
    calls: list[curtois.Roster | None] = []

    def engine(instance: Instance, seconds: float, workers: int, progress: curtois.Progress,
               previous: curtois.Roster | None = None, change: int = 0) -> curtois.Solved:
        calls.append(previous)
        progress(0.5, 999)
        progress(1.25, 3)
        return curtois.Solved(status, dict(roster), 0.5)

    engine.calls = calls  # type: ignore[attr-defined]
    return engine


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "Instance1.txt"
    path.write_text(TINY)
    return path


def outcome(objective: int = 610, status: str = "OPTIMAL", name: str = "Instance1") -> curtois.Outcome:
    return curtois.Outcome(name, status, Score(objective, 0, 0, 0, 0, ()), 12.345, 0.2, {})


def test_summary_line_has_every_field_in_order() -> None:
    assert curtois.summary_line(outcome()) == (
        "Instance1 objective=610 status=OPTIMAL wall=12.35 first=0.20 best_known=607 ratio=1.005")


def test_summary_line_without_best_known_or_first_roster() -> None:
    o = curtois.Outcome("Mine", "UNKNOWN", Score(0, 0, 0, 0, 0, ()), 1.0, None, {})
    assert curtois.summary_line(o) == "Mine objective=0 status=UNKNOWN wall=1.00 first=- best_known=- ratio=-"


def test_table_has_a_row_per_instance() -> None:
    text = curtois.table([outcome(), outcome(1056, "FEASIBLE", "Instance7")])
    lines = text.splitlines()
    assert lines[0].split() == ["instance", "objective", "best", "ratio", "status", "first", "s", "wall", "s"]
    assert lines[2].split() == ["Instance1", "610", "607", "1.005", "OPTIMAL", "0.20", "12.35"]
    assert lines[3].split() == ["Instance7", "1056", "1056", "1.000", "FEASIBLE", "0.20", "12.35"]


def test_roster_csv(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    curtois.write_roster_csv(path, {("B", 0): "E", ("A", 10): "N", ("A", 2): "E"})
    assert path.read_text() == "employee,day,shift\nA,2,E\nA,10,N\nB,0,E\n"


@pytest.mark.parametrize("argv", [[], ["x.txt", "--all", "d"], ["--all", "d", "--roster-out", "r.csv"],
                                  ["x.txt", "--seconds", "0"], ["x.txt", "--workers", "0"]])
def test_bad_command_lines_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        curtois.parse_args(argv)
    assert caught.value.code == 2


def test_defaults() -> None:
    args = curtois.parse_args(["I.txt"])
    assert (args.seconds, args.workers, args.roster_out, args.folder, args.reroster) == (60.0, 2, None, None, False)


def test_one_instance_prints_progress_then_the_summary(tiny_file: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    csv_path = tmp_path / "out.csv"
    code = curtois.main([str(tiny_file), "--seconds", "5", "--roster-out", str(csv_path)], fake_engine(GOOD), out)
    lines = out.getvalue().splitlines()
    assert code == 0
    assert lines[0].split() == ["Instance1", "0.50s", "objective=999"]
    assert lines[1].split() == ["Instance1", "1.25s", "objective=3"]
    assert lines[-1].startswith("Instance1 objective=0 status=OPTIMAL wall=")
    assert lines[-1].endswith(" first=0.50 best_known=607 ratio=0.000")
    assert csv_path.read_text().splitlines()[0] == "employee,day,shift"


def test_a_roster_breaking_a_hard_rule_is_invalid_and_loud(tiny_file: Path) -> None:
    out = io.StringIO()
    code = curtois.main([str(tiny_file)], fake_engine({("A", 0): "E", ("A", 1): "E"}), out)
    text = out.getvalue()
    assert code == 1
    assert "!!! Instance1: the roster breaks" in text
    assert "A day 0: works E on a fixed day off" in text
    assert "status=INVALID" in text.splitlines()[-1]


def test_no_roster_keeps_the_engine_status(tiny_file: Path) -> None:
    out = io.StringIO()
    assert curtois.main([str(tiny_file)], fake_engine({}, "UNKNOWN"), out) == 1
    assert "status=UNKNOWN" in out.getvalue().splitlines()[-1]


def test_bad_instance_file_exits_2_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "Instance1.txt"
    bad.write_text("SECTION_HORIZON\nseven\n")
    out = io.StringIO()
    assert curtois.main([str(bad)], fake_engine(GOOD), out) == 2
    assert out.getvalue() == "error: line 2: the horizon length must be an integer, not 'seven'\n"


def test_all_runs_every_file_in_instance_order_and_prints_the_table(tmp_path: Path) -> None:
    for n in (10, 2, 1):
        (tmp_path / f"Instance{n}.txt").write_text(TINY)
    out = io.StringIO()
    curtois.main(["--all", str(tmp_path), "--seconds", "1"], fake_engine(GOOD), out)
    rows = [line.split()[0] for line in out.getvalue().splitlines() if line.startswith("Instance") and "=" not in line]
    assert rows == ["Instance1", "Instance2", "Instance10"]


def test_absence_adds_fixed_days_off() -> None:
    inst = parse_text(TINY)
    changed = curtois.with_absence(inst, "A", (2, 3))
    assert changed.days_off["A"] == frozenset({0, 2, 3, 6})
    assert inst.days_off["A"] == frozenset({0, 6})
    assert [s.min_minutes for s in changed.staff] == [0, 0]  # 960 - 2 x 480 (leave counts as worked time)
    again = curtois.with_absence(parse_text(TINY), "A", (0, 2))  # day 0 was off already: one day of credit
    assert again.staff[0].min_minutes == 480


def test_busiest_and_changes() -> None:
    before = {("A", 14): "D", ("B", 14): "D", ("B", 15): "N", ("C", 3): "D"}
    after = {("A", 14): "D", ("C", 15): "N", ("C", 14): "D", ("C", 3): "D"}
    assert curtois.busiest(before) == "B"
    assert curtois.changes(before, after) == [("B", 14), ("B", 15), ("C", 14), ("C", 15)]
    report = curtois.change_report(before, after, "B")
    assert report[:2] == ["changes=4 people=B,C days=14,15", "changes outside days 14-18: 0"]
    assert "  B day 15: N -> -" in report


def test_reroster_solves_twice_the_second_time_against_the_first(tiny_file: Path) -> None:
    engine = fake_engine(GOOD)
    out = io.StringIO()
    code = curtois.main([str(tiny_file), "--reroster", "--person", "A", "--seconds", "1"], engine, out)
    text = out.getvalue()
    assert code == 0
    assert engine.calls == [None, GOOD]  # type: ignore[attr-defined]
    assert "re-roster: A off on days 14-18" in text
    assert "changes=0 people=- days=-" in text


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared instances are not on this machine")
def test_instance1_solves_to_its_proven_optimum_607_with_the_desks_engine(tmp_path: Path) -> None:
    out = io.StringIO()
    csv_path = tmp_path / "i1.csv"
    code = curtois.main([str(SHARED / "Instance1.txt"), "--seconds", "30", "--roster-out", str(csv_path)], out=out)
    last = out.getvalue().splitlines()[-1]
    assert code == 0, out.getvalue()
    assert last.startswith("Instance1 objective=607 status=OPTIMAL ") and last.endswith(" ratio=1.000")
    rows = [(e, int(d), s) for e, d, s in (line.split(",") for line in csv_path.read_text().splitlines()[1:])]
    assert score_rows(parse(SHARED / "Instance1.txt"), rows).objective == 607
