"""A second, deliberately plain CP-SAT model of the desk, for tests only: one boolean per person, day, shift and
seat, the hard rules written from their definitions (times, days, counts), and the objective written from the
scorer's definitions. It shares nothing with roster.cpsat; on tiny desks it proves what the cheapest roster costs,
so the engine's "optimal" can be checked against a model that was not built to be fast.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from ortools.sat.python import cp_model

from roster.domain import Assignment, RosterInputs
from roster.facts import build_facts, day_kind_matches, fairness_group
from roster.scorer import FAIRNESS_METRICS

Key = tuple[str, date, str, str]


def cheapest(inputs: RosterInputs, seconds: float = 60.0) -> tuple[str, int | None, list[Assignment]]:
    """(status name, optimal cost or None, the roster) of the plain model."""
    plain = _Plain(inputs)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    status = solver.solve(plain.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver.status_name(status), None, []
    seats = [Assignment(d, s, q, u) for (u, d, s, q), v in plain.x.items() if solver.value(v)]
    return solver.status_name(status), round(solver.objective_value), seats


class _Plain:
    def __init__(self, inputs: RosterInputs):
        self.i, self.f, self.m = inputs, build_facts(inputs), cp_model.CpModel()
        people = self.f.people.values()
        self.x: dict[Key, cp_model.IntVar] = {
            (p.username, d, s.code, q): self.m.new_bool_var(f"{p.username}{d}{s.code}{q}")
            for p in people for d in inputs.dates for s in inputs.shifts for q in inputs.coverage
            if p.qualified(q)}
        self.work = {(u, d, s): sum(v for (uu, dd, ss, _q), v in self.x.items() if (uu, dd, ss) == (u, d, s))
                     for u in self.f.people for d in inputs.dates for s in self.f.codes}
        self._hard()
        self.m.minimize(sum(self._costs()))

    # --- hard rules, each from its definition
    def _hard(self) -> None:
        for d in self.i.dates:
            for s in self.f.codes:
                for q, n in self.i.coverage.items():
                    self.m.add(sum(v for (_u, dd, ss, qq), v in self.x.items() if (dd, ss, qq) == (d, s, q)) == n)
        for slot, expr in self.work.items():
            self.m.add(expr <= 1)
            if slot in self.f.leave:
                self.m.add(expr == 0)
        for p in self.i.pins:
            self.m.add(self.x[(p.username, p.day, p.shift, p.position)] == 1)
        for u in self.f.people:
            self._rest(u)
            self._counts(u)

    def _worked(self, u: str, d: date, s: str) -> cp_model.LinearExprT | int:
        if d < self.i.start:
            return int(any((a.username, a.day, a.shift) == (u, d, s) for a in self.i.before))
        return self.work.get((u, d, s), 0)

    def _rest(self, u: str) -> None:
        defs = {s.code: s for s in self.i.shifts}
        rest = timedelta(hours=self.f.rules.min_rest_hours)
        days = [self.i.start - timedelta(days=k) for k in range(3, 0, -1)] + self.i.dates
        for d1 in days:
            for d2 in (d1, d1 + timedelta(days=1), d1 + timedelta(days=2)):
                if d2 < self.i.start or d2 > self.i.end:
                    continue
                for a in defs.values():
                    for b in defs.values():
                        if (d1, a.code) >= (d2, b.code):
                            continue
                        bad = d1 == d2 or (a.code == "N" and b.code == "D" and d2 - d1 == timedelta(days=1))
                        if bad or b.starts_at(d2) - a.ends_at(d1) < rest:
                            self.m.add(self._worked(u, d1, a.code) + self._worked(u, d2, b.code) <= 1)

    def _counts(self, u: str) -> None:
        r, earliest = self.f.rules, self.i.start - timedelta(days=r_days(self.f.rules))
        span = [earliest + timedelta(days=k) for k in range((self.i.end - earliest).days + 1)]
        day_work = {d: sum(self._worked(u, d, s) for s in self.f.codes) for d in span}
        for k in range(len(span)):
            run = span[k:k + r.max_consecutive + 1]
            if len(run) == r.max_consecutive + 1 and run[-1] >= self.i.start:
                self.m.add(sum(day_work[d] for d in run) <= r.max_consecutive)
            window = span[k:k + r.window_days]
            if window[-1] >= self.i.start:
                self.m.add(sum(day_work[d] for d in window) <= r.max_shifts_in_window)

    # --- the objective, from the scorer's definitions
    def _costs(self) -> list:
        w, f = self.f.rules.weights, self.f
        pinned = {(p.username, p.day, p.shift, p.position) for p in self.i.pins}
        subs = {k: v for k, v in self.x.items() if f.pattern.get(k[:3]) != k[3] and k not in pinned}
        out = [w.substitution * v for v in subs.values()]
        out += [w.pattern_release * (1 - self.x.get((u, d, s, q), 0)) for (u, d, s), q in f.pattern.items()
                if (u, d, s) not in f.leave]
        out += self._preference_costs() + self._change_costs()
        for metric in FAIRNESS_METRICS:
            out += self._fairness_costs(metric, subs)
        return out

    def _preference_costs(self) -> list:
        out = []
        for pref in self.i.preferences:
            for d in self.i.dates:
                for s in self.f.codes:
                    if pref.username in self.f.people and pref.matches(d, s):
                        on = self.work[(pref.username, d, s)]
                        out.append(self.f.rules.weights.preference * pref.weight * (1 - on if pref.wanted else on))
        return out

    def _change_costs(self) -> list:
        return [self.f.rules.weights.change * (1 - self.x.get((a.username, a.day, a.shift, a.position), 0))
                for a in self.i.previous if self.i.start <= a.day <= self.i.end]

    def _fairness_costs(self, metric: str, subs: dict[Key, cp_model.IntVar]) -> list:
        weight = getattr(self.f.rules.weights, f"fair_{metric}")
        groups: dict[tuple, list[str]] = defaultdict(list)
        for p in self.f.people.values():
            if p.qualified(p.primary):
                groups[fairness_group(p)].append(p.username)
        out = []
        for users in groups.values():
            hist = {u: getattr(self.i.history.get(u), metric, 0) for u in users}
            rot = {u: self._rotation(u, metric) for u in users}
            share, rest = divmod(sum(hist[u] + rot[u][0] for u in users), len(users))
            for u in users:
                worked = self._metric_worked(u, metric, subs)
                out.append(weight * self._square(hist[u] + rot[u][1] - share, worked, 1 if rest else 0))
        return out

    def _rotation(self, u: str, metric: str) -> tuple[int, int]:
        if metric == "substitutions":
            return 0, 0
        mine = [(d, s) for (uu, d, s) in self.f.pattern if uu == u and day_kind_matches(self.f, metric, d, s)]
        return len(mine), sum((u, d, s) in self.f.leave for d, s in mine)

    def _metric_worked(self, u: str, metric: str, subs: dict[Key, cp_model.IntVar]) -> list:
        if metric == "substitutions":
            return [v for k, v in subs.items() if k[0] == u]
        return [v for (uu, d, s, _q), v in self.x.items() if uu == u and day_kind_matches(self.f, metric, d, s)]

    def _square(self, offset: int, worked: list, half: int) -> cp_model.IntVar:
        """offset+sum(worked) = y; returns a variable equal to y*(y-half)."""
        y = self.m.new_int_var(offset, offset + len(worked), "y")
        self.m.add(y == offset + sum(worked))
        z = self.m.new_int_var(offset - half, offset + len(worked) - half, "z")
        self.m.add(z == y - half)
        lo, hi = sorted((offset * (offset - half), (offset + len(worked)) ** 2 + abs(offset) * len(worked)))
        p = self.m.new_int_var(min(lo, -1), max(hi, (abs(offset) + len(worked)) ** 2 + 1), "sq")
        self.m.add_multiplication_equality(p, [y, z])
        return p


def r_days(rules) -> int:
    """How far before the period the counting rules look."""
    return max(rules.window_days, rules.max_consecutive) + 1
