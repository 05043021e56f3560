"""The per-person rule rows (``domain.Limit``) as CP-SAT constraints on a ``RosterModel``.

Totals (``shifts``, ``minutes``, ``weekends``) are one linear expression per person and row: hard bounds are posted
only when they can bind, soft bounds add a slack variable charged per unit (``limit_over`` / ``limit_under``).
Runs are forbidden sequences in the style of OR-Tools' shift_scheduling_sat.py: for a minimum run of ``m`` working
days, no run of length 1..m-1 (a clause per start day and length over the person's day-worked literals); a run
touching the end of the period must be complete inside it (the days after count as off), one touching the start
may continue from ``before``. A maximum run ``k`` is the rolling-window limit of the desk (``limit_windows``), and
with a minimum off run ``m`` also at most ``k`` in every ``k + m`` days (implied; it lifted CP-SAT's bound after
10 s on Curtois 5-8 from 1/202/27/1227 to 13/210/34/1231). A minimum
off run forbids short gaps between two working days only (off runs touching either end need no minimum).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from roster.domain import Limit
from roster.rules import Term

if TYPE_CHECKING:
    from roster.cpsat import RosterModel

Lit = cp_model.IntVar | bool


def add_limits(rm: RosterModel, u: str) -> None:
    """Post every limit row that applies to ``u``."""
    for row in rm.f.rules.limits_of(u):
        if row.kind == "work_run":
            _work_runs(rm, u, row)
        elif row.kind == "off_run":
            _off_runs(rm, u, row)
        else:
            _total(rm, u, row)


def worked(rm: RosterModel, u: str, d: date) -> Lit:
    """True/False or the literal of ``u`` working some shift on ``d`` (days after the period: off)."""
    if d < rm.first:
        return any((u, d, s) in rm.f.before for s in rm.f.codes)
    if d > rm.last:
        return False
    if rm.busy_count.get((u, d)):
        return True
    vs = rm.on_day.get((u, d), [])
    if not vs:
        return False
    if len(vs) == 1:
        return vs[0]
    key = (u, d)
    if key not in rm.work_lits:
        lit = rm.m.new_bool_var(f"w_{u}_{d}")
        rm.m.add(lit == cp_model.LinearExpr.sum(vs))
        rm.work_lits[key] = lit
    return rm.work_lits[key]


def _literals(lits: list[tuple[Lit, bool]]) -> list[cp_model.LiteralT] | None:
    """The literals of OR(lit if positive else NOT lit) with the constants taken out (None: a constant satisfies
    it already)."""
    out: list[cp_model.LiteralT] = []
    for lit, positive in lits:
        if isinstance(lit, bool):
            if lit == positive:
                return None
            continue
        out.append(lit if positive else lit.negated())
    return out


def _clause(rm: RosterModel, lits: list[tuple[Lit, bool]], name: str) -> None:
    """Post OR(lit if positive else NOT lit) over ``lits``, simplifying constants."""
    out = _literals(lits)
    if out is not None:
        rm.enforce(rm.m.add_bool_or(out), name)


def _charged_clause(rm: RosterModel, lits: list[tuple[Lit, bool]], cost: int, rule: str, u: str, what: str) -> None:
    """OR(``lits``) or pay ``cost``: a penalty literal joins the clause and is charged as ``rule`` (a clause the
    constants already satisfy costs nothing, one they break costs ``cost`` as a constant)."""
    out = _literals(lits)
    if out is None:
        return
    if not out:
        rm.limit_terms.append(Term(rule, u, cost, 1, what))
        return
    paid = rm.m.new_bool_var(f"{rule}_{u}_{what}")
    rm.m.add_bool_or([*out, paid])
    rm.limit_terms.append(Term(rule, u, cost, paid, what))


def _sequence(rm: RosterModel, u: str, d: date, length: int, working: bool) -> list[tuple[Lit, bool]]:
    """The clause that forbids a run of exactly ``length`` days (working or off) starting on ``d``."""
    seq = [(worked(rm, u, d - timedelta(days=1)), working)]
    seq += [(worked(rm, u, d + timedelta(days=k)), not working) for k in range(length)]
    seq.append((worked(rm, u, d + timedelta(days=length)), working))
    return seq


def _soft_work_runs(rm: RosterModel, u: str, row: Limit) -> None:
    """A working run shorter than ``soft_min`` costs ``min_cost`` per missing day; each day of a run beyond
    ``soft_max`` costs ``max_cost`` (one charge per ``soft_max + 1``-day window that is all worked)."""
    if row.soft_min is not None and row.min_cost:
        for d in rm.f.dates:
            for length in range(max(1, row.hard_min or 1), row.soft_min):
                _charged_clause(rm, _sequence(rm, u, d, length, working=True),
                                row.min_cost * (row.soft_min - length), "limit_under", u, f"work_run {d} {length}")
    if row.soft_max is not None and row.max_cost:
        size = row.soft_max + 1
        for end in rm.f.dates:
            window = [(worked(rm, u, end - timedelta(days=k)), False) for k in range(size)]
            _charged_clause(rm, window, row.max_cost, "limit_over", u, f"work_run {end}")


def _work_runs(rm: RosterModel, u: str, row: Limit) -> None:
    """Working runs of at least ``hard_min`` and at most ``hard_max`` days (and their soft bounds)."""
    _soft_work_runs(rm, u, row)
    if row.hard_max is not None:
        rm.limit_windows(u, row.hard_max + 1, row.hard_max, f"limit_above|{u}")
        rest = max((r.hard_min or 0 for r in rm.f.rules.limits_of(u) if r.kind == "off_run"), default=0)
        if rest >= 2:  # implied (two runs in a window are split by >= rest days off): lifts the LP bound
            rm.limit_windows(u, row.hard_max + rest, row.hard_max, f"limit_above|{u}")
    m = row.hard_min or 0
    if m < 2:
        return
    for d in rm.f.dates:  # a run continuing from ``before`` makes the first clause true by itself
        for length in range(1, m):
            _clause(rm, _sequence(rm, u, d, length, working=True), f"limit_below|{u}")


def _off_runs(rm: RosterModel, u: str, row: Limit) -> None:
    """Gaps between two working days of at least ``hard_min`` days off; one shorter than ``soft_min`` costs
    ``min_cost`` per missing day. Off runs touching either end of the period need no minimum."""
    soft = row.soft_min if row.soft_min is not None and row.min_cost else 0
    for d in rm.f.dates:
        for length in range(1, max(row.hard_min or 0, soft)):
            if d + timedelta(days=length) > rm.last:
                break  # an off run touching the end needs no minimum
            seq = _sequence(rm, u, d, length, working=False)
            if d - timedelta(days=1) < rm.first and seq[0][0] is False:
                continue  # an off run touching the start needs no minimum
            if length < (row.hard_min or 0):
                _clause(rm, seq, f"limit_below|{u}")
            else:
                _charged_clause(rm, seq, row.min_cost * (soft - length), "limit_under", u, f"off_run {d} {length}")


def total_expr(rm: RosterModel, u: str, row: Limit) -> tuple[cp_model.LinearExprT, int, int]:
    """(expression, constant part, most it can reach) of what ``row`` counts for ``u`` over the period."""
    if row.kind == "weekends":
        return _weekends(rm, u)
    weight = _weights(rm, row)
    keys = [k for k in rm.keys_of[u] if weight[k[2]]]
    fixed = sum(weight[k[2]] for k in rm.const_of[u])
    best: dict[date, int] = {}
    for k in keys:  # one shift a day: per day the most one shift can add
        best[k[1]] = max(best.get(k[1], 0), weight[k[2]])
    expr = cp_model.LinearExpr.weighted_sum([rm.x[k] for k in keys], [weight[k[2]] for k in keys])
    return expr, fixed, fixed + sum(best.values())


def _weights(rm: RosterModel, row: Limit) -> dict[str, int]:
    """Per shift type, what one shift adds to the total ``row`` bounds (minutes, or 1 for a counted shift)."""
    if row.kind == "minutes":
        return {s.code: s.length for s in rm.f.inputs.shifts}
    return {s.code: int(row.shift in (None, s.code)) for s in rm.f.inputs.shifts}


def _weekends(rm: RosterModel, u: str) -> tuple[cp_model.LinearExprT, int, int]:
    """Weekends (Saturday + Sunday) of the period on which ``u`` works at least one shift."""
    saturdays = sorted({d - timedelta(days=d.weekday() - 5) for d in rm.f.dates if d.weekday() >= 5})
    lits: list[cp_model.IntVar] = []
    fixed = 0
    for sat in saturdays:
        both = [worked(rm, u, d) for d in (sat, sat + timedelta(days=1)) if rm.first <= d <= rm.last]
        if any(x is True for x in both):
            fixed += 1
            continue
        vs = [x for x in both if not isinstance(x, bool)]
        if len(vs) == 1:
            lits.append(vs[0])
        elif vs:
            w = rm.m.new_bool_var(f"wk_{u}_{sat}")
            rm.m.add_max_equality(w, vs)
            lits.append(w)
    return sum(lits), fixed, fixed + len(lits)


def _total(rm: RosterModel, u: str, row: Limit) -> None:
    """Hard and soft bounds on one total of ``u``."""
    expr, fixed, most = total_expr(rm, u, row)
    what = row.kind if row.shift is None else f"{row.kind} {row.shift}"
    if row.hard_max is not None and most > row.hard_max:
        rm.enforce(rm.m.add(expr + fixed <= row.hard_max), f"limit_above|{u}")
    if row.hard_min is not None and fixed < row.hard_min:
        rm.enforce(rm.m.add(expr + fixed >= row.hard_min), f"limit_below|{u}")
    if row.soft_max is not None and row.max_cost and most > row.soft_max:
        over = rm.m.new_int_var(0, most - row.soft_max, f"lover_{u}_{what}")
        rm.m.add(over >= expr + fixed - row.soft_max)
        rm.limit_terms.append(Term("limit_over", u, row.max_cost, over, what))
    if row.soft_min is not None and row.min_cost and fixed < row.soft_min:
        under = rm.m.new_int_var(0, row.soft_min - fixed, f"lunder_{u}_{what}")
        rm.m.add(under >= row.soft_min - fixed - expr)
        rm.limit_terms.append(Term("limit_under", u, row.min_cost, under, what))
