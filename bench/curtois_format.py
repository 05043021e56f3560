"""The Curtois & Qu shift-scheduling benchmark's text format, parsed into plain frozen dataclasses.

An instance file has sections (``SECTION_HORIZON``, ``SECTION_SHIFTS``, ``SECTION_STAFF``, ``SECTION_DAYS_OFF``,
``SECTION_SHIFT_ON_REQUESTS``, ``SECTION_SHIFT_OFF_REQUESTS``, ``SECTION_COVER``) of comma-separated rows; ``#``
starts a comment line. Days are 0-based and day 0 is a Monday. Anything malformed raises `CurtoisFormatError` naming
the file's line and the reason. A roster is ``Mapping[(staff id, day), shift id]`` of worked shifts only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Published best known objective values of all 24 instances (the lower value where a range is given).
BEST_KNOWN: dict[str, int] = {
    "Instance1": 607, "Instance2": 828, "Instance3": 1001, "Instance4": 1716, "Instance5": 1143,
    "Instance6": 1950, "Instance7": 1056, "Instance8": 1300, "Instance9": 439, "Instance10": 4631,
    "Instance11": 3443, "Instance12": 4040, "Instance13": 1348, "Instance14": 1278, "Instance15": 3829,
    "Instance16": 3225, "Instance17": 5746, "Instance18": 4459, "Instance19": 3149, "Instance20": 4769,
    "Instance21": 21133, "Instance22": 30240, "Instance23": 16990, "Instance24": 26571,
}

SECTIONS = (
    "SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS", "SECTION_COVER",
)


class CurtoisFormatError(ValueError):
    """A malformed instance file: ``line`` is the 1-based line number (0 when the file as a whole is wrong)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class ShiftType:
    id: str
    minutes: int
    cannot_follow: frozenset[str]  # shifts that may not follow this one on the next day


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: Mapping[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class Request:
    staff: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    under: int
    over: int


@dataclass(frozen=True)
class Instance:
    name: str
    days: int
    shifts: tuple[ShiftType, ...]
    staff: tuple[Staff, ...]
    days_off: Mapping[str, frozenset[int]]
    on_requests: tuple[Request, ...]
    off_requests: tuple[Request, ...]
    cover: tuple[Cover, ...]


@dataclass(frozen=True)
class _Row:
    line: int
    cells: tuple[str, ...]


@dataclass
class _Draft:
    """What has been read so far; the section parsers check each row against it."""

    days: int | None = None
    shifts: list[ShiftType] = field(default_factory=list)
    follow_lines: dict[str, int] = field(default_factory=dict)
    staff: list[Staff] = field(default_factory=list)
    days_off: dict[str, set[int]] = field(default_factory=dict)
    on_requests: list[Request] = field(default_factory=list)
    off_requests: list[Request] = field(default_factory=list)
    cover: list[Cover] = field(default_factory=list)
    cover_keys: set[tuple[int, str]] = field(default_factory=set)

    def shift_ids(self) -> set[str]:
        return {s.id for s in self.shifts}

    def staff_ids(self) -> set[str]:
        return {s.id for s in self.staff}


def parse(path: str | Path) -> Instance:
    """Read one instance file; the instance's name is the file's stem (``Instance1``)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CurtoisFormatError(0, f"{p.name} is not UTF-8 text") from exc
    return parse_text(text, name=p.stem)


def parse_text(text: str, *, name: str = "instance") -> Instance:
    """Parse the text of an instance file (see `parse`)."""
    draft = _Draft()
    seen: set[str] = set()
    for section, header_line, rows in _sections(text):
        if section in seen:
            raise CurtoisFormatError(header_line, f"{section} appears twice")
        seen.add(section)
        _require_order(section, header_line, draft)
        for row in rows:
            _ROW_PARSERS[section](row, draft)
        if section == "SECTION_HORIZON" and draft.days is None:
            raise CurtoisFormatError(header_line, "SECTION_HORIZON has no horizon length")
    missing = [s for s in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF") if s not in seen]
    if missing:
        raise CurtoisFormatError(0, f"missing section(s): {', '.join(missing)}")
    _check_follows(draft)
    return _freeze(draft, name)


def _sections(text: str) -> Iterator[tuple[str, int, list[_Row]]]:
    """Split into (section, header line, rows), skipping comments and blank lines."""
    current: tuple[str, int, list[_Row]] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise CurtoisFormatError(number, f"unknown section {line!r}")
            if current:
                yield current
            current = (line, number, [])
        elif current is None:
            raise CurtoisFormatError(number, "data before the first SECTION_ header")
        else:
            current[2].append(_Row(number, tuple(c.strip() for c in line.split(","))))
    if current:
        yield current


def _require_order(section: str, line: int, draft: _Draft) -> None:
    """Sections that name days, shifts or staff need those sections read first."""
    needs_horizon = section != "SECTION_HORIZON"
    needs_shifts = section not in ("SECTION_HORIZON", "SECTION_SHIFTS")
    if needs_horizon and draft.days is None:
        raise CurtoisFormatError(line, f"{section} before SECTION_HORIZON")
    if needs_shifts and not draft.shifts:
        raise CurtoisFormatError(line, f"{section} before SECTION_SHIFTS (or no shift types)")


def _int(row: _Row, index: int, what: str, *, minimum: int = 0) -> int:
    try:
        value = int(row.cells[index])
    except ValueError:
        raise CurtoisFormatError(row.line, f"{what} must be an integer, not {row.cells[index]!r}") from None
    if value < minimum:
        raise CurtoisFormatError(row.line, f"{what} must be at least {minimum}, not {value}")
    return value


def _width(row: _Row, count: int, what: str, *, exact: bool = True) -> None:
    n = len(row.cells)
    if (exact and n != count) or n < count:
        expected = f"{count}" if exact else f"at least {count}"
        raise CurtoisFormatError(row.line, f"{what} needs {expected} comma-separated fields, found {n}")


def _day(row: _Row, index: int, draft: _Draft) -> int:
    day = _int(row, index, "day")
    assert draft.days is not None
    if day >= draft.days:
        raise CurtoisFormatError(row.line, f"day {day} is outside the horizon of {draft.days} days")
    return day


def _known(row: _Row, value: str, known: set[str], what: str) -> str:
    if value not in known:
        raise CurtoisFormatError(row.line, f"unknown {what} {value!r}")
    return value


def _horizon(row: _Row, draft: _Draft) -> None:
    _width(row, 1, "the horizon")
    if draft.days is not None:
        raise CurtoisFormatError(row.line, "the horizon is given twice")
    draft.days = _int(row, 0, "the horizon length", minimum=1)


def _shift(row: _Row, draft: _Draft) -> None:
    _width(row, 2, "a shift row", exact=False)
    if len(row.cells) > 3:
        raise CurtoisFormatError(row.line, f"a shift row needs at most 3 fields, found {len(row.cells)}")
    sid = row.cells[0]
    if not sid or sid in draft.shift_ids():
        raise CurtoisFormatError(row.line, f"shift id {sid!r} is empty or repeated")
    follows = row.cells[2] if len(row.cells) == 3 else ""
    banned = frozenset(x.strip() for x in follows.split("|") if x.strip())
    draft.shifts.append(ShiftType(sid, _int(row, 1, "shift length in minutes", minimum=1), banned))
    draft.follow_lines[sid] = row.line


def _check_follows(draft: _Draft) -> None:
    """Forbidden successions may name shifts defined later in the section, so they are checked at the end."""
    ids = draft.shift_ids()
    for shift in draft.shifts:
        for other in sorted(shift.cannot_follow - ids):
            raise CurtoisFormatError(draft.follow_lines[shift.id], f"shift {shift.id} names unknown shift {other!r}")


def _max_shifts(row: _Row, draft: _Draft) -> dict[str, int]:
    limits: dict[str, int] = {}
    for part in row.cells[1].split("|"):
        sid, eq, value = part.partition("=")
        sid = sid.strip()
        if not eq:
            raise CurtoisFormatError(row.line, f"max shifts entry {part!r} is not SHIFT=COUNT")
        _known(row, sid, draft.shift_ids(), "shift")
        limits[sid] = _int(_Row(row.line, (value.strip(),)), 0, f"max shifts of {sid}")
    return limits


def _staff(row: _Row, draft: _Draft) -> None:
    _width(row, 8, "a staff row")
    sid = row.cells[0]
    if not sid or sid in draft.staff_ids():
        raise CurtoisFormatError(row.line, f"staff id {sid!r} is empty or repeated")
    names = ("max total minutes", "min total minutes", "max consecutive shifts", "min consecutive shifts",
             "min consecutive days off", "max weekends")
    v = [_int(row, i, what) for i, what in enumerate(names, start=2)]
    draft.staff.append(Staff(sid, _max_shifts(row, draft), v[0], v[1], v[2], v[3], v[4], v[5]))


def _day_off(row: _Row, draft: _Draft) -> None:
    _width(row, 1, "a days-off row", exact=False)
    sid = _known(row, row.cells[0], draft.staff_ids(), "staff")
    days = {_day(row, i, draft) for i in range(1, len(row.cells)) if row.cells[i]}
    draft.days_off.setdefault(sid, set()).update(days)


def _request(row: _Row, draft: _Draft) -> Request:
    _width(row, 4, "a request row")
    sid = _known(row, row.cells[0], draft.staff_ids(), "staff")
    shift = _known(row, row.cells[2], draft.shift_ids(), "shift")
    return Request(sid, _day(row, 1, draft), shift, _int(row, 3, "weight"))


def _on_request(row: _Row, draft: _Draft) -> None:
    draft.on_requests.append(_request(row, draft))


def _off_request(row: _Row, draft: _Draft) -> None:
    draft.off_requests.append(_request(row, draft))


def _cover(row: _Row, draft: _Draft) -> None:
    _width(row, 5, "a cover row")
    day, shift = _day(row, 0, draft), _known(row, row.cells[1], draft.shift_ids(), "shift")
    if (day, shift) in draft.cover_keys:
        raise CurtoisFormatError(row.line, f"cover for day {day} shift {shift} is given twice")
    draft.cover_keys.add((day, shift))
    draft.cover.append(Cover(day, shift, _int(row, 2, "requirement"), _int(row, 3, "weight for under"),
                             _int(row, 4, "weight for over")))


_ROW_PARSERS: dict[str, Callable[[_Row, _Draft], None]] = {
    "SECTION_HORIZON": _horizon, "SECTION_SHIFTS": _shift, "SECTION_STAFF": _staff, "SECTION_DAYS_OFF": _day_off,
    "SECTION_SHIFT_ON_REQUESTS": _on_request, "SECTION_SHIFT_OFF_REQUESTS": _off_request, "SECTION_COVER": _cover,
}


def _freeze(draft: _Draft, name: str) -> Instance:
    assert draft.days is not None
    return Instance(
        name=name, days=draft.days, shifts=tuple(draft.shifts), staff=tuple(draft.staff),
        days_off={k: frozenset(v) for k, v in draft.days_off.items()},
        on_requests=tuple(draft.on_requests), off_requests=tuple(draft.off_requests), cover=tuple(draft.cover),
    )
