"""Exports of a roster: CSV, a printable Excel 排班表 and a personal iCalendar (RFC 5545) feed.

Pure: plain ``roster.domain`` data in, ``str``/``bytes`` out; no Flask, no database. The callers
(roster.leave_swap_views, roster.leave_swap_cli) read the published roster and hand it over.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from roster import holidays
from roster.domain import DEFAULT_SHIFTS, POSITIONS, Assignment, Leave, Member, ShiftDef

SHIFT_LABELS = {"D": ("白班", "Day shift"), "E": ("中班", "Evening shift"), "N": ("夜班", "Night shift")}
POSITION_LABELS = {
    "leader": ("值长", "Shift leader"),
    "info": ("信息值班员", "Information watcher"),
    "comms": ("通信值班员", "Communications watcher"),
}
CSV_COLUMNS = ("date", "shift", "position", "username", "name", "source", "starts_at", "ends_at")
OFF, LEAVE, SUBSTITUTE_MARK = "休", "假", "*"
WEEKDAYS_ZH = "一二三四五六日"
PRODID = "-//Duty desk//值班台//ZH"


LEGEND = (
    ("D", "白班 Day shift"),  # each shift type's line gets its hours from the settings (``shift_legend``)
    ("N", "夜班 Night shift"),
    (OFF, "休息 Off"),
    (LEAVE, "请假 Leave"),
    ("D*", "顶班 Substitute (not the person's own rotation)"),
    ("weekend", "周末 Weekend"),
    ("holiday", "法定节假日 Public holiday"),
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Words:
    """The words an export shows, in one language (the callers translate them; the defaults are the codes and
    the bilingual labels for a reader nobody named)."""

    cell: Mapping[str, str] = field(default_factory=lambda: {"D": "D", "E": "E", "N": "N"})
    shift: Mapping[str, str] = field(default_factory=lambda: {k: f"{zh} {en}" for k, (zh, en) in SHIFT_LABELS.items()})
    position: Mapping[str, str] = field(default_factory=lambda: {k: zh for k, (zh, _en) in POSITION_LABELS.items()})
    source: Mapping[str, str] = field(default_factory=dict)
    off: str = OFF
    leave: str = LEAVE
    weekdays: tuple[str, ...] = tuple(WEEKDAYS_ZH)
    title: str = "排班表 Duty roster"
    heads: tuple[str, str, str] = ("姓名 Name", "班组 Team", "岗位 Seat")
    columns: tuple[str, ...] = CSV_COLUMNS
    legend_title: str = "图例 Legend"
    legend: Mapping[str, str] = field(default_factory=lambda: dict(LEGEND))
    substitute: str = "顶班 substitute"
    calendar: str = "值班 Duty — %(name)s"
    codes_in_csv: bool = True  # the default CSV keeps D/N and leader/info/comms for programs


CODES = Words()


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet cannot take for a formula: text starting with ``= + - @``, a tab or a carriage
    return gets a leading single quote (OWASP, CSV injection), so ``=HYPERLINK(…)`` in a display name stays text.
    Other values are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _sorted(assignments: Iterable[Assignment]) -> list[Assignment]:
    """Assignments by date, shift (D before N), seat order and username."""
    order = {q: i for i, q in enumerate(POSITIONS)}
    return sorted(assignments, key=lambda a: (a.day, a.shift, order.get(a.position, 9), a.username))


def _local_iso(naive: datetime, zone: ZoneInfo) -> str:
    """ISO 8601 with the zone's offset, e.g. 2027-01-01T08:00:00+08:00."""
    return naive.replace(tzinfo=zone).isoformat()


