"""Solve a roster with OR-Tools CP-SAT: ``solve(inputs) -> SolveResult``.

Stages, each tried only if the one before is infeasible: ``pattern`` (the rotation is law; only
seats that leave, pins, unwanted wishes or over-full teams open are decided), ``local`` (the
rotation of everybody is reopened within a few days of each seat its available pattern holders
leave short, so a team member can move off rotation there), then ``free`` (every seat decided).
Each stage's model contains the one before, with one objective, so a later stage never answers
worse. If every stage is infeasible the explainer says why in a leader's words.

Fairness (nights, weekends, public holidays): per fairness group (same primary position; team
members and spares apart) each person's **leave-adjusted** count is history + shifts worked +
own-rotation shifts that approved leave removed. Leave is not made up: a team member away for a
week is not "unfairly" short of nights, and nobody is moved off their rotation to even out raw
counts (that would cost two rotation breaks for one night). The share is the group's mean of
history + whole own rotation; being at the floor or the ceiling of the share costs nothing,
beyond it the cost grows quadratically. So the target spread is at most 1 in leave-adjusted
nights where the rotation and the rest rules allow it; the bench prints raw and adjusted spreads.

What made it fast (see bench/roster_bench.py for the figures and the exact command):
- Model deviations, not the whole roster. The pattern fixes almost every seat, so those seats are
  constants and never variables; variables exist only for seats left open and only for people who
  could sit them (qualified, not on leave, not on another constant shift that day, not breaking a
  rest rule against their constant shifts). The 92-day demo desk shrinks from ~7,700 booleans in
  the naive model to a few dozen; the 365-day, 56-person case to a few thousand.
- Window and consecutive-day limits are posted only for windows that contain a variable and that
  could actually overflow (constants counted on the right-hand side).
- Fairness is a convex per-person cost above tangent lines (see ``rules.square_lines``); its LP
  relaxation is exact at integers, so the bound is tight; max-min needs none of that. The share
  comes from the rotation, not from the stage's constants, so the free stage (no constants) gets
  the same, tight objective instead of squares of raw totals.
- Interchangeable people (spares, and members of one team with the same skills and no personal
  data) are ordered by their total shifts, which removes the permutations a solver otherwise
  proves over and over.
- When the rotation cannot absorb the leave, reopen it only where it breaks (``local``) before
  deciding every seat (``free``).
- Hints from the pattern and from the last published roster (minimal change) start the search
  at or near the optimum.

Measured (``.venv/bin/python bench/roster_bench.py``, 2 workers, median of 3, this 2-core box;
spreads are max - min nights within a fairness group, raw / leave-adjusted):
- demo 14 people/92 days/5 leaves: OPTIMAL in 0.12 s, spread 1/1 (was 0.12 s, 1 raw / 1 adjusted);
- 28/182/10: OPTIMAL in 0.45 s, spread 2/1 (was 0.46 s, 2 raw / 2 adjusted);
- 56/365/30: OPTIMAL in 1.80 s, spread 2/2 (was 1.80 s, 2 raw / 2 adjusted). The 2 is forced by the
  rotation: two leader nights emptied by leave fall on days when only team D's leaders are rested
  for a night, and team D already has the rotation's 92 nights against the others' 91; evening
  that out means moving a second person off rotation (two breaks for one night);
- forced (every spare and two teams' comms watchers away on one day, so the pattern stage is
  infeasible): demo OPTIMAL in 0.46 s (local stage), 28/182 OPTIMAL in 2.98 s (local stage);
  the free stage on its own now proves the same optima in 3.15 s and 17.4 s (before: demo 38 %
  gap after 10 s, 28/182 no roster in 20 s);
- zero validator violations everywhere. Baseline (rotation + greedy): spread 3, 4, 9, 6
  rest-rule violations on the largest. The naive model (bench ``naive model``) needs 4.7 s,
  5.0 s and ends the 56-person case at 60 s without proof (gap 3-47 % between runs).
Optimality is proven for the model of the stage that answered (own-pattern seats fixed where
that stage does not reopen them).

A desk without a rotation (``inputs.pattern is None``: a day-only team, or the Curtois & Qu benchmark through
``bench/curtois_inputs.py``) runs one stage, the direct model: every seat a decision, the rule rows of
``roster.domain`` (``Limit``, ``Cover``, forbidden successions) as constraints. Its LP bound is weak (runs and
totals relax to fractions), so proofs come only on small cases. Its CP-SAT runs with ``linearization_level`` 2 (every
constraint in the LP) for the whole time. Until stop 14 a long solve (>= 20 s) stopped the whole-model search after
15 % of the time when the gap was above 10 % and let CP-SAT's neighbourhood search alone continue
(``roster.lns.polish``); with the full LP kept running instead, Curtois 5-8 at 60 s went from 1.088, 1.162, 1.108,
1.806 to 1.084 / 1.087, 1.145 / 1.096, 1.027 / 1.030, 1.642 / 1.712 (two runs each, quiet box): the switch is gone.
Earlier measurements on Curtois 1-8 (``bench/curtois.py --all``, 60 s, 2 workers, this 2-core box shared with
other sessions, load 6-12 during the runs; objective / best known):
- whole model only: 1.000 (OPTIMAL 3.2 s), 1.007, 1.004, 1.012, 1.175, 1.353, 1.411, 1.962;
- then LNS-only from the incumbent: 1.000 (OPTIMAL 1.6 s), 1.006, 1.005, 1.003, 1.178, 1.262, 1.225, 1.802.
- with the implied k+m run cut (``roster.cpsat_limits``; load 5-6): 1.000 (OPTIMAL 0.45 s), 1.006, 1.004, 1.004,
  1.092, 1.207, 1.224, 1.805 (objectives 607, 833, 1005, 1723, 1248, 2353, 1293, 2347).
  At 20 s, LNS-only beat the default portfolio on 5/7/8 (1251 vs 1562, 1498 vs 1690, 2659 vs 2865);
- the model as a plain one states it (issue 10's comparison; h-perf, load 3-8): seat variables made person by
  person (CP-SAT's fixed search and its neighbourhoods follow the variable order), a cover soft on both sides as
  one equality ``count - need == over - under``, no variables for shift types a person's limit caps at 0 (on 8:
  1,036 of 3,360). The sizes were otherwise the plain model's already: one boolean per person, day and shift
  (6: 1,404 = 18 x 28 x 3 less days off), no fairness, pattern or symmetry terms without a rotation. Two runs
  (5-8): 1.019 / 1.093, 1.366 / 1.259, 1.124 / 1.125, 1.484 / 1.579 (objectives 1165/1249, 2663/2456, 1187/1188,
  1929/2053; was 1.092, 1.207, 1.224, 1.805); a plain model (one boolean per
  person, day and shift, default parameters) in the same session: 1.004, 1.160, 1.404, 1.625; this engine
  without the switch to LNS-only: 1.087, 1.260, 1.313, 1.553. Single 60 s runs on this shared box vary by
  10-25 % (Instance7 at 20 s, one configuration: 1195 to 1499), so only the larger differences mean anything.
  (A ``--seconds 20`` run never switched before: the stage gets the limit less the set-up time; ``SETUP_SLACK``.)
- a structured LNS (people / day windows / blocks, 0.5 s one-worker sub-solves, two at a time;
  ``roster.lns.improve``) lost to CP-SAT's own neighbourhoods (Instance5, 30 s: 1439 against 1349), so it is not
  wired in; the share of the first phase (5 %, 15 %, 50 %) made no difference the load's noise did not swamp.
Price and dive (stops 15-16; ``roster.columns``): a desk whose people only soft cover couples, up to
``PRICED_UP_TO`` seat variables and with no fairness rule, runs CP-SAT for 5 % of the time (small desks are proven
there), then column generation over each person's own rosters and a dive to 88 %, then windows of days re-solved
around the better roster (``roster.lns.sweep``) to 92 %, then CP-SAT again from the result with every variable
hinted. The master's relaxation is far tighter than CP-SAT's: on Instance8 it reaches 1,300.0, the published optimum,
where CP-SAT's bound stayed at 1,231. Quiet box, 60 s (stop 16): 1-7 within 1 % (Instance1 proven in 0.5 s).
Instance8's dive lands either near 1,305 or one seat short more than the optimum (1,401-1,413); the dive's share
of the time decided it more than anything else measured: dived to 75 % (windows to 90 %), 6 runs in 10 within 5 %;
to 88 % (windows to 92 %), every run so far (figures in ``bench/curtois.py``).
Large desks whose people only soft cover couples (no rotation, no pins, every seat that needs someone soft on both
sides; ``roster.first_roster``) and whose model would have ``BY_PEOPLE_FROM`` seat variables or more are rostered
person by person instead: each person's own model against the seats the others left open, least flexible first, two
side by side, then coordinate descent until the time is up; the result is FEASIBLE, scored by the independent scorer
(stage ``people``). Measured on synthetic instances of the benchmark's hidden sizes (``bench/curtois_synth.py``, 60 s,
2 workers): 26 weeks x 50 people (25k variables): whole model 14,721, by people 35,046 (so the whole model below the
threshold); 52 weeks x 50 (57k): whole model first roster at 36 s, 209,009, by people first at 12 s, 104,759;
52 weeks x 150 x 32 shift types (169k): whole model no roster in 60 s (its presolve alone took 30-42 s), by people
first at ~40 s. Building that model took ~190 s before the build was made linear in the period (now ~9 s).
The switch was never made for a rotating desk: its stages keep searching for the proof their tight bound allows
(28p-forced's local stage is proven in 5-20 s; switching after 4.5 s left it FEASIBLE at 22 % gap).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ortools.sat.python import cp_model

from roster import columns, first_roster, lns, scorer
from roster.cpsat import METRICS, Key, RosterModel
from roster.domain import Assignment, Cost, Explanation, Message, RosterInputs, SolveResult, msg
from roster.explain import explain, quick_check
from roster.facts import Facts, build_facts, short_seat_days
from roster.patterns import check_pattern

DIRECT_LINEARIZATION = 2  # the direct model's LP: every constraint linearized (Curtois 5-8 in 60 s, two runs each:
# 1.084/1.087, 1.145/1.096, 1.027/1.030, 1.642/1.712 against 1.088, 1.162, 1.108, 1.806 with the switch to LNS-only)
BY_PEOPLE_FROM = 40_000  # seat variables from which a desk coupled only by soft cover is rostered person by person
# (synthetic Curtois shapes, 60 s: at 25k the whole model ends at 14,721 against 35,046 by people; at 57k by people
# ends at 104,759 against 209,009; at 120k the whole model finds no roster)
PRICED_UP_TO = 6_000  # seat variables up to which such a desk is priced and dived (Curtois 1-8: 200-2,200; synthetic
# 4 weeks x 120 people, 10,452: 1,069-1,285 against CP-SAT's 448; 26 weeks x 50, 26,533: 40,620 against 51,883)
PRICE_AND_DIVE = (0.05, 0.35, 0.88, 0.92)  # shares of the time: CP-SAT until the first, column generation until the
# second, the dive until the third, windows of days re-solved (``roster.lns.sweep``) until the fourth, CP-SAT from
# the best roster after it
FIRST_PERSON_SECONDS = 2.0  # search for one person's first roster (it stops at the first: 0.05-1.3 s for a year)
Progress = Callable[[float, int], None]  # (seconds since solve() was called, objective of the new roster)

STATUS = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}


def solve(
    inputs: RosterInputs,
    time_limit: float = 30.0,
    workers: int = 2,
    stages: tuple[str, ...] = ("pattern", "local", "free"),
    log: bool = False,
    progress: Progress | None = None,
) -> SolveResult:
    """Build and solve the roster of ``inputs``; never raises for bad inputs (see ``status``).

    ``time_limit`` (seconds, whole solve) and ``workers`` go to CP-SAT; ``progress(seconds, objective)`` is
    called on each improved roster (seconds since this call). Without a pattern only one stage runs (the
    direct model: every seat a decision). ``status`` is OPTIMAL, FEASIBLE, INFEASIBLE (with
    ``explanation``), UNKNOWN (time ran out before any roster) or INVALID_PATTERN (with ``explanation``)."""
    started = time.perf_counter()
    if inputs.pattern is None:
        stages = stages[:1]
    facts = build_facts(inputs)
    warnings = tuple(msg("holiday_year_unknown", year=y) for y in facts.unknown_years)
    refused = _pattern_refusal(facts)
    if refused is not None:
        return _with(refused, started, warnings)
    quick = _quick_explanation(inputs)
    if quick is not None:
        return _with(SolveResult("INFEASIBLE", explanation=quick), started, warnings)
    result = SolveResult("INFEASIBLE")
    for stage in stages:
        if stage == "local" and not short_seat_days(facts):
            continue  # nothing to reopen: the local model would be the pattern model again
        left = max(0.1, time_limit - (time.perf_counter() - started))
        result = solve_stage(facts, stage, left, workers, log, _Clock(progress, started))
        if result.status != "INFEASIBLE":
            return _with(result, started, warnings)
    return _with(_explained(inputs, result), started, warnings)


class _Clock(cp_model.CpSolverSolutionCallback):
    """Reports each improved solution to ``progress`` with the seconds since ``started``."""

    def __init__(self, progress: Progress | None, started: float):
        super().__init__()
        self.progress, self.started = progress, started

    def on_solution_callback(self) -> None:
        self.report(round(self.objective_value))

    def report(self, objective: int) -> None:
        """Tell ``progress`` about a roster of cost ``objective``."""
        if self.progress is not None:
            self.progress(time.perf_counter() - self.started, objective)


def solve_stage(facts: Facts, stage: str, time_limit: float, workers: int, log: bool = False,
                clock: _Clock | None = None) -> SolveResult:
    """Solve one stage's model and read the result: CP-SAT on the whole model (a desk without a rotation with the
    full linear relaxation, ``DIRECT_LINEARIZATION``), or person by person for a large desk that only soft cover
    couples (``roster.first_roster``)."""
    deadline = time.perf_counter() + time_limit
    slots = first_roster.size(facts) if first_roster.independent(facts) else 0
    if slots >= BY_PEOPLE_FROM:
        result = _solve_by_people(facts, slots, deadline, workers, clock)
        if result is not None:
            return result
    rm = RosterModel(facts, stage)
    rm.add_hard_rules()
    rm.add_soft_rules()
    clock = clock or _Clock(None, time.perf_counter())
    if 0 < slots <= PRICED_UP_TO and not _fairness(facts):
        return _price_and_dive(rm, stage, deadline, workers, log, clock)
    status, solver = _cpsat(rm, deadline, workers, log, clock)
    if status not in ("OPTIMAL", "FEASIBLE"):
        return SolveResult(status, stage=stage)
    return _read(rm, solver, status, stage)


def _cpsat(rm: RosterModel, deadline: float, workers: int, log: bool, clock: _Clock) -> tuple[str, cp_model.CpSolver]:
    """CP-SAT on the whole model until ``deadline`` (a desk without a rotation with the full linear relaxation,
    ``DIRECT_LINEARIZATION``): (status, solver)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, deadline - time.perf_counter())
    solver.parameters.num_workers = workers
    solver.parameters.log_search_progress = log
    if rm.f.inputs.pattern is None:
        solver.parameters.linearization_level = DIRECT_LINEARIZATION
    listening = clock.progress is not None  # the desk's own solves run without Python callbacks
    return STATUS.get(solver.solve(rm.m, clock if listening else None), "UNKNOWN"), solver


