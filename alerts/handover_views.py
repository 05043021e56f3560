"""Handover pages (交接班): the change at hand and the kept handovers (/handover), writing one (/handover/new),
reading and confirming one (/handover/<id>)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlmodel import select
from wtforms import TextAreaField
from wtforms.validators import Length

from alerts import handover as core
from alerts import handover_service as service
from alerts.board_views import labels
from desk import features, web
from desk.models import Person
from desk.timeutil import utcnow

bp = Blueprint("handover", __name__, url_prefix="/handover")
LEADS = ("leader", "manager")
NAV = (features.nav("handover.index", _l("Handover"), LEADS, order=2),)
MAX_PAGE = 100_000
PER_PAGE = 60


class HandoverForm(FlaskForm):
    note = TextAreaField(_l("Note for the incoming shift"), validators=[Length(max=4000)],
                         render_kw={"rows": 6})


class ConfirmForm(FlaskForm):
    """Only the CSRF token: confirming takes no input."""


def event_label(kind: str) -> str:
    """A timeline note's kind in the reader's language (the board's own rendering until alerts.words is merged)."""
    return {"commented": _("comment"), "acknowledged": _("acknowledged"), "resolved": _("resolved"),
            "reopened": _("reopened"), "reassigned": _("reassigned")}.get(kind, kind)


def _names() -> dict[Any, str]:
    """Display names by person id and by username (the desk has tens of people)."""
    people = list(web.db().exec(select(Person)))
    return {**{p.id: p.display_name for p in people}, **{p.username: p.display_name for p in people}}


@bp.route("")
@web.roles(*LEADS)
def index() -> Any:
    session = web.db()
    page = min(max(1, request.args.get("page", 1, type=int) or 1), MAX_PAGE)  # no OFFSET past what SQL holds
    state = service.at_hand(session, now=utcnow(), tz=web.settings().timezone)
    rows = service.recent(session, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    return render_template("handover/index.html", state=state, rows=rows[:PER_PAGE], page=page,
                           more=len(rows) > PER_PAGE, names=_names(), labels=labels(), now=utcnow(),
                           may_write=core.may_write(state.change, utcnow()), late=core.is_late(state.change, utcnow()))


@bp.route("/new", methods=["GET", "POST"])
@web.roles(*LEADS)
def new() -> Any:
    session, now, tz = web.db(), utcnow(), web.settings().timezone
    state = service.at_hand(session, now=now, tz=tz)
    if state.handover is not None:
        flash(_("The handover of this shift was already written."), "error")
        return redirect(url_for("handover.detail", handover_id=state.handover.id))
    form, error, status = HandoverForm(), None, 200
    if form.validate_on_submit():
        try:
            row = service.write(session, actor=current_user, state=state, note=form.note.data or "", now=now)
        except service.HandoverError as exc:
            session.rollback()
            error, status = _(exc.message, **exc.params), exc.status
        else:
            session.commit()
            flash(_("Handover written: the incoming leader confirms it."), "success")
            return redirect(url_for("handover.detail", handover_id=row.id))
    summary = service.shift_summary(session, state.change.outgoing)
    status = 422 if form.errors else status
    return render_template("handover/new.html", form=form, state=state, summary=summary, error=error,
                           labels=labels(), names=_names(), event_label=event_label,
                           may_write=core.may_write(state.change, now)), status


@bp.route("/<int:handover_id>")
@web.roles(*LEADS)
def detail(handover_id: int) -> Any:
    row = service.get(web.db(), handover_id) or abort(404)
    return render_template("handover/detail.html", row=row, names=_names(), labels=labels(), form=ConfirmForm(),
                           event_label=event_label)


@bp.route("/<int:handover_id>/confirm", methods=["POST"])
@web.roles(*LEADS)
def confirm(handover_id: int) -> Any:
    session = web.db()
    row = service.get(session, handover_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        moved = service.confirm(session, actor=current_user, handover=row, tz=web.settings().timezone, now=utcnow())
    except service.HandoverError as exc:
        session.rollback()
        flash(_(exc.message, **exc.params), "error")
        return redirect(url_for("handover.detail", handover_id=handover_id)), 303
    session.commit()
    flash(_("Handover confirmed: %(n)d active alerts are now with the incoming leader.", n=moved), "success")
    return redirect(url_for("handover.detail", handover_id=handover_id))
