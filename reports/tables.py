"""Every report as titled tables in the reader's language: what the pages show beside the charts and what the
.csv and .xlsx exports hold, so the three always agree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from reports import core
from reports.service import LoadReport


@dataclass(frozen=True)
class Table:
    """A titled table: ``key`` names the sheet/section, ``rows`` hold plain values (numbers stay numbers); an
    export's rows may be an iterator read once (the audit trail's), a page's are a tuple."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...] | Iterator[tuple[Any, ...]]


def pct(value: float | None, digits: int = 1) -> float | None:
    """A share as a percentage rounded for reading (None stays None)."""
    return None if value is None else round(value * 100, digits)


LABELS: dict[str, dict[str | None, Any]] = {
    "shift": {"D": _l("Day"), "N": _l("Night")},
    "position": {"leader": _l("Shift leader"), "info": _l("Information watcher"),
                 "comms": _l("Communications watcher"), None: "—"},
    "reason": {"no_roster": _l("no published roster"), "empty": _l("seat empty"),
               "unqualified": _l("not qualified for the seat"), "on_leave": _l("on leave"), None: ""},
    "how": {"rotation": _l("rotation"), "substitute": _l("substitute"), "swap": _l("swap"),
            "hand_edit": _l("hand edit"), None: "—"},
    "metric": {"shifts": _l("Shifts"), "hours": _l("Hours"), "nights": _l("Nights"),
               "weekend_shifts": _l("Weekend shifts"), "holiday_shifts": _l("Public-holiday shifts"),
               "substitutions_made": _l("Substitutions made"), "substitutions_received": _l("Substitutions received"),
               "swaps": _l("Swaps")},
}


def _label(kind: str, code: str | None) -> str:
    """The label of ``code`` in the reader's language, translated once per request (thousands of cells)."""
    cache = g.setdefault("report_labels", {})
    if kind not in cache:
        cache[kind] = {k: str(v) for k, v in LABELS[kind].items()}
    return cache[kind].get(code, code or "")


def shift_label(code: str) -> str:
    return _label("shift", code)


def position_label(code: str | None) -> str:
    return _label("position", code)


def reason_label(code: str | None) -> str:
    return _label("reason", code)


def how_label(code: str | None) -> str:
    return _label("how", code)


def group_label(key: str) -> str:
    primary, _sep, spare = key.partition("/")
    label = position_label(primary)
    return _("%(seat)s (spares)", seat=label) if spare else label


def metric_label(metric: str) -> str:
    return _label("metric", metric)


def coverage_tables(report: core.CoverageReport, seats: bool = True) -> list[Table]:
    """Summary, every shift's seats (unless ``seats`` is False: the page shows them in its calendar), the gaps."""
    summary = Table("summary", _("Coverage"), (_("Figure"), _("Value"), _("Target")), (
        (_("Shifts"), len(report.shifts), None),
        (_("Fully staffed shifts"), report.fully_staffed, None),
        (_("Coverage rate %"), pct(report.rate), pct(report.target)),
        (_("Substitutions"), report.substitutions, None),
        (_("Swaps"), report.swaps, None),
        (_("Leave days"), report.leave_days, None)))
    seat_rows = Table("seats", _("Seats"), (_("Date"), _("Shift"), _("Seat"), _("Who"), _("How"), _("Gap")), tuple(
        (s.day.isoformat(), shift_label(s.shift), position_label(seat.position), seat.username or "",
         how_label(seat.how), reason_label(seat.problem)) for s in report.shifts for seat in s.seats))
    gaps = Table("gaps", _("Gaps"), (_("Date"), _("Shift"), _("Seat"), _("Reason")),
                 tuple((d.isoformat(), shift_label(sh), position_label(pos), reason_label(why))
                       for d, sh, pos, why in report.gaps()))
    return [summary, seat_rows, gaps] if seats else [summary, gaps]


def _people_table(key: str, title: str, rows: tuple[core.PersonLoad, ...]) -> Table:
    headers = (_("Username"), _("Name"), _("Group"), *(metric_label(f) for f in core.LOAD_FIELDS))
    return Table(key, title, headers, tuple((r.username, r.name, group_label(r.group),
                                              *(getattr(r, f) for f in core.LOAD_FIELDS)) for r in rows))


