"""Notification channels (blueprint ``alert_channels``): managers set the desk-wide channels on /alerts/channels
(create, edit, enable/disable, send a test message, retry failed notifications); everyone chooses their own alert
e-mails on /alerts/me/notifications.

A channel's secret is never shown back: the form's secret box is always empty and leaving it empty keeps the
stored secret. Robot URLs carry their access token in the query, so the list shows them with the token cut.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField

from alerts import channel_service as service
from alerts import outbox, preferences
from alerts.channels import redact_url, sample_message
from alerts.models import CHANNEL_KINDS, Channel
from alerts.notify_metrics import NotificationCollector
from alerts.senders import DeliveryError, Target, deliver, http_client, render_for
from desk import audit, features, web
from desk.forms import ConfirmForm, attach_errors
from desk.timeutil import utcnow

bp = Blueprint("alert_channels", __name__, url_prefix="/alerts")
NAV = (features.nav("alert_channels.index", _l("Channels"), ("manager",), order=70),)
KIND_LABELS = {"email": _l("E-mail (shared mailbox)"), "wecom": _l("WeCom group robot"),
               "dingtalk": _l("DingTalk group robot"), "feishu": _l("Feishu group robot"),
               "webhook": _l("Outgoing webhook")}
LANGUAGE_CHOICES = [("zh_CN", "中文"), ("en", "English")]
bp.record_once(lambda state: state.app.extensions.setdefault("dutydesk.metrics", []).append(NotificationCollector))


class ChannelForm(FlaskForm):
    name = StringField(_l("Channel name"))
    kind = SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in CHANNEL_KINDS], validate_choice=False)
    target = StringField(_l("Robot or webhook URL, or e-mail address"))
    secret = PasswordField(_l("Signing secret"))
    language = SelectField(_l("Language of the messages"), choices=LANGUAGE_CHOICES, validate_choice=False)
    enabled = BooleanField(_l("Enabled"), default=True)


class EmailChoiceForm(FlaskForm):
    email = BooleanField(_l("Send me alert e-mails"))


def _fields(form: ChannelForm) -> service.ChannelFields:
    return service.ChannelFields(name=form.name.data or "", kind=form.kind.data or "", target=form.target.data or "",
                                 secret=form.secret.data or "", language=form.language.data or "zh_CN",
                                 enabled=bool(form.enabled.data))


def _channel_or_404(channel_id: int) -> Channel:
    channel = service.get_channel(web.db(), channel_id)
    if channel is None:
        abort(404, description=_("No such channel."))
    return channel


@bp.route("/channels")
@web.roles("manager")
def index() -> Any:
    session = web.db()
    return render_template("alert_channels/index.html", channels=service.list_channels(session),
                           failed=service.failed_notifications(session), kinds=KIND_LABELS, redact=redact_url,
                           confirm=ConfirmForm(), mail=outbox.mail_configured(session))


def _render_form(form: ChannelForm, channel: Channel | None, status: int = 200) -> Any:
    return render_template("alert_channels/form.html", form=form, channel=channel), status


def _save(form: ChannelForm, channel: Channel | None) -> Any:
    """Create or update from the submitted form; the redirect on success, else the form with its errors."""
    try:
        if channel is None:
            channel = service.create_channel(web.db(), actor=current_user.username, fields=_fields(form))
        else:
            service.update_channel(web.db(), actor=current_user.username, channel=channel, fields=_fields(form))
    except service.ChannelError as exc:
        web.db().rollback()
        attach_errors(form, exc.errors)
        return _render_form(form, channel, 422)
    web.db().commit()
    flash(_("Channel %(name)s saved.", name=channel.name), "success")
    return redirect(url_for("alert_channels.index"))


@bp.route("/channels/new", methods=["GET", "POST"])
@web.roles("manager")
def create() -> Any:
    form = ChannelForm()
    if request.method == "GET":
        return _render_form(form, None)
    if not form.validate_on_submit():
        return _render_form(form, None, 400)
    return _save(form, None)


@bp.route("/channels/<int:channel_id>/edit", methods=["GET", "POST"])
@web.roles("manager")
def edit(channel_id: int) -> Any:
    channel = _channel_or_404(channel_id)
    form = ChannelForm(obj=channel) if request.method == "GET" else ChannelForm()
    if request.method == "GET":
        form.secret.data = ""
        return _render_form(form, channel)
    if not form.validate_on_submit():
        return _render_form(form, channel, 400)
    return _save(form, channel)


@bp.route("/channels/<int:channel_id>/enable", methods=["POST"])
@web.roles("manager")
def enable(channel_id: int) -> Any:
    return _switch(channel_id, enabled=True)


@bp.route("/channels/<int:channel_id>/disable", methods=["POST"])
@web.roles("manager")
def disable(channel_id: int) -> Any:
    return _switch(channel_id, enabled=False)


def _switch(channel_id: int, *, enabled: bool) -> Any:
    """Enable or disable once; a second click says it already was."""
    channel = _channel_or_404(channel_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired: reload the page and try again."))
    if service.set_enabled(web.db(), actor=current_user.username, channel_id=channel_id, enabled=enabled):
        web.db().commit()
        flash(_("Channel %(name)s enabled.", name=channel.name) if enabled
              else _("Channel %(name)s disabled.", name=channel.name), "success")
    else:
        flash(_("Channel %(name)s already was enabled.", name=channel.name) if enabled
              else _("Channel %(name)s already was disabled.", name=channel.name), "info")
    return redirect(url_for("alert_channels.index"))


@bp.route("/channels/<int:channel_id>/test", methods=["POST"])
@web.roles("manager")
def send_test(channel_id: int) -> Any:
    channel = _channel_or_404(channel_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired: reload the page and try again."))
    error = _try_channel(channel)
    audit.record(web.db(), actor=current_user.username, action="channel.test", object_type="channel",
                 object_id=channel.id, after={"ok": error is None, "error": error or ""})
    web.db().commit()
    if error is None:
        flash(_("Test message sent to %(name)s.", name=channel.name), "success")
    else:
        flash(_("The test message to %(name)s failed: %(error)s", name=channel.name, error=error), "error")
    return redirect(url_for("alert_channels.index"))


def _try_channel(channel: Channel) -> str | None:
    """Send a made-up alert to the channel now; None when it took it, else why not."""
    now, settings = utcnow(), web.settings()
    msg = sample_message(now)
    target = Target(kind=channel.kind, address=channel.target, secret=channel.secret, name=channel.name)
    try:
        with http_client() as client:
            deliver(target, render_for(msg, language=channel.language, settings=settings), message=msg,
                    delivery_id=0, now=now, settings=settings, client=client)
    except DeliveryError as exc:
        return str(exc)
    return None


@bp.route("/channels/notifications/<int:notification_id>/retry", methods=["POST"])
@web.roles("manager")
def retry(notification_id: int) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired: reload the page and try again."))
    if service.retry_notification(web.db(), actor=current_user.username, notification_id=notification_id,
                                  now=utcnow()):
        web.db().commit()
        flash(_("The notification is back in the outbox: it is sent within seconds."), "success")
    else:
        flash(_("This notification is not failed any more (someone retried it already)."), "info")
    return redirect(url_for("alert_channels.index") + "#failed")


@bp.route("/me/notifications", methods=["GET", "POST"])
@web.any_role
def my_notifications() -> Any:
    session, person = web.db(), current_user
    form = EmailChoiceForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, description=_("The form expired: reload the page and try again."))
        preferences.set_email(session, actor=person.username, person=person, enabled=bool(form.email.data))
        session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("alert_channels.my_notifications"))
    form.email.data = preferences.email_enabled(session, person.id)
    return render_template("alert_channels/mine.html", form=form, address=person.email,
                           mail=outbox.mail_configured(session))
