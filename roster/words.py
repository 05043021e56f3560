"""Why-no-roster explanations in the reader's language.

The engine explains in English (``roster.domain.Explanation``); a draft stores that explanation as data
(``explanation_data``) so each page renders it in its reader's language (``explanation_lines``), with ``gettext``
passed in (flask_babel's ``_`` on a page, the identity in the CLI). Phrases the engine may add later and this
module does not know are shown as the engine wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from desk.accounts import N_
from roster.domain import Explanation

Gettext = Callable[..., str]

SEATS = {"leader": N_("shift leader"), "info": N_("information watcher"), "comms": N_("communications watcher")}
SHIFTS = {"D": N_("day"), "N": N_("night")}
REASONS = {
    "on leave": N_("on leave"),
    "inactive": N_("inactive"),
    "pinned to another shift": N_("pinned to another shift"),
    "already on the other shift that day": N_("already on the other shift that day"),
    "resting after night shift": N_("resting after a night shift"),
    "not rested enough": N_("not rested enough"),
    "over the consecutive-days limit": N_("over the consecutive-days limit"),
}
WINDOW_REASON = re.compile(r"^over the (\d+)-day limit$")
CONFLICTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^leave of (?P<who>.+) (?P<start>\d\d-\d\d)\.\.(?P<end>\d\d-\d\d)$"),
     N_("leave of %(who)s %(start)s to %(end)s")),
    (re.compile(r"^pin of (?P<who>.+) on (?P<day>\d\d-\d\d) (?P<shift>[DN])$"),
     N_("pin of %(who)s on %(day)s %(shift)s")),
    (re.compile(r"^rest rules for (?P<who>.+)$"), N_("rest rules for %(who)s")),
    (re.compile(r"^consecutive-days limit for (?P<who>.+)$"), N_("consecutive-days limit for %(who)s")),
    (re.compile(r"^window limit for (?P<who>.+)$"), N_("rolling-window limit for %(who)s")),
]


def explanation_data(expl: Explanation, names: dict[str, str]) -> dict[str, Any]:
    """What a draft stores: the English lines (CLI, logs) and the parts the pages translate."""
    extra = [c for c in expl.conflicts if c not in expl.summary]
    return {
        "lines": [expl.summary, *(g.sentence(names) for g in expl.gaps), *(f"conflict: {c}" for c in extra)],
        "summary": expl.summary,
        "gaps": [{"day": g.day.isoformat(), "shift": g.shift, "position": g.position,
                  "reasons": [[names.get(u, u), r] for u, r in g.reasons]} for g in expl.gaps],
        "conflicts": list(expl.conflicts),
    }


def english_lines(data: Any) -> list[str]:
    """The stored English lines (also of drafts stored as a plain list of lines)."""
    if isinstance(data, dict):
        return list(data.get("lines") or [])
    return [str(x) for x in data or []]


def explanation_lines(data: Any, gettext: Gettext) -> list[str]:
    """The explanation in the reader's language: summary, one line per unfillable seat, the conflicts."""
    if not isinstance(data, dict):
        return english_lines(data)
    out = [summary(data, gettext)]
    out += [gap_sentence(g, gettext) for g in data.get("gaps") or []]
    listed = data.get("summary", "").startswith("no roster satisfies")  # the summary line introduces them
    for c in data.get("conflicts") or []:
        words = conflict(c, gettext)
        out.append(words if listed else gettext("in conflict: %(what)s", what=words))
    return out


def summary(data: dict[str, Any], gettext: Gettext) -> str:
    """The summary line."""
    text = data.get("summary", "")
    seats = re.match(r"^(\d+) seat\(s\) have too few qualified, available people$", text)
    if seats:
        return gettext("%(n)s seat(s) have too few qualified, available people:", n=seats.group(1))
    if text.startswith("no roster satisfies every rule"):
        return gettext("No roster satisfies every rule together; these conflict:")
    known = {"impossible pins": N_("Some pinned seats cannot be kept:"),
             "the rotation pattern breaks a hard rule": N_("The rotation pattern breaks a hard rule:")}
    return gettext(known[text]) if text in known else text


def gap_sentence(gap: dict[str, Any], gettext: Gettext) -> str:
    """'12-03 night: no communications watcher: Li on leave, Wang resting after a night shift'."""
    who = ", ".join(f"{name} {reason_words(r, gettext)}" for name, r in gap["reasons"]) or gettext(
        "nobody is qualified")
    return gettext("%(day)s %(shift)s: no %(seat)s: %(who)s", day=gap["day"][5:],
                   shift=gettext(SHIFTS.get(gap["shift"], gap["shift"])),
                   seat=gettext(SEATS.get(gap["position"], gap["position"])), who=who)


def reason_words(reason: str, gettext: Gettext) -> str:
    """One person's reason in the reader's language."""
    if reason in REASONS:
        return gettext(REASONS[reason])
    window = WINDOW_REASON.match(reason)
    if window:
        return gettext("over the %(days)s-day limit", days=window.group(1))
    return reason


def conflict(text: str, gettext: Gettext) -> str:
    """One conflicting input (leave, pin, a person's rule family) in the reader's language."""
    for pattern, words in CONFLICTS:
        m = pattern.match(text)
        if m:
            params = m.groupdict()
            if "shift" in params:
                params["shift"] = gettext(SHIFTS[params["shift"]])
            return gettext(words, **params)
    return text


PATTERN_PROBLEMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^cycle day (?P<day>\d+): shift (?P<shift>[DN]) has (?P<n>\d+) teams$"),
     N_("cycle day %(day)s: the %(shift)s shift has %(n)s teams instead of one (check the offsets)")),
    (re.compile(r"^cycle day (?P<day>\d+): night followed by a day shift$"),
     N_("cycle day %(day)s: a night shift followed by a day shift")),
    (re.compile(r"^cycle day (?P<day>\d+): (?P<a>[DN]) then (?P<b>[DN]) leaves less than (?P<hours>\d+) h$"),
     N_("cycle day %(day)s: %(a)s then %(b)s leaves less than %(hours)s hours of rest")),
    (re.compile(r"^(?P<n>\d+) working days in a row$"), N_("%(n)s working days in a row")),
    (re.compile(r"^(?P<n>\d+) shifts in (?P<days>\d+) days$"), N_("%(n)s shifts in %(days)s days")),
]


def pattern_problem(message: str, gettext: Gettext) -> str:
    """A settings problem (``roster.patterns.check_pattern`` or ``settings_store.check``) in the reader's words."""
    for pattern, template in PATTERN_PROBLEMS:
        m = pattern.match(message)
        if m:
            params = m.groupdict()
            for key in ("shift", "a", "b"):
                if key in params:
                    params[key] = gettext(SHIFTS[params[key]])
            return gettext(template, **params)
    return gettext(message)


UNKNOWN_YEAR = re.compile(r"^holiday calendar has no data for (\d+): ")


def warning(text: str, gettext: Gettext) -> str:
    """A solver warning in the reader's words (the holiday calendar lacking a year is the one there is)."""
    m = UNKNOWN_YEAR.match(text)
    if m:
        return gettext("The holiday calendar has no data for %(year)s: only weekends count as weekends, public "
                       "holidays are unknown.", year=m.group(1))
    return text
