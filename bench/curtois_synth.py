"""Synthetic instances in the Curtois & Qu format, shaped like the benchmark's large ones, to check the engine's
reach where the real files are kept for checking (instances 9-24 are not on this machine).

    .venv/bin/python bench/curtois_synth.py --weeks 52 --staff 150 --shifts 32 --seed 1 > /tmp/Synth24.txt
    .venv/bin/python bench/curtois.py /tmp/Synth24.txt --seconds 60

How an instance is made, so that it is feasible by construction (as the benchmark's are): each person gets a few
shift types they may work and a reference roster drawn run by run (work runs within the person's consecutive-shift
bounds, each run one shift type, days-off runs at least the person's minimum); the limits are then set around that
roster (its minutes within the total-minute bounds, its weekends within the weekend limit, its counts within the
per-type maxima), the hard days off are drawn from its days off, and cover is the reference roster's count per day
and shift with noise (under weight 100, over weight 1), so cover cannot all be met and the optimum is above zero.
Shift-on and shift-off requests come in runs of 1-4 days with weights 1-3, as in the published files. The figures
are not the benchmark's (no best known value exists for them); the point is the size: model build time, time to a
first roster and whether one comes at all.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
from dataclasses import dataclass, field

LENGTHS = (480, 480, 480, 600, 360)  # minutes; most shifts are 8 hours, as in the benchmark


@dataclass
class Person:
    """One staff member's limits and the reference roster they were drawn around."""

    id: str
    types: list[str]
    max_run: int
    min_run: int
    min_off: int
    roster: dict[int, str] = field(default_factory=dict)


def shift_ids(n: int) -> list[str]:
    """A, B, ..., Z, AA, AB, ... as the benchmark names its shifts and staff."""
    letters = string.ascii_uppercase
    out = list(letters[:n])
    out += [a + b for a in letters for b in letters][: max(0, n - 26)]
    return out


def draw_roster(p: Person, days: int, rng: random.Random) -> None:
    """Fill ``p.roster`` run by run: a work run of one shift type, then an off run."""
    day = rng.randrange(0, p.min_off + 2)
    while day < days:
        run = rng.randint(p.min_run, p.max_run)
        code = rng.choice(p.types)
        for d in range(day, min(days, day + run)):
            p.roster[d] = code
        day += run + rng.randint(p.min_off, p.min_off + 2)


def weekends(roster: dict[int, str], days: int) -> int:
    """Weekends (days 5 and 6 of each week) with either day worked."""
    return sum(1 for w in range(days // 7) if 7 * w + 5 in roster or 7 * w + 6 in roster)


def make(weeks: int, staff: int, shifts: int, seed: int, skills: int = 3) -> str:
    """The text of one synthetic instance."""
    rng = random.Random(seed)
    days = 7 * weeks
    codes = shift_ids(shifts)
    lengths = {c: rng.choice(LENGTHS) for c in codes}
    people = [_person(i, codes, skills, rng) for i in range(staff)]
    for p in people:
        draw_roster(p, days, rng)
    lines = ["SECTION_HORIZON", str(days), "", "SECTION_SHIFTS"]
    lines += [f"{c},{lengths[c]},{'|'.join(codes[:i][-3:])}" for i, c in enumerate(codes)]
    lines += ["", "SECTION_STAFF"] + [_staff_line(p, codes, lengths, days, rng) for p in people]
    lines += ["", "SECTION_DAYS_OFF"] + [_days_off_line(p, days, weeks, rng) for p in people]
    on, off = _requests(people, days, codes, rng)
    lines += ["", "SECTION_SHIFT_ON_REQUESTS", *on, "", "SECTION_SHIFT_OFF_REQUESTS", *off]
    lines += ["", "SECTION_COVER", *_cover(people, days, codes, rng)]
    return "\n".join(lines) + "\n"


def _person(i: int, codes: list[str], skills: int, rng: random.Random) -> Person:
    types = rng.sample(codes, k=min(len(codes), rng.randint(1, skills)))
    max_run = rng.randint(4, 6)
    return Person(_staff_id(i), types, max_run, rng.choice((1, 2, 2)), rng.choice((1, 2, 2, 3)))


def _staff_id(i: int) -> str:
    letters = string.ascii_uppercase
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


def _staff_line(p: Person, codes: list[str], lengths: dict[str, int], days: int, rng: random.Random) -> str:
    counts = {c: sum(1 for s in p.roster.values() if s == c) for c in codes}
    caps = "|".join(f"{c}={max(counts[c], days // 2) if c in p.types else 0}" for c in codes)
    minutes = sum(lengths[s] for s in p.roster.values())
    wk = weekends(p.roster, days)
    return (f"{p.id},{caps},{minutes + rng.randint(0, 960)},{max(0, minutes - rng.randint(240, 960))},"
            f"{p.max_run},{p.min_run},{p.min_off},{wk + rng.randint(0, 1)}")


def _days_off_line(p: Person, days: int, weeks: int, rng: random.Random) -> str:
    free = [d for d in range(days) if d not in p.roster]
    chosen = sorted(rng.sample(free, k=min(len(free), max(1, weeks // 2))))
    return ",".join([p.id, *map(str, chosen)])


def _requests(people: list[Person], days: int, codes: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    on: list[str] = []
    off: list[str] = []
    for p in people:
        for _ in range(days // 7):
            start, length, weight = rng.randrange(days), rng.randint(1, 4), rng.randint(1, 3)
            wanted = rng.random() < 0.5
            code = rng.choice(p.types if wanted else codes)
            rows = [f"{p.id},{d},{code},{weight}" for d in range(start, min(days, start + length))]
            (on if wanted else off).extend(rows)
    return on, off


def _cover(people: list[Person], days: int, codes: list[str], rng: random.Random) -> list[str]:
    rows = []
    for d in range(days):
        for c in codes:
            worked = sum(1 for p in people if p.roster.get(d) == c)
            rows.append(f"{d},{c},{max(0, worked + rng.randint(-1, 1))},100,1")
    return rows


def main(argv: list[str] | None = None) -> int:
    """Print one synthetic instance."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--staff", type=int, default=30)
    ap.add_argument("--shifts", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skills", type=int, default=3, help="most shift types one person may work")
    a = ap.parse_args(argv)
    sys.stdout.write(make(a.weeks, a.staff, a.shifts, a.seed, a.skills))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
