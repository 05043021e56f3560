"""What a roster action refuses, and the input checks every roster action shares.

``RosterError`` carries a msgid marked with ``N_`` and its parameters, so the pages say it in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from desk.accounts import N_
from desk.timeutil import in_desk_range
from roster import domain
from roster.domain import RosterInputs

MAX_DAYS = 400
MAX_NOTE = 500


class RosterError(ValueError):
    """A roster action that cannot be done; ``problems`` lists sentences a leader understands."""

    def __init__(self, message: str, problems: Iterable[str] = (), **params: Any):
        super().__init__(message % params if params else message)
        self.message = message  # marked with N_ so the pages can translate it: _(message, **params)
        self.params = params
        self.problems = list(problems)
        self.violations: list[domain.Violation] = []  # the broken hard rules, for pages that word them
        self.inputs: RosterInputs | None = None


def check_text(text: str, *, limit: int = MAX_NOTE) -> str:
    """The text stripped, or RosterError when it is longer than ``limit`` characters (nothing is cut silently)."""
    text = (text or "").strip()
    if len(text) > limit:
        raise RosterError(N_("Write at most %(limit)s characters."), limit=limit)
    return text


def check_dates(*days: date | None) -> None:
    """Refuse dates outside the years the desk accepts (desk.timeutil.in_desk_range)."""
    if any(d is not None and not in_desk_range(d) for d in days):
        raise RosterError(N_("Dates must lie between the years 2000 and 2100."))


def period_days(start: date, end: date) -> int:
    return (end - start).days + 1


def check_period(start: date, end: date) -> None:
    """Refuse an empty or too long period, or one outside the years the desk accepts."""
    check_dates(start, end)
    if end < start:
        raise RosterError(N_("The period ends before it starts."))
    if period_days(start, end) > MAX_DAYS:
        raise RosterError(N_("A roster covers at most %(days)d days."), days=MAX_DAYS)