def roster_csv(assignments: Iterable[Assignment], people: Iterable[Member], tz: str = "Asia/Shanghai",
               shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS, words: Words = CODES) -> str:
    """One row per seat (header ``words.columns``), times local with their UTC offset; shift, seat and source in
    ``words`` (codes by default).

    Callers writing a file for Excel should encode it as ``utf-8-sig`` so Chinese names show."""
    names = {p.username: p.name for p in people}
    defs, zone = {s.code: s for s in shifts}, ZoneInfo(tz)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(words.columns)
    codes = words.codes_in_csv
    for a in _sorted(assignments):
        sd = defs[a.shift]
        shift = a.shift if codes else words.shift.get(a.shift, a.shift)
        position = a.position if codes else words.position.get(a.position, a.position)
        source = a.source if codes else words.source.get(a.source, a.source)
        writer.writerow([safe_cell(v) for v in (
            a.day.isoformat(), shift, position, a.username, names.get(a.username, a.username), source,
            _local_iso(sd.starts_at(a.day), zone), _local_iso(sd.ends_at(a.day), zone))])
    return out.getvalue()


# --- Excel 排班表 ---------------------------------------------------------------------------------------------

FILLS = {
    "D": PatternFill("solid", fgColor="FFF4D6"),
    "N": PatternFill("solid", fgColor="DFE6F5"),
    "E": PatternFill("solid", fgColor="E2F3E4"),
    LEAVE: PatternFill("solid", fgColor="FDE2E1"),
    "weekend": PatternFill("solid", fgColor="E6E6E6"),
    "holiday": PatternFill("solid", fgColor="F8D7E8"),
    "head": PatternFill("solid", fgColor="14202E"),
}
THIN = Side(style="thin", color="9AA5B1")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center")
HEADER_ROWS = 3  # title, day of month, weekday
FIRST_DAY_COL = 4  # name, team, seat, then the days


def roster_xlsx(assignments: Iterable[Assignment], people: Iterable[Member], start: date, end: date,
                day_kinds: Mapping[date, str] | None = None, title: str | None = None,
                leaves: Iterable[Leave] = (), calendar: holidays.Calendar = holidays.LIBRARY,
                words: Words = CODES, shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS) -> bytes:
    """A printable 排班表: people × days with the shift types' letters (D / N today) / 休 (off) / 假 (leave),
    substitutes marked ``*``, weekends and holidays shaded, totals per person and shift type, a legend with each
    shift type's hours, landscape fit-to-width, frozen header.

    ``day_kinds`` (date -> 'workday'|'weekend'|'holiday') defaults to what ``calendar`` says."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    kinds = dict(day_kinds) if day_kinds is not None else calendar.classify(days)[0]
    rows = list(assignments)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{start:%Y-%m}"
    codes = tuple(sd.code for sd in shifts)
    _xlsx_header(ws, title or words.title, start, end, days, kinds, words, codes)
    listed = _people_rows(people, rows)
    cells = {(a.username, a.day): a for a in rows if start <= a.day <= end}
    off = _leave_days(leaves, days, codes)
    for r, person in enumerate(listed, start=HEADER_ROWS + 1):
        _xlsx_person_row(ws, r, person, days, kinds, cells, off, words, codes)
    _xlsx_legend(ws, HEADER_ROWS + len(listed) + 2, words, shifts)
    _xlsx_layout(ws, len(days), len(codes))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _people_rows(people: Iterable[Member], rows: list[Assignment]) -> list[Member]:
    """Everyone active or on the roster, by team, seat and username (people without a team last)."""
    on_roster = {a.username for a in rows}
    order = {q: i for i, q in enumerate(POSITIONS)}
    chosen = [p for p in people if p.active or p.username in on_roster]
    return sorted(chosen, key=lambda p: (p.team is None, p.team or "", order.get(p.primary, 9), p.username))


def _xlsx_header(ws: Worksheet, title: str, start: date, end: date, days: list[date],
                 kinds: Mapping[date, str], words: Words, codes: tuple[str, ...]) -> None:
    """Title row, then day-of-month and weekday rows, shaded for weekends and holidays; a total per shift type."""
    last_col = FIRST_DAY_COL + len(days) + len(codes) - 1
    ws.cell(1, 1, f"{title}  {start:%Y-%m-%d} – {end:%Y-%m-%d}").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    for col, text in enumerate(words.heads, start=1):
        ws.cell(2, col, text)
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    for i, d in enumerate(days):
        col = FIRST_DAY_COL + i
        ws.cell(2, col, d.day if i and d.day != 1 else f"{d.month}/{d.day}")
        ws.cell(3, col, words.weekdays[d.weekday()])
    for k, code in enumerate(codes):
        ws.cell(2, FIRST_DAY_COL + len(days) + k, words.cell.get(code, code))
    for row in (2, 3):
        for col in range(1, last_col + 1):
            cell = ws.cell(row, col)
            cell.font, cell.alignment, cell.border = Font(bold=True, color="FFFFFF"), CENTER, BOX
            cell.fill = FILLS["head"]
    for i, d in enumerate(days):
        for row in (2, 3):
            if kinds.get(d) in ("weekend", "holiday"):
                ws.cell(row, FIRST_DAY_COL + i).fill = FILLS[kinds[d]]
                ws.cell(row, FIRST_DAY_COL + i).font = Font(bold=True)


def _leave_days(leaves: Iterable[Leave], days: list[date], codes: tuple[str, ...]) -> set[tuple[str, date]]:
    """(username, day) for every day on which approved leave takes the person off some shift."""
    return {(lv.username, d) for lv in leaves for d in days if any(lv.covers(d, c) for c in codes)}


def cell_text(a: Assignment | None, on_leave: bool, words: Words = CODES) -> str:
    """What one person's cell of one day says: D, N (``*`` for a substitute), 假 or 休 (in ``words``)."""
    if a is not None:
        return words.cell.get(a.shift, a.shift) + (SUBSTITUTE_MARK if a.source == "substitute" else "")
    return words.leave if on_leave else words.off