def _fairness(facts: Facts) -> bool:
    """Whether a fairness rule weighs (it compares people with their group, so they are not independent)."""
    return any(getattr(facts.rules.weights, f"fair_{metric}") for metric in METRICS)


def _price_and_dive(rm: RosterModel, stage: str, deadline: float, workers: int, log: bool,
                    clock: _Clock) -> SolveResult:
    """A desk only soft cover couples: CP-SAT on the whole model for a first share of the time (small desks are
    proven there), then price and dive (``roster.columns``), then windows of days re-solved from the better roster
    (``roster.lns.sweep``), then CP-SAT again from the result. The answer is the best of them, with the column
    generation's bound when it is higher."""
    started = time.perf_counter()
    at = [started + share * (deadline - started) for share in PRICE_AND_DIVE]
    status, solver = _cpsat(rm, at[0], workers, log, clock)
    if status == "OPTIMAL":
        return _read(rm, solver, status, stage)
    if status not in ("FEASIBLE", "UNKNOWN"):
        return SolveResult(status, stage=stage)  # proven infeasible: the explainer says why
    first = _read(rm, solver, status, stage) if status == "FEASIBLE" else None
    plan = columns.build(rm.f, at[1], at[2], workers)
    priced = None if plan is None else _scored(rm.f, plan.keys, stage)
    if priced is not None:
        clock.report(priced.objective or 0)
    found = [r for r in (first, priced) if r is not None]
    start = min(found, key=lambda r: r.objective or 0) if found else None
    if start is not None:
        start = _swept(rm, start, at[3], workers, clock)
    status, solver = _cpsat(rm, deadline, workers, log, clock)
    last = _read(rm, solver, status, stage) if status in ("OPTIMAL", "FEASIBLE") else None
    if start is None or (last is not None and (last.objective or 0) <= (start.objective or 0)):
        best = last or SolveResult(status, stage=stage)  # a tie: the search's answer, perhaps proven
    else:
        best = start
    return _with_bound(best, None if plan is None else plan.bound)


