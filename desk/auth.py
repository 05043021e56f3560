"""Login, logout, own password and language: the ``auth`` blueprint and flask-login's loaders."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user

from desk import accounts, web
from desk.forms import LanguageForm, LoginForm, PasswordForm, attach_errors
from desk.models import Person

bp = Blueprint("auth", __name__)


def init_login(manager: LoginManager) -> None:
    """Wire flask-login: people by id from the session, or by a Bearer token on API calls."""
    manager.login_view = "auth.login"
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(user_id: str) -> Person | None:
        person = web.db().get(Person, int(user_id)) if user_id.isdigit() else None
        return person if person and person.active else None

    @manager.request_loader
    def load_from_token(req: Any) -> Person | None:
        header = req.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
            return None
        person = accounts.person_for_token(web.db(), secret=header[7:].strip())
        web.db().commit()
        return person

    @manager.unauthorized_handler
    def unauthorized() -> Any:
        if web.is_api_request():
            return web.api_error(401, "unauthorized", "Log in or send Authorization: Bearer <token>.")
        return web.redirect_to_login()


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays on this site."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("home.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@web.public
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        return _try_login(form)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


def _try_login(form: LoginForm) -> Any:
    settings = web.settings()
    address = request.remote_addr or "unknown"
    try:
        person = accounts.authenticate(
            web.db(), username=form.username.data or "", password=form.password.data or "",
            address=address, max_failures=settings.login_max_failures,
            lock_minutes=settings.login_lock_minutes)
    except accounts.LoginLocked:
        web.db().rollback()
        msg = _("Too many failed attempts from your address. Try again in %(minutes)d minutes.",
                minutes=settings.login_lock_minutes)
        return render_template("auth/login.html", form=form, error=msg), 429
    if person is None:
        web.db().commit()
        return render_template("auth/login.html", form=form,
                               error=_("Wrong username or password.")), 401
    accounts.clear_failures(web.db(), address=address)
    web.db().commit()
    login_user(person, remember=bool(form.remember.data))
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
@web.any_role
def logout() -> Any:
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@web.any_role
def password() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(web.db(), person=current_user, current=form.current.data or "",
                                     new=form.new.data or "")
        except accounts.AccountError as exc:
            attach_errors(form, exc.errors)
        else:
            web.db().commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("home.index"))
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/language", methods=["POST"])
@web.public
def language() -> Any:
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            accounts.set_language(web.db(), person=current_user, language=form.language.data or "")
            web.db().commit()
    return redirect(_safe_next(request.form.get("next")))