def _xlsx_person_row(ws: Worksheet, r: int, person: Member, days: list[date], kinds: Mapping[date, str],
                     cells: Mapping[tuple[str, date], Assignment], leaves: set[tuple[str, date]],
                     words: Words, codes: tuple[str, ...]) -> None:
    """One person's row: name, team, seat label, a cell per day, their total of each shift type."""
    seat = words.position.get(person.primary, person.primary)
    for col, value in enumerate((person.name, person.team or "—", seat), start=1):
        ws.cell(r, col, safe_cell(value)).border = BOX
    totals = dict.fromkeys(codes, 0)
    for i, d in enumerate(days):
        a = cells.get((person.username, d))
        on_leave = (person.username, d) in leaves
        text = cell_text(a, on_leave, words)
        cell = ws.cell(r, FIRST_DAY_COL + i, text)
        cell.alignment, cell.border = CENTER, BOX
        if a is not None:
            totals[a.shift] = totals.get(a.shift, 0) + 1
            cell.fill = FILLS.get(a.shift, FILLS["D"])
            cell.font = Font(bold=a.source == "substitute", italic=a.source == "substitute")
        elif on_leave:
            cell.fill = FILLS[LEAVE]
        elif kinds.get(days[i]) in ("weekend", "holiday"):
            cell.fill = FILLS[kinds[days[i]]]
    for k, code in enumerate(codes):
        cell = ws.cell(r, FIRST_DAY_COL + len(days) + k, totals[code])
        cell.alignment, cell.border = CENTER, BOX




