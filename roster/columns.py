"""Price and dive: a roster from column generation, for desks that only soft cover couples.

When people are independent (``roster.first_roster.independent``: no rotation, no pins, every cover row that needs
someone soft on both sides), a roster is one *column* per person: a roster of that person's own that keeps all their
hard rules, with its own cost (wishes, soft limits, changes against the last roster). People meet only on the seats.
The *master* chooses one column per person, each seat's shortfall and surplus charged by its cover row; its linear
relaxation (solved by GLOP) is far tighter than CP-SAT's relaxation of the whole model: on Curtois Instance8 it
reaches 1,300.0, the published optimum, where CP-SAT's bound stays near 1,231 and its search ends at 1,640-2,500 in
60 s (issue 10's figures in ``roster.solver``).

Columns come from *pricing*: each person's own CP-SAT model (built once) with the master's seat prices in its
objective; a roster whose reduced cost is negative joins the master. Column generation stops when no person has one
(the relaxation is then proven) or when the Lagrangian bound is within ``BOUND_GAP`` of it. Then the *dive*: the
person whose column the relaxation most nearly chooses is fixed to it (everybody at 0.99 or more at once) and the
relaxation is priced again until it settles, or to the step's share of the time, until everybody is fixed. When a
fix lifts the priced relaxation by more than ``JUMP``, the dive looks ahead: it tries the next likeliest people (up
to ``LOOKAHEAD``) and keeps the first that does not, else the one that lifts it least. The dive fixes more people a
step when the time left is short, so it ends by its deadline. A dive whose roster costs more than ``RESTART_GAP``
above the relaxation is dived again from the top, its columns kept, while the time allows (on Curtois 8 about half
the dives land within 1 % and the others near 1,405: one seat short more than the optimum). Pricing runs ``workers``
people side by side (CP-SAT releases the interpreter while it searches).

Price-and-branch with diving is the field's usual heuristic for nurse rostering; the published optima of these
instances come from branch and price on the same master.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date

from ortools.linear_solver import linear_solver_pb2, pywraplp  # type: ignore[import-untyped]
from ortools.sat.python import cp_model

from roster.cpsat import Key, RosterModel
from roster.domain import Cover
from roster.facts import Facts
from roster.first_roster import people_facts

Seat = tuple[date, str, str]  # (day, shift, position)
SCALE = 1000  # seat prices are fractions; pricing objectives are integers scaled by this
PRICE_SECONDS = 0.25  # one person's pricing search at most (0.07-0.11 s on average on Curtois 8; a roster found
# unproven still joins the master, only the Lagrangian bound then waits for a proven round)
MIN_ROUNDS = 20  # pricing rounds the time must hold for price and dive to be tried (Curtois 8 used 30-50); a
# safety net under ``roster.solver.PRICED_UP_TO`` for a desk whose pricing is slow
FIRST_PRICE_SECONDS = 2.0  # each person's first pricing: a person with no roster after it stops price and dive
COLUMNS_PER_PRICING = 5  # the last improving rosters a pricing search found all join the master
BOUND_GAP = 0.01  # column generation stops when the Lagrangian bound is this close to the relaxation
SURE = 0.99  # a column the relaxation chooses with this weight is fixed without waiting
LOOKAHEAD = 3  # people a dive step tries when a fix lifts the relaxation by more than JUMP
RESTART_GAP = 0.01  # a dive whose roster costs more than this above the relaxation starts again, time allowing
SETTLED = 0.0001  # a dive step's pricing stops when two rounds lowered the relaxation by less (relative)
JUMP = 0.0025  # relative lift of the relaxation a dive step accepts at once (Curtois 8: 1,300 -> 3.25)


@dataclass
class Plan:
    """What price-and-dive found: the roster's seats and a proven lower bound on every roster's cost (None when
    column generation stopped before proving its relaxation)."""

    keys: set[Key]
    bound: float | None
    columns: int = 0
    rounds: int = 0
    dives: int = 0


class Pricer:
    """One person's own model (every hard rule of theirs, their own soft costs), built once and priced often."""

    def __init__(self, facts: Facts, u: str):
        self.u = u
        self.rm = RosterModel(_free_seats(people_facts(facts, (u,), Counter())), "pattern")
        self.rm.add_hard_rules()
        self.rm.add_soft_rules()
        own = [t for t in self.rm.terms if t.coef]
        self.own = cp_model.LinearExpr.weighted_sum([t.expr for t in own], [t.coef for t in own])
        self.keys = list(self.rm.x)
        self.proven = False  # whether the last pricing search proved its roster the best

    def price(self, prices: dict[Seat, float], seconds: float) -> list[tuple[frozenset[Key], int]]:
        """The last improving rosters found in ``seconds`` for own cost minus the seats' ``prices``, each with its
        own cost, the best last (empty: none found); ``self.proven`` then says whether the last is the best."""
        m = self.rm.m
        m.clear_objective()  # type: ignore[no-untyped-call]
        gains = [-round(SCALE * prices.get(k[1:], 0.0)) for k in self.keys]
        m.minimize(SCALE * self.own + cp_model.LinearExpr.weighted_sum([self.rm.x[k] for k in self.keys], gains))
        found = _Found(self)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = 1  # people are priced side by side instead
        solver.parameters.linearization_level = 2  # measured: 0.07 s a pricing against 0.12 s with the default
        solver.parameters.symmetry_level = 0
        solver.parameters.cp_model_probing_level = 0
        self.proven = solver.solve(m, found) == cp_model.OPTIMAL
        return found.rosters[-COLUMNS_PER_PRICING:]


