"""The CP-SAT model of a roster (built by ``RosterModel``; driven by ``roster.solver``).

Variables exist only where a person could possibly sit. In the ``pattern`` stage the rotation
pattern is taken as given: a team member's own pattern shift is a constant unless something
touches it (leave removes it; a pin, an unwanted preference, an over-full seat or a mismatch with
the days before the period make it a variable), and off-pattern variables are created only for
seats the constants leave open, and only for people whom leave, the same-day rule and the rest
rules against their constant shifts do not already exclude. In the ``free`` stage every pattern
shift is a variable and every qualified person is a candidate for every seat (the fallback when
the pattern stage is infeasible, and the model the explainer uses with ``soft_facts``). The
``local`` stage in between is the pattern stage with every pattern slot within ``LOCAL_RADIUS``
days of a short seat (a seat its available pattern holders cannot fill) made a decision.
Fairness counts are leave-adjusted (see ``fairness_terms`` and the solver's docstring).

Without a rotation (``inputs.pattern is None``) there are no pattern slots: every seat a cover row leaves open is a
decision for every qualified person (the direct model). Cover rows may be soft (``cover_under`` / ``cover_over``
slack variables, posted only where they can be non-zero); the per-person ``Limit`` rows are posted by
``roster.cpsat_limits``; forbidden successions join the rest rule as one clique per shift and later day.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from ortools.sat.python import cp_model

from roster.cpsat_limits import add_limits, worked
from roster.domain import Assignment, Cover, Preference
from roster.facts import (
    Facts,
    Slot,
    day_kind_matches,
    fairness_group,
    hard_max,
    hard_min,
    holders_by_seat,
    rotation_counts,
    short_seat_days,
)
from roster.rules import Term, square_lines

Key = tuple[str, date, str, str]  # (username, day, shift, position)
METRICS = ("nights", "weekends", "holidays", "substitutions")
LOCAL_RADIUS = 3  # days around a short seat whose rotation the local stage reopens


def never_worked(f: Facts, u: str) -> set[str]:
    """Shift types a hard limit row of ``u`` caps at zero (``Limit("shifts", hard_max=0, shift=...)``): no seat
    variable is made for them (on Curtois 8 that is 1,036 of 3,360 booleans, each fixed to 0 by a sum <= 0). Not in
    explain mode, where the limit row is an assumption the explainer may name."""
    rows = [r for r in f.rules.limits_of(u) if r.kind == "shifts" and r.hard_max == 0]
    return {c for c in f.codes if any(r.shift in (None, c) for r in rows)}


class RosterModel:
    """Builds the CP-SAT model of one stage; ``x`` are the seat variables, ``const`` the fixed seats."""

    def __init__(self, facts: Facts, stage: str = "pattern", soft_facts: bool = False):
        self.f, self.stage, self.soft = facts, stage, soft_facts
        self.first, self.last = facts.inputs.start, facts.inputs.end  # the period, read often
        self.m = cp_model.CpModel()
        self.x: dict[Key, cp_model.IntVar] = {}
        self.const: set[Key] = set()
        self.terms: list[Term] = []
        self.cover_terms: list[Term] = []
        self.limit_terms: list[Term] = []
        self.assumptions: dict[str, cp_model.IntVar] = {}
        self.pinned = {(p.username, p.day, p.shift, p.position) for p in facts.inputs.pins}
        self.flex = self._flexible_slots()
        self._place_pattern()
        self._add_candidates()
        self._index()

    # ---- variables -------------------------------------------------------------------------

    def _flexible_slots(self) -> set[Slot]:
        """Pattern slots that must be decisions rather than constants in this stage."""
        if self.stage == "free" or self.soft:
            return set(self.f.pattern)
        flex = self._overfull_slots() | self._pin_touched_slots() | self._unwanted_slots()
        flex |= self._before_mismatch_slots()
        if self.stage == "local":
            flex |= self._near_short_seats(LOCAL_RADIUS)
        return flex

    def _near_short_seats(self, radius: int) -> set[Slot]:
        """Everyone's pattern slots within ``radius`` days of a seat its available pattern holders
        leave short (the ``local`` stage reopens the rotation only around the trouble)."""
        near = {d + timedelta(days=k) for d in short_seat_days(self.f) for k in range(-radius, radius + 1)}
        return {slot for slot in self.f.pattern if slot[1] in near}

    def _overfull_slots(self) -> set[Slot]:
        """Holders of seats with more available pattern holders than seats, or with a pin in them (and every
        holder of a seat whose cover is soft: there the count itself is a decision)."""
        pinned_seats = {(d, s, q) for (_u, d, s, q) in self.pinned}
        out: set[Slot] = set()
        for (d, s, q), users in holders_by_seat(self.f).items():
            free = [u for u in users if (u, d, s) not in self.f.leave]
            most = hard_max(self.f, d, s, q)
            if most is None or len(free) > most or hard_min(self.f, d, s, q) < most or (d, s, q) in pinned_seats:
                out.update((u, d, s) for u in free)
        return out

    def _pin_touched_slots(self) -> set[Slot]:
        """A pinned person's own pattern slots within two days of the pin."""
        near = {(u, d + timedelta(days=k)) for (u, d, _s, _q) in self.pinned for k in range(-2, 3)}
        return {slot for slot in self.f.pattern if (slot[0], slot[1]) in near}

    def _unwanted_slots(self) -> set[Slot]:
        """Pattern slots their owner does not want (so the solver may honour the wish)."""
        prefs = [p for p in self.f.inputs.preferences if not p.wanted]
        return {(u, d, s) for (u, d, s) in self.f.pattern if any(
            p.username == u and p.matches(d, s) for p in prefs)}

    def _before_mismatch_slots(self) -> set[Slot]:
        """Early pattern slots of people whose days before the period differ from their pattern."""
        pat, horizon = self.f.inputs.pattern, self.f.rules.window_days
        odd: set[str] = set()
        if pat is None:
            return set()
        for a in self.f.inputs.before:
            p = self.f.people.get(a.username)
            if p is None or pat.shift_of(p.team, a.day) != a.shift:
                odd.add(a.username)
        limit = self.f.inputs.start + timedelta(days=horizon)
        return {slot for slot in self.f.pattern if slot[0] in odd and slot[1] < limit}

    def _place_pattern(self) -> None:
        """Constants for fixed pattern slots, variables for flexible ones (none under leave)."""
        for (u, d, s), q in self.f.pattern.items():
            if (u, d, s) in self.f.leave and not self.soft:
                continue
            if (u, d, s) in self.flex:
                self._var((u, d, s, q))
            else:
                self.const.add((u, d, s, q))

    def _var(self, key: Key) -> cp_model.IntVar:
        """The seat variable for ``key`` (created on first use)."""
        if key not in self.x:
            self.x[key] = self.m.new_bool_var("x_{}_{}_{}_{}".format(*key))
        return self.x[key]

    def _open_seats(self) -> list[tuple[date, str, str]]:
        """Seats the constants do not fill (every seat in the free stage); a seat whose extra people only cost
        stays open (limits such as a minimum of hours may need someone there)."""
        filled: dict[tuple[date, str, str], int] = defaultdict(int)
        for (_u, d, s, q) in self.const:
            filled[(d, s, q)] += 1
        out = []
        for (d, s, q) in self.f.cover:
            most = hard_max(self.f, d, s, q)
            if most is None or (most > 0 and (self.stage == "free" or filled[(d, s, q)] < most)):
                out.append((d, s, q))
        return out

    def _add_candidates(self) -> None:
        """Off-pattern variables for open seats and pins, pruned by leave, same day and rest."""
        busy = self._constant_busy()
        self._index_busy(busy)
        self._never = {u: set() if self.soft else never_worked(self.f, u) for u in self.f.people}
        seats = self._open_seats()
        for p in self.f.people.values():  # person by person, day by day: the order CP-SAT's fixed search follows
            for d, s, q in seats:
                if p.qualified(q) and s not in self._never[p.username] and self._could_sit(p.username, d, s, busy):
                    self._var((p.username, d, s, q))
        for key in self.pinned:
            if key[0] in self.f.people and key not in self.const:
                self._var(key)

    def _constant_busy(self) -> set[Slot]:
        """Slots a person certainly works: constant seats and the days before the period."""
        return {(u, d, s) for (u, d, s, _q) in self.const} | set(self.f.before)

    def _index_busy(self, busy: set[Slot]) -> None:
        """Lookups for ``_could_sit``: days a person certainly works, and the rest conflicts by shift type."""
        self._busy_days = {(u, d) for (u, d, _s) in busy}
        self._before: dict[str, list[tuple[str, int]]] = defaultdict(list)  # b -> [(a, delta)]: a then b
        self._after: dict[str, list[tuple[int, str]]] = defaultdict(list)  # a -> [(delta, b)]
        for a, delta, b in self.f.offsets:
            if delta:
                self._before[b].append((a, delta))
                self._after[a].append((delta, b))

    def _could_sit(self, u: str, d: date, s: str, busy: set[Slot], leave_ok: bool = False) -> bool:
        """False when leave, another constant shift that day or a rest rule excludes the slot."""
        if (u, d, s) in self.f.leave and not (self.soft or leave_ok):
            return False
        if not busy:
            return True  # the direct model: nothing is constant, so nothing to clash with
        if (u, d) in self._busy_days:
            return False
        if any((u, d - timedelta(days=delta), a) in busy for a, delta in self._before[s]):
            return False
        return not any((u, d + timedelta(days=delta), b) in busy for delta, b in self._after[s])

    def _index(self) -> None:
        """Per-person lookups of variables by (day, shift) and by day."""
        self.at: dict[Slot, list[cp_model.IntVar]] = defaultdict(list)
        self.on_day: dict[tuple[str, date], list[cp_model.IntVar]] = defaultdict(list)
        self.keys_of: dict[str, list[Key]] = defaultdict(list)
        self.const_of: dict[str, list[Key]] = defaultdict(list)
        for key, v in self.x.items():
            self.at[key[:3]].append(v)
            self.on_day[key[:2]].append(v)
            self.keys_of[key[0]].append(key)
        for key in self.const:
            self.const_of[key[0]].append(key)
        self.busy = self._constant_busy()
        self.busy_count: dict[tuple[str, date], int] = defaultdict(int)  # constant shifts of a person on a day
        for (u, d, _s) in self.busy:
            self.busy_count[(u, d)] += 1
        self.work_lits: dict[tuple[str, date], cp_model.IntVar] = {}
        self.users_with_vars = sorted({k[0] for k in self.x})

    # ---- hard rules ------------------------------------------------------------------------

    def add_hard_rules(self) -> None:
        """Coverage, pins, leave, one shift a day, rest, consecutive days and the rolling window."""
        self._coverage()
        self._pins()
        if self.soft:
            self._soft_leave()
        for u in self.users_with_vars:
            self._one_per_day(u)
            self._rest(u)
            self._consecutive(u)
            self._window(u)
        for u in sorted(self.f.people):
            add_limits(self, u)

    def _lit(self, name: str) -> cp_model.IntVar | None:
        """The assumption literal ``name`` in explain mode (None when facts are hard)."""
        if not self.soft:
            return None
        if name not in self.assumptions:
            self.assumptions[name] = self.m.new_bool_var(name)
        return self.assumptions[name]

    def enforce(self, ct: cp_model.Constraint, name: str) -> None:
        """Make ``ct`` conditional on the assumption ``name`` in explain mode."""
        lit = self._lit(name)
        if lit is not None:
            ct.only_enforce_if(lit)

    def _coverage(self) -> None:
        """Each seat gets its required count (constants count as filled): exactly, or between the hard bounds
        with the soft side charged per person (``cover_under`` / ``cover_over``)."""
        seats: dict[tuple[date, str, str], list[cp_model.IntVar]] = defaultdict(list)
        fixed: dict[tuple[date, str, str], int] = defaultdict(int)
        for (_u, d, s, q), v in self.x.items():
            seats[(d, s, q)].append(v)
        for (_u, d, s, q) in self.const:
            fixed[(d, s, q)] += 1
        for (d, s, q), row in self.f.cover.items():
            vs, n = seats[(d, s, q)], fixed[(d, s, q)]
            if row.under is None and row.over is None:
                self.m.add(cp_model.LinearExpr.sum(vs) == row.need - n)
                continue
            self._soft_cover(row, vs, n, f"{d} {s} {q}")

    def _soft_cover(self, row: Cover, vs: list[cp_model.IntVar], fixed: int, where: str) -> None:
        """One seat whose cover is soft on at least one side."""
        count = cp_model.LinearExpr.sum(vs) + fixed
        if row.under is not None and row.over is not None and (fixed >= row.need or fixed + len(vs) <= row.need):
            self._one_side(row, count, fixed >= row.need, where)
            return
        if row.under and row.over and row.need > fixed and len(vs) + fixed > row.need:
            self._both_sides(row, vs, fixed, where)
            return
        if row.under is None:
            self.m.add(count >= row.need)
        elif row.under and row.need > fixed:
            short = self.m.new_int_var(0, row.need - fixed, f"under_{where}")
            self.m.add(short >= row.need - count)
            self.cover_terms.append(Term("cover_under", "", row.under, short, where))
        if row.over is None:
            self.m.add(count <= row.need)
        elif row.over and len(vs) + fixed > row.need:
            extra = self.m.new_int_var(0, len(vs) + fixed - row.need, f"over_{where}")
            self.m.add(extra >= count - row.need)
            self.cover_terms.append(Term("cover_over", "", row.over, extra, where))

    def _one_side(self, row: Cover, count: cp_model.LinearExprT, full: bool, where: str) -> None:
        """A soft seat whose count stays on one side of its need whatever the variables do (it is ``full`` already,
        or cannot get there): the shortfall or the surplus is linear in them and needs no slack variable."""
        if full and row.over:
            self.cover_terms.append(Term("cover_over", "", row.over, count - row.need, where))
        elif not full and row.under:
            self.cover_terms.append(Term("cover_under", "", row.under, row.need - count, where))

    def _both_sides(self, row: Cover, vs: list[cp_model.IntVar], fixed: int, where: str) -> None:
        """Soft on both sides: one equality ``count - need == extra - short`` (as a plain model states it)."""
        short = self.m.new_int_var(0, row.need - fixed, f"under_{where}")
        extra = self.m.new_int_var(0, len(vs) + fixed - row.need, f"over_{where}")
        self.m.add(cp_model.LinearExpr.sum(vs) + fixed - row.need == extra - short)
        self.cover_terms.append(Term("cover_under", "", row.under or 0, short, where))
        self.cover_terms.append(Term("cover_over", "", row.over or 0, extra, where))

    def _pins(self) -> None:
        """Pinned seats inside the period are sat (a pin on a constant seat is already true)."""
        for pin in self.f.inputs.pins:
            key = (pin.username, pin.day, pin.shift, pin.position)
            if not self.f.inputs.start <= pin.day <= self.f.inputs.end or key in self.const:
                continue
            if key not in self.x:
                self.m.add_bool_or([])  # pin of an inactive or unknown person: no roster
                continue
            self.enforce(self.m.add(self.x[key] == 1), f"pin|{pin.username}|{pin.day}|{pin.shift}")

    def _soft_leave(self) -> None:
        """Explain mode: each leave is an assumption that empties its slots."""
        for i, lv in enumerate(self.f.inputs.leaves):
            vs = [self.x[k] for k in self.keys_of[lv.username] if lv.covers(k[1], k[2])]
            if vs:
                self.enforce(self.m.add(sum(vs) == 0), f"leave|{i}|{lv.username}|{lv.start}|{lv.end}")

    def _one_per_day(self, u: str) -> None:
        """At most one seat per calendar day (so also one seat at a time)."""
        for d in self.f.dates:
            vs = self.on_day.get((u, d), [])
            if len(vs) > 1:
                self.m.add(cp_model.LinearExpr.sum(vs) <= 1)

    def _rest(self, u: str) -> None:
        """Night-then-day and minimum rest between pairs of shifts (delta >= 1 day)."""
        for (_u, d, s) in sorted({k[:3] for k in self.keys_of[u]}):
            vs = self.at[(u, d, s)]
            if not self._could_sit(u, d, s, self.busy, leave_ok=True):
                self.enforce(self.m.add(sum(vs) == 0), f"rest|{u}")
            later: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            for delta, b in self._after[s]:
                later[delta].extend(self.at.get((u, d + timedelta(days=delta), b), []))
            for other in later.values():  # shifts of one later day exclude one another: one clique
                if other:
                    self.enforce(self.m.add(cp_model.LinearExpr.sum([*vs, *other]) <= 1), f"rest|{u}")

    def _day_terms(self, u: str, days: list[date]) -> tuple[list[cp_model.IntVar], int]:
        """Variables and constant count of shifts worked by ``u`` on ``days``."""
        vs: list[cp_model.IntVar] = []
        fixed = 0
        for d in days:
            vs.extend(self.on_day.get((u, d), ()))
            fixed += self.busy_count.get((u, d), 0)
        return vs, fixed

    def _worked_terms(self, u: str, days: list[date]) -> tuple[list[cp_model.IntVar], int]:
        """Day-worked literals and constant count of days ``u`` works among ``days``."""
        vs: list[cp_model.IntVar] = []
        fixed = 0
        for d in days:
            lit = worked(self, u, d)
            if isinstance(lit, bool):
                fixed += lit
            else:
                vs.append(lit)
        return vs, fixed

    def limit_windows(self, u: str, size: int, limit: int, rule: str) -> None:
        """At most ``limit`` shifts of ``u`` in every ``size``-day window touching a variable."""
        if limit >= len(self.f.dates) + self.f.rules.window_days:
            return  # cannot bind (NO_LIMIT)
        var_days = sorted({k[1] for k in self.keys_of[u]})
        starts = {ws for d in var_days for ws in (d - timedelta(days=k) for k in range(size))}
        for ws in sorted(starts):
            days = [ws + timedelta(days=k) for k in range(size)]
            vs, fixed = self._day_terms(u, days)
            if vs and len(vs) + fixed > limit:
                if len(vs) > size:  # several shift types a day: one day-worked literal each keeps the row short
                    vs, fixed = self._worked_terms(u, days)
                self.enforce(self.m.add(cp_model.LinearExpr.sum(vs) <= limit - fixed), f"{rule}|{u}")

    def _consecutive(self, u: str) -> None:
        """At most max_consecutive working days in a row."""
        k = self.f.rules.max_consecutive
        self.limit_windows(u, k + 1, k, "max_consecutive")

    def _window(self, u: str) -> None:
        """At most max_shifts_in_window shifts in any window_days-day window."""
        r = self.f.rules
        self.limit_windows(u, r.window_days, r.max_shifts_in_window, "window_limit")

    # ---- soft rules ------------------------------------------------------------------------

    def add_soft_rules(self) -> None:
        """Every weighted soft rule as Terms, then the objective and the symmetry breaking (a rule of weight 0
        adds no terms)."""
        w = self.f.rules.weights
        if self.f.inputs.pattern is not None and (w.substitution or w.pattern_release):
            self.terms += self.pattern_terms()
        for metric in METRICS:
            if getattr(w, f"fair_{metric}"):
                self.terms += self.fairness_terms(metric)
        self.terms += self.preference_terms() + self.change_terms() + self.cover_terms + self.limit_terms
        self.m.minimize(cp_model.LinearExpr.weighted_sum([t.expr for t in self.terms if t.coef],
                                                         [t.coef for t in self.terms if t.coef]))
        self._break_symmetry()
        self._hint()

    def is_substitute(self, key: Key) -> bool:
        """An off-pattern seat not pinned by hand."""
        u, d, s, q = key
        return self.f.pattern.get((u, d, s)) != q and key not in self.pinned

    def pattern_terms(self) -> list[Term]:
        """``substitution`` per off-pattern seat; ``pattern_release`` per own shift not worked."""
        w = self.f.rules.weights
        out = [Term("substitution", k[0], w.substitution, v, f"{k[1]} {k[2]} {k[3]}")
               for k, v in self.x.items() if self.is_substitute(k)]
        for (u, d, s), q in self.f.pattern.items():
            key = (u, d, s, q)
            if key in self.x and (u, d, s) not in self.f.leave:
                out.append(Term("pattern_release", u, w.pattern_release, 1 - self.x[key], f"{d} {s}"))
        return out

    def _metric_count(self, u: str, metric: str) -> tuple[list[cp_model.IntVar], int]:
        """Variables and constant count of ``u``'s shifts that count for ``metric``."""
        if metric == "substitutions":
            return [self.x[k] for k in self.keys_of[u] if self.is_substitute(k)], 0
        vs = [self.x[k] for k in self.keys_of[u] if day_kind_matches(self.f, metric, k[1], k[2])]
        fixed = sum(1 for k in self.const_of[u] if day_kind_matches(self.f, metric, k[1], k[2]))
        return vs, fixed

    def fairness_terms(self, metric: str) -> list[Term]:
        """Squared distance of each person's leave-adjusted total from the group's fair share.

        Leave-adjusted: history + shifts worked + own-rotation shifts that approved leave removed
        (leave is not made up). The share is the group's mean of history + whole own rotation, the
        same in every stage; a share between two integers costs nothing at either of them, so the
        optimum keeps everybody within one of each other whenever the rotation allows it."""
        weight = getattr(self.f.rules.weights, f"fair_{metric}")
        expected, credit = rotation_counts(self.f, metric)
        groups: dict[tuple[str, bool], list[str]] = defaultdict(list)
        for p in self.f.people.values():
            if p.qualified(p.primary):
                groups[fairness_group(p)].append(p.username)
        out = []
        for users in groups.values():
            hist = {u: getattr(self.f.inputs.history.get(u), metric, 0) for u in users}
            total = sum(hist[u] + expected[u] for u in users)
            share, half = divmod(total, len(users))
            for u in users:
                vs, fixed = self._metric_count(u, metric)
                offset = hist[u] + credit[u] + fixed - share
                out.append(self._square_term(f"fair_{metric}", u, weight, vs, offset, int(half > 0)))
        return out

    def _square_term(self, rule: str, u: str, weight: int, vs: list[cp_model.IntVar], offset: int,
                     half: int = 0) -> Term:
        """Term weight*y*(y - half) with y = offset + sum(vs), as a cost variable over convex lines."""
        lo, hi = offset, offset + min(len(vs), self._most_shifts(u))
        if not vs:
            return Term(rule, u, weight, offset * (offset - half), f"{offset:+d} vs share")
        values = [y * (y - half) for y in {lo, hi, *(y for y in (0, half) if lo <= y <= hi)}]
        cost = self.m.new_int_var(min(values), max(values), f"{rule}_{u}")
        for slope, icpt in square_lines(lo, hi, half):
            self.m.add(cost >= slope * (offset + sum(vs)) + icpt)
        return Term(rule, u, weight, cost, "squared distance from share")

    def _most_shifts(self, u: str) -> int:
        """An upper bound on the shifts ``u`` can work in the period (one a day, window limit)."""
        r = self.f.rules
        windows = -(-len(self.f.dates) // r.window_days)
        return min(len({k[1] for k in self.keys_of[u]}), windows * r.max_shifts_in_window)

    def preference_terms(self) -> list[Term]:
        """One term per preference and matching shift: wanted-but-off or unwanted-but-on."""
        w = self.f.rules.weights.preference
        out = []
        for pref in self.f.inputs.preferences:
            if pref.username not in self.f.people:
                continue
            days = [pref.day] if pref.day is not None else self.f.dates  # a dated wish looks at its day only
            for d in days:
                for s in self.f.codes:
                    if self.first <= d <= self.last and pref.matches(d, s):
                        out.append(self._preference_term(pref, d, s, w))
        return out

    def _preference_term(self, pref: Preference, d: date, s: str, w: int) -> Term:
        """Term for one preference on one shift."""
        worked = sum(self.at.get((pref.username, d, s), [])) + ((pref.username, d, s) in self.busy)
        expr = worked if not pref.wanted else 1 - worked
        kind = "wanted" if pref.wanted else "unwanted"
        return Term("preference", pref.username, w * pref.weight, expr, f"{kind} {d} {s}")

    def change_terms(self) -> list[Term]:
        """One term per seat of the last published roster that is no longer sat by the same person."""
        w = self.f.rules.weights
        out = []
        inside = {(a.username, a.day, a.shift, a.position) for a in self.f.inputs.previous
                  if self.f.inputs.start <= a.day <= self.f.inputs.end}
        for key in sorted(inside - self.const) if w.change else ():
            expr = 1 - self.x[key] if key in self.x else 1
            out.append(Term("change", key[0], w.change, expr, f"{key[1]} {key[2]} {key[3]}"))
        if w.change_added and self.f.inputs.previous:
            out += [Term("change_added", k[0], w.change_added, v, f"{k[1]} {k[2]} {k[3]}")
                    for k, v in self.x.items() if k not in inside]
            out += [Term("change_added", k[0], w.change_added, 1, f"{k[1]} {k[2]} {k[3]}")
                    for k in sorted(self.const - inside)]
        return out

    def _break_symmetry(self) -> None:
        """Interchangeable people (same role, skills, team, history, no personal data) are ordered by
        total shifts: spares always, and members of one team too (they share one rotation)."""
        personal = {lv.username for lv in self.f.inputs.leaves}
        personal |= {k[0] for k in self.pinned} | {p.username for p in self.f.inputs.preferences}
        personal |= {a.username for a in (*self.f.inputs.previous, *self.f.inputs.before)}
        classes: dict[tuple[object, ...], list[str]] = defaultdict(list)
        for p in self.f.people.values():
            if p.username not in personal and p.qualified(p.primary):
                hist = self.f.inputs.history.get(p.username)
                limits = self.f.rules.limits_of(p.username)
                classes[(p.role, p.skills, p.primary, p.position, p.team, hist, limits)].append(p.username)
        for users in classes.values():
            totals = [sum(self.x[k] for k in self.keys_of[u]) for u in sorted(users)]
            for a, b in itertools.pairwise(totals):
                self.m.add(a >= b)

    def _hint(self) -> None:
        """Hints: the pattern, overridden by the last published roster (none when there is neither)."""
        if self.f.inputs.pattern is None and not self.f.inputs.previous:
            return
        prev = {(a.username, a.day, a.shift, a.position) for a in self.f.inputs.previous}
        prev_seats = {(a.day, a.shift, a.position) for a in self.f.inputs.previous}
        for key, v in self.x.items():
            on_pattern = self.f.pattern.get(key[:3]) == key[3]
            seat_known = (key[1], key[2], key[3]) in prev_seats
            self.m.add_hint(v, key in prev if seat_known else on_pattern)

    # ---- reading a solution ----------------------------------------------------------------

    def assignments(self, value: Callable[[cp_model.IntVar], bool]) -> list[Assignment]:
        """The seats of a solution (``value`` maps a variable to its value)."""
        keys = sorted(self.const | {k for k, v in self.x.items() if value(v)})
        return [Assignment(d, s, q, u, self._source(u, d, s, q)) for (u, d, s, q) in
                sorted(keys, key=lambda k: (k[1], k[2], k[3], k[0]))]

    def _source(self, u: str, d: date, s: str, q: str) -> str:
        """'pinned', 'pattern' or 'substitute'."""
        if (u, d, s, q) in self.pinned:
            return "pinned"
        return "pattern" if self.f.pattern.get((u, d, s)) == q else "substitute"
