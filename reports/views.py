"""Report pages for managers (and leaders' and watchers' own parts) under /reports, with their exports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from desk import features, security, web
from desk.timeutil import utcnow
from reports import charts, core, exports, service, tables, targets, trail
from reports.forms import MESSAGES, AckTargetForm
from reports.service import Scope

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.after_request
def _chart_styles(response: Any) -> Any:
    """The charts are inline SVG whose parts carry style attributes: these pages allow inline style (not script)."""
    response.headers["Content-Security-Policy"] = security.CHART_CONTENT_SECURITY_POLICY
    return response
NAV = (features.nav("reports.index", _l("Reports"), ("manager",), order=80),
       features.nav("reports.load", _l("My load"), ("watcher",), order=80),
       features.nav("reports.coverage", _l("Team reports"), ("leader",), order=80))
ERRORS = {"unreadable": _l("Not a date we can read (YYYY-MM-DD, YYYY-MM or YYYY-Qn)."),
          "before_start": _l("The period ends before it starts."),
          "out_of_range": _l("Choose a period between 2000 and 2100."),
          "too_long": _l("Choose a period of at most three years.")}


def today() -> date:
    return utcnow().astimezone(ZoneInfo(web.settings().timezone)).date()


def period_arg() -> tuple[core.Period, dict[str, str]]:
    """The period of the request's query, with the errors of its fields in the reader's language."""
    period, errors = core.parse_period(request.args, today())
    return period, {k: str(ERRORS[v]) for k, v in errors.items()}


def _page(template: str, period: core.Period, errors: dict[str, str], **context: Any) -> Any:
    status = 400 if errors else 200
    return render_template(template, period=period, errors=errors, args=request.args,
                           shift_label=tables.shift_label, position_label=tables.position_label,
                           reason_label=tables.reason_label, how_label=tables.how_label,
                           group_label=tables.group_label, metric_label=tables.metric_label,
                           weekdays=[format_date(date(2024, 1, 1) + timedelta(days=i), "EEE") for i in range(7)],
                           **context), status


def _file(name: str, period: core.Period, report_tables: list[tables.Table], fmt: str) -> Response:
    if fmt not in exports.TYPES:
        abort(404)
    body = exports.render(report_tables, fmt)
    filename = f"{name}-{period.start}-{period.end}.{fmt}"
    return Response(body, mimetype=exports.TYPES[fmt].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- KPIs --------------------------------------------------------------------------------------------------------

def _kpis(period: core.Period) -> list[core.Kpi]:
    return service.kpis(web.db(), period=period, tz=web.settings().timezone, now=utcnow())


@bp.route("/")
@web.roles("manager")
def index() -> Any:
    period, errors = period_arg()
    kpis = _kpis(period)
    minutes = targets.ack_target(web.db()).minutes
    labels = [tables.kpi_label(k.key, minutes) for k in kpis]
    chart = charts.kpi_trend(kpis, labels, _("This period"), _("Previous period"), _("Target"))
    return _page("reports/index.html", period, errors, kpis=kpis, labels=labels, chart=chart,
                 previous=period.previous(), kpi_table=tables.kpi_tables(kpis, minutes)[0])


@bp.route("/kpis.<fmt>")
@web.roles("manager")
def index_export(fmt: str) -> Any:
    period, _errors = period_arg()
    kpis = _kpis(period)
    return _file("kpis", period, tables.kpi_tables(kpis, targets.ack_target(web.db()).minutes), fmt)


# --- coverage ----------------------------------------------------------------------------------------------------

def _coverage(period: core.Period) -> core.CoverageReport:
    return service.coverage_report(web.db(), period=period, scope=Scope.of(current_user))


@bp.route("/coverage")
@web.roles("manager", "leader")
def coverage() -> Any:
    period, errors = period_arg()
    report = _coverage(period)
    by_day: dict[date, dict[str, core.ShiftCoverage]] = {}
    for shift in report.shifts:
        by_day.setdefault(shift.day, {})[shift.shift] = shift
    codes = sorted({s.shift for s in report.shifts}, key=lambda c: "DN".find(c))
    return _page("reports/coverage.html", period, errors, report=report, by_day=by_day, codes=codes,
                 report_tables=tables.coverage_tables(report, seats=False))


@bp.route("/coverage/<day>/<shift>")
@web.roles("manager", "leader")
def coverage_shift(day: str, shift: str) -> Any:
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if not core.MIN_YEAR <= when.year <= core.MAX_YEAR:
        abort(404)
    found = [s for s in _coverage(core.Period(when, when)).shifts if s.shift == shift]
    if not found:
        abort(404)
    return _page("reports/shift.html", core.Period(when, when), {}, shift=found[0])


@bp.route("/coverage.<fmt>")
@web.roles("manager", "leader")
def coverage_export(fmt: str) -> Any:
    period, _errors = period_arg()
    return _file("coverage", period, tables.coverage_tables(_coverage(period)), fmt)


# --- load --------------------------------------------------------------------------------------------------------

def _load(period: core.Period) -> service.LoadReport:
    return service.load_report(web.db(), period=period, scope=Scope.of(current_user))


@bp.route("/load")
@web.any_role
def load() -> Any:
    period, errors = period_arg()
    report = _load(period)
    chart = charts.fairness_bars(report.people, report.groups, "nights",
                                 _("Nights per person; the whisker is the group's lowest to highest"), _("Nights"))
    return _page("reports/load.html", period, errors, report=report, chart=chart,
                 report_tables=tables.load_tables(report))


@bp.route("/load.<fmt>")
@web.any_role
def load_export(fmt: str) -> Any:
    period, _errors = period_arg()
    return _file("load", period, tables.load_tables(_load(period)), fmt)


# --- patrols -----------------------------------------------------------------------------------------------------

def _patrols(period: core.Period) -> core.PatrolReport:
    return service.patrol_report(web.db(), period=period, tz=web.settings().timezone, now=utcnow())


@bp.route("/patrols")
@web.roles("manager")
def patrols() -> Any:
    period, errors = period_arg()
    report = _patrols(period)
    chart = charts.patrol_success(report.checks, _("Patrol success per check"), _("Success rate %"),
                                  _("Runs made %"))
    return _page("reports/patrols.html", period, errors, report=report, chart=chart,
                 report_tables=tables.patrol_tables(report))


@bp.route("/patrols.<fmt>")
@web.roles("manager")
def patrols_export(fmt: str) -> Any:
    period, _errors = period_arg()
    return _file("patrols", period, tables.patrol_tables(_patrols(period)), fmt)


# --- alert handling ----------------------------------------------------------------------------------------------

def _alerts(period: core.Period) -> core.AlertReport:
    return service.alert_report(web.db(), period=period, tz=web.settings().timezone, scope=Scope.of(current_user))


@bp.route("/alerts")
@web.roles("manager", "leader")
def alerts() -> Any:
    period, errors = period_arg()
    report = _alerts(period)
    weekly = len(period.days) > 62  # a bar a day is unreadable (and slow to draw) over a quarter or a year
    chart = charts.alert_volume(report.by["week" if weekly else "day"],
                                _("Alerts per week and minutes to acknowledge") if weekly else
                                _("Alerts per day and minutes to acknowledge"), _("Alerts"),
                                _("Minutes to acknowledge, median"))
    return _page("reports/alerts.html", period, errors, report=report, chart=chart,
                 ack_label=tables.ack_label(int(report.limit // 60)), report_tables=tables.alert_tables(report))


@bp.route("/alerts.<fmt>")
@web.roles("manager", "leader")
def alerts_export(fmt: str) -> Any:
    period, _errors = period_arg()
    return _file("alerts", period, tables.alert_tables(_alerts(period)), fmt)


# --- settings (managers) ----------------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@web.roles("manager")
def settings() -> Any:
    """The acknowledgement target: minutes and the share that should be on time."""
    session, form = web.db(), AckTargetForm()
    if not form.validate_on_submit():
        return _settings_page(form, session, 422 if form.errors else 200)
    try:
        targets.save_ack_target(session, actor=current_user.username, minutes=form.minutes.data,
                                percent=form.percent.data, read_version=_int(form.version.data), now=utcnow())
    except targets.TargetError as exc:
        session.rollback()
        for name, code in exc.problems.items():
            getattr(form, name).errors = [str(MESSAGES["required" if code == "required" else name])]
        return _settings_page(form, session, 422)
    except targets.StaleTarget:
        session.rollback()
        flash(_("Someone else changed the target meanwhile (now shown above the form); yours is still in the "
                "form: save it again if it should replace theirs."), "error")
        return _settings_page(form, session, 409, fresh_version=True)
    session.commit()
    flash(_("Acknowledgement target saved."), "success")
    return redirect(url_for("reports.settings"))


def _settings_page(form: AckTargetForm, session: Any, status: int, fresh_version: bool = False) -> Any:
    """The page; a refused form keeps what was typed (and the version it was read at, unless ``fresh_version``)."""
    current, stored = targets.ack_target(session), targets.row(session)
    if not form.is_submitted():
        form.minutes.data, form.percent.data = current.minutes, _plain(current.percent)
    if not form.is_submitted() or fresh_version:
        form.version.data = str(stored.version if stored else 0)
    return render_template("reports/settings.html", form=form, current=current, stored=stored,
                           period_form=False, args={}, errors={}), status


def _plain(number: float) -> float | int:
    """95.0 shown as 95, 99.5 as it is."""
    return int(number) if number == int(number) else number


def _int(raw: str | None) -> int:
    try:
        return int(raw or 0)
    except ValueError:
        return -1  # an unreadable version matches no row: the save is refused as stale


# --- audit trail -------------------------------------------------------------------------------------------------

def _trail_filter() -> tuple[trail.TrailFilter, dict[str, str]]:
    args, errors, bounds = request.args, {}, {}
    zone = ZoneInfo(web.settings().timezone)
    for name in ("since", "until"):
        raw = args.get(name, "").strip()
        if not raw:
            continue
        try:
            day = date.fromisoformat(raw)
            if not core.MIN_YEAR <= day.year <= core.MAX_YEAR:
                raise ValueError(raw)
        except ValueError:
            errors[name] = str(ERRORS["unreadable"] if "-" not in raw[:5] else ERRORS["out_of_range"])
            continue
        day += timedelta(days=1) if name == "until" else timedelta(0)
        bounds[name] = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return trail.TrailFilter(args.get("actor", ""), args.get("object_type", ""), args.get("action", ""),
                             bounds.get("since"), bounds.get("until")), errors


def _page_number() -> int:
    try:
        return max(1, min(100000, int(request.args.get("page", "1"))))
    except ValueError:
        return 1


@bp.route("/audit")
@web.roles("manager")
def audit() -> Any:
    filters, errors = _trail_filter()
    number = _page_number()
    events, total = trail.page(web.db(), filters=filters, number=number)
    pages = max(1, -(-total // trail.PAGE_SIZE))
    actors = trail.actors(web.db())
    teller = trail.Teller(web.db(), events)
    return render_template("reports/audit.html", events=events, total=total, number=number, pages=pages,
                           errors=errors, args=request.args, sentence=teller.sentence, changes=teller.changes,
                           who=teller.who, rest={k: v for k, v in request.args.items() if k != "page"},
                           actions=trail.actions(web.db()), actors=actors,
                           object_types=trail.OBJECT_TYPES, kind_nouns=trail.KIND_NOUNS), 400 if errors else 200


def audit_table(events: Iterable[Any]) -> tables.Table:
    """The audit events as a table (the export); its rows are told one event at a time as they are read."""
    zone = ZoneInfo(web.settings().timezone)
    headers = (_("Time"), _("Who"), _("Action"), _("What happened"), _("Object"), _("Before"), _("After"))
    rows = ((e.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), t.who(e.actor), e.action, t.sentence(e),
             f"{e.object_type} {e.object_id}".strip(), _json(e.before), _json(e.after))
            for e, t in trail.told(web.db(), events))
    return tables.Table("audit", _("Audit trail"), headers, rows)


def _json(value: Any) -> str:
    import json

    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@bp.route("/audit.<fmt>")
@web.roles("manager")
def audit_export(fmt: str) -> Any:
    """The filtered trail as a file (at most ``trail.EXPORT_LIMIT`` events, newest first); CSV streams."""
    if fmt not in exports.TYPES:
        abort(404)
    filters, _errors = _trail_filter()
    filename = f"audit-{today()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        return Response(stream_with_context(_audit_csv(filters)), mimetype="text/csv", headers=headers)
    table = audit_table(trail.export_events(web.db(), filters=filters))
    return Response(exports.to_xlsx([table]), mimetype=exports.TYPES[fmt].split(";")[0], headers=headers)


def _audit_csv(filters: trail.TrailFilter) -> Iterator[bytes]:
    """The CSV, read and written while it streams. It asks for its session here, inside the contexts
    ``stream_with_context`` pushes again: the request's own session was closed when the view returned, and one
    taken then would stay open (in a transaction) after the stream, with no teardown left to close it."""
    yield from exports.csv_chunks([audit_table(trail.export_events(web.db(), filters=filters))])
