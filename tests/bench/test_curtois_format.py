"""The Curtois instance parser: the published files, and malformed lines named by number."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.curtois_format import BEST_KNOWN, CurtoisFormatError, parse, parse_text

SHARED = Path("/work/shared/curtois")
TINY = """# a comment
SECTION_HORIZON
7

SECTION_SHIFTS
# id, minutes, cannot follow
E,480,
L,600,E
N,480,E|L

SECTION_STAFF
A,E=3|L=2|N=1,2400,960,4,2,2,1
B,E=7|L=0|N=0,3360,0,5,1,1,1

SECTION_DAYS_OFF
A,0,6
B

SECTION_SHIFT_ON_REQUESTS
A,2,E,3

SECTION_SHIFT_OFF_REQUESTS
B,4,E,2

SECTION_COVER
0,E,1,100,1
"""


def test_tiny_file_parses_into_the_dataclasses() -> None:
    inst = parse_text(TINY, name="Tiny")
    assert (inst.name, inst.days) == ("Tiny", 7)
    assert [(s.id, s.minutes, s.cannot_follow) for s in inst.shifts] == [
        ("E", 480, frozenset()), ("L", 600, frozenset({"E"})), ("N", 480, frozenset({"E", "L"}))]
    a = inst.staff[0]
    assert (a.id, dict(a.max_shifts), a.max_minutes, a.min_minutes) == ("A", {"E": 3, "L": 2, "N": 1}, 2400, 960)
    assert (a.max_consecutive, a.min_consecutive, a.min_days_off, a.max_weekends) == (4, 2, 2, 1)
    assert inst.days_off == {"A": frozenset({0, 6}), "B": frozenset()}
    assert [(r.staff, r.day, r.shift, r.weight) for r in inst.on_requests] == [("A", 2, "E", 3)]
    assert [(r.staff, r.day, r.shift, r.weight) for r in inst.off_requests] == [("B", 4, "E", 2)]
    assert [(c.day, c.shift, c.requirement, c.under, c.over) for c in inst.cover] == [(0, "E", 1, 100, 1)]


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared instances are not on this machine")
@pytest.mark.parametrize("n,days,shifts,staff", [(1, 14, 1, 8), (3, 14, 3, 20), (7, 28, 3, 20), (8, 28, 4, 30)])
def test_published_instances_parse(n: int, days: int, shifts: int, staff: int) -> None:
    inst = parse(SHARED / f"Instance{n}.txt")
    assert (inst.name, inst.days, len(inst.shifts), len(inst.staff)) == (f"Instance{n}", days, shifts, staff)
    assert inst.name in BEST_KNOWN


def test_best_known_has_all_24_with_the_lower_end_of_ranges() -> None:
    assert len(BEST_KNOWN) == 24
    assert (BEST_KNOWN["Instance1"], BEST_KNOWN["Instance15"], BEST_KNOWN["Instance24"]) == (607, 3829, 26571)


def _broken(old: str, new: str) -> str:
    assert old in TINY
    return TINY.replace(old, new, 1)


@pytest.mark.parametrize("text,line,words", [
    (_broken("SECTION_COVER", "SECTION_COVERS"), 25, "unknown section"),
    (_broken("7\n", "seven\n"), 3, "must be an integer"),
    (_broken("7\n", "0\n"), 3, "at least 1"),
    (_broken("L,600,E", "L,600,X"), 8, "unknown shift 'X'"),
    (_broken("L,600,E", "E,600,"), 8, "repeated"),
    (_broken("A,E=3|L=2|N=1,2400", "A,E=3|Z=2|N=1,2400"), 12, "unknown shift 'Z'"),
    (_broken("A,E=3|L=2|N=1,2400", "A,E3|L=2|N=1,2400"), 12, "SHIFT=COUNT"),
    (_broken("2400,960,4,2,2,1", "2400,960,4,2,2"), 12, "needs 8"),
    (_broken("B,E=7", "A,E=7"), 13, "repeated"),
    (_broken("A,0,6", "A,0,7"), 16, "outside the horizon"),
    (_broken("A,0,6", "Z,0"), 16, "unknown staff"),
    (_broken("A,2,E,3", "A,2,Q,3"), 20, "unknown shift"),
    (_broken("B,4,E,2", "B,4,E"), 23, "needs 4"),
    (_broken("0,E,1,100,1", "0,E,1,100,-1"), 26, "at least 0"),
    (TINY + "0,E,2,100,1\n", 27, "given twice"),
    ("7\n", 1, "before the first SECTION_"),
    ("SECTION_SHIFTS\nD,480,\n", 1, "before SECTION_HORIZON"),
    ("SECTION_HORIZON\n7\nSECTION_HORIZON\n7\n", 3, "appears twice"),
])
def test_bad_lines_are_named_by_number(text: str, line: int, words: str) -> None:
    with pytest.raises(CurtoisFormatError) as caught:
        parse_text(text)
    assert caught.value.line == line
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"line {line}: ")


def test_missing_sections_are_named() -> None:
    with pytest.raises(CurtoisFormatError, match=r"missing section.*SECTION_STAFF"):
        parse_text("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\n")


def test_a_file_that_is_not_text(tmp_path: Path) -> None:
    bad = tmp_path / "x.txt"
    bad.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CurtoisFormatError, match="not UTF-8"):
        parse(bad)
