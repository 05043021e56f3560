"""Login, logout, one's own account (password, sessions, API tokens), language: the ``auth`` blueprint."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user

from desk import accounts, sessions, throttle, web
from desk.forms import ConfirmForm, LanguageForm, LoginForm, PasswordForm, TokenForm, attach_errors
from desk.models import LoginSession, Person
from desk.security import safe_next
from desk.timeutil import utcnow

bp = Blueprint("auth", __name__)


def init_login(manager: LoginManager) -> None:
    """Wire flask-login: cookies carry a login session's token (checked on every request), the API a Bearer token."""
    manager.login_view = "auth.login"
    manager.session_protection = "strong"

    @manager.user_loader
    def load_user(token: str) -> Person | None:
        row = sessions.check_session(web.db(), token=token)
        web.db().commit()
        person = web.db().get(Person, row.person_id) if row else None
        if person is None or not person.active:
            return None
        g.login_session = row
        # Restored from the remember-me cookie: bind the new cookie session to this browser, or "strong"
        # protection would drop it on the very next request.
        session.setdefault("_id", manager._session_identifier_generator())
        return person

    @manager.request_loader
    def load_from_token(req: Any) -> Person | None:
        header = req.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
            return None
        person = accounts.person_for_token(web.db(), secret=header[7:].strip())
        web.db().commit()
        g.authenticated_by_token = person is not None
        return person

    @manager.unauthorized_handler
    def unauthorized() -> Any:
        if web.is_api_request():
            return web.api_error(401, "unauthorized", "Log in or send Authorization: Bearer <token>.")
        return web.redirect_to_login()


def current_login() -> LoginSession | None:
    """The login session of this request (None when a Bearer token opened it)."""
    return g.get("login_session")


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
    now = utcnow()
    try:
        person = accounts.authenticate(
            web.db(), username=form.username.data or "", password=form.password.data or "",
            address=request.remote_addr or "unknown", now=now,
            limits=throttle.Limits.from_settings(settings.login_max_failures, settings.login_lock_minutes))
    except accounts.LoginLocked as exc:
        web.db().rollback()
        minutes = max(1, math.ceil((exc.until - now).total_seconds() / 60))
        msg = _("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=minutes)
        return render_template("auth/login.html", form=form, error=msg), 429
    if person is None:
        web.db().rollback()
        return render_template("auth/login.html", form=form,
                               error=_("Wrong username or password.")), 401
    _start_session(person, remember=bool(form.remember.data), now=now)
    return redirect(safe_next(request.args.get("next")))


def _start_session(person: Person, *, remember: bool, now: datetime) -> None:
    opened = sessions.open_session(web.db(), person=person, user_agent=request.user_agent.string,
                                   address=request.remote_addr or "", remember=remember, now=now)
    web.db().commit()
    login_user(person, remember=remember)
    # The cookies carry the login session's random token, not the person's id: ending the row ends the cookies.
    session["_user_id"] = opened.token
    g.login_session = opened.row


@bp.route("/logout", methods=["POST"])
@web.any_role
def logout() -> Any:
    row = current_login()
    if row is not None:
        sessions.end_session(web.db(), person_id=current_user.id, session_id=row.id or 0)
        web.db().commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


def _account_page(form: PasswordForm | None = None, token_form: TokenForm | None = None,
                  new_token: str | None = None, status: int = 200) -> Any:
    person_id = current_user.id
    return render_template(
        "auth/password.html", form=form or PasswordForm(formdata=None),
        token_form=token_form or TokenForm(formdata=None), new_token=new_token, confirm=ConfirmForm(),
        login_sessions=sessions.list_sessions(web.db(), person_id=person_id), current_login=current_login(),
        tokens=[t for t, _u in accounts.list_tokens(web.db(), person_id=person_id)], now=utcnow()), status


@bp.route("/account/password", methods=["GET", "POST"])
@web.any_role
def password() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        row = current_login()
        try:
            accounts.change_password(web.db(), person=current_user, current=form.current.data or "",
                                     new=form.new.data or "", keep_session=row.id if row else None)
        except accounts.AccountError as exc:
            attach_errors(form, exc.errors)
        else:
            web.db().commit()
            flash(_("Your password is changed. Your other sessions are ended."), "success")
            return redirect(url_for("auth.password"))
    return _account_page(form=form, status=422 if form.errors else 200)


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@web.any_role
def end_session(session_id: int) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = current_login()
    if row is not None and row.id == session_id:
        flash(_("This is the session you are using: log out to end it."), "info")
    elif sessions.end_session(web.db(), person_id=current_user.id, session_id=session_id):
        web.db().commit()
        flash(_("That session is ended."), "success")
    else:
        flash(_("That session had already ended."), "info")
    return redirect(url_for("auth.password"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@web.any_role
def end_other_sessions() -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = current_login()
    ended = sessions.end_sessions(web.db(), person_id=current_user.id, keep=row.id if row else None)
    web.db().commit()
    flash(_("%(count)d other sessions ended.", count=ended), "success")
    return redirect(url_for("auth.password"))


@bp.route("/account/tokens", methods=["POST"])
@web.any_role
def create_token() -> Any:
    form = TokenForm()
    if form.validate_on_submit():
        try:
            secret = accounts.create_token(web.db(), actor=current_user.username, person=current_user,
                                           label=form.label.data or "", expires_days=form.expires_days.data)
        except accounts.AccountError as exc:
            web.db().rollback()
            attach_errors(form, exc.errors)
        else:
            web.db().commit()
            return _account_page(new_token=secret)  # shown once: rendered, never put in a cookie or a redirect
    return _account_page(token_form=form, status=422)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@web.any_role
def revoke_token(token_id: int) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if accounts.revoke_token(web.db(), actor=current_user.username, token_id=token_id, person_id=current_user.id):
        web.db().commit()
        flash(_("The token is revoked: it opens nothing any more."), "success")
    else:
        flash(_("No such token of yours, or it was already revoked."), "info")
    return redirect(url_for("auth.password"))


@bp.route("/language", methods=["POST"])
@web.public
def language() -> Any:
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            accounts.set_language(web.db(), person=current_user, language=form.language.data or "")
            web.db().commit()
    return redirect(safe_next(request.form.get("next")))
