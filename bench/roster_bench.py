"""Roster engine benchmark: the cases of issue 3 against a plain rotation + greedy baseline and a
straightforward CP-SAT model.

Run: ``.venv/bin/python bench/roster_bench.py [--runs 3] [--workers 2] [--case NAME ...] [--no-naive]``
from the repository root (all cases, 3 runs and the naive comparison: about three minutes).
For each case it prints status, stage, objective, bound, gap and wall time (median of the runs),
the validator's violation count and two fairness spreads per fairness group (same primary position,
team members and spares apart), the largest over the groups:
- ``raw``: max - min nights worked;
- ``adj`` (leave-adjusted, what the engine optimises): max - min of nights worked plus the nights
  of one's own rotation that approved leave removed. Leave is not made up: a team member away for a
  week is not "unfairly" short of nights, and a night worked for someone on leave counts in full.
Spares have no rotation, so for them both spreads are the same.
Then the same figures for the baseline and for the naive model (one boolean per person, day,
shift and seat; rest rules and window sums stated directly; max - min as the fairness term; the
same time limit, one run). The ``forced`` cases add leave the rotation cannot absorb (every spare
and two teams' comms watchers away on one day), so the pattern stage is infeasible; they run once
with the default stages (pattern, local, free) and once with the local stage skipped
(``free`` on its own after the pattern stage).

Figures of 2026-11-28 (this 2-core box, 2 workers, ``.venv/bin/python bench/roster_bench.py``, 2 min 49 s):

    case          solver (median of 3)            spread raw/adj  naive model (1 run)          baseline
    demo          OPTIMAL pattern 0.12 s          1/1             OPTIMAL 4.70 s, 1/1          0 viol., 3
    28p           OPTIMAL pattern 0.45 s          2/1             OPTIMAL 4.99 s, 2/1          0 viol., 4
    56p           OPTIMAL pattern 1.80 s          2/2             FEASIBLE 60 s gap 0.47, 2/4  6 viol., 9
    demo-forced   OPTIMAL local 0.46 s            2/1             OPTIMAL 3.56 s, 1/2          1 viol., 3
                  (free alone: OPTIMAL 3.15 s)
    28p-forced    OPTIMAL local 2.98 s            2/1             OPTIMAL 6.07 s, 2/1          2 viol., 4
                  (free alone: OPTIMAL 17.4 s)

Zero violations for the solver and the naive model. The naive objective (max - min) differs from the
engine's (squared distance from a share), so ``naive objective of this roster`` scores the engine's
roster on the naive scale: demo 108 (= the naive optimum), 28p 237 (naive optimum 233), 56p 612
(naive's best in 60 s: 1125, bound 595). Which optimal roster a run returns varies, and with it the
raw spread (earlier runs: demo raw 2, 56p raw 3); the adjusted spread is what the engine optimises.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from ortools.sat.python import cp_model

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from roster.domain import Assignment, Leave, RosterInputs
from roster.facts import Facts, build_facts, day_kind_matches, fairness_group
from roster.samples import desk_inputs
from roster.solver import solve, summarise
from roster.validate import validate

CASES = {
    "demo": {"per_position": 1, "spares": 2, "days": 92, "leaves": 5, "limit": 10},
    "28p": {"per_position": 2, "spares": 4, "days": 182, "leaves": 10, "limit": 10},
    "56p": {"per_position": 4, "spares": 8, "days": 365, "leaves": 30, "limit": 60},
    "demo-forced": {"per_position": 1, "spares": 2, "days": 92, "leaves": 5, "limit": 10, "forced": True},
    "28p-forced": {"per_position": 2, "spares": 4, "days": 182, "leaves": 10, "limit": 30, "forced": True},
}
TITLES = {
    "demo": "demo 14p/92d/5 leaves", "28p": "28p/182d/10 leaves", "56p": "56p/365d/30 leaves",
    "demo-forced": "demo 14p/92d forced", "28p-forced": "28p/182d forced",
}
FREE_ONLY = ("pattern", "free")


def case_inputs(spec: dict) -> RosterInputs:
    """The inputs of a case (seed 7); ``forced`` adds a day on which the rotation cannot cope."""
    inputs = desk_inputs(spec["per_position"], spec["spares"], spec["days"], spec["leaves"], seed=7)
    if not spec.get("forced"):
        return inputs
    day = inputs.start + timedelta(days=40)
    away = [p.username for p in inputs.people if p.team is None or (p.team in "CD" and p.primary == "comms")]
    return replace(inputs, leaves=inputs.leaves + tuple(Leave(u, day, day, reason="forced") for u in away))


# ---- baseline: rotation + greedy -------------------------------------------------------------

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


# ---- the straightforward model ---------------------------------------------------------------

def naive_solve(inputs: RosterInputs, time_limit: float, workers: int) -> dict:
    """The straightforward model of issue 3 (pins, wishes and history left out: the cases have none)."""
    f = build_facts(inputs)
    m = cp_model.CpModel()
    x = {(p.username, d, s, q): m.NewBoolVar(f"x{p.username}{d}{s}{q}") for p in f.people.values()
         for d in f.dates for s in f.codes for q in inputs.coverage if p.qualified(q)}
    work = _naive_hard(m, f, x)
    m.Minimize(_naive_objective(m, f, x, work))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    started = time.perf_counter()
    status = solver.Solve(m)
    out = {"status": solver.StatusName(status), "wall": time.perf_counter() - started, "assignments": []}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        obj, bound = solver.ObjectiveValue(), solver.BestObjectiveBound()
        out |= {"obj": round(obj), "bound": round(bound), "gap": abs(obj - bound) / max(1.0, abs(obj)),
                "assignments": [Assignment(d, s, q, u) for (u, d, s, q), v in x.items() if solver.Value(v)]}
    return out


def _naive_hard(m: cp_model.CpModel, f: Facts, x: dict) -> dict:
    """Coverage, leave, one seat a day, rest pairs, consecutive days and the rolling window."""
    seats: dict[tuple, list] = {}
    for (_u, d, s, q), v in x.items():
        seats.setdefault((d, s, q), []).append(v)
    for d in f.dates:
        for s in f.codes:
            for q, need in f.inputs.coverage.items():
                m.Add(sum(seats.get((d, s, q), [])) == need)
    work = {(u, d, s): sum(x.get((u, d, s, q), 0) for q in f.inputs.coverage)
            for u in f.people for d in f.dates for s in f.codes}
    day = {(u, d): sum(work[(u, d, s)] for s in f.codes) for u in f.people for d in f.dates}
    for (u, d, s), w in work.items():
        if (u, d, s) in f.leave:
            m.Add(w == 0)
    for u in f.people:
        for i, d in enumerate(f.dates):
            m.Add(day[(u, d)] <= 1)
            for a, delta, b in f.offsets:
                if delta and a in f.codes and (u, d + timedelta(days=delta), b) in work:
                    m.Add(work[(u, d, a)] + work[(u, d + timedelta(days=delta), b)] <= 1)
            _naive_window(m, f, day, u, i, f.rules.max_consecutive + 1, f.rules.max_consecutive)
            _naive_window(m, f, day, u, i, f.rules.window_days, f.rules.max_shifts_in_window)
    return work


def _naive_window(m: cp_model.CpModel, f: Facts, day: dict, u: str, i: int, size: int, limit: int) -> None:
    """At most ``limit`` working days among the ``size`` days from the ``i``-th date."""
    if i + size <= len(f.dates):
        m.Add(sum(day[(u, f.dates[i + k])] for k in range(size)) <= limit)


def _naive_objective(m: cp_model.CpModel, f: Facts, x: dict, work: dict):
    """Substitutions, own shifts released, and weight * (max - min) per fairness group and metric."""
    w = f.rules.weights
    cost = sum(w.substitution * v for (u, d, s, q), v in x.items() if f.pattern.get((u, d, s)) != q)
    cost += sum(w.pattern_release * (1 - x[(u, d, s, q)]) for (u, d, s), q in f.pattern.items()
                if (u, d, s) not in f.leave)
    groups: dict[tuple, list[str]] = {}
    for p in f.people.values():
        groups.setdefault(fairness_group(p), []).append(p.username)
    for metric in ("nights", "weekends", "holidays"):
        weight = getattr(w, f"fair_{metric}")
        for users in groups.values():
            totals = [sum(work[(u, d, s)] for d in f.dates for s in f.codes
                          if day_kind_matches(f, metric, d, s)) for u in users]
            hi, lo = m.NewIntVar(0, 2 * len(f.dates), ""), m.NewIntVar(0, 2 * len(f.dates), "")
            m.AddMaxEquality(hi, totals)
            m.AddMinEquality(lo, totals)
            cost += weight * (hi - lo)
    return cost


def naive_score(assignments, inputs: RosterInputs) -> int:
    """The naive model's objective of any roster (so both rosters are judged on one scale)."""
    f = build_facts(inputs)
    w = f.rules.weights
    seats = {(a.username, a.day, a.shift): a.position for a in assignments}
    score = w.substitution * sum(1 for k, q in seats.items() if f.pattern.get(k) != q)
    score += w.pattern_release * sum(1 for k, q in f.pattern.items() if k not in f.leave and seats.get(k) != q)
    groups: dict[tuple, list[str]] = {}
    for p in f.people.values():
        groups.setdefault(fairness_group(p), []).append(p.username)
    for metric in ("nights", "weekends", "holidays"):
        count = Counter(u for (u, d, s) in seats if day_kind_matches(f, metric, d, s))
        for users in groups.values():
            score += getattr(w, f"fair_{metric}") * (max(count[u] for u in users) - min(count[u] for u in users))
    return score


