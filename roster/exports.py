"""Exports of a roster: CSV, a printable Excel 排班表 and a personal iCalendar (RFC 5545) feed.

Pure: plain ``roster.domain`` data in, ``str``/``bytes`` out; no Flask, no database. The callers
(roster.requests_views, roster.cli_requests) read the published roster and hand it over.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from roster import holidays
from roster.domain import DEFAULT_SHIFTS, POSITIONS, Assignment, Leave, Person, ShiftDef

SHIFT_LABELS = {"D": ("白班", "Day shift"), "N": ("夜班", "Night shift")}
POSITION_LABELS = {
    "leader": ("值长", "Shift leader"),
    "info": ("信息值班员", "Information watcher"),
    "comms": ("通信值班员", "Communications watcher"),
}
CSV_COLUMNS = ("date", "shift", "position", "username", "name", "source", "starts_at", "ends_at")
OFF, LEAVE, SUBSTITUTE_MARK = "休", "假", "*"
WEEKDAYS_ZH = "一二三四五六日"
PRODID = "-//Duty desk//值班台//ZH"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def roster_csv(assignments: Iterable[Assignment], people: Iterable[Person], tz: str = "Asia/Shanghai",
               shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS) -> str:
    """One row per seat (header ``CSV_COLUMNS``), times local with their UTC offset.

    Callers writing a file for Excel should encode it as ``utf-8-sig`` so Chinese names show."""
    names = {p.username: p.name for p in people}
    defs, zone = {s.code: s for s in shifts}, ZoneInfo(tz)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for a in _sorted(assignments):
        sd = defs[a.shift]
        writer.writerow([safe_cell(v) for v in (
            a.day.isoformat(), a.shift, a.position, a.username, names.get(a.username, a.username), a.source,
            _local_iso(sd.starts_at(a.day), zone), _local_iso(sd.ends_at(a.day), zone))])
    return out.getvalue()


# --- Excel 排班表 ---------------------------------------------------------------------------------------------

FILLS = {
    "D": PatternFill("solid", fgColor="FFF4D6"),
    "N": PatternFill("solid", fgColor="DFE6F5"),
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


def roster_xlsx(assignments: Iterable[Assignment], people: Iterable[Person], start: date, end: date,
                day_kinds: Mapping[date, str] | None = None, title: str = "排班表 Duty roster",
                leaves: Iterable[Leave] = (), calendar: holidays.Calendar = holidays.LIBRARY) -> bytes:
    """A printable 排班表: people × days with D / N / 休 (off) / 假 (leave), substitutes marked ``*``,
    weekends and holidays shaded, totals per person, a legend, landscape fit-to-width, frozen header.

    ``day_kinds`` (date -> 'workday'|'weekend'|'holiday') defaults to what ``calendar`` says."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    kinds = dict(day_kinds) if day_kinds is not None else calendar.classify(days)[0]
    rows = list(assignments)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{start:%Y-%m}"
    _xlsx_header(ws, title, start, end, days, kinds)
    listed = _people_rows(people, rows)
    cells = {(a.username, a.day): a for a in rows if start <= a.day <= end}
    off = _leave_days(leaves, days)
    for r, person in enumerate(listed, start=HEADER_ROWS + 1):
        _xlsx_person_row(ws, r, person, days, kinds, cells, off)
    _xlsx_legend(ws, HEADER_ROWS + len(listed) + 2)
    _xlsx_layout(ws, len(days), len(listed))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _people_rows(people: Iterable[Person], rows: list[Assignment]) -> list[Person]:
    """Everyone active or on the roster, by team, seat and username (people without a team last)."""
    on_roster = {a.username for a in rows}
    order = {q: i for i, q in enumerate(POSITIONS)}
    chosen = [p for p in people if p.active or p.username in on_roster]
    return sorted(chosen, key=lambda p: (p.team is None, p.team or "", order.get(p.primary, 9), p.username))


def _xlsx_header(ws: Worksheet, title: str, start: date, end: date, days: list[date],
                 kinds: Mapping[date, str]) -> None:
    """Title row, then day-of-month and weekday rows, shaded for weekends and holidays."""
    last_col = FIRST_DAY_COL + len(days) + 1
    ws.cell(1, 1, f"{title}  {start:%Y-%m-%d} – {end:%Y-%m-%d}").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    for col, text in enumerate(("姓名 Name", "班组 Team", "岗位 Seat"), start=1):
        ws.cell(2, col, text)
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    for i, d in enumerate(days):
        col = FIRST_DAY_COL + i
        ws.cell(2, col, d.day if i and d.day != 1 else f"{d.month}/{d.day}")
        ws.cell(3, col, WEEKDAYS_ZH[d.weekday()])
    ws.cell(2, last_col - 1, "白 D")
    ws.cell(2, last_col, "夜 N")
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


def _leave_days(leaves: Iterable[Leave], days: list[date]) -> set[tuple[str, date]]:
    """(username, day) for every day on which approved leave takes the person off some shift."""
    return {(lv.username, d) for lv in leaves for d in days if lv.covers(d, "D") or lv.covers(d, "N")}


