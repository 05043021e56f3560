"""The desk's holiday calendar as a CSV file: ``date,kind,name`` (kind ``holiday`` or ``workday``), one day a line.

Parsing is pure and all-or-nothing: it returns the days or every problem found, each as a code with its line and
parameters, so the CLI and the page say what is wrong in the reader's language and nothing is half-imported.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from roster.holidays import OVERRIDE_KINDS, Override

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_NAME = 64
MAX_LINES = 2000
HEADER = ("date", "kind", "name")


@dataclass(frozen=True)
class FileProblem:
    """One thing wrong with a line: ``code`` is one of ``PROBLEM_CODES``; ``params`` fill its sentence."""

    line: int
    code: str
    params: dict[str, str] = field(default_factory=dict)


PROBLEM_CODES = ("columns", "bad_date", "date_range", "bad_kind", "long_name", "bad_name", "duplicate", "too_many",
                 "empty")


def parse_csv(text: str) -> tuple[list[Override], list[FileProblem]]:
    """The days of a holiday CSV (a header line is optional), or the problems; never both."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if numbered and tuple(c.strip().lower() for c in numbered[0][1]) == HEADER:
        numbered = numbered[1:]
    if not numbered:
        return [], [FileProblem(0, "empty")]
    if len(numbered) > MAX_LINES:
        return [], [FileProblem(0, "too_many", {"limit": str(MAX_LINES)})]
    days, problems, seen = [], [], {}
    for line, row in numbered:
        day, row_problems = _parse_row(line, row)
        if day is not None and day.day in seen:
            row_problems.append(FileProblem(line, "duplicate", {"date": day.day.isoformat(),
                                                                 "first": str(seen[day.day])}))
        if day is not None:
            seen.setdefault(day.day, line)
        problems += row_problems
        if day is not None and not row_problems:
            days.append(day)
    return ([], problems) if problems else (days, [])


def _parse_row(line: int, row: list[str]) -> tuple[Override | None, list[FileProblem]]:
    """One line's day and its own problems."""
    cells = [c.strip() for c in row]
    if len(cells) not in (2, 3):
        return None, [FileProblem(line, "columns", {"count": str(len(cells))})]
    text, kind, name = cells[0], cells[1].lower(), cells[2] if len(cells) == 3 else ""
    problems = []
    day = parse_day(text)
    if day is None:
        problems.append(FileProblem(line, "bad_date", {"value": text[:40]}))
    elif not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.append(FileProblem(line, "date_range", {"value": text, "first": str(FIRST_YEAR),
                                                         "last": str(LAST_YEAR)}))
    if kind not in OVERRIDE_KINDS:
        problems.append(FileProblem(line, "bad_kind", {"value": cells[1][:40]}))
    if len(name) > MAX_NAME:
        problems.append(FileProblem(line, "long_name", {"limit": str(MAX_NAME)}))
    elif not name_ok(name):
        problems.append(FileProblem(line, "bad_name"))
    if day is None or kind not in OVERRIDE_KINDS:
        return None, problems
    return Override(day, kind, name[:MAX_NAME]), problems


def name_ok(name: str) -> bool:
    """A day's name is plain text: no control characters, and no leading = + - @ a spreadsheet would run."""
    return not (name[:1] in ("=", "+", "-", "@") or any(unicodedata.category(c)[0] == "C" for c in name))


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date, or None."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def to_csv(days: list[Override]) -> str:
    """The days as the same CSV the parser reads (with its header), sorted by date."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for d in sorted(days, key=lambda o: o.day):
        writer.writerow((d.day.isoformat(), d.kind, d.name))
    return out.getvalue()