# ---- figures ---------------------------------------------------------------------------------

def night_spreads(assignments, inputs: RosterInputs) -> tuple[int, int]:
    """(raw, leave-adjusted): the largest max - min of nights within a fairness group."""
    facts = build_facts(inputs)
    nights = Counter(a.username for a in assignments if a.shift == "N" and inputs.start <= a.day <= inputs.end)
    lost = Counter(u for (u, d, s) in facts.pattern if s == "N" and (u, d, s) in facts.leave)
    groups: dict[tuple, list[tuple[int, int]]] = {}
    for p in facts.people.values():
        if p.qualified(p.primary):
            n = nights[p.username]
            groups.setdefault(fairness_group(p), []).append((n, n + lost[p.username]))
    raw = max(max(v[0] for v in g) - min(v[0] for v in g) for g in groups.values())
    adj = max(max(v[1] for v in g) - min(v[1] for v in g) for g in groups.values())
    return raw, adj


def _figures(assignments, inputs: RosterInputs, ok: bool) -> str:
    """Violations and spreads of a roster ('-' when there is none)."""
    if not ok:
        return "violations=- night_spread raw=- adj=-"
    raw, adj = night_spreads(assignments, inputs)
    return f"violations={len(validate(assignments, inputs))} night_spread raw={raw} adj={adj}"


