"""The desk's roster settings (one row) and their mapping onto the engine's Pattern, ShiftDefs, coverage and Rules.

Saving refuses a pattern that would itself break a hard rule (``roster.patterns.check_pattern``), naming the rule.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session

from desk import audit
from desk.accounts import N_
from desk.timeutil import utcnow
from roster.domain import POSITIONS, TEAMS, Pattern, Rules, ShiftDef, Weights, frozen_map
from roster.models import RosterSettings
from roster.patterns import check_pattern, default_offsets

SETTINGS_ID = 1
# DNOO anchored here puts team A on the day shift and team D on the night shift of 2026-01-01; the teams then
# follow one another: A, B, C, D each work day, night, off, off.
DEFAULT_ANCHOR = date(2026, 1, 1)
DEFAULT_COVERAGE = {"leader": 1, "info": 1, "comms": 1}
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class SettingsError(ValueError):
    """Settings that cannot be saved; ``problems`` lists (rule or field, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{r}: {m}" for r, m in problems))
        self.problems = problems


@dataclass(frozen=True)
class EngineSettings:
    """The settings as the engine reads them."""

    pattern: Pattern
    shifts: tuple[ShiftDef, ...]
    coverage: dict[str, int]
    rules: Rules


def default_rules() -> dict[str, Any]:
    """The rules JSON of a fresh desk (limits derived from the pattern, default weights)."""
    return {"min_rest_hours": 12, "max_consecutive": None, "window_days": 28, "max_shifts_in_window": None,
            "weights": asdict(Weights())}


def defaults() -> RosterSettings:
    """An unsaved settings row with the defaults (DNOO, A on days from the anchor)."""
    return RosterSettings(id=SETTINGS_ID, pattern_code="DNOO", anchor=DEFAULT_ANCHOR,
                          offsets=default_offsets("DNOO"), day_start="08:00", night_start="20:00",
                          coverage=dict(DEFAULT_COVERAGE), rules=default_rules())


def load(session: Session) -> RosterSettings:
    """The saved settings, or the defaults (not saved) when none are."""
    return session.get(RosterSettings, SETTINGS_ID) or defaults()


def _hhmm(value: str) -> time:
    return datetime.strptime(value, "%H:%M").time()


def to_shifts(day_start: str, night_start: str) -> tuple[ShiftDef, ...]:
    """Day and night ShiftDefs that together cover 24 h."""
    d, n = _hhmm(day_start), _hhmm(night_start)
    day_minutes = (n.hour * 60 + n.minute) - (d.hour * 60 + d.minute)
    return ShiftDef("D", d, day_minutes // 60), ShiftDef("N", n, 24 - day_minutes // 60)


def to_rules(data: dict[str, Any]) -> Rules:
    """Rules from the stored JSON (unknown keys ignored, missing ones defaulted)."""
    known = {f.name for f in fields(Weights)}
    weights = Weights(**{k: int(v) for k, v in (data.get("weights") or {}).items() if k in known})
    derived = ("max_consecutive", "max_shifts_in_window")
    opt = {k: (None if data.get(k) in (None, "") else int(data[k])) for k in derived}
    return Rules(min_rest_hours=int(data.get("min_rest_hours", 12)), window_days=int(data.get("window_days", 28)),
                 weights=weights, **opt)


def engine_settings(row: RosterSettings) -> EngineSettings:
    """Map the row onto the engine's types."""
    pattern = Pattern(row.pattern_code, row.anchor, frozen_map({k: int(v) for k, v in row.offsets.items()}))
    coverage = {q: int(row.coverage.get(q, 0)) for q in POSITIONS}
    return EngineSettings(pattern, to_shifts(row.day_start, row.night_start), coverage, to_rules(row.rules))


def current(session: Session) -> EngineSettings:
    """The saved (or default) settings as the engine reads them."""
    return engine_settings(load(session))


def check(row: RosterSettings) -> list[tuple[str, str]]:
    """Every problem of ``row``: malformed fields first, then the hard rules the pattern breaks."""
    problems = []
    code = row.pattern_code
    if not code or set(code) - set("DNO") or len(code) > 32:
        return [("pattern", N_("a pattern is 1 to 32 letters of D (day), N (night) and O (off)"))]
    for name in ("day_start", "night_start"):
        if not HHMM.match(getattr(row, name) or ""):
            problems.append((name, N_("a time of day is written HH:MM, e.g. 08:00")))
    if problems:
        return problems
    if _hhmm(row.night_start) <= _hhmm(row.day_start):
        problems.append(("night_start", N_("the night shift starts after the day shift")))
    if set(row.offsets) != set(TEAMS):
        problems.append(("offsets", N_("every team A–D needs an offset")))
    if any(int(row.coverage.get(q, 0)) < 1 for q in POSITIONS):
        problems.append(("coverage", N_("every shift needs at least one leader, info and comms watcher")))
    if problems:
        return problems
    es = engine_settings(row)
    return check_pattern(es.pattern, es.rules, es.shifts)


def save(session: Session, *, actor: str, values: dict[str, Any]) -> RosterSettings:
    """Validate and store the settings; raise SettingsError naming every problem (a pattern breaking a rule)."""
    row = session.get(RosterSettings, SETTINGS_ID)
    before = _snapshot(row) if row else None
    candidate = defaults() if row is None else RosterSettings(**row.model_dump())
    for key, value in values.items():
        setattr(candidate, key, value)
    candidate.pattern_code = (candidate.pattern_code or "").strip().upper()
    problems = check(candidate)
    if problems:
        raise SettingsError(problems)
    row = row or RosterSettings(id=SETTINGS_ID, anchor=candidate.anchor)
    for key in ("pattern_code", "anchor", "offsets", "day_start", "night_start", "coverage", "rules"):
        setattr(row, key, getattr(candidate, key))
    row.updated_by, row.updated_at = actor, utcnow()
    session.add(row)
    audit.record(session, actor=actor, action="roster.settings", object_type="roster_settings",
                 object_id=SETTINGS_ID, before=before, after=_snapshot(row))
    session.flush()
    return row


def _snapshot(row: RosterSettings) -> dict[str, Any]:
    return {"pattern": row.pattern_code, "anchor": row.anchor.isoformat(), "offsets": dict(row.offsets),
            "day_start": row.day_start, "night_start": row.night_start, "coverage": dict(row.coverage),
            "rules": dict(row.rules)}