def _swept(rm: RosterModel, start: SolveResult, until: float, workers: int, clock: _Clock) -> SolveResult:
    """``start`` improved by re-solving windows of days until ``until`` (``roster.lns.sweep``), and the next search
    of ``rm`` hinted with the result."""
    keys = {(a.username, a.day, a.shift, a.position) for a in start.assignments}
    complete = _completed(rm, keys, until)
    if complete is not None:
        complete = lns.sweep(rm, complete, until, workers, clock.report)
        if complete.objective_value < (start.objective or 0):
            start = _read(rm, complete, "FEASIBLE", start.stage)
    _hint_with(rm, keys, complete)
    return start


def _completed(rm: RosterModel, keys: set[Key], deadline: float) -> cp_model.CpSolver | None:
    """The whole model's solution with the seats of ``keys`` (every other variable follows from them), or None when
    they break a hard rule or the time runs out."""
    sub = lns.pinned(rm, {key: int(key in keys) for key in rm.x})
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.05, min(5.0, deadline - time.perf_counter()))
    if solver.solve(sub) in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # the seats fixed: milliseconds
        return solver
    return None


def _hint_with(rm: RosterModel, keys: set[Key], complete: cp_model.CpSolver | None) -> None:
    """Start the next search of ``rm`` from the roster ``keys``, every variable hinted when ``complete`` holds its
    whole solution: CP-SAT on two workers takes a complete, feasible hint as its first solution, where it ignored
    one of the seats alone (measured on Curtois 6: the search restarted from 3,960 above a hinted 2,850)."""
    rm.m.clear_hints()  # type: ignore[no-untyped-call]
    if complete is not None:
        values = list(complete.response_proto.solution)
        rm.m.proto.solution_hint.vars.extend(range(len(values)))
        rm.m.proto.solution_hint.values.extend(values)
        return
    for key, var in rm.x.items():
        rm.m.add_hint(var, key in keys)