def _groups_table(key: str, title: str, groups: tuple[core.GroupLoad, ...]) -> Table:
    headers = (_("Group"), _("Figure"), _("Mean"), _("Lowest"), _("Highest"), _("Spread (max − min)"),
               _("Standard deviation"), _("Engine's aim: spread at most"))
    return Table(key, title, headers, tuple((group_label(g.key), metric_label(s.metric), s.mean, s.low, s.high,
                                              s.spread, s.stdev, s.aim) for g in groups for s in g.spreads))


def load_tables(report: LoadReport) -> list[Table]:
    """Per person and per group, for the period and the year to date."""
    return [_people_table("people", _("Load per person"), report.people),
            _groups_table("groups", _("Fairness per group"), report.groups),
            _people_table("people_ytd", _("Load per person, year to date"), report.ytd_people),
            _groups_table("groups_ytd", _("Fairness per group, year to date"), report.ytd_groups)]


def patrol_tables(report: core.PatrolReport) -> list[Table]:
    """The total and one row per check."""
    summary = Table("summary", _("Patrols"), (_("Figure"), _("Value"), _("Target")), (
        (_("Runs expected"), report.expected, None),
        (_("Runs made"), report.made, None),
        (_("Runs made %"), pct(report.rate, 2), pct(report.target, 2)),
        (_("Success rate %"), pct(report.success_rate, 2), None),
        (_("Scheduler takeovers"), report.takeovers, None)))
    headers = (_("Check"), _("Runs expected"), _("Runs made"), _("Runs made %"), _("Success rate %"),
               *(_("Hours %(state)s", state=s) for s in core.STATES), _("Hours in maintenance"),
               _("Flapping periods"))
    checks = Table("checks", _("Patrol checks"), headers, tuple(
        (c.name, c.expected, c.made, pct(c.made_rate, 2), pct(c.success_rate, 2),
         *(round(c.time_in_state[s] / 3600, 1) for s in core.STATES), round(c.maintenance_seconds / 3600, 1),
         c.flapping) for c in report.checks))
    return [summary, checks]


def ack_label(minutes: int) -> str:
    """'Alerts acknowledged within N minutes' in the reader's language."""
    return ngettext("Alerts acknowledged within %(num)d minute", "Alerts acknowledged within %(num)d minutes", minutes)


def kpi_label(key: str, ack_minutes: int = core.ACK_LIMIT_SECONDS // 60) -> str:
    return {"coverage": _("Coverage rate"), "ack": ack_label(ack_minutes),
            "handover": _("Handovers confirmed on time"), "patrol": _("Patrol runs made")}.get(key, key)


def kpi_tables(kpis: list[core.Kpi], ack_minutes: int = core.ACK_LIMIT_SECONDS // 60) -> list[Table]:
    """One row per KPI: this period, the previous one, the target."""
    headers = (_("Figure"), _("This period %"), _("Previous period %"), _("Target %"))
    return [Table("kpis", _("Key figures"), headers, tuple(
        (kpi_label(k.key, ack_minutes), pct(k.value, 2), pct(k.previous, 2), pct(k.target, 2)) for k in kpis))]


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def alert_tables(report: core.AlertReport) -> list[Table]:
    """The total, then one table per grouping (day, severity, shift, leader, domain, source), the noisiest keys."""
    headers = (_("Group"), _("Alerts"), _("Minutes to acknowledge, median"), _("Minutes to acknowledge, 90th pct"),
               _("Minutes to resolve, median"), _("Minutes to resolve, 90th pct"),
               ngettext("Acknowledged within %(num)d minute %%", "Acknowledged within %(num)d minutes %%",
                        int(report.limit // 60)), _("Escalated"), _("Carried over at handover"),
               _("Arrived with no roster"))

    def row(f: core.AlertFigures, label: str) -> tuple:
        return (label, f.count, minutes(f.ack_median), minutes(f.ack_p90), minutes(f.resolve_median),
                minutes(f.resolve_p90), pct(f.within_target, 2), f.escalated, f.carried_over, f.no_roster)

    titles = {"day": _("Per day"), "week": _("Per week"), "severity": _("Per severity"), "shift": _("Per shift"),
              "leader": _("Per leader"),
              "domain": _("Per domain"), "source": _("Per source")}
    out = [Table("total", _("Alert handling"), headers, (row(report.total, _("All alerts")),))]
    out += [Table(name, titles[name], headers, tuple(row(f, f.label) for f in rows))
            for name, rows in report.by.items()]
    out.append(Table("noisiest", _("Noisiest checks and integrations"), (_("Key"), _("Alerts")), report.noisiest))
    return out
