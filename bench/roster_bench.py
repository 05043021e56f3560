"""Roster engine benchmark: the three cases of issue 3 against a plain rotation + greedy baseline.

Run: ``.venv/bin/python bench/roster_bench.py [--runs 3] [--workers 2]`` from the repository root.
For each case it prints status, objective, bound, gap and wall time (median of the runs), the
validator's violation count and the fairness spread (max - min nights within each fairness
group: same primary position, team members and spares apart), next to the baseline's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from roster.domain import Assignment, RosterInputs
from roster.facts import build_facts, fairness_group
from roster.samples import desk_inputs
from roster.solver import solve, summarise
from roster.validate import validate

CASES = {
    "demo 14p/92d/5 leaves": {"per_position": 1, "spares": 2, "days": 92, "leaves": 5, "limit": 10},
    "28p/182d/10 leaves": {"per_position": 2, "spares": 4, "days": 182, "leaves": 10, "limit": 10},
    "56p/365d/30 leaves": {"per_position": 4, "spares": 8, "days": 365, "leaves": 30, "limit": 60},
}


def baseline(inputs: RosterInputs) -> list[Assignment]:
    """What on-call tools do: the rotation, and for each seat left empty by leave the first
    qualified person not on leave and not already on that day (rest rules not considered)."""
    facts = build_facts(inputs)
    out: list[Assignment] = []
    working = set()
    for d in facts.dates:
        for s in facts.codes:
            for q, need in inputs.coverage.items():
                holders = [u for (u, dd, ss), qq in facts.pattern.items() if (dd, ss, qq) == (d, s, q)
                           and (u, d, s) not in facts.leave]
                for u in holders[:need]:
                    out.append(Assignment(d, s, q, u, "pattern"))
                    working.add((u, d))
                out += _greedy_fill(facts, d, s, q, need - len(holders[:need]), working)
    return out


def _greedy_fill(facts, d, s, q, missing: int, working: set) -> list[Assignment]:
    """Fill ``missing`` seats with the first available qualified people (spares first)."""
    out = []
    people = sorted(facts.people.values(), key=lambda p: (p.team is not None, p.username))
    for p in people:
        if missing <= 0:
            break
        if p.qualified(q) and (p.username, d, s) not in facts.leave and (p.username, d) not in working:
            out.append(Assignment(d, s, q, p.username, "substitute"))
            working.add((p.username, d))
            missing -= 1
    return out


def night_spread(assignments, inputs: RosterInputs) -> int:
    """Largest max - min of nights within a fairness group (history is empty in these cases)."""
    nights = Counter(a.username for a in assignments if a.shift == "N")
    groups: dict[tuple, list[int]] = {}
    for p in inputs.people:
        if p.active and p.qualified(p.primary):
            groups.setdefault(fairness_group(p), []).append(nights[p.username])
    return max(max(v) - min(v) for v in groups.values())


def run_case(name: str, spec: dict, runs: int, workers: int) -> None:
    """Solve one case ``runs`` times and print the solver's and the baseline's figures."""
    inputs = desk_inputs(spec["per_position"], spec["spares"], spec["days"], spec["leaves"], seed=7)
    results = [solve(inputs, time_limit=spec["limit"], workers=workers) for _ in range(runs)]
    r = sorted(results, key=lambda x: x.wall_time)[len(results) // 2]
    wall = statistics.median(x.wall_time for x in results)
    viol = len(validate(r.assignments, inputs)) if r.ok else "-"
    spread = night_spread(r.assignments, inputs) if r.ok else "-"
    print(f"{name:24} solver   {r.status:10} stage={r.stage:7} obj={r.objective} bound={r.best_bound} "
          f"gap={r.gap:.3f} wall={wall:.2f}s (runs {', '.join(f'{x.wall_time:.2f}' for x in results)}) "
          f"violations={viol} night_spread={spread}")
    print(f"{'':24} costs    {summarise(r.cost_breakdown)}")
    base = baseline(inputs)
    rules = Counter(v.rule for v in validate(base, inputs))
    print(f"{'':24} baseline violations={sum(rules.values())} {dict(rules)} "
          f"night_spread={night_spread(base, inputs)}")


def main() -> None:
    """Parse arguments and run every case."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--case", choices=list(CASES), action="append")
    args = ap.parse_args()
    for name in args.case or CASES:
        run_case(name, CASES[name], args.runs, args.workers)


if __name__ == "__main__":
    main()
