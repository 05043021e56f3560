"""Large-neighbourhood search around the incumbent roster, for long solves CP-SAT's tree search does not finish.

``sweep`` is wired in after price and dive (``roster.solver``): each window of ``WINDOW_DAYS`` days in turn is
re-solved with everyone's seats in it free and every other seat fixed, until a whole pass improves nothing; then
windows half as long again, up to ``LONGEST_WINDOW`` days. A dive that lands one seat short more than the optimum
(Curtois 8: 1,403 against 1,300) is one window away from it: the last week re-solved gave 1,307 in 0.3 s, where the
whole model's search from the same roster found it in some runs only.

``polish`` and ``improve`` are not wired in now. ``polish``: CP-SAT's own neighbourhood search alone
(``use_lns_only``: no tree search, no bound), hinted with the incumbent. It beat the default portfolio of two
workers on the Curtois instances, and was used from stop 12 to 13; CP-SAT with the full linear relaxation all the
time beat it (the solver's docstring).

``improve`` (measured, not wired in): a structured LNS. Each step copies the model, fixes every seat variable
outside a neighbourhood to its incumbent value, hints the whole incumbent and re-solves for half a second on one
worker, two steps side by side; a better roster becomes the incumbent. Neighbourhoods, taken in turn with adaptive
sizes: ``days`` (everyone over a window of days), ``people`` (a few people over the whole period), ``block`` (half
the people over a longer window). It lost to ``polish`` on Instance5 (1439 against 1349 after 30 s): CP-SAT's
weak LP bound makes even 200-variable sub-solves slow to finish. Kept for the next attempt (e.g. with
``polish``'s solver inside each step).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from roster.cpsat import Key, RosterModel

STEP_SECONDS = 0.5
KINDS = ("days", "people", "block")
WINDOW_DAYS = 7  # a week: every weekly limit and run of shifts fits inside one window
LONGEST_WINDOW = 14  # days; longer windows took the whole 2 s on Curtois 8 and found nothing (the whole model's
# search from the same roster then has the time)
WINDOW_SECONDS = 2.0  # one window's search at most (Curtois 8: 0.04-0.3 s to a proof)


@dataclass
class Sizes:
    """The adaptive share of the period (days) or of the people each kind of neighbourhood frees."""

    share: dict[str, float] = field(default_factory=lambda: {"days": 0.25, "people": 0.15, "block": 0.5})

    def adapt(self, kind: str, finished: bool) -> None:
        """Grow after a finished sub-solve, shrink after one that ran out of time."""
        self.share[kind] = min(1.0, self.share[kind] * 1.15) if finished else max(0.02, self.share[kind] * 0.85)


def improve(rm: RosterModel, best: cp_model.CpSolver, deadline: float, workers: int,
            report: Callable[[int], None] | None = None, seed: int = 7) -> cp_model.CpSolver:
    """The solver holding the best roster found by LNS steps until ``deadline`` (perf_counter seconds): ``workers``
    one-worker sub-solves run side by side on different neighbourhoods of the same incumbent."""
    rng, sizes = random.Random(seed), Sizes()
    people, days = sorted({k[0] for k in rm.x}), sorted({k[1] for k in rm.x})
    step = 0
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while time.perf_counter() < deadline - 0.1 and people and days:
            jobs = []
            for _ in range(max(1, workers)):
                kind = KINDS[step % len(KINDS)]
                step += 1
                free = _neighbourhood(kind, sizes.share[kind], people, days, rng)
                left = min(STEP_SECONDS, deadline - time.perf_counter())
                jobs.append((kind, pool.submit(_step, rm, best, free, left, rng.randrange(1 << 30))))
            improved = False
            for kind, job in jobs:
                sub, status = job.result()
                sizes.adapt(kind, status == cp_model.OPTIMAL)
                if sub is not None and sub.objective_value <= best.objective_value:
                    improved |= sub.objective_value < best.objective_value - 0.5
                    best = sub
            if improved and report is not None:
                report(round(best.objective_value))
    return best


def sweep(rm: RosterModel, best: cp_model.CpSolver, deadline: float, workers: int,
          report: Callable[[int], None] | None = None) -> cp_model.CpSolver:
    """The solver holding the best roster found by re-solving windows of days in turn (everyone's seats in the window
    free, the rest fixed to the incumbent ``best``) until ``deadline`` (perf_counter seconds): windows of
    ``WINDOW_DAYS`` until a whole pass improves nothing, then half as long again, up to ``LONGEST_WINDOW`` days;
    ``report`` hears each better objective."""
    days = sorted({k[1] for k in rm.x})
    size = WINDOW_DAYS
    while days and time.perf_counter() < deadline - 0.05:
        best, improved = _pass(rm, best, _windows(days, size), deadline, workers, report)
        if not improved:
            if size >= min(len(days), LONGEST_WINDOW):
                break
            size = min(len(days), LONGEST_WINDOW, size + max(1, size // 2))
    return best


def _pass(rm: RosterModel, best: cp_model.CpSolver, windows: list[set[date]], deadline: float, workers: int,
          report: Callable[[int], None] | None) -> tuple[cp_model.CpSolver, bool]:
    """One pass over ``windows``: (the best solver, whether any window improved it)."""
    improved = False
    for turn, window in enumerate(windows):
        seconds = min(WINDOW_SECONDS, deadline - time.perf_counter())
        if seconds <= 0.05:
            break
        sub, _status = _step(rm, best, _within(window), seconds, turn, workers)
        if sub is not None and sub.objective_value < best.objective_value - 0.5:
            best, improved = sub, True
            if report is not None:
                report(round(best.objective_value))
    return best, improved


def _windows(days: list[date], size: int) -> list[set[date]]:
    """Windows of ``size`` consecutive days, each overlapping the next by half, the last ending on the last day."""
    if len(days) <= size:
        return [set(days)] if days else []
    starts = list(range(0, len(days) - size + 1, max(1, size // 2)))
    if starts[-1] != len(days) - size:
        starts.append(len(days) - size)
    return [set(days[i:i + size]) for i in starts]


def polish(rm: RosterModel, best: cp_model.CpSolver, seconds: float, workers: int,
           callback: cp_model.CpSolverSolutionCallback | None = None) -> cp_model.CpSolver:
    """CP-SAT's own neighbourhood search only (no tree search, no bound), started from the incumbent: the solver
    holding the better of the two rosters."""
    sub = rm.m.clone()
    values = list(best.response_proto.solution)
    sub.clear_hints()  # type: ignore[no-untyped-call]
    sub.proto.solution_hint.vars.extend(range(len(values)))
    sub.proto.solution_hint.values.extend(values)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.use_lns_only = True
    status = solver.solve(sub, callback)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < best.objective_value:
        return solver
    return best


def _neighbourhood(kind: str, share: float, people: list[str], days: list[date],
                   rng: random.Random) -> Callable[[Key], bool]:
    """A predicate: True for the seat variables this step frees."""
    n_days = max(2, round(share * len(days)))
    n_people = max(2, round(share * len(people)))
    if kind == "people":
        chosen = set(rng.sample(people, min(n_people, len(people))))
        return lambda k: k[0] in chosen
    if kind == "block":
        chosen = set(rng.sample(people, max(2, len(people) // 2)))
        window = _window(days, min(len(days), 2 * n_days), rng)
        return lambda k: k[0] in chosen and k[1] in window
    window = _window(days, n_days, rng)
    return lambda k: k[1] in window


def _window(days: list[date], n: int, rng: random.Random) -> set[date]:
    """``n`` consecutive days of ``days`` at a random start."""
    first = rng.randrange(0, max(1, len(days) - n + 1))
    return set(days[first:first + n])


def pinned(rm: RosterModel, seats: dict[Key, int]) -> cp_model.CpModel:
    """A copy of ``rm``'s model, hints cleared, each seat variable of ``seats`` fixed to its value (0 or 1)."""
    sub = rm.m.clone()
    sub.clear_hints()  # type: ignore[no-untyped-call]
    for key, value in seats.items():
        domain = sub.proto.variables[rm.x[key].index].domain
        domain.clear()
        domain.extend([value, value])
    return sub


def _within(window: set[date]) -> Callable[[Key], bool]:
    """True for the seat variables of the days in ``window``."""
    return lambda key: key[1] in window


def _step(rm: RosterModel, best: cp_model.CpSolver, free: Callable[[Key], bool], seconds: float,
          seed: int, workers: int = 1) -> tuple[cp_model.CpSolver | None, cp_model.CpSolverStatus]:
    """Re-solve with the seats outside ``free`` fixed to the incumbent; (solver or None, status)."""
    values = list(best.response_proto.solution)
    sub = pinned(rm, {key: values[var.index] for key, var in rm.x.items() if not free(key)})
    sub.proto.solution_hint.vars.extend(range(len(values)))
    sub.proto.solution_hint.values.extend(values)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(sub)
    ok = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return (solver if ok else None), status