def _with_bound(result: SolveResult, bound: float | None) -> SolveResult:
    """``result`` with a proven lower bound from elsewhere when it is higher (OPTIMAL when it meets the cost)."""
    if bound is None or result.objective is None:
        return result
    best = max(result.best_bound or 0, math.ceil(bound - 1e-6))
    if best >= result.objective:
        return replace(result, status="OPTIMAL", best_bound=result.objective, gap=0.0)
    return replace(result, best_bound=best, gap=(result.objective - best) / max(1, abs(result.objective)))


def _solve_by_people(facts: Facts, slots: int, deadline: float, workers: int,
                     clock: _Clock | None) -> SolveResult | None:
    """A large desk whose people only soft cover couples (``slots``: its size): rostered person by person
    (``roster.first_roster``) until ``deadline``, scored by the independent scorer. None when no roster came."""

    def report(keys: set[Key]) -> None:
        assert clock is not None
        clock.report(scorer.score(facts.inputs, _seats(keys)).total)

    listening = report if clock is not None and clock.progress is not None else None
    scoring = 1.0 + slots * 1e-5  # the final score takes ~1.4 s for 170k slots
    keys = first_roster.build(facts, deadline - scoring, FIRST_PERSON_SECONDS, listening, workers)
    return None if keys is None else _scored(facts, keys, "people")


