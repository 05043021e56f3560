"""The checks pages (blueprint ``monitoring``, /checks): list with states, create/edit, history, run now, maintenance.

Leaders and managers change checks and maintenance windows; everyone reads, and everyone may ask for a run now
(a watcher re-checking what they see is patrolling, not configuring).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from desk import features, web
from desk.forms import ConfirmForm
from desk.timeutil import utcnow
from monitoring import service, words
from monitoring.checkspec import DOMAINS, KINDS
from monitoring.codes import Message
from monitoring.forms import (
    DOMAIN_LABELS,
    FORMAT_HINTS,
    KIND_LABELS,
    PARAM_LABELS,
    SEVERITY_LABELS,
    WEEKDAY_LABELS,
    CheckForm,
    WindowForm,
    duration_of,
    field_errors,
    fill_form,
    param_fields,
    shown_params,
    spec_from_form,
    window_parts,
)
from monitoring.maintenance import MaintenanceWindow
from monitoring.models import Check
from monitoring.sparkline import sparkline_svg

bp = Blueprint("monitoring", __name__, url_prefix="/checks")
NAV = (features.nav("monitoring.index", _l("Checks"), ("manager", "leader", "watcher"), order=30),)
EDITORS = ("leader", "manager")
STATE_FILTERS = (*service.STATES, service.PENDING)


def _can_edit() -> bool:
    return current_user.role in EDITORS


def _tz() -> str:
    return web.settings().timezone


def _check_or_404(check_id: int) -> Check:
    check = service.get_check(web.db(), check_id)
    if check is None:
        abort(404, description=_("No such check."))
    return check


def _trend(series: list[float]) -> Any:
    if len(series) < 2:
        return ""
    label = _("Response time of the last %(n)d runs: %(low).0f–%(high).0f ms", n=len(series),
              low=min(series) * 1000, high=max(series) * 1000)
    return sparkline_svg(series, label=label)


@bp.route("/")
@web.any_role
def index() -> Any:
    domain = request.args.get("domain") if request.args.get("domain") in DOMAINS else None
    state = request.args.get("state") if request.args.get("state") in STATE_FILTERS else None
    session = web.db()
    rows = service.worst_first(service.list_checks(session, domain=domain, state=state, tz=_tz()))
    series = service.latency_series(session, check_ids=[r.check.id for r in rows])
    trends = {check_id: _trend(values) for check_id, values in series.items()}
    return render_template("monitoring/index.html", rows=rows, trends=trends, domain=domain, state=state,
                           can_edit=_can_edit(), confirm=ConfirmForm(), labels=_labels(),
                           state_filters=STATE_FILTERS, scheduler_running=service.scheduler_running(session))


def _labels() -> dict[str, Any]:
    return {"kinds": KIND_LABELS, "domains": DOMAIN_LABELS, "severities": SEVERITY_LABELS, "params": PARAM_LABELS,
            "states": {"OK": _("OK"), "WARNING": _("WARNING"), "CRITICAL": _("CRITICAL"),
                       "UNKNOWN": _("UNKNOWN"), "PENDING": _("not run yet")}}


def _render_form(form: CheckForm, check: Check | None, status: int = 200) -> Any:
    kinds = [(kind, KIND_LABELS[kind], param_fields(form, kind)) for kind in KINDS]
    return render_template("monitoring/form.html", form=form, check=check, kinds=kinds,
                           format_hints=FORMAT_HINTS, confirm=ConfirmForm()), status


def _attach(form: CheckForm, errors: dict[str, Message | str]) -> None:
    for name, message in errors.items():
        target, text = getattr(form, name, None), words.text(message)
        if target is None:  # a setting the form has no box for (from an imported file): show it on the kind
            target, text = form.kind, f"{name}: {text}"
        target.errors = [*list(target.errors), text]


def _save(form: CheckForm, check: Check | None) -> Any:
    """Validate and save a submitted form; the redirect on success, else the form with its errors."""
    spec, read_errors = spec_from_form(form)
    errors = field_errors(spec, service.check_errors(web.db(), spec, check_id=check.id if check else None))
    if not read_errors and not errors:
        try:
            if check is None:
                check = service.create_check(web.db(), actor=current_user.username, spec=spec)
            else:
                service.update_check(web.db(), actor=current_user.username, check=check, spec=spec)
        except service.CheckError as exc:
            web.db().rollback()
            errors = field_errors(spec, exc.errors)
        else:
            web.db().commit()
            flash(_("Check %(name)s saved.", name=spec.name), "success")
            return redirect(url_for("monitoring.history", check_id=check.id))
    _attach(form, {**errors, **read_errors})
    return _render_form(form, check, 422)


@bp.route("/new", methods=["GET", "POST"])
@web.roles(*EDITORS)
def create() -> Any:
    form = CheckForm()
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in KINDS else "tcp"
        return _render_form(form, None)
    if not form.validate_on_submit():
        return _render_form(form, None, 400)
    return _save(form, None)


@bp.route("/<int:check_id>/edit", methods=["GET", "POST"])
@web.roles(*EDITORS)
def edit(check_id: int) -> Any:
    check = _check_or_404(check_id)
    form = CheckForm()
    if request.method == "GET":
        fill_form(form, service.spec_of(check))
        return _render_form(form, check)
    if not form.validate_on_submit():
        return _render_form(form, check, 400)
    return _save(form, check)


@bp.route("/<int:check_id>")
@web.any_role
def history(check_id: int) -> Any:
    check = _check_or_404(check_id)
    session = web.db()
    page = request.args.get("page", "1")
    page_no = int(page) if page.isascii() and page.isdigit() and len(page) < 20 else 1  # '²' is a digit too
    runs = service.runs_page(session, check_id=check.id, page=page_no, per_page=50)
    spec = service.spec_of(check)
    series = service.latency_series(session, check_ids=[check.id], limit=60)[check.id]
    return render_template("monitoring/history.html", row=service.check_row(session, check, tz=_tz()),
                           spec=spec, params=shown_params(spec, editor=_can_edit()), runs=runs,
                           run_summary=words.summary, trend=_trend(series), labels=_labels(), can_edit=_can_edit(),
                           confirm=ConfirmForm())


@bp.route("/<int:check_id>/enabled", methods=["POST"])
@web.roles(*EDITORS)
def toggle_enabled(check_id: int) -> Any:
    check = _check_or_404(check_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.set_enabled(web.db(), actor=current_user.username, check=check, enabled=not check.enabled)
    web.db().commit()
    message = _("%(name)s is enabled.") if check.enabled else _("%(name)s is disabled: it will not run.")
    flash(message % {"name": check.name}, "success")
    return redirect(web.safe_next(request.form.get("next"), url_for("monitoring.history", check_id=check.id)))


@bp.route("/<int:check_id>/delete", methods=["GET", "POST"])
@web.roles(*EDITORS)
def delete(check_id: int) -> Any:
    check = _check_or_404(check_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        name = check.name
        service.delete_check(web.db(), actor=current_user.username, check=check)
        web.db().commit()
        flash(_("Check %(name)s deleted with its history.", name=name), "success")
        return redirect(url_for("monitoring.index"))
    runs = service.run_count(web.db(), check_id=check.id)
    return render_template("monitoring/delete.html", check=check, runs=runs, confirm=form)


@bp.route("/<int:check_id>/run", methods=["POST"])
@web.any_role
def run_now(check_id: int) -> Any:
    """Without JavaScript: ask for a run and come back to the history page (the script polls instead)."""
    check = _check_or_404(check_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not check.enabled:
        flash(_("%(name)s is disabled: enable it to run it.", name=check.name), "error")
        return redirect(url_for("monitoring.history", check_id=check.id))
    try:
        service.request_run(web.db(), actor=current_user.username, check=check)
    except service.AlreadyQueued:
        web.db().rollback()
        flash(_("A run of %(name)s is already queued: the scheduler runs it within a second.", name=check.name),
              "info")
        return redirect(url_for("monitoring.history", check_id=check.id))
    web.db().commit()
    flash(_("Run requested: the scheduler runs it within a second. Reload this page to see the result."), "info")
    return redirect(url_for("monitoring.history", check_id=check.id))


# ---------------------------------------------------------------------------------------------- maintenance


def _render_windows(form: WindowForm, status: int = 200) -> Any:
    session = web.db()
    form.checks.choices = [(name, name) for name in service.check_names(session)]
    windows = service.list_windows(session)
    now = utcnow()
    live = {w.id for w in service.active_windows(session, now=now, tz=_tz()) if w.active_at(now)}
    return render_template("monitoring/maintenance.html", form=form, windows=windows, live=live, now=now,
                           weekday_labels=WEEKDAY_LABELS, can_edit=_can_edit(), confirm=ConfirmForm(),
                           chosen_weekdays=request.form.getlist("weekdays")), status


@bp.route("/maintenance")
@web.any_role
def maintenance() -> Any:
    return _render_windows(WindowForm(formdata=None))


@bp.route("/maintenance/new", methods=["POST"])
@web.roles(*EDITORS)
def maintenance_create() -> Any:
    form = WindowForm()
    if not form.validate_on_submit():
        return _render_windows(form, 400)
    tz = web.settings().tz
    parts, errors = window_parts(form, request.form.getlist("weekdays"), tz)
    if errors.keys() == {"checks"}:  # "all or these?" unanswered: say what else is wrong at the same time
        errors = {**service.window_errors(web.db(), _window(parts)), **errors}
    if not errors:
        window = _window(parts)
        try:
            service.create_window(web.db(), actor=current_user.username, window=window)
        except service.WindowError as exc:
            web.db().rollback()
            errors = exc.errors
        else:
            web.db().commit()
            flash(_("Maintenance window saved."), "success")
            return redirect(url_for("monitoring.maintenance"))
    aliases = {"start": "starts_at", "end": "ends_at", "duration": "duration_minutes", "author": "reason"}
    for name, message in errors.items():
        target = getattr(form, aliases.get(name, name), None) or form.kind
        target.errors = [*list(target.errors), words.text(message)]
    return _render_windows(form, 422)


def _window(parts: dict[str, Any]) -> MaintenanceWindow:
    author, reason, checks = current_user.username, parts["reason"], parts["checks"]
    if parts["weekly"]:
        return MaintenanceWindow.weekly(parts["weekdays"], parts["start_time"], duration_of(parts), author,
                                        reason, checks, tz=_tz())
    return MaintenanceWindow.one_off(parts["starts_at"], parts["ends_at"], author, reason, checks)


@bp.route("/maintenance/<int:window_id>/end", methods=["POST"])
@web.roles(*EDITORS)
def maintenance_end(window_id: int) -> Any:
    row = service.get_window(web.db(), window_id)
    if row is None:
        abort(404, description=_("No such maintenance window."))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.end_window(web.db(), actor=current_user.username, row=row)
    web.db().commit()
    flash(_("Maintenance window ended."), "success")
    return redirect(url_for("monitoring.maintenance"))


# ----------------------------------------------------------------------------------------------- home panel


def home_panel(session: Any, person: Any) -> dict[str, Any] | None:
    """For everyone: the checks not OK right now, or 'all N checks OK'."""
    bad, total = service.problems(session, tz=_tz())
    if not total:
        return None
    return {"template": "monitoring/_home_panel.html", "bad": bad, "total": total, "labels": _labels(),
            "scheduler_running": service.scheduler_running(session)}