class _Found(cp_model.CpSolverSolutionCallback):
    """Collects each improving roster of a pricing search with its own cost."""

    def __init__(self, pricer: Pricer):
        super().__init__()
        self.pricer = pricer
        self.rosters: list[tuple[frozenset[Key], int]] = []

    def on_solution_callback(self) -> None:
        keys = frozenset(k for k, v in self.pricer.rm.x.items() if self.boolean_value(v))
        self.rosters.append((keys, int(self.value(self.pricer.own))))


def _free_seats(facts: Facts) -> Facts:
    """``facts`` with every soft cover row free of charge (the master charges cover; a person's model keeps only
    the rows that forbid)."""
    cover = {seat: _free(row) for seat, row in facts.cover.items()}
    return replace(facts, cover=cover)


def _free(row: Cover) -> Cover:
    return replace(row, under=0, over=0) if row.under is not None and row.over is not None else row


@dataclass
class Relaxed:
    """One solve of the master's relaxation: its value, the seat and person prices, and per person the column
    it weighs most (index, weight)."""

    value: float
    seat_prices: dict[Seat, float]
    person_prices: dict[str, float]
    likeliest: dict[str, tuple[int, float]]


@dataclass
class Master:
    """Choose one column per person; each soft seat's shortfall and surplus cost what its cover row says."""

    facts: Facts
    lp: pywraplp.Solver = field(init=False)
    columns: dict[str, list[tuple[frozenset[Key], int, pywraplp.Variable]]] = field(init=False)

    def __post_init__(self) -> None:
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.columns = {u: [] for u in self.facts.people}
        self.once = {u: self.lp.Constraint(1, 1) for u in self.facts.people}
        self.seats = {seat: self._seat_row(row) for seat, row in self.facts.cover.items()
                      if row.under is not None and row.over is not None}
        self.lp.Objective().SetMinimization()

    def _seat_row(self, row: Cover) -> pywraplp.Constraint:
        """count + short - extra == need, short and extra charged."""
        ct = self.lp.Constraint(row.need, row.need)
        for sign, weight in ((1, row.under), (-1, row.over)):
            slack = self.lp.NumVar(0, self.lp.infinity(), "")
            ct.SetCoefficient(slack, sign)
            self.lp.Objective().SetCoefficient(slack, weight or 0)
        return ct

    def add(self, u: str, keys: frozenset[Key], cost: int) -> bool:
        """Add ``u``'s roster ``keys`` of own cost ``cost`` (False: the master has it already)."""
        if any(keys == known for known, _c, _v in self.columns[u]):
            return False
        var = self.lp.NumVar(0, self.lp.infinity(), "")
        self.once[u].SetCoefficient(var, 1)
        for k in keys:
            if k[1:] in self.seats:
                self.seats[k[1:]].SetCoefficient(var, 1)
        self.lp.Objective().SetCoefficient(var, cost)
        self.columns[u].append((keys, cost, var))
        return True

    def solve(self) -> Relaxed:
        """Solve the relaxation (it is always feasible: every person has a column, every seat its slack)."""
        status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            self._rebuild()  # seen after many fixes and unfixes: ABNORMAL from the warm start; a fresh GLOP solves it
            status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise RuntimeError(f"GLOP returned status {status} on the master")
        likeliest = {}
        for u, cols in self.columns.items():
            weights = [v.solution_value() for _k, _c, v in cols]
            best = max(range(len(cols)), key=weights.__getitem__)
            likeliest[u] = (best, weights[best])
        return Relaxed(self.lp.Objective().Value(), {s: c.dual_value() for s, c in self.seats.items()},
                       {u: c.dual_value() for u, c in self.once.items()}, likeliest)

    def _rebuild(self) -> None:
        """The same master in a new GLOP (no basis kept)."""
        proto = linear_solver_pb2.MPModelProto()
        self.lp.ExportModelToProto(proto)
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.lp.LoadModelFromProto(proto)
        self.once = {u: self.lp.constraint(c.index()) for u, c in self.once.items()}
        self.seats = {seat: self.lp.constraint(c.index()) for seat, c in self.seats.items()}
        self.columns = {u: [(k, c, self.lp.variable(v.index())) for k, c, v in cols]
                        for u, cols in self.columns.items()}

    def fix(self, u: str, index: int) -> None:
        """From now on ``u`` works column ``index``."""
        for j, (_k, _c, var) in enumerate(self.columns[u]):
            if j != index:
                var.SetUb(0)

    def unfix(self, u: str) -> None:
        """``u`` may work any of their columns again."""
        for _k, _c, var in self.columns[u]:
            var.SetUb(self.lp.infinity())

    def reduced_cost(self, relaxed: Relaxed, u: str, keys: frozenset[Key], cost: int) -> float:
        """What adding ``u``'s roster would change per unit of weight at ``relaxed``'s prices."""
        seats = sum(relaxed.seat_prices.get(k[1:], 0.0) for k in keys)
        return cost - relaxed.person_prices[u] - seats


