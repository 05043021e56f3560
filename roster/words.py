"""The roster engine's codes in the reader's words: the one rendering layer.

The engine returns values (``roster.domain.Message``, ``Violation``, ``Gap``; codes registered in
``roster.codes``); this module turns each into a sentence with Flask-Babel: ``gettext`` with named
parameters, ``ngettext`` for counts, ``pgettext`` where one English word has two Chinese meanings (a "day"
shift is 白班, a day is 天). Pages pass ``babel()``; the CLI passes ``ENGLISH`` or ``babel()`` under
``force_locale``. A draft stores its explanation as data (``explanation_data``), so each page renders it in
its reader's language. Drafts solved before the codes existed stored English lines; those are shown as stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from roster.domain import Explanation, Gap, Message, Violation

STORED_VERSION = 2


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction (make i18n-extract); it is translated where it is shown."""
    return msgid


# The names of shifts, seats and rules, the one home of their wording: pages wrap them in ``_l``/``_``, the
# sentences below use the lower-case forms.
SHIFT_NAMES = {"D": N_("Day shift"), "E": N_("Evening shift"), "N": N_("Night shift")}
SEAT_NAMES = {"leader": N_("Shift leader"), "info": N_("Information watcher"), "comms": N_("Communications watcher")}
HARD_RULE_NAMES = {
    "coverage": N_("Every seat filled exactly"),
    "one_seat": N_("One seat at a time"),
    "qualification": N_("Only qualified people"),
    "leave": N_("Approved leave is kept"),
    "pin": N_("Pinned seats are kept"),
    "one_per_day": N_("One shift per calendar day"),
    "night_then_day": N_("No day shift right after a night shift"),
    "min_rest": N_("Minimum rest between shifts"),
    "max_consecutive": N_("Maximum working days in a row"),
    "window_limit": N_("Maximum shifts in a rolling window"),
    "succession": N_("Forbidden shift successions"),
    "limit_above": N_("Personal maximum limits"),
    "limit_below": N_("Personal minimum limits"),
}
SOFT_RULE_NAMES = {
    "substitution": N_("Substitutions"), "pattern_release": N_("Pattern shifts not worked"),
    "fair_nights": N_("Fairness of nights"), "fair_weekends": N_("Fairness of weekend shifts"),
    "fair_holidays": N_("Fairness of public-holiday shifts"), "fair_substitutions": N_("Fairness of substitutions"),
    "preference": N_("Personal wishes not honoured"), "change": N_("Seats changed against the published roster"),
}


@dataclass(frozen=True)
class Words:
    """The three Babel functions a sentence may need (flask_babel's, or plain English ones)."""

    gettext: Callable[..., str]
    ngettext: Callable[..., str]
    pgettext: Callable[..., str]


def _fill(text: str, **kw: Any) -> str:
    return text % kw if kw else text


ENGLISH = Words(gettext=_fill, ngettext=lambda one, many, num, **kw: _fill(one if num == 1 else many, num=num, **kw),
                pgettext=lambda _context, text, **kw: _fill(text, **kw))


def babel() -> Words:
    """Flask-Babel's functions: the language of the current request (or of ``force_locale``)."""
    import flask_babel

    return Words(flask_babel.gettext, flask_babel.ngettext, flask_babel.pgettext)


# --- the small words ------------------------------------------------------------------------------------------

def shift_word(w: Words, code: str) -> str:
    """'day' / 'evening' / 'night' as the name of a shift (白班/中班/夜班, not 天/晚上)."""
    names = {"D": lambda: w.pgettext("shift", "day"), "E": lambda: w.pgettext("shift", "evening"),
             "N": lambda: w.pgettext("shift", "night")}
    return names[code]() if code in names else code


def seat_word(w: Words, position: str) -> str:
    """The seat's name."""
    names = {"leader": lambda: w.gettext("shift leader"), "info": lambda: w.gettext("information watcher"),
             "comms": lambda: w.gettext("communications watcher")}
    return names[position]() if position in names else position


