"""Every message the roster engine can emit, as a code with named parameters: the one registry.

The cores (explainer, validator, pattern check, solver warnings) never write sentences; they return
``roster.domain.Message`` / ``Violation`` values whose code and parameter names must be listed here
(checked when the value is made), and ``roster.words`` turns each into text in the reader's language.
``tests/roster/test_codes.py`` renders every code below in English and Chinese, so a new code cannot be
forgotten by the rendering layer.

Parameter conventions: ``person`` a display name (a username in the core, replaced by the name when a
draft stores it), ``day``/``start``/``end`` dates (ISO strings once stored), ``shift`` a shift code (D/N),
``position`` a seat (leader/info/comms); everything else is a whole number.
"""

from __future__ import annotations

#: The first line of an explanation: what kind of problem it is.
SUMMARIES: dict[str, tuple[str, ...]] = {
    "seats_short": ("n",),
    "no_roster": (),
    "impossible_pins": (),
    "pattern_breaks_rule": (),
    "setting_too_high": (),
}

#: Why one qualified person cannot sit a seat that cannot be filled.
REASONS: dict[str, tuple[str, ...]] = {
    "on_leave": (),
    "inactive": (),
    "pinned_elsewhere": (),
    "on_other_shift": (),
    "resting_after_night": (),
    "short_rest": ("hours",),
    "over_consecutive": ("limit",),
    "over_window": ("limit", "days"),
}

#: The inputs (leave, pins, a person's rules, a setting) that together admit no roster.
CONFLICTS: dict[str, tuple[str, ...]] = {
    "leave_of": ("person", "start", "end"),
    "pin_of": ("person", "day", "shift"),
    "rest_rules_of": ("person",),
    "limits_of": ("person",),
    "consecutive_limit_of": ("person", "limit"),
    "window_limit_of": ("person", "limit", "days"),
    "pin_unqualified": ("person", "day", "shift", "position"),
    "pin_on_leave": ("person", "day", "shift", "position"),
    "pinned_twice": ("person", "day"),
    "too_many_pins": ("n", "required", "position", "day", "shift"),
    "coverage_exceeds_people": ("position", "required", "qualified"),
}

#: Hard rules a rotation pattern breaks on its own (``roster.patterns.check_pattern``).
PATTERN_PROBLEMS: dict[str, tuple[str, ...]] = {
    "pattern_letters": ("letters",),
    "pattern_teams": ("cycle_day", "shift", "n"),
    "pattern_night_then_day": ("cycle_day",),
    "pattern_succession": ("cycle_day", "first", "second"),
    "pattern_short_rest": ("cycle_day", "first", "second", "hours"),
    "pattern_run": ("n",),
    "pattern_window": ("n", "days"),
}

#: Warnings a successful solve may carry.
WARNINGS: dict[str, tuple[str, ...]] = {
    "holiday_year_unknown": ("year",),
}

#: Every code of a ``Message``, whatever its role.
MESSAGES: dict[str, tuple[str, ...]] = {**SUMMARIES, **REASONS, **CONFLICTS, **PATTERN_PROBLEMS, **WARNINGS}

#: The validator's hard rules (``Violation.rule``) and the parameters each violation carries.
VIOLATIONS: dict[str, tuple[str, ...]] = {
    "coverage": ("got", "need"),
    "qualification": (),
    "one_seat": (),
    "leave": (),
    "pin": (),
    "night_then_day": (),
    "one_per_day": (),
    "min_rest": ("hours",),
    "max_consecutive": ("limit",),
    "window_limit": ("n", "limit", "days"),
    "succession": ("first", "second"),
    "limit_above": ("kind", "shift", "n", "limit"),
    "limit_below": ("kind", "shift", "n", "limit"),
}

assert len(MESSAGES) == sum(map(len, (SUMMARIES, REASONS, CONFLICTS, PATTERN_PROBLEMS, WARNINGS))), "codes clash"


def check(code: str, params: dict[str, object], registry: dict[str, tuple[str, ...]] = MESSAGES) -> None:
    """Raise ValueError unless ``code`` is registered with exactly the parameter names of ``params``."""
    if code not in registry:
        raise ValueError(f"unregistered roster message code {code!r}: add it to roster.codes")
    if set(params) != set(registry[code]):
        raise ValueError(f"{code!r} takes {registry[code]}, got {tuple(params)}")
