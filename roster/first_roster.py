"""A first roster built person by person, for large desks whose people are coupled only by soft cover.

When every cover row is soft (a shortfall or a surplus costs, none is forbidden), each hard rule speaks about one
person: one shift a day, successions, runs, totals, weekends, days off. A roster is then feasible exactly when each
person's own roster is, and the cost of a seat is separable: given the shifts the others already work, one more
person on a seat saves its ``under`` weight while the seat is short and costs its ``over`` weight once it is full.
So people are rostered one at a time, each with the engine's own model restricted to that person, the cover rows
replaced by what the people before left open (the exact marginal cost), least flexible people first. Each of these
models is small (one person: a few hundred to a few thousand booleans) and is solved in a fraction of a second,
where CP-SAT on the whole model of a year for 150 people finds no roster at all in a minute on two workers
(``bench/curtois_synth.py``). Time left over goes to passes that take one person out and roster them again against
everybody else (coordinate descent; each pass never makes the roster worse).

``roster.solver`` returns that roster as the answer (FEASIBLE, scored by the independent scorer) for desks from
``BY_PEOPLE_FROM`` seat variables on; below that the whole model does better (the solver's docstring).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date

from ortools.sat.python import cp_model

from roster.cpsat import Key, RosterModel, never_worked
from roster.domain import Cover
from roster.facts import Facts

Seat = tuple[date, str, str]  # (day, shift, position)
DESCENT_SECONDS = 0.5  # one person's re-roster in the descent (hinted: it starts from their roster)
Report = Callable[[set[Key]], None]  # called with the seats of each better roster


def independent(facts: Facts) -> bool:
    """True when no hard rule couples two people: no rotation, no pins, and every cover row that needs someone
    is soft on both sides (a hard row of need 0 only forbids, which each person's model states alone)."""
    if facts.inputs.pattern is not None or facts.inputs.pins:
        return False
    return all(r.need == 0 or (r.under is not None and r.over is not None) for r in facts.cover.values())


def size(facts: Facts) -> int:
    """About how many seat variables the whole model would have: each person's (day, shift) slots."""
    return sum(slots(facts).values())


def slots(facts: Facts) -> dict[str, int]:
    """Per person, how many (day, shift) slots they could work: not on leave, not a shift type capped at zero."""
    on_leave = Counter((u, s) for (u, _d, s) in facts.leave)
    out = {}
    for u in facts.people:
        never = never_worked(facts, u)
        kinds = [s for s in facts.codes if s not in never]
        out[u] = sum(len(facts.dates) - on_leave[(u, s)] for s in kinds)
    return out


def build(facts: Facts, deadline: float, first_seconds: float, report: Report | None = None,
          workers: int = 2) -> set[Key] | None:
    """The seats of a roster for ``independent`` facts, improved until ``deadline`` (a ``time.perf_counter()``
    value), or None when a person's own rules leave them no roster or the first pass ran out of time.
    ``first_seconds``: each person's search in the first pass; ``report`` hears of each better roster;
    ``workers`` people are solved side by side in the first pass (CP-SAT releases the interpreter while it
    searches)."""
    worked: dict[str, set[Key]] = {}
    count: Counter[Seat] = Counter()
    choice = slots(facts)
    order = sorted(facts.people, key=lambda u: (choice[u], u))  # least choice first
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for i in range(0, len(order), max(1, workers)):
            batch = order[i:i + max(1, workers)]  # side by side, each against the seats of those before
            found = list(pool.map(lambda u: _first_roster_of(facts, u, count.copy(), deadline, first_seconds),
                                  batch))
            for u, keys in zip(batch, found, strict=True):
                if keys is None:
                    return None
                worked[u] = keys
                count.update(k[1:] for k in keys)
    if report is not None:
        report(_all(worked))
    _descend(facts, worked, count, deadline, DESCENT_SECONDS, report)
    return _all(worked)


def _first_roster_of(facts: Facts, u: str, count: Counter[Seat], deadline: float, seconds: float) -> set[Key] | None:
    """``u``'s first roster: the first one CP-SAT finds; for a hard person, a second, longer try for any roster
    at all (no objective: a tight window of total minutes can keep the cost-led search from ever finding one,
    measured on a synthetic year where it found none in 22 s; the descent then improves it)."""
    keys = _solve_person(facts, u, count, deadline, seconds, hint=None, first=True)
    if keys is None:
        keys = _solve_person(facts, u, count, deadline, 10 * seconds, hint=None, first=True, cost=False)
    return keys


def _all(worked: dict[str, set[Key]]) -> set[Key]:
    return set().union(*worked.values()) if worked else set()


def _descend(facts: Facts, worked: dict[str, set[Key]], count: Counter[Seat], deadline: float, seconds: float,
             report: Report | None) -> None:
    """Coordinate descent until ``deadline``: each person in turn re-rostered against everybody else's seats
    (hinted with their own, so never worse), until a round changes nobody."""
    while True:
        changed = False
        for u in sorted(worked):
            if time.perf_counter() >= deadline:
                return
            count.subtract(k[1:] for k in worked[u])
            keys = _solve_person(facts, u, count, deadline, seconds, hint=worked[u])
            if keys is not None and keys != worked[u]:
                worked[u], changed = keys, True
            count.update(k[1:] for k in worked[u])
        if not changed:
            return
        if report is not None:
            report(_all(worked))


def _solve_person(facts: Facts, u: str, count: Counter[Seat], deadline: float, seconds: float,
                  hint: set[Key] | None, first: bool = False, cost: bool = True) -> set[Key] | None:
    """``u``'s best roster found in ``seconds`` of search given ``count`` people already on each seat (None: none;
    the search stops at ``deadline`` in any case)."""
    rm = RosterModel(people_facts(facts, (u,), count), "pattern")
    rm.add_hard_rules()
    rm.add_soft_rules()
    if not cost:
        rm.m.clear_objective()  # type: ignore[no-untyped-call]
    until = min(deadline, time.perf_counter() + seconds)
    if hint is not None:
        for key, v in rm.x.items():
            rm.m.add_hint(v, key in hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, until - time.perf_counter())  # the build is not counted
    solver.parameters.num_workers = 1  # a one-person model: a second worker would only wait
    solver.parameters.symmetry_level = 0  # measured: a quarter faster to a first roster, same rosters
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.stop_after_first_solution = first
    status = solver.solve(rm.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {k for k, v in rm.x.items() if solver.boolean_value(v)}


def people_facts(facts: Facts, users: Collection[str], count: Counter[Seat]) -> Facts:
    """``facts`` for ``users`` alone, with each soft cover row asking for what the others leave open (``count``:
    how many of the others sit each seat); rows none of them could sit are left out."""
    people = {u: facts.people[u] for u in users}
    never = {u: never_worked(facts, u) for u in users}
    cover = {seat: _residual(row, count[seat]) for seat, row in facts.cover.items()
             if any(seat[1] not in never[u] and people[u].qualified(seat[2]) for u in users)}
    inputs = replace(facts.inputs, people=tuple(people.values()),
                     preferences=tuple(p for p in facts.inputs.preferences if p.username in people),
                     previous=tuple(a for a in facts.inputs.previous if a.username in people))
    return replace(facts, inputs=inputs, people=people, cover=cover)


def _residual(row: Cover, already: int) -> Cover:
    """What a soft cover row still asks once ``already`` people sit it: a seat already full asks for nobody,
    so each one more costs ``over`` (the surplus already there is a constant this person cannot change)."""
    if row.under is None or row.over is None:
        return row  # a hard row of need 0: nobody may sit it
    return replace(row, need=max(0, row.need - already))