def setting_word(w: Words, position: str) -> str:
    """The roster setting that says how many people sit ``position`` per shift (as labelled on its page)."""
    names = {"leader": lambda: w.gettext("Shift leaders per shift"),
             "info": lambda: w.gettext("Information watchers per shift"),
             "comms": lambda: w.gettext("Communications watchers per shift")}
    return names[position]() if position in names else position


def day_word(value: date | str | None) -> str:
    """'12-03' for a date (or its ISO string)."""
    if value is None or value == "":
        return ""
    d = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{d:%m-%d}"


def listing(w: Words, items: list[str]) -> str:
    """Items joined with the language's list separator."""
    return w.pgettext("list separator", ", ").join(items)


# --- messages -------------------------------------------------------------------------------------------------

Sentence = Callable[[Words, dict[str, Any]], str]

SENTENCES: dict[str, Sentence] = {
    # summaries
    "seats_short": lambda w, p: w.ngettext("%(num)s seat has too few qualified, available people:",
                                           "%(num)s seats have too few qualified, available people:", p["n"]),
    "no_roster": lambda w, p: w.gettext("No roster satisfies every rule together; these conflict:"),
    "impossible_pins": lambda w, p: w.gettext("Some pinned seats cannot be kept:"),
    "pattern_breaks_rule": lambda w, p: w.gettext("The rotation pattern breaks a hard rule:"),
    "setting_too_high": lambda w, p: w.gettext("A roster setting asks for more than the desk's people can sit:"),
    # one person's reason
    "on_leave": lambda w, p: w.gettext("on leave"),
    "inactive": lambda w, p: w.gettext("inactive"),
    "pinned_elsewhere": lambda w, p: w.gettext("pinned to another shift"),
    "on_other_shift": lambda w, p: w.gettext("already on the other shift that day"),
    "resting_after_night": lambda w, p: w.gettext("resting after a night shift"),
    "short_rest": lambda w, p: w.gettext("would rest less than %(hours)s hours", hours=p["hours"]),
    "over_consecutive": lambda w, p: w.ngettext("over the limit of %(num)s working day in a row",
                                                "over the limit of %(num)s working days in a row", p["limit"]),
    "over_window": lambda w, p: w.gettext("over the limit of %(limit)s shifts in %(days)s days",
                                          limit=p["limit"], days=p["days"]),
    # conflicting inputs
    "leave_of": lambda w, p: (
        w.gettext("leave of %(person)s on %(day)s", person=p["person"], day=day_word(p["start"]))
        if day_word(p["start"]) == day_word(p["end"]) else
        w.gettext("leave of %(person)s from %(start)s to %(end)s", person=p["person"],
                  start=day_word(p["start"]), end=day_word(p["end"]))),
    "pin_of": lambda w, p: w.gettext("%(person)s pinned to the %(shift)s shift of %(day)s", person=p["person"],
                                     shift=shift_word(w, p["shift"]), day=day_word(p["day"])),
    "rest_rules_of": lambda w, p: w.gettext("the rest rules of %(person)s", person=p["person"]),
    "limits_of": lambda w, p: w.gettext("the personal limits of %(person)s", person=p["person"]),
    "consecutive_limit_of": lambda w, p: w.ngettext(
        "the limit of %(num)s working day in a row for %(person)s",
        "the limit of %(num)s working days in a row for %(person)s", p["limit"], person=p["person"]),
    "window_limit_of": lambda w, p: w.gettext("the limit of %(limit)s shifts in %(days)s days for %(person)s",
                                              limit=p["limit"], days=p["days"], person=p["person"]),
    "pin_unqualified": lambda w, p: w.gettext(
        "%(person)s is pinned as %(seat)s on %(day)s %(shift)s but is not an active person qualified for it",
        **_where(w, p)),
    "pin_on_leave": lambda w, p: w.gettext(
        "%(person)s is pinned as %(seat)s on %(day)s %(shift)s but is on approved leave", **_where(w, p)),
    "pinned_twice": lambda w, p: w.gettext("%(person)s is pinned twice on %(day)s", person=p["person"],
                                           day=day_word(p["day"])),
    "too_many_pins": lambda w, p: w.ngettext(
        "%(n)s people pinned as %(seat)s on %(day)s %(shift)s, which has only %(num)s such seat",
        "%(n)s people pinned as %(seat)s on %(day)s %(shift)s, which has only %(num)s such seats",
        p["required"], n=p["n"], seat=seat_word(w, p["position"]), day=day_word(p["day"]),
        shift=shift_word(w, p["shift"])),
    "coverage_exceeds_people": lambda w, p: w.ngettext(
        "the setting “%(setting)s” is %(required)s, but the %(num)s qualified person cannot sit that many "
        "shifts within the rest and working-day limits",
        "the setting “%(setting)s” is %(required)s, but the %(num)s qualified people cannot sit that many "
        "shifts within the rest and working-day limits",
        p["qualified"], setting=setting_word(w, p["position"]), required=p["required"]),
    # a rotation pattern's own problems
    "pattern_letters": lambda w, p: w.gettext("the pattern %(letters)s may use only the letters D, N and O",
                                              letters=p["letters"]),
    "pattern_teams": lambda w, p: w.gettext(
        "cycle day %(day)s: the %(shift)s shift has %(n)s teams instead of one (check the offsets)",
        day=p["cycle_day"], shift=shift_word(w, p["shift"]), n=p["n"]),
    "pattern_night_then_day": lambda w, p: w.gettext("cycle day %(day)s: a night shift followed by a day shift",
                                                     day=p["cycle_day"]),
    "pattern_succession": lambda w, p: w.gettext(
        "cycle day %(day)s: %(a)s may not be followed by %(b)s", day=p["cycle_day"],
        a=shift_word(w, p["first"]), b=shift_word(w, p["second"])),
    "pattern_short_rest": lambda w, p: w.gettext(
        "cycle day %(day)s: %(a)s then %(b)s leaves less than %(hours)s hours of rest", day=p["cycle_day"],
        a=shift_word(w, p["first"]), b=shift_word(w, p["second"]), hours=p["hours"]),
    "pattern_run": lambda w, p: w.gettext("%(n)s working days in a row", n=p["n"]),
    "pattern_window": lambda w, p: w.gettext("%(n)s shifts in %(days)s days", n=p["n"], days=p["days"]),
    # warnings
    "holiday_year_unknown": lambda w, p: w.gettext(
        "The holiday calendar has no data for %(year)s: only weekends count as weekends, public holidays are "
        "unknown.", year=p["year"]),
}