@dataclass
class _Search:
    """The state of one price-and-dive run."""

    master: Master
    pricers: dict[str, Pricer]
    pool: ThreadPoolExecutor
    fixed: dict[str, int] = field(default_factory=dict)
    rounds: int = 0
    dived: int = 1

    @property
    def rounding(self) -> float:
        """How far one person's best reduced cost can lie below the one their pricing search found: each seat's
        price is rounded by at most half a unit of 1/SCALE, and a person sits one seat a day at most."""
        return len(self.master.facts.dates) * 0.5 / SCALE

    def price_round(self, until: float) -> tuple[Relaxed, int, float | None]:
        """Solve the relaxation, price every person not fixed yet, add the improving rosters: (relaxation,
        columns added, Lagrangian bound or None when a pricing search was not proven)."""
        relaxed = self.master.solve()
        free = [u for u in self.pricers if u not in self.fixed]
        seconds = max(0.01, min(PRICE_SECONDS, until - time.perf_counter()))
        found = list(self.pool.map(lambda u: self.pricers[u].price(relaxed.seat_prices, seconds), free))
        added, lagrange, proven = 0, relaxed.value, True
        for u, rosters in zip(free, found, strict=True):
            lowest = 0.0
            for keys, cost in rosters:
                rc = self.master.reduced_cost(relaxed, u, keys, cost)
                lowest = min(lowest, rc)
                added += rc < -1e-6 and self.master.add(u, keys, cost)
            lagrange += lowest - self.rounding  # the search saw prices rounded to 1/SCALE
            proven &= self.pricers[u].proven
        self.rounds += 1
        return relaxed, added, lagrange if proven and not self.fixed else None

    def generate(self, until: float, rounds: int, settle: bool = False) -> float | None:
        """Column generation for at most ``rounds`` rounds until ``until``: the best proven bound, if any. With
        ``settle`` it also stops when two rounds lowered the relaxation by less than ``SETTLED`` (the dive's steps:
        the last columns of a long tail move it by hundredths)."""
        bound, values = None, []
        for _ in range(rounds):
            if time.perf_counter() >= until:
                break
            relaxed, added, lagrange = self.price_round(until)
            if lagrange is not None:
                bound = lagrange if bound is None else max(bound, lagrange)
            if added == 0 or (bound is not None and relaxed.value - bound <= BOUND_GAP * abs(relaxed.value)):
                break
            values.append(relaxed.value)
            if settle and len(values) > 2 and values[-3] - values[-1] <= SETTLED * abs(values[-1]):
                break
        return bound

    def dive(self, until: float) -> None:
        """Fix people to the columns the relaxation chooses until everybody is fixed, the relaxation priced again to
        the end (or to the step's share of the time) after each step. Everybody the relaxation is sure of is fixed
        at once; otherwise the likeliest person, looking ahead at up to ``LOOKAHEAD`` of them when a fix would lift
        the relaxation by more than ``JUMP``; more people a step when the time left is short."""
        per_person = 0.0  # seconds of a dive step per person still free (a step prices each of them)
        while len(self.fixed) < len(self.pricers):
            started = time.perf_counter()
            relaxed = self.master.solve()
            free = sorted((u for u in self.pricers if u not in self.fixed), key=lambda u: -relaxed.likeliest[u][1])
            pace = _pace(len(free), per_person, until - started)
            sure = [u for i, u in enumerate(free) if i < pace - 1 or relaxed.likeliest[u][1] >= SURE]
            for u in sure:
                self._fix(u, relaxed.likeliest[u][0])
            rest = [u for u in free if u not in sure]
            step = (until - time.perf_counter()) / max(1, math.ceil(len(rest) / pace))
            if sure:
                self.generate(time.perf_counter() + step, 1_000_000, settle=True)
            elif rest:
                self._look_ahead(rest[:LOOKAHEAD], relaxed, step)
            per_person = (time.perf_counter() - started) / len(free)

    def dives(self, until: float) -> set[Key]:
        """Dive, and dive again from the top (the columns kept) while the roster found costs more than
        ``RESTART_GAP`` above the relaxation at the top and the time left holds half a dive as long as the last: the
        cheapest roster's seats (a dive paces itself to ``until``, so a second one follows a quick first only)."""
        top = self.master.solve().value
        best: tuple[float, set[Key]] | None = None
        while True:
            started = time.perf_counter()
            self.dive(until)
            cost = self.master.solve().value  # everybody fixed: the roster's own cost
            if best is None or cost < best[0]:
                best = (cost, self.keys())
            left, spent = until - time.perf_counter(), time.perf_counter() - started
            if cost <= top + RESTART_GAP * abs(top) or left < spent / 2:
                return best[1]
            for u in list(self.fixed):
                self._unfix(u)
            self.dived += 1

    def _look_ahead(self, candidates: list[str], relaxed: Relaxed, seconds: float) -> None:
        """Fix the first candidate whose column lifts the priced relaxation by at most ``JUMP`` (relative), else the
        one that lifts it least; each trial is priced for ``seconds`` (half that after the first)."""
        tried: list[tuple[float, str]] = []
        for u in candidates:
            self._fix(u, relaxed.likeliest[u][0])
            self.generate(time.perf_counter() + seconds / (2 if tried else 1), 1_000_000, settle=True)
            value = self.master.solve().value
            if value - relaxed.value <= JUMP * abs(relaxed.value):
                return
            tried.append((value, u))
            self._unfix(u)
        _value, u = min(tried, key=lambda t: t[0])  # a tie: the likelier person
        self._fix(u, relaxed.likeliest[u][0])
        self.generate(time.perf_counter() + seconds / 2, 1_000_000, settle=True)

    def _fix(self, u: str, index: int) -> None:
        self.fixed[u] = index
        self.master.fix(u, index)

    def _unfix(self, u: str) -> None:
        del self.fixed[u]
        self.master.unfix(u)

    def keys(self) -> set[Key]:
        """The seats of the fixed columns."""
        keys: set[Key] = set()
        for u, j in self.fixed.items():
            keys |= self.master.columns[u][j][0]
        return keys


