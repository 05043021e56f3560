"""The desk's roster settings (one row) and their mapping onto the engine's Pattern, ShiftDefs, coverage and Rules.

Saving refuses a pattern that would itself break a hard rule (``roster.patterns.check_pattern``), naming the rule.
Beyond today's day and night shift, the ``rules`` JSON may hold ``shift_types`` (any number, with start and
minutes), ``forbidden`` successions, per-person ``limits`` (roster.domain.Limit rows), ``weekdays_only`` (a day
team: no seats on Saturdays and Sundays) and the ``preset`` they came from (see ``PRESETS``). An empty pattern is a
desk without rotation: the engine then decides every seat.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlmodel import Session

from desk import audit
from desk.accounts import N_
from desk.timeutil import utcnow
from roster.domain import (
    LIMIT_KINDS,
    NIGHT_THEN_DAY,
    POSITIONS,
    TEAMS,
    Cover,
    Limit,
    Pattern,
    Rules,
    ShiftDef,
    Weights,
    frozen_map,
)
from roster.models import RosterSettings
from roster.patterns import check_pattern, default_offsets

SETTINGS_ID = 1
# DNOO anchored here puts team A on the day shift and team D on the night shift of 2026-01-01; the teams then
# follow one another: A, B, C, D each work day, night, off, off.
DEFAULT_ANCHOR = date(2026, 1, 1)
DEFAULT_COVERAGE = {"leader": 1, "info": 1, "comms": 1}
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
FIVE_TEAMS: tuple[str, ...] = (*TEAMS, "E")


class Problem(NamedTuple):
    """A field's problem with parameters: ``msgid`` (marked with N_) is rendered with ``params``."""

    msgid: str
    params: dict[str, Any]


class SettingsError(ValueError):
    """Settings that cannot be saved; ``problems`` lists (rule or field, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{r}: {m}" for r, m in problems))
        self.problems = problems


@dataclass(frozen=True)
class EngineSettings:
    """The settings as the engine reads them."""

    pattern: Pattern | None
    shifts: tuple[ShiftDef, ...]
    coverage: dict[str, int]
    rules: Rules
    weekdays_only: bool = False

    def cover_rows(self, start: date, days: int) -> tuple[Cover, ...]:
        """Cover rows of a period: a day team (``weekdays_only``) needs nobody on Saturdays and Sundays."""
        if not self.weekdays_only:
            return ()
        weekend = [start + timedelta(days=i) for i in range(days) if (start + timedelta(days=i)).weekday() >= 5]
        return tuple(Cover(q, 0, day=d) for d in weekend for q in self.coverage)


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
    forbidden = data.get("forbidden")
    return Rules(min_rest_hours=int(data.get("min_rest_hours", 12)), window_days=int(data.get("window_days", 28)),
                 weights=weights, forbidden=NIGHT_THEN_DAY if forbidden is None else tuple(
                     (str(a), str(b)) for a, b in forbidden),
                 limits=tuple(Limit(**row) for row in data.get("limits") or ()), **opt)


def shift_types(row: RosterSettings) -> tuple[ShiftDef, ...]:
    """The desk's shift types: the stored list, else day and night from the two start times."""
    stored = (row.rules or {}).get("shift_types")
    if not stored:
        return to_shifts(row.day_start, row.night_start)
    return tuple(ShiftDef(s["code"], _hhmm(s["start"]), minutes=int(s["minutes"])) for s in stored)


def engine_settings(row: RosterSettings) -> EngineSettings:
    """Map the row onto the engine's types (no pattern when the pattern code is empty)."""
    offsets = frozen_map({k: int(v) for k, v in row.offsets.items()})
    pattern = Pattern(row.pattern_code, row.anchor, offsets) if row.pattern_code else None
    coverage = {q: int(row.coverage.get(q, 0)) for q in POSITIONS}
    return EngineSettings(pattern, shift_types(row), coverage, to_rules(row.rules),
                          bool((row.rules or {}).get("weekdays_only")))


def current(session: Session) -> EngineSettings:
    """The saved (or default) settings as the engine reads them."""
    return engine_settings(load(session))


def check(row: RosterSettings) -> list[tuple[str, Any]]:
    """Every problem of ``row``: malformed fields first, then the hard rules the pattern breaks (each named)."""
    problems = _time_problems(row) + _shift_type_problems((row.rules or {}).get("shift_types") or [])
    if problems:
        return problems
    codes = [s.code for s in shift_types(row)]
    problems = _pattern_code_problems(row, codes) + _rule_data_problems(row.rules or {}, codes)
    if any(int(row.coverage.get(q, 0)) < 1 for q in POSITIONS):
        problems.append(("coverage", N_("every shift needs at least one leader, info and comms watcher")))
    if problems:
        return problems
    es = engine_settings(row)
    return check_pattern(es.pattern, es.rules, es.shifts) if es.pattern else []