def _where(w: Words, p: dict[str, Any]) -> dict[str, str]:
    return {"person": p["person"], "seat": seat_word(w, p["position"]), "day": day_word(p["day"]),
            "shift": shift_word(w, p["shift"])}


def render(message: Message | Mapping[str, Any], w: Words = ENGLISH) -> str:
    """One message (a ``Message`` or its stored form ``{"code", "params"}``) in the reader's words."""
    code, params = (message.code, message.kw) if isinstance(message, Message) else (
        message["code"], dict(message.get("params") or {}))
    return SENTENCES[code](w, params)


# --- explanations ---------------------------------------------------------------------------------------------

def explanation_data(expl: Explanation, names: Mapping[str, str]) -> dict[str, Any]:
    """What a draft stores: the codes with their parameters, people by display name, dates as ISO strings."""
    return {"v": STORED_VERSION, "summary": _stored(expl.summary, names),
            "gaps": [{"day": g.day.isoformat(), "shift": g.shift, "position": g.position,
                      "reasons": [[names.get(u, u), _stored(r, names)] for u, r in g.reasons]} for g in expl.gaps],
            "conflicts": [_stored(c, names) for c in expl.conflicts]}


def _stored(m: Message, names: Mapping[str, str]) -> dict[str, Any]:
    params = {k: (v.isoformat() if isinstance(v, date) else names.get(v, v) if k == "person" else v)
              for k, v in m.params}
    return {"code": m.code, "params": params}