def _scored(facts: Facts, keys: set[Key], stage: str) -> SolveResult:
    """The roster ``keys`` as a FEASIBLE result, its cost and breakdown from the independent scorer."""
    seats = _seats(keys)
    score = scorer.score(facts.inputs, seats)
    costs = tuple(sorted((Cost(c.rule, c.username, c.amount, c.detail) for c in score.charges),
                         key=lambda c: (c.rule, c.username, c.detail)))
    return SolveResult("FEASIBLE", assignments=tuple(seats), objective=score.total, cost_breakdown=costs,
                       stage=stage)


def _seats(keys: set[Key]) -> list[Assignment]:
    """Seat keys as assignments, in the order ``RosterModel.assignments`` gives them."""
    ordered = sorted(keys, key=lambda k: (k[1], k[2], k[3], k[0]))
    return [Assignment(d, s, q, u, "substitute") for (u, d, s, q) in ordered]


def _read(rm: RosterModel, solver: cp_model.CpSolver, status: str, stage: str) -> SolveResult:
    """Assignments, objective, bound, gap and the cost breakdown of a solved model."""
    obj, bound = round(solver.objective_value), round(solver.best_objective_bound)
    gap = 0.0 if status == "OPTIMAL" else abs(obj - bound) / max(1, abs(obj))
    return SolveResult(
        status=status,
        assignments=tuple(rm.assignments(solver.boolean_value)),
        objective=obj,
        best_bound=obj if status == "OPTIMAL" else bound,
        gap=gap,
        cost_breakdown=tuple(breakdown(rm, solver.value)),
        stage=stage,
    )


