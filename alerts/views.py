"""The alert pages (blueprint ``alerts``, /alerts): the list, an alert's detail with its timeline and action forms,
raising an alert by hand, and for managers the integrations and the escalation policy.

Everyone on the desk reads, acknowledges and comments; leaders and managers resolve and reopen any alert, a
watcher those of a domain they hold a skill for (``service.can_resolve``); leaders and managers reassign.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from alerts import integrations, lifecycle, service, words
from alerts.api import parse_filters
from alerts.escalation import DEFAULT
from alerts.forms import (
    AckForm,
    CommentForm,
    IntegrationForm,
    NewAlertForm,
    PolicyForm,
    ReassignForm,
    ReopenForm,
    ResolveForm,
)
from alerts.models import Alert
from desk import features, web
from desk.forms import ConfirmForm, attach_errors
from desk.timeutil import utcnow

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
NAV = (features.nav("alerts.index", _l("Alerts"), ("manager", "leader", "watcher"), order=15),)
RESOLVERS = ("leader", "manager", "watcher")
PER_PAGE = 50


def _labels() -> dict[str, Any]:
    return {"severities": words.SEVERITY_LABELS, "statuses": words.STATUS_LABELS, "domains": words.DOMAIN_LABELS,
            "sources": words.SOURCE_LABELS, "routed": words.ROUTED_LABELS}


@bp.route("/")
@web.any_role
def index() -> Any:
    try:
        filters, page, _per_page = parse_filters(request.args)
    except ValueError as exc:
        flash(_("Filter not understood: %(error)s", error=str(exc)), "error")
        filters, page = service.AlertFilter(), 1
    rows, total = service.list_alerts(web.db(), filters=filters, page=page, per_page=PER_PAGE)
    return render_template("alerts/index.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
                           people=service.people_by_id(web.db(), rows), args=request.args, labels=_labels(),
                           status_filters=service.STATUS_FILTERS)


# --- one alert --------------------------------------------------------------------------------------------------

def _alert_or_404(alert_id: int) -> Alert:
    alert = web.db().get(Alert, alert_id)
    if alert is None:
        abort(404, description=_("No such alert."))
    return alert


def _detail(alert: Alert, status: int = 200, **forms: Any) -> Any:
    """The detail page with fresh forms except the ones given (which keep what was typed and their errors)."""
    session = web.db()
    reassign = forms.get("reassign") or ReassignForm(formdata=None)
    reassign.username.choices = [(p.username, f"{p.display_name} ({p.username})") for p in service.candidates(session)]
    events = service.timeline(session, alert.id or 0)
    return render_template(
        "alerts/detail.html", alert=alert, people=service.people_by_id(session, [alert]), labels=_labels(),
        events=[(e, words.event_text(e.kind, e.params)) for e in events],
        actions=lifecycle.actions_for(alert.status), can_resolve=service.can_resolve(current_user, alert),
        can_reassign=current_user.role in ("leader", "manager"), details=alert.details.get("source") or {},
        ack=forms.get("ack") or AckForm(formdata=None), resolve=forms.get("resolve") or ResolveForm(formdata=None),
        comment=forms.get("comment") or CommentForm(formdata=None), reassign=reassign,
        reopen=ReopenForm(formdata=None)), status


@bp.route("/<int:alert_id>")
@web.any_role
def detail(alert_id: int) -> Any:
    return _detail(_alert_or_404(alert_id))


def _run(alert: Alert, name: str, form: Any, action: Any, **kwargs: Any) -> Any:
    """Validate ``form``, run the service ``action``; flash and redirect, or re-render with the errors (422/409)."""
    session = web.db()
    if not form.validate_on_submit():
        return _detail(alert, 422, **{name: form})
    try:
        action(session, actor=current_user.username, alert_id=alert.id, now=utcnow(), **kwargs)
    except service.AlertConflict:
        session.rollback()
        flash(_("Someone else changed this alert first: here it is as it is now."), "error")
        return redirect(url_for("alerts.detail", alert_id=alert.id))
    except service.AlertError as exc:
        session.rollback()
        attach_errors(form, exc.errors)
        return _detail(_alert_or_404(alert.id or 0), 422, **{name: form})
    session.commit()
    flash(_("Done."), "success")
    return redirect(url_for("alerts.detail", alert_id=alert.id))


@bp.route("/<int:alert_id>/ack", methods=["POST"])
@web.any_role
def ack(alert_id: int) -> Any:
    form = AckForm()
    return _run(_alert_or_404(alert_id), "ack", form, service.acknowledge, comment=form.comment.data or "")


@bp.route("/<int:alert_id>/comment", methods=["POST"])
@web.any_role
def comment(alert_id: int) -> Any:
    form = CommentForm()
    return _run(_alert_or_404(alert_id), "comment", form, service.comment, note=form.note.data or "")


def _resolver_alert(alert_id: int) -> Alert:
    alert = _alert_or_404(alert_id)
    if not service.can_resolve(current_user, alert):
        abort(403, description=_("Only leaders, managers and the watchers of its domain may do that."))
    return alert


@bp.route("/<int:alert_id>/resolve", methods=["POST"])
@web.roles(*RESOLVERS)
def resolve(alert_id: int) -> Any:
    form = ResolveForm()
    return _run(_resolver_alert(alert_id), "resolve", form, service.resolve, impact=form.impact.data or "",
                summary=form.summary.data or "")


@bp.route("/<int:alert_id>/reopen", methods=["POST"])
@web.roles(*RESOLVERS)
def reopen(alert_id: int) -> Any:
    return _run(_resolver_alert(alert_id), "reopen", ReopenForm(), service.reopen)


@bp.route("/<int:alert_id>/reassign", methods=["POST"])
@web.roles("leader", "manager")
def reassign(alert_id: int) -> Any:
    form = ReassignForm()
    form.username.choices = [(p.username, p.username) for p in service.candidates(web.db())]
    return _run(_alert_or_404(alert_id), "reassign", form, service.reassign, username=form.username.data or "")


# --- raise by hand ----------------------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@web.any_role
def new() -> Any:
    form = NewAlertForm()
    if form.validate_on_submit():
        session, now = web.db(), utcnow()
        key = (form.key.data or "").strip() or f"manual:{now:%Y%m%d%H%M%S}:{secrets.token_hex(3)}"
        try:
            done = service.raise_alert(session, actor=current_user.username, key=key, title=form.title.data or "",
                                       severity=form.severity.data or "major", domain=form.domain.data or None,
                                       source="manual", now=now, details={"note": form.details.data or ""})
        except service.AlertError as exc:
            session.rollback()
            attach_errors(form, exc.errors)
        else:
            session.commit()
            flash(_("Alert raised.") if done.created else _("An alert with this key is already active: counted "
                                                            "as one more occurrence."), "success")
            return redirect(url_for("alerts.detail", alert_id=done.alert.id))
    status = 422 if form.errors else 200
    return render_template("alerts/new.html", form=form), status


# --- integrations (managers) ------------------------------------------------------------------------------------

@bp.route("/integrations", methods=["GET", "POST"])
@web.roles("manager")
def integrations_page() -> Any:
    form, session, token = IntegrationForm(), web.db(), None
    if form.validate_on_submit():
        try:
            row, token = integrations.create(session, actor=current_user.username, name=form.name.data or "",
                                             kind=form.kind.data or "", domain=form.domain.data or None,
                                             now=utcnow())
        except service.AlertError as exc:
            session.rollback()
            attach_errors(form, exc.errors)
        else:
            session.commit()
            return _integrations(IntegrationForm(formdata=None), token=token, token_for=row.name)
    return _integrations(form, status=422 if form.errors else 200)


def _integrations(form: IntegrationForm, status: int = 200, token: str | None = None,
                  token_for: str | None = None) -> Any:
    # the token is shown in this one response and never again (no-store so no cache keeps it)
    response = render_template("alerts/integrations.html", form=form, rows=integrations.list_integrations(web.db()),
                               token=token, token_for=token_for, confirm=ConfirmForm(formdata=None))
    return response, status, {"Cache-Control": "no-store"}


def _integration_or_404(integration_id: int) -> Any:
    row = integrations.find(web.db(), integration_id)
    if row is None:
        abort(404, description=_("No such integration."))
    return row


@bp.route("/integrations/<int:integration_id>/rotate", methods=["POST"])
@web.roles("manager")
def integration_rotate(integration_id: int) -> Any:
    row = _integration_or_404(integration_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = integrations.rotate(web.db(), actor=current_user.username, integration=row)
    web.db().commit()
    return _integrations(IntegrationForm(formdata=None), token=token, token_for=row.name)


@bp.route("/integrations/<int:integration_id>/toggle", methods=["POST"])
@web.roles("manager")
def integration_toggle(integration_id: int) -> Any:
    row = _integration_or_404(integration_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    integrations.set_enabled(web.db(), actor=current_user.username, integration=row, enabled=not row.enabled)
    web.db().commit()
    flash(_("Integration %(name)s enabled.", name=row.name) if row.enabled
          else _("Integration %(name)s disabled: its deliveries are refused.", name=row.name), "success")
    return redirect(url_for("alerts.integrations_page"))


# --- escalation policy (managers) -------------------------------------------------------------------------------

@bp.route("/escalation", methods=["GET", "POST"])
@web.roles("manager")
def escalation() -> Any:
    form, session = PolicyForm(), web.db()
    if form.validate_on_submit():
        try:
            service.save_policy(session, actor=current_user.username, severity=form.severity.data or None,
                                remind_after=form.remind_after.data or 0, managers_after=form.managers_after.data or 0,
                                repeat_every=form.repeat_every.data or 0, now=utcnow())
        except service.AlertError as exc:
            session.rollback()
            attach_errors(form, exc.errors)
        else:
            session.commit()
            flash(_("Escalation policy saved."), "success")
            return redirect(url_for("alerts.escalation"))
    return render_template("alerts/escalation.html", form=form, rows=service.policy_rows(session), default=DEFAULT,
                           labels=_labels(), confirm=ConfirmForm(formdata=None)), 422 if form.errors else 200


@bp.route("/escalation/<severity>/delete", methods=["POST"])
@web.roles("manager")
def escalation_delete(severity: str) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if service.delete_policy(web.db(), actor=current_user.username, severity=severity):
        web.db().commit()
        flash(_("Override removed: that severity follows the default again."), "success")
    return redirect(url_for("alerts.escalation"))