def explanation_lines(data: Any, w: Words = ENGLISH) -> list[str]:
    """A stored explanation in the reader's language: the summary, one line per unfillable seat, the conflicts.

    Drafts stored before the codes (a list of lines, or a dict without ``v``) show their English lines."""
    if not isinstance(data, dict) or data.get("v") != STORED_VERSION:
        return _old_lines(data)
    out = [render(data["summary"], w)]
    out += [gap_line(g, w) for g in data.get("gaps") or []]
    return out + [render(c, w) for c in data.get("conflicts") or []]


def lines(expl: Explanation, w: Words = ENGLISH, names: Mapping[str, str] | None = None) -> list[str]:
    """An engine Explanation in words (names: username -> display name)."""
    return explanation_lines(explanation_data(expl, names or {}), w)


def _old_lines(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [str(x) for x in data.get("lines") or []]
    return [str(x) for x in data or []]


def gap_line(gap: Gap | Mapping[str, Any], w: Words = ENGLISH) -> str:
    """'12-03 night: no communications watcher: Li on leave, Wang resting after a night shift'."""
    if isinstance(gap, Gap):
        gap = {"day": gap.day, "shift": gap.shift, "position": gap.position,
               "reasons": [[u, {"code": r.code, "params": r.kw}] for u, r in gap.reasons]}
    who = [w.gettext("%(person)s %(reason)s", person=name, reason=render(r, w)) for name, r in gap["reasons"]]
    return w.gettext("%(day)s %(shift)s: no %(seat)s: %(who)s", day=day_word(gap["day"]),
                     shift=shift_word(w, gap["shift"]), seat=seat_word(w, gap["position"]),
                     who=listing(w, who) if who else w.gettext("nobody is qualified"))


def warning(stored: Any, w: Words = ENGLISH) -> str:
    """A solver warning in the reader's words (a stored ``{"code", "params"}``, a Message, or an old English line)."""
    return str(stored) if isinstance(stored, str) else render(stored, w)


def stored_warnings(warnings: tuple[Message, ...]) -> list[dict[str, Any]]:
    """What a draft stores of a solve's warnings."""
    return [_stored(m, {}) for m in warnings]


def pattern_problem(problem: Message | str, w: Words = ENGLISH) -> str:
    """A settings problem: a pattern's own (``check_pattern``, a code) or a field's (``settings_store.check``,
    a msgid marked with N_)."""
    return render(problem, w) if isinstance(problem, Message) else w.gettext(problem)


# --- the validator's violations -------------------------------------------------------------------------------

VIOLATIONS: dict[str, Callable[[Words, dict[str, Any]], str]] = {
    "coverage": lambda w, p: w.gettext("%(when)s: the %(seat)s seat has %(got)s people instead of %(need)s",
                                       **_pick(p, "when", "seat", "got", "need")),
    "one_seat": lambda w, p: w.gettext("%(name)s would sit two seats at once on %(when)s", **_pick(p, "name", "when")),
    "qualification": lambda w, p: w.gettext("%(name)s is not qualified to sit the %(seat)s seat on %(when)s",
                                            **_pick(p, "name", "seat", "when")),
    "leave": lambda w, p: w.gettext("%(name)s is on approved leave on %(when)s", **_pick(p, "name", "when")),
    "pin": lambda w, p: w.gettext("the seat pinned for %(name)s on %(when)s would be lost",
                                  **_pick(p, "name", "when")),
    "one_per_day": lambda w, p: w.gettext("%(name)s would work two shifts on %(date)s", **_pick(p, "name", "date")),
    "night_then_day": lambda w, p: w.gettext(
        "%(name)s would work the day shift of %(date)s right after a night shift", **_pick(p, "name", "date")),
    "min_rest": lambda w, p: w.gettext("%(name)s would have less than %(hours)s hours of rest before %(when)s",
                                       **_pick(p, "name", "hours", "when")),
    "max_consecutive": lambda w, p: w.gettext("%(name)s would work more than %(limit)s days in a row (up to %(date)s)",
                                              **_pick(p, "name", "limit", "date")),
    "window_limit": lambda w, p: w.gettext(
        "%(name)s would work %(n)s shifts, more than %(limit)s, in the %(days)s days from %(date)s",
        **_pick(p, "name", "n", "limit", "days", "date")),
    "succession": lambda w, p: w.gettext(
        "%(name)s would work %(b)s on %(date)s right after %(a)s", name=p["name"], date=p["date"],
        a=shift_word(w, p["first"]), b=shift_word(w, p["second"])),
    "limit_above": lambda w, p: w.gettext("%(name)s: %(what)s would be %(n)s, more than %(limit)s",
                                          name=p["name"], what=limit_word(w, p), n=p["n"], limit=p["limit"]),
    "limit_below": lambda w, p: w.gettext("%(name)s: %(what)s would be %(n)s, fewer than %(limit)s",
                                          name=p["name"], what=limit_word(w, p), n=p["n"], limit=p["limit"]),
}


def limit_word(w: Words, p: dict[str, Any]) -> str:
    """What a limit row bounds, in words ('night shifts', 'minutes worked', 'days in a row')."""
    kind = p["kind"]
    if kind == "shifts" and p.get("shift"):
        return w.gettext("%(shift)s count", shift=shift_word(w, p["shift"]))
    names = {"shifts": lambda: w.gettext("shifts worked"), "minutes": lambda: w.gettext("minutes worked"),
             "weekends": lambda: w.gettext("weekends worked"), "work_run": lambda: w.gettext("working days in a row"),
             "off_run": lambda: w.gettext("days off in a row")}
    return names[kind]()


def _pick(p: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: p[k] for k in keys}


def violation_sentence(v: Violation, names: Mapping[str, str], w: Words = ENGLISH) -> str:
    """A broken hard rule in the leader's words ('Li would work the day shift of 01-03 right after a night shift')."""
    day = day_word(v.day)
    params = {"name": names.get(v.username or "", v.username or ""), "date": day,
              "when": f"{day} {_shift_of(w, v.shift)}".strip(),
              "seat": seat_word(w, v.position) if v.position else "", **v.kw}
    return VIOLATIONS[v.rule](w, params)


def _shift_of(w: Words, code: str | None) -> str:
    names = {"D": lambda: w.gettext("day shift"), "N": lambda: w.gettext("night shift")}
    return names[code]() if code in names else ""


# --- what a solve proved ---------------------------------------------------------------------------------------

RESTRICTED_STAGES = ("pattern", "local")  # roster.solver: stages that keep (part of) the rotation fixed


def proof_note(status: str | None, stage: str | None, hand_edits: int | None, w: Words = ENGLISH) -> str:
    """What the solver's status does not say on its own: an OPTIMAL of a rotation-restricted stage is proven only
    for that stage's model, and hand edits after the solve leave the solver's answer behind ("" when neither)."""
    if hand_edits:
        return w.ngettext("%(num)s seat was edited by hand after the solve: the cost is recomputed by the scorer, "
                          "the roster is no longer the solver's answer.",
                          "%(num)s seats were edited by hand after the solve: the cost is recomputed by the scorer, "
                          "the roster is no longer the solver's answer.", hand_edits)
    if status == "OPTIMAL" and stage in RESTRICTED_STAGES:
        return w.gettext("Optimal while the rotation is kept (solver stage “%(stage)s”): proven best among rosters "
                         "that keep it, not proven best for the whole desk.", stage=stage)
    return ""


# --- the cost of a roster -------------------------------------------------------------------------------------

def cost_lines(breakdown: list[dict[str, Any]] | None, names: Mapping[str, str],
               w: Words = ENGLISH) -> list[dict[str, Any]]:
    """The cost breakdown grouped by rule, each with its people: [{rule, label, total, people: [(name, amount)]}]."""
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in breakdown or []:
        groups[c["rule"]][c["username"]] += int(c["amount"])
    out = []
    for rule, people in sorted(groups.items(), key=lambda kv: -sum(kv[1].values())):
        ranked = sorted(people.items(), key=lambda kv: (-kv[1], kv[0]))
        out.append({"rule": rule, "label": w.gettext(SOFT_RULE_NAMES.get(rule, rule)), "total": sum(people.values()),
                    "people": [(names.get(u, u), n) for u, n in ranked]})
    return out