def breakdown(rm: RosterModel, value: Callable[[Any], int]) -> list[Cost]:
    """Every non-zero soft-rule term of a solution, by rule and person (sums to the objective)."""
    out = []
    for t in rm.terms:
        amount = t.coef * (t.expr if isinstance(t.expr, int) else value(t.expr))
        if amount:
            out.append(Cost(t.rule, t.username, int(amount), t.detail))
    return sorted(out, key=lambda c: (c.rule, c.username, c.detail))


def summarise(costs: tuple[Cost, ...] | list[Cost]) -> dict[str, int]:
    """Total cost per rule name."""
    out: dict[str, int] = {}
    for c in costs:
        out[c.rule] = out.get(c.rule, 0) + c.amount
    return out


def _pattern_refusal(facts: Facts) -> SolveResult | None:
    """INVALID_PATTERN with the broken rules, or None when the pattern may be used."""
    if facts.inputs.pattern is None:
        return None
    problems = check_pattern(facts.inputs.pattern, facts.inputs.rules, facts.inputs.shifts)
    if not problems:
        return None
    expl = Explanation(msg("pattern_breaks_rule"), conflicts=tuple(m for _r, m in problems))
    return SolveResult("INVALID_PATTERN", explanation=expl)


def _quick_explanation(inputs: RosterInputs) -> Explanation | None:
    """Counting checks before any search."""
    return quick_check(inputs)


def _explained(inputs: RosterInputs, result: SolveResult) -> SolveResult:
    """``result`` with the explainer's account of the infeasibility."""
    return SolveResult("INFEASIBLE", explanation=explain(inputs), stage=result.stage)


def _with(result: SolveResult, started: float, warnings: tuple[Message, ...]) -> SolveResult:
    """``result`` with wall time and warnings filled in."""
    return replace(result, wall_time=time.perf_counter() - started, warnings=warnings + result.warnings)
