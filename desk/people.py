"""The people page for managers: create, edit, deactivate and reset passwords."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from desk import accounts, features, web
from desk.forms import ConfirmForm, PersonForm, ResetPasswordForm, attach_errors
from desk.models import Person

bp = Blueprint("people", __name__, url_prefix="/people")
NAV = (features.nav("people.index", _l("People"), ("manager",), order=80),)


@bp.route("/")
@web.roles("manager")
def index() -> Any:
    people = accounts.list_people(web.db())
    return render_template("people/index.html", people=people, confirm=ConfirmForm())


def _fields(form: PersonForm, username: str | None = None) -> accounts.PersonFields:
    return accounts.PersonFields(
        username=(username or form.username.data or "").strip().lower(),
        display_name=form.display_name.data or "",
        role=form.role.data or "",
        skills=accounts.normalise_skills(form.skills.data or []),
        team_code=form.team_code.data or None,
        phone=form.phone.data or "",
        email=form.email.data or "",
        language=form.language.data or "",
    )


@bp.route("/new", methods=["GET", "POST"])
@web.roles("manager")
def create() -> Any:
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = accounts.create_person(web.db(), actor=current_user.username, fields=_fields(form),
                                            password=form.password.data or "")
        except accounts.AccountError as exc:
            web.db().rollback()
            attach_errors(form, exc.errors)
        else:
            web.db().commit()
            flash(_("%(name)s can now log in as %(username)s.", name=person.display_name,
                    username=person.username), "success")
            return redirect(url_for("people.index"))
    status = 422 if form.errors else 200
    return render_template("people/form.html", form=form, person=None), status


def _person_or_404(person_id: int) -> Person:
    person = web.db().get(Person, person_id)
    if person is None:
        abort(404, description=_("No such person."))
    return person


@bp.route("/<int:person_id>", methods=["GET", "POST"])
@web.roles("manager")
def edit(person_id: int) -> Any:
    person = _person_or_404(person_id)
    form = PersonForm() if request.method == "POST" else _filled_form(person)
    del form.username  # a username never changes: tokens, audit and rosters refer to it
    if form.validate_on_submit():
        try:
            accounts.update_person(web.db(), actor=current_user.username, person=person,
                                   fields=_fields(form, username=person.username))
        except accounts.AccountError as exc:
            web.db().rollback()
            attach_errors(form, exc.errors)
        else:
            web.db().commit()
            flash(_("Saved."), "success")
            return redirect(url_for("people.index"))
    status = 422 if form.errors else 200
    return render_template("people/form.html", form=form, person=person,
                           reset=ResetPasswordForm(formdata=None), confirm=ConfirmForm()), status


def _filled_form(person: Person) -> PersonForm:
    """The edit form showing the person as stored."""
    form = PersonForm(obj=person)
    form.skills.data = sorted(person.skill_set)
    form.team_code.data = person.team_code or ""
    return form


@bp.route("/<int:person_id>/active", methods=["POST"])
@web.roles("manager")
def toggle_active(person_id: int) -> Any:
    person = _person_or_404(person_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if person.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "error")
        return redirect(url_for("people.index"))
    accounts.set_active(web.db(), actor=current_user.username, person=person, active=not person.active)
    web.db().commit()
    flash(_("Saved."), "success")
    return redirect(url_for("people.index"))


@bp.route("/<int:person_id>/password", methods=["POST"])
@web.roles("manager")
def reset_password(person_id: int) -> Any:
    person = _person_or_404(person_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(web.db(), actor=current_user.username, person=person,
                                password=form.password.data or "")
        web.db().commit()
        flash(_("The password of %(username)s is reset.", username=person.username), "success")
        return redirect(url_for("people.edit", person_id=person.id))
    return render_template("people/form.html", form=_filled_form(person), person=person, reset=form,
                           confirm=ConfirmForm()), 422