def _time_problems(row: RosterSettings) -> list[tuple[str, Any]]:
    problems: list[tuple[str, Any]] = [
        (name, N_("a time of day is written HH:MM, e.g. 08:00"))
        for name in ("day_start", "night_start") if not HHMM.match(getattr(row, name) or "")]
    uses_times = not (row.rules or {}).get("shift_types")
    if not problems and uses_times and _hhmm(row.night_start) <= _hhmm(row.day_start):
        problems.append(("night_start", N_("the night shift starts after the day shift")))
    return problems


def _shift_type_problems(stored: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Stored shift types: one capital letter each (not O), told apart, a HH:MM start and 30 to 1440 minutes."""
    problems: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for s in stored:
        code = str(s.get("code", ""))
        if not re.fullmatch(r"[A-NP-Z]", code) or code in seen:
            problems.append(("shift_types", Problem(N_("shift type %(code)s: one capital letter other than O, "
                                                       "each used once"), {"code": code or "?"})))
        elif not HHMM.match(str(s.get("start", ""))) or not 30 <= int(s.get("minutes", 0)) <= 1440:
            problems.append(("shift_types", Problem(N_("shift type %(code)s: a start HH:MM and 30 to 1440 minutes"),
                                                    {"code": code})))
        seen.add(code)
    return problems


def _pattern_code_problems(row: RosterSettings, codes: list[str]) -> list[tuple[str, Any]]:
    code = row.pattern_code
    if code and (set(code) - set(codes) - {"O"} or len(code) > 32):
        return [("pattern", Problem(N_("a pattern is 1 to 32 letters of the shift types (%(letters)s) and O (off), "
                                       "or empty for no rotation"), {"letters": ", ".join(codes)}))]
    if code and set(row.offsets) not in (set(TEAMS), set(FIVE_TEAMS)):
        return [("offsets", N_("every team A–D (or A–E) needs an offset"))]
    return []


def _rule_data_problems(rules: dict[str, Any], codes: list[str]) -> list[tuple[str, Any]]:
    problems: list[tuple[str, Any]] = []
    for first, second in rules.get("forbidden") or ():
        if first not in codes or second not in codes:
            problems.append(("forbidden", Problem(N_("the succession %(first)s→%(second)s names an unknown shift "
                                                     "type"), {"first": first, "second": second})))
    for limit in rules.get("limits") or ():
        problem = _limit_problem(limit, codes)
        if problem:
            problems.append(("limits", problem))
    return problems


def _limit_problem(limit: dict[str, Any], codes: list[str]) -> Problem | None:
    text = limit_text(limit)
    if limit.get("kind") not in LIMIT_KINDS or (limit.get("shift") and limit.get("shift") not in codes):
        return Problem(N_("limit %(limit)s: an unknown kind or shift type"), {"limit": text})
    msgid = _hard_bound_problem(limit) or _soft_bound_problem(limit)
    return Problem(msgid, {"limit": text}) if msgid else _engine_problem(limit)


def _hard_bound_problem(limit: dict[str, Any]) -> str | None:
    low, high = limit.get("hard_min"), limit.get("hard_max")
    if low is None and high is None and limit.get("soft_min") is None and limit.get("soft_max") is None:
        return N_("limit %(limit)s: give a minimum, a maximum or both")
    if (low is not None and low < 0) or (low is not None and high is not None and low > high):
        return N_("limit %(limit)s: the minimum is above the maximum")
    return None


def _soft_bound_problem(limit: dict[str, Any]) -> str | None:
    low, high = limit.get("soft_min"), limit.get("soft_max")
    if (low is not None and low < 0) or (low is not None and high is not None and low > high):
        return N_("limit %(limit)s: the soft minimum is above the soft maximum")
    if (low is not None and limit.get("min_cost", 0) <= 0) or (high is not None and limit.get("max_cost", 0) <= 0):
        return N_("limit %(limit)s: a soft bound needs a cost above 0, e.g. ~-4*10")
    hard_low, hard_high = limit.get("hard_min"), limit.get("hard_max")
    # a soft bound outside the hard range is either never reached or always broken: a cost that means nothing
    outside = [b for b in (low, high) if b is not None and ((hard_low is not None and b < hard_low)
                                                            or (hard_high is not None and b > hard_high))]
    return N_("limit %(limit)s: the soft bounds must lie between the hard minimum and maximum") if outside else None


def _engine_problem(limit: dict[str, Any]) -> Problem | None:
    """The engine's own refusal of the row (what ``to_rules`` would raise), so the page follows the engine."""
    try:
        Limit(**limit)
    except (TypeError, ValueError) as exc:
        known = ENGINE_REFUSALS.get(str(exc))
        if known:
            return Problem(known, {"limit": limit_text(limit)})
        return Problem(N_("limit %(limit)s: the roster engine refuses it: %(reason)s"),
                       {"limit": limit_text(limit), "reason": str(exc)})
    return None


# What roster.domain.Limit refuses, in the leader's words (an unlisted refusal is shown as the engine words it).
ENGINE_REFUSALS = {
    "a run of days off has a minimum only": N_("limit %(limit)s: days off in a row have a minimum only"),
    "only a 'shifts' limit names a shift type": N_("limit %(limit)s: only a shifts limit names a shift type"),
}


# --- the text forms the settings page and the CLI edit ----------------------------------------------------------

def shift_types_text(shifts: tuple[ShiftDef, ...]) -> str:
    """One line per shift type: ``CODE HH:MM MINUTES`` (e.g. ``E 16:00 480``)."""
    return "\n".join(f"{s.code} {s.start:%H:%M} {s.length}" for s in shifts)


def parse_shift_types(text: str) -> list[dict[str, Any]] | Problem:
    """The lines of ``shift_types_text`` back into stored shift types, or the first malformed line as a Problem."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3 or not parts[2].isdigit():
            return Problem(N_("shift types, line %(line)s: write CODE HH:MM MINUTES, e.g. E 16:00 480"),
                           {"line": number})
        out.append({"code": parts[0].upper(), "start": parts[1], "minutes": int(parts[2])})
    return out


def forbidden_text(pairs: list[list[str]] | tuple[tuple[str, str], ...]) -> str:
    """Forbidden successions as ``N>D, E>N`` (the second may not be worked the day after the first)."""
    return ", ".join(f"{a}>{b}" for a, b in pairs)


def parse_forbidden(text: str) -> list[list[str]] | Problem:
    """``N>D, E>N`` back into pairs, or a Problem naming the malformed item."""
    out = []
    for item in (x.strip() for x in text.replace("，", ",").split(",")):
        if not item:
            continue
        first, sep, second = (x.strip().upper() for x in item.partition(">"))
        if not sep or not first or not second:
            return Problem(N_("forbidden successions: write FIRST>SECOND, e.g. N>D, not %(item)s"), {"item": item})
        out.append([first, second])
    return out


def limit_text(limit: dict[str, Any]) -> str:
    """A limit row as ``KIND [SHIFT] [MIN-MAX] [~MIN-MAX*COST] [@who]`` (an empty side: no bound), e.g.
    ``work_run 2-5`` or ``shifts N -8 ~-4*10``; the soft part only when the row has a soft bound."""
    soft = _soft_text(limit)
    hard_set = limit.get("hard_min") is not None or limit.get("hard_max") is not None
    hard = _range_text(limit.get("hard_min"), limit.get("hard_max")) if hard_set or not soft else ""
    who = f"@{limit['who']}" if limit.get("who") else ""
    parts = [str(limit.get("kind", "")), limit.get("shift") or "", hard, soft, who]
    return " ".join(p for p in parts if p)


def _range_text(low: int | None, high: int | None) -> str:
    return f"{'' if low is None else low}-{'' if high is None else high}"


def _soft_text(limit: dict[str, Any]) -> str:
    """``~MIN-MAX*COST``, or empty without a soft bound (the cost of the maximum side when both are given)."""
    low, high = limit.get("soft_min"), limit.get("soft_max")
    if low is None and high is None:
        return ""
    cost = limit.get("max_cost", 0) if high is not None else limit.get("min_cost", 0)
    return f"~{_range_text(low, high)}*{cost}"


def parse_limits(text: str) -> list[dict[str, Any]] | Problem:
    """Lines of ``limit_text`` back into stored limit rows, or the first malformed line as a Problem."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.split():
            continue
        row = _limit_from_line(line.strip())
        if row is None:
            return Problem(N_("limits, line %(line)s: write KIND [SHIFT] [MIN-MAX] [~MIN-MAX*COST] [@person], "
                              "e.g. work_run 2-5 or shifts N -8 ~-4*10"), {"line": number})
        out.append(row)
    return out


LIMIT_LINE = re.compile(r"(?P<kind>[^\s@~]+)(?:\s+(?P<shift>[^\s@~\d-]\S*))?(?:\s+(?P<hard>\d*-\d*))?"
                        r"(?:\s+~(?P<soft>\d*-\d*)\*(?P<cost>\d+))?(?:\s+@(?P<who>\S+))?")


def _limit_from_line(line: str) -> dict[str, Any] | None:
    match = LIMIT_LINE.fullmatch(line)
    if match is None or (match["hard"] is None and match["soft"] is None) or match["soft"] == "-":
        return None
    row: dict[str, Any] = {"kind": match["kind"], **_bounds("hard", match["hard"] or "-")}
    if match["soft"]:
        cost = int(match["cost"])
        row.update({**_bounds("soft", match["soft"]), "min_cost": cost, "max_cost": cost})
    if match["shift"]:
        row["shift"] = match["shift"].upper()
    if match["who"]:
        row["who"] = match["who"]
    return row


def _bounds(side: str, text: str) -> dict[str, int | None]:
    low, high = text.split("-")
    return {f"{side}_min": int(low) if low else None, f"{side}_max": int(high) if high else None}


# --- presets ----------------------------------------------------------------------------------------------------

EIGHT_HOURS = [{"code": "D", "start": "08:00", "minutes": 480}, {"code": "E", "start": "16:00", "minutes": 480},
               {"code": "N", "start": "00:00", "minutes": 480}]
PRESETS: dict[str, dict[str, Any]] = {
    # 四班二运转: four teams, day and night of 12 hours, DNOO; no night straight into a day (today's desk)
    "4x2": {"pattern_code": "DNOO", "offsets": default_offsets("DNOO"), "day_start": "08:00", "night_start": "20:00",
            "rules": {"min_rest_hours": 12, "forbidden": [["N", "D"]]}},
    # 四班三运转: four teams, D/E/N of 8 hours; two of each then two off, one team per shift every day
    "4x3": {"pattern_code": "NNDDEEOO", "offsets": {"A": 0, "B": 2, "C": 4, "D": 6},
            "rules": {"min_rest_hours": 8, "forbidden": [], "shift_types": EIGHT_HOURS}},
    # 五班三运转: five teams, D/E/N of 8 hours over a 10-day cycle (team E joins A–D)
    "5x3": {"pattern_code": "NNDDEEOOOO", "offsets": {"A": 0, "B": 2, "C": 4, "D": 6, "E": 8},
            "rules": {"min_rest_hours": 8, "forbidden": [], "shift_types": EIGHT_HOURS}},
    # day team: one 8-hour day shift on weekdays (nobody on Saturdays and Sundays), no rotation; at most 5 in a row
    "day": {"pattern_code": "", "offsets": {},
            "rules": {"min_rest_hours": 12, "forbidden": [], "weekdays_only": True,
                      "shift_types": [{"code": "D", "start": "09:00", "minutes": 480}],
                      "limits": [{"kind": "work_run", "hard_max": 5}]}},
}
PRESET_NAMES = {"4x2": N_("四班二运转 (four teams, day and night, 12 hours)"),
                "4x3": N_("四班三运转 (four teams, D/E/N, 8 hours)"),
                "5x3": N_("五班三运转 (five teams, D/E/N, 8 hours)"),
                "day": N_("Day team (weekdays, no rotation)")}


def preset_values(name: str, current: RosterSettings | None = None) -> dict[str, Any]:
    """The values ``save`` takes for preset ``name``, keeping the current anchor, coverage and weights."""
    base = current or defaults()
    preset = PRESETS[name]
    rules = {**default_rules(), "weights": dict((base.rules or {}).get("weights") or asdict(Weights())),
             **preset["rules"], "preset": name}
    return {"pattern_code": preset["pattern_code"], "offsets": dict(preset["offsets"]),
            "day_start": preset.get("day_start", base.day_start), "night_start": preset.get("night_start",
                                                                                             base.night_start),
            "anchor": base.anchor, "coverage": dict(base.coverage), "rules": rules}


def apply_preset(session: Session, *, actor: str, name: str) -> RosterSettings:
    """Save preset ``name`` (one audited settings change); KeyError for an unknown name."""
    if name not in PRESETS:
        raise KeyError(name)
    return save(session, actor=actor, values=preset_values(name, load(session)))


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