def cell_text(a: Assignment | None, on_leave: bool) -> str:
    """What one person's cell of one day says: D, N (``*`` for a substitute), 假 or 休."""
    if a is not None:
        return a.shift + (SUBSTITUTE_MARK if a.source == "substitute" else "")
    return LEAVE if on_leave else OFF


def _xlsx_person_row(ws: Worksheet, r: int, person: Person, days: list[date], kinds: Mapping[date, str],
                     cells: Mapping[tuple[str, date], Assignment], leaves: set[tuple[str, date]]) -> None:
    """One person's row: name, team, seat label, a cell per day, their day and night totals."""
    seat = POSITION_LABELS.get(person.primary, (person.primary,))[0]
    for col, value in enumerate((person.name, person.team or "—", seat), start=1):
        ws.cell(r, col, safe_cell(value)).border = BOX
    totals = {"D": 0, "N": 0}
    for i, d in enumerate(days):
        a = cells.get((person.username, d))
        text = cell_text(a, (person.username, d) in leaves)
        cell = ws.cell(r, FIRST_DAY_COL + i, text)
        cell.alignment, cell.border = CENTER, BOX
        if a is not None:
            totals[a.shift] = totals.get(a.shift, 0) + 1
            cell.fill = FILLS.get(a.shift, FILLS["D"])
            cell.font = Font(bold=a.source == "substitute", italic=a.source == "substitute")
        elif text == LEAVE:
            cell.fill = FILLS[LEAVE]
        elif kinds.get(days[i]) in ("weekend", "holiday"):
            cell.fill = FILLS[kinds[days[i]]]
    for k, code in enumerate(("D", "N")):
        cell = ws.cell(r, FIRST_DAY_COL + len(days) + k, totals[code])
        cell.alignment, cell.border = CENTER, BOX


LEGEND = (
    ("D", "白班 Day shift 08:00–20:00"),
    ("N", "夜班 Night shift 20:00–08:00"),
    (OFF, "休息 Off"),
    (LEAVE, "请假 Leave"),
    ("D*", "顶班 Substitute (not the person's own rotation)"),
    ("weekend", "周末 Weekend"),
    ("holiday", "法定节假日 Public holiday"),
)


def _xlsx_legend(ws: Worksheet, row: int) -> None:
    """The legend under the grid: a sample cell and its meaning per line."""
    ws.cell(row, 1, "图例 Legend").font = Font(bold=True)
    for k, (code, meaning) in enumerate(LEGEND, start=1):
        sample = ws.cell(row + k, 2, "" if code in ("weekend", "holiday") else code)
        sample.alignment, sample.border = CENTER, BOX
        fill = FILLS.get(code.rstrip(SUBSTITUTE_MARK))
        if fill is not None:
            sample.fill = fill
        ws.cell(row + k, 3, meaning)


def _xlsx_layout(ws: Worksheet, ndays: int, npeople: int) -> None:
    """Column widths, frozen header and names, A4 landscape fitted to one page wide."""
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 6
    ws.column_dimensions["C"].width = 11
    for i in range(ndays + 2):
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


def shift_summary(a: Assignment) -> str:
    """'白班 Day shift — 信息值班员'."""
    zh, en = SHIFT_LABELS.get(a.shift, (a.shift, a.shift))
    return f"{zh} {en} — {POSITION_LABELS.get(a.position, (a.position,))[0]}"


def person_ical(assignments: Iterable[Assignment], person: Person, tz: str = "Asia/Shanghai",
                shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS, stamp: datetime | None = None,
                domain: str = "dutydesk") -> bytes:
    """The person's shifts as an RFC 5545 calendar: one VEVENT each, local times with TZID and a VTIMEZONE."""
    mine = [a for a in _sorted(assignments) if a.username == person.username]
    zone, defs = ZoneInfo(tz), {s.code: s for s in shifts}
    cal = Calendar.new(prodid=PRODID, name=f"值班 Duty — {person.name}", refresh_interval=timedelta(hours=1),
                       uid=f"duty-{person.username}@{domain}")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-timezone", tz)
    if mine:
        cal.add_component(Timezone.from_tzid(tz, first_date=mine[0].day - timedelta(days=1),
                                             last_date=mine[-1].day + timedelta(days=2)))
    when = stamp or datetime.now(ZoneInfo("UTC"))
    for a in mine:
        cal.add_component(_event(a, defs[a.shift], zone, when, domain))
    return cal.to_ical()


def _event(a: Assignment, sd: ShiftDef, zone: ZoneInfo, stamp: datetime, domain: str) -> Event:
    """One VEVENT for one seat."""
    en_pos = POSITION_LABELS.get(a.position, ("", a.position))[1]
    note = "顶班 substitute" if a.source == "substitute" else ""
    event = Event.new(uid=event_uid(a, domain), stamp=stamp, summary=shift_summary(a),
                      start=sd.starts_at(a.day).replace(tzinfo=zone), end=sd.ends_at(a.day).replace(tzinfo=zone),
                      description=" · ".join(x for x in (en_pos, note) if x), transparency="OPAQUE")
    event.add("categories", ["DUTY"])
    return event