def _xlsx_legend(ws: Worksheet, row: int, words: Words, shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS) -> None:
    """The legend under the grid: a sample cell and its meaning per line, each shift type with its hours."""
    ws.cell(row, 1, words.legend_title).font = Font(bold=True)
    first = shifts[0].code if shifts else "D"
    shown = {OFF: words.off, LEAVE: words.leave, "D*": words.cell.get(first, first) + SUBSTITUTE_MARK}
    lines = [(s.code, words.cell.get(s.code, s.code), shift_legend(s, words)) for s in shifts]
    lines += [(code, shown.get(code, ""), words.legend.get(code, meaning)) for code, meaning in LEGEND
              if code not in ("D", "N")]
    for k, (code, sample_text, meaning) in enumerate(lines, start=1):
        sample = ws.cell(row + k, 2, sample_text)
        sample.alignment, sample.border = CENTER, BOX
        fill = FILLS.get(code.rstrip(SUBSTITUTE_MARK))
        if fill is not None:
            sample.fill = fill
        ws.cell(row + k, 3, meaning)


def shift_legend(sd: ShiftDef, words: Words = CODES) -> str:
    """'白班 Day shift 08:00–20:00': the shift type's name (in ``words``) and its local hours."""
    end = sd.ends_at(date(2000, 1, 3))
    name = words.legend.get(sd.code) or words.shift.get(sd.code, sd.code)
    return f"{name} {sd.start:%H:%M}–{end:%H:%M}"


def _xlsx_layout(ws: Worksheet, ndays: int, ntotals: int) -> None:
    """Column widths, frozen header and names, A4 landscape fitted to one page wide."""
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 6
    ws.column_dimensions["C"].width = 11
    for i in range(ndays + ntotals):
        ws.column_dimensions[get_column_letter(FIRST_DAY_COL + i)].width = 4.2
    ws.freeze_panes = ws.cell(HEADER_ROWS + 1, FIRST_DAY_COL)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"2:{HEADER_ROWS}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


# --- iCalendar --------------------------------------------------------------------------------------------------

def event_uid(a: Assignment, domain: str = "dutydesk") -> str:
    """A UID that stays the same for the same person in the same seat across roster versions."""
    return f"{a.day:%Y%m%d}-{a.shift}-{a.position}-{a.username}@{domain}"


def shift_summary(a: Assignment, words: Words = CODES) -> str:
    """'白班 — 信息值班员' / 'Day shift — Information watcher' (``words``)."""
    return f"{words.shift.get(a.shift, a.shift)} — {words.position.get(a.position, a.position)}"


def person_ical(assignments: Iterable[Assignment], person: Member, tz: str = "Asia/Shanghai",
                shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS, stamp: datetime | None = None,
                domain: str = "dutydesk", words: Words = CODES) -> bytes:
    """The person's shifts as an RFC 5545 calendar: one VEVENT each, local times with TZID and a VTIMEZONE."""
    mine = [a for a in _sorted(assignments) if a.username == person.username]
    zone, defs = ZoneInfo(tz), {s.code: s for s in shifts}
    cal = Calendar.new(prodid=PRODID, name=words.calendar % {"name": person.name}, refresh_interval=timedelta(hours=1),
                       uid=f"duty-{person.username}@{domain}")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-timezone", tz)
    if mine:
        cal.add_component(Timezone.from_tzid(tz, first_date=mine[0].day - timedelta(days=1),
                                             last_date=mine[-1].day + timedelta(days=2)))
    when = stamp or datetime.now(ZoneInfo("UTC"))
    for a in mine:
        cal.add_component(_event(a, defs[a.shift], zone, when, domain, words))
    return cal.to_ical()


def _event(a: Assignment, sd: ShiftDef, zone: ZoneInfo, stamp: datetime, domain: str, words: Words) -> Event:
    """One VEVENT for one seat."""
    note = words.substitute if a.source == "substitute" else ""
    event = Event.new(uid=event_uid(a, domain), stamp=stamp, summary=shift_summary(a, words),
                      start=sd.starts_at(a.day).replace(tzinfo=zone), end=sd.ends_at(a.day).replace(tzinfo=zone),
                      description=" · ".join(x for x in (words.position.get(a.position, a.position), note) if x),
                      transparency="OPAQUE")
    event.add("categories", ["DUTY"])
    return event