def _pace(free: int, per_person: float, left: float) -> int:
    """How many people a dive step fixes so that the dive ends in ``left`` seconds: fixing one a step costs about
    ``per_person`` x (free + free-1 + ... + 1) seconds, fixing ``n`` a step 1/n of that."""
    if left <= 0:
        return free
    return max(1, math.ceil(per_person * free * (free + 1) / 2 / left))


def build(facts: Facts, priced_until: float, dived_until: float, workers: int = 2) -> Plan | None:
    """A roster for ``independent`` facts by price and dive: column generation until ``priced_until``, the dive
    until ``dived_until`` (``time.perf_counter()`` values). None when a person's first pricing finds no roster
    (their own rules leave them none, or the search ran out of time), when the time left holds fewer than
    ``MIN_ROUNDS`` rounds as long as the first, or when GLOP fails on the master (the caller's search goes on)."""
    pricers = {u: Pricer(facts, u) for u in sorted(facts.people)}
    master = Master(facts)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        search = _Search(master, pricers, pool)
        guess = {seat: (row.under or 0) / 2 for seat, row in facts.cover.items() if row.under is not None}
        started = time.perf_counter()
        first = list(pool.map(lambda u: pricers[u].price(guess, FIRST_PRICE_SECONDS), pricers))
        if dived_until - time.perf_counter() < MIN_ROUNDS * (time.perf_counter() - started):
            return None  # too large a desk for the time: the whole model does better (synthetic 4 weeks x 120)
        for u, rosters in zip(pricers, first, strict=True):
            if not rosters:
                return None
            for column, cost in rosters:
                master.add(u, column, cost)
        try:
            bound = search.generate(priced_until, 1_000_000)
            keys = search.dives(dived_until)
        except RuntimeError:
            return None
    return Plan(keys, bound, sum(len(c) for c in master.columns.values()), search.rounds, search.dived)