def run_solver(label: str, inputs: RosterInputs, spec: dict, runs: int, workers: int, stages=None) -> None:
    """Solve ``runs`` times and print the median run's figures."""
    kw = {"stages": stages} if stages else {}
    results = [solve(inputs, time_limit=spec["limit"], workers=workers, **kw) for _ in range(runs)]
    r = sorted(results, key=lambda x: x.wall_time)[len(results) // 2]
    wall = statistics.median(x.wall_time for x in results)
    gap = f"{r.gap:.3f}" if r.gap is not None else "-"
    print(f"{label:24} {r.status:10} stage={r.stage or '-':7} obj={r.objective} bound={r.best_bound} gap={gap} "
          f"wall={wall:.2f}s (runs {', '.join(f'{x.wall_time:.2f}' for x in results)}) "
          f"{_figures(r.assignments, inputs, r.ok)}")
    if r.ok:
        print(f"{'':24} costs {summarise(r.cost_breakdown)}; naive objective of this roster "
              f"{naive_score(r.assignments, inputs)}")


def run_case(name: str, runs: int, workers: int, naive: bool) -> None:
    """Every figure of one case."""
    spec = CASES[name]
    inputs = case_inputs(spec)
    print(f"== {TITLES[name]} (time limit {spec['limit']} s, {workers} workers)")
    run_solver("  solver", inputs, spec, runs, workers)
    if spec.get("forced"):
        run_solver("  solver, no local stage", inputs, spec, runs, workers, FREE_ONLY)
    base = baseline(inputs)
    rules = Counter(v.rule for v in validate(base, inputs))
    raw, adj = night_spreads(base, inputs)
    print(f"{'  baseline':24} violations={sum(rules.values())} {dict(rules)} night_spread raw={raw} adj={adj}")
    if naive:
        nv = naive_solve(inputs, spec["limit"], workers)
        gap = f"{nv['gap']:.3f}" if "gap" in nv else "-"
        print(f"{'  naive model':24} {nv['status']:10} obj={nv.get('obj')} bound={nv.get('bound')} gap={gap} "
              f"wall={nv['wall']:.2f}s {_figures(nv['assignments'], inputs, bool(nv['assignments']))}")


def main() -> None:
    """Parse arguments and run the chosen cases."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--case", choices=list(CASES), action="append", help="repeatable; default: every case")
    ap.add_argument("--no-naive", action="store_true", help="skip the straightforward model")
    args = ap.parse_args()
    for name in args.case or CASES:
        run_case(name, args.runs, args.workers, not args.no_naive)


if __name__ == "__main__":
    main()
