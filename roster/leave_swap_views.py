"""Pages of leave (请假) and swaps (换班), the leaders' approval queue, the personal calendar feed and the roster
downloads.

Two blueprints: ``requests`` (/requests/…) and ``roster_files`` (/roster/feed/<token>.ics, /roster/calendar,
/roster/export); roster.feature installs both.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.routing import BuildError
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from desk import features, web
from desk.i18n import DEFAULT_LANGUAGE
from desk.models import Person
from desk.timeutil import in_desk_range
from roster import clock, concurrency, grid, leave_swaps, refusals, seat_holders, solve_inputs, versions, words
from roster.forms import in_range
from roster.models import LeaveRequest, SwapRequest

bp = Blueprint("requests", __name__, url_prefix="/requests")
files_bp = Blueprint("roster_files", __name__, url_prefix="/roster")
SEAT_HOLDERS = seat_holders.SEAT_HOLDERS
DECIDERS = ("leader", "manager")
SWAP_HORIZON_DAYS = 62
WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))

NAV = (features.nav("requests.index", _l("Leave & swaps"), SEAT_HOLDERS, order=12),
       features.nav("requests.queue", _l("Approvals"), DECIDERS, order=14),
       features.nav("roster_files.calendar", _l("My calendar"), SEAT_HOLDERS, order=15))


def requests_panel(session: Any, person: Person) -> dict[str, Any] | None:
    """Home page panel: what waits for this person (leaders: the queue; everyone: swaps offered to them)."""
    if person.role not in SEAT_HOLDERS and person.role not in DECIDERS:
        return None
    offered = [s for s in leave_swaps.swap_requests(session, person_id=person.id, statuses=("proposed",))
               if s.target_id == person.id]
    leaves = len(leave_swaps.leave_requests(session, status="pending")) if person.role in DECIDERS else 0
    swaps = len(leave_swaps.swap_requests(session, statuses=("accepted",))) if person.role in DECIDERS else 0
    if not (offered or leaves or swaps):
        return None
    names = {p.id: p.display_name for p in seat_holders.people_by_id(session).values()}
    return {"template": "roster/leave_panel.html", "offered": [(s.id, offer_text(s, names)) for s in offered],
            "leaves": leaves, "swaps": swaps}


def offer_text(swap: SwapRequest, names: dict[int, str]) -> str:
    """What the colleague is asked, saying what each side gives: a seat given, or an exchange of two."""
    word = {"D": _("day shift"), "E": _("evening shift"), "N": _("night shift")}
    name, mine = names.get(swap.requester_id, "?"), word.get(swap.requester_shift, swap.requester_shift)
    if swap.target_day is None:
        return _("%(name)s offers you the %(shift)s of %(day)s: answer", name=name, shift=mine,
                 day=swap.requester_day.isoformat())
    return _("%(name)s gives you the %(shift)s of %(day)s and takes your %(their_shift)s of %(their_day)s: answer",
             name=name, shift=mine, day=swap.requester_day.isoformat(),
             their_shift=word.get(swap.target_shift or "", swap.target_shift), their_day=swap.target_day.isoformat())



ONLY_SHIFTS = {"D": _l("Only day shifts"), "E": _l("Only evening shifts"), "N": _l("Only night shifts")}


def leave_shift_choices(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    """Whole days, or only the shifts of one of the desk's shift types."""
    return [("", _("Whole days")), *((c, str(ONLY_SHIFTS[c]) if c in ONLY_SHIFTS else _("Only %(code)s shifts", code=c))
                                     for c in codes)]


# --- forms ---------------------------------------------------------------------------------------------------

class LeaveForm(FlaskForm):
    start = DateField(_l("First day"), validators=[DataRequired(), in_range])
    end = DateField(_l("Last day"), validators=[DataRequired(), in_range])
    shift = SelectField(_l("Which shifts"), choices=[("", _l("Whole days"))], validate_choice=False)
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)])


class NoteForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class SwapForm(FlaskForm):
    mine = SelectField(_l("My shift"), validate_choice=False, validators=[DataRequired()])
    colleague = SelectField(_l("Give it to"), validate_choice=False)
    theirs = SelectField(_l("…or exchange it for"), validate_choice=False)
    message = TextAreaField(_l("Message"), validators=[Optional(), Length(max=2000)])


# --- helpers -------------------------------------------------------------------------------------------------

def _today() -> date:
    return clock.today(web.settings().tz)


def _error(exc: leave_swaps.RequestError | refusals.RosterError) -> str:
    if isinstance(exc, leave_swaps.SwapRefused):
        rules = sorted({_(words.HARD_RULE_NAMES.get(v.rule, v.rule)) for v in exc.check.violations})
        return _("This swap would break a rule: %(rules)s.", rules=", ".join(rules))
    if isinstance(exc, leave_swaps.RequestError):
        params = dict(exc.params)
        if "status" in params:
            params["status"] = _(leave_swaps.STATUS_WORDS.get(params["status"], params["status"]))
        return _(exc.message, **params)
    return exc.message


def _refusal_lines(exc: ValueError) -> list[str]:
    """The broken rules of a refused swap, one sentence each (nothing for other errors)."""
    if not isinstance(exc, leave_swaps.SwapRefused) or exc.check.inputs is None:
        return []
    names = seat_holders.display_names(web.db())
    return [_("%(rule)s: %(sentence)s", rule=rule, sentence=sentence)
            for rule, sentence in (leave_swaps.rule_and_sentence(v, exc.check.inputs, names, _)
                                   for v in exc.check.violations)]


def _conflict(exc: IntegrityError | OperationalError) -> None:
    """Another decision on the same rows won the race in the database: say so (a flash, never a 500)."""
    if not concurrency.is_write_conflict(exc):
        raise exc
    web.db().rollback()
    flash(_("Someone else decided this request at the same moment; reload the page to see the outcome."), "error")


def _version_url(version_id: int | None) -> str | None:
    """Link to the roster version's page (leaders and managers only), when that page exists."""
    if version_id is None or not _is_decider():
        return None
    try:
        return url_for("roster.version", version_id=version_id)
    except BuildError:
        return None


def _seat_label(day: date, shift: str, position: str | None = None) -> str:
    shift_word = _(words.SHIFT_NAMES[shift]) if shift in words.SHIFT_NAMES else shift
    seat = f" · {words.seat_word(words.babel(), position)}" if position in words.SEAT_NAMES else ""
    return f"{day:%Y-%m-%d} {WEEKDAYS[day.weekday()]} {shift_word}{seat}"


def _leave_or_404(leave_id: int) -> LeaveRequest:
    leave = web.db().get(LeaveRequest, leave_id)
    if leave is None:
        abort(404, description=_("No such leave request."))
    return leave


def _swap_or_404(swap_id: int) -> SwapRequest:
    swap = web.db().get(SwapRequest, swap_id)
    if swap is None:
        abort(404, description=_("No such swap request."))
    return swap


def _is_decider() -> bool:
    return current_user.role in DECIDERS


# --- overview and queue --------------------------------------------------------------------------------------

@bp.route("/")
@web.roles(*SEAT_HOLDERS)
def index() -> Any:
    session = web.db()
    return render_template("roster/leave_index.html",
                           leaves=leave_swaps.leave_requests(session, person_id=current_user.id),
                           swaps=leave_swaps.swap_requests(session, person_id=current_user.id), people=_people_by_id(),
                           form=NoteForm(formdata=None), seat_label=_seat_label,
                           waiting=sum(map(len, _queue_items())) if _is_decider() else 0)


def _people_by_id() -> dict[int, Person]:
    return seat_holders.people_by_id(web.db())


def _queue_items() -> tuple[list[LeaveRequest], list[SwapRequest]]:
    session = web.db()
    return (leave_swaps.leave_requests(session, status="pending"),
            leave_swaps.swap_requests(session, statuses=("accepted",)))


@bp.route("/queue")
@web.roles(*DECIDERS)
def queue() -> Any:
    session = web.db()
    leaves, swaps = _queue_items()
    names = seat_holders.display_names(session)
    checks = {s.id: _check_view(s, names) for s in swaps}
    recent = [lv for lv in leave_swaps.leave_requests(session, limit=30) if lv.status != "pending"][:10]
    offered = leave_swaps.swap_requests(session, statuses=("proposed",))
    return render_template("roster/leave_queue.html", month=_today().strftime("%Y-%m"), leaves=leaves,
                           swaps=swaps, checks=checks, recent=recent, offered=offered,
                           people=_people_by_id(), form=NoteForm(formdata=None),
                           seat_label=_seat_label, hits=leave_swaps.leaves_hits(session, leaves))


# --- leave ---------------------------------------------------------------------------------------------------

@bp.route("/leave/new", methods=["GET", "POST"])
@web.roles(*SEAT_HOLDERS)
def leave_new() -> Any:
    form = LeaveForm()
    codes = leave_swaps.shift_codes(web.db())
    form.shift.choices = leave_shift_choices(codes)
    if request.method == "GET":
        form.start.data = form.end.data = _today() + timedelta(days=1)
    if form.validate_on_submit() and _known_shift(form, codes):
        start, end = form.start.data, form.end.data
        single = bool(form.shift.data) and end >= start
        shifts = leave_swaps.single_shifts(start, end, form.shift.data) if single else None
        try:
            leave = leave_swaps.ask_leave(web.db(), actor=current_user.username, username=current_user.username,
                                  start=start, end=end, shifts=shifts, reason=form.reason.data or "")
        except leave_swaps.RequestError as exc:
            web.db().rollback()
            form.end.errors = [*form.end.errors, _error(exc)]
        else:
            web.db().commit()
            flash(_("Leave asked; a shift leader will decide."), "success")
            return redirect(url_for("requests.leave_detail", leave_id=leave.id))
    return render_template("roster/leave_new.html", form=form), 422 if form.errors else 200


def _known_shift(form: LeaveForm, codes: tuple[str, ...]) -> bool:
    """Whole days or one of the desk's shift types; anything else is named on the field (the form keeps it)."""
    if not form.shift.data or form.shift.data in codes:
        return True
    form.shift.choices = [*form.shift.choices, (form.shift.data, form.shift.data)]  # keep what was chosen
    form.shift.errors = [*form.shift.errors, _("This desk has no shift %(code)s; its shifts are %(codes)s.",
                                               code=form.shift.data, codes=", ".join(codes))]
    return False


@bp.route("/leave/<int:leave_id>")
@web.any_role
def leave_detail(leave_id: int) -> Any:
    leave = _leave_or_404(leave_id)
    if leave.person_id != current_user.id and not _is_decider():
        abort(403)
    session = web.db()
    return render_template("roster/leave_detail.html", leave=leave, person=session.get(Person, leave.person_id),
                           hits=leave_swaps.leave_hits(session, leave), form=NoteForm(formdata=None),
                           amendment_url=_version_url(leave.amendment_id), seat_label=_seat_label)


def _leave_action(leave_id: int, action: str) -> Any:
    _leave_or_404(leave_id)
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    session, actor, note = web.db(), current_user.username, form.note.data or ""
    try:
        if action == "approve":
            leave = leave_swaps.approve_leave(session, actor=actor, leave_id=leave_id, note=note)
        elif action == "reject":
            leave = leave_swaps.reject_leave(session, actor=actor, leave_id=leave_id, note=note)
        else:
            leave = leave_swaps.cancel_leave(session, actor=actor, leave_id=leave_id)
    except (leave_swaps.RequestError, refusals.RosterError) as exc:
        session.rollback()
        flash(_error(exc), "error")
    except (IntegrityError, OperationalError) as exc:
        _conflict(exc)
    else:
        session.commit()
        flash(_leave_flash(leave), "success")
    return redirect(url_for("requests.leave_detail", leave_id=leave_id))


def _leave_flash(leave: LeaveRequest) -> str:
    if leave.amendment_id:
        return _("Leave approved. It hits the published roster: amendment draft %(id)s is being solved.",
                 id=leave.amendment_id)
    return {"approved": _("Leave approved."), "rejected": _("Leave rejected."),
            "cancelled": _("Request cancelled.")}.get(leave.status, _("Saved."))


@bp.route("/leave/<int:leave_id>/approve", methods=["POST"])
@web.roles(*DECIDERS)
def leave_approve(leave_id: int) -> Any:
    return _leave_action(leave_id, "approve")


@bp.route("/leave/<int:leave_id>/reject", methods=["POST"])
@web.roles(*DECIDERS)
def leave_reject(leave_id: int) -> Any:
    return _leave_action(leave_id, "reject")


@bp.route("/leave/<int:leave_id>/cancel", methods=["POST"])
@web.roles(*SEAT_HOLDERS)
def leave_cancel(leave_id: int) -> Any:
    return _leave_action(leave_id, "cancel")


# --- swaps ---------------------------------------------------------------------------------------------------

def _swap_choices(form: SwapForm) -> None:
    """My coming published seats; the colleagues who can take the chosen one (or any of mine before one is chosen);
    the colleagues' seats I could take in exchange. data-* attributes let static/roster.js narrow the lists to the
    seat and colleague chosen."""
    session, today = web.db(), _today()
    end = today + timedelta(days=SWAP_HORIZON_DAYS)
    rows = versions.published_assignments(session, start=today, end=end)
    people = seat_holders.people_by_id(session)
    domain = {p.username: seat_holders.to_domain_person(p) for p in people.values()}
    usernames = {i: p.username for i, p in people.items()}
    leaves = solve_inputs.approved_leaves(session, start=today, end=end, usernames=usernames)
    options = leave_swaps.swap_options(rows, domain, current_user.username, leaves)
    keys = {leave_swaps.seat_key(a) for a in options.mine}
    chosen = {form.mine.data} & keys or keys  # a chosen seat narrows the lists on the server too
    form.mine.choices = [(leave_swaps.seat_key(a), _seat_label(a.day, a.shift, a.position)) for a in options.mine]
    names = {u: p.name for u, p in domain.items()}
    form.colleague.choices = [("", "—"), *((u, names[u], {"data-seats": " ".join(ks)}) for u, ks in sorted(
        options.takers.items(), key=lambda item: names[item[0]]) if chosen & set(ks))]
    form.theirs.choices = [("", _("(nothing: just give my shift)")), *(
        (f"{a.username}|{a.day}|{a.shift}", f"{names[a.username]} — {_seat_label(a.day, a.shift, a.position)}",
         {"data-colleague": a.username, "data-seats": " ".join(fits)})
        for a, fits in options.theirs if chosen & set(fits))]


@bp.route("/swap/new", methods=["GET", "POST"])
@web.roles(*SEAT_HOLDERS)
def swap_new() -> Any:
    form = SwapForm()
    if request.method == "GET" and request.args.get("mine"):
        form.mine.data = request.args["mine"]
    _swap_choices(form)
    if form.validate_on_submit():
        swap = _propose(form)
        if swap is not None:
            return redirect(url_for("requests.swap_detail", swap_id=swap.id))
    return render_template("roster/swap_new.html", form=form), 422 if form.errors else 200


def _propose(form: SwapForm) -> SwapRequest | None:
    """Call the service with the form's choices; errors go onto the form."""
    try:
        day_s, shift = (form.mine.data or "|").split("|", 1)
        target, target_day, target_shift = form.colleague.data or "", None, None
        if form.theirs.data:
            holder, day_t, target_shift = form.theirs.data.split("|", 2)
            if target and holder != target:
                raise leave_swaps.RequestError(
                    leave_swaps.N_("The shift to exchange is not one of the colleague's you chose."))
            target, target_day = holder, date.fromisoformat(day_t)
        if not target:
            raise leave_swaps.RequestError(
                leave_swaps.N_("Choose a colleague to give the shift to, or a shift to exchange."))
        swap = leave_swaps.propose_swap(web.db(), actor=current_user.username, day=date.fromisoformat(day_s),
                                        shift=shift,
                                        target=target, target_day=target_day, target_shift=target_shift,
                                        message=form.message.data or "", today=_today())
    except ValueError as exc:
        web.db().rollback()
        form.mine.errors = [*form.mine.errors, _error(exc) if isinstance(exc, leave_swaps.RequestError) else str(exc),
                            *_refusal_lines(exc)]
        return None
    web.db().commit()
    flash(_("Swap offered; your colleague has to accept it."), "success")
    return swap


def _check_view(swap: SwapRequest, names: dict[str, str]) -> dict[str, Any]:
    """The validator's verdict in words: {ok, problems: [(rule name, sentence)], reason}."""
    check = leave_swaps.check_swap(web.db(), swap_id=swap.id)
    if check.problem:
        return {"ok": False, "problems": [], "reason": _(check.problem)}
    problems = [leave_swaps.rule_and_sentence(v, check.inputs, names, _) for v in check.violations]
    reason = _("Approval is not possible: %(rule)s.", rule=problems[0][0]) if problems else ""
    return {"ok": check.ok, "problems": problems, "reason": reason,
            "range": (check.inputs.start, check.inputs.end) if check.inputs else None}


@bp.route("/swap/<int:swap_id>")
@web.any_role
def swap_detail(swap_id: int) -> Any:
    swap = _swap_or_404(swap_id)
    if current_user.id not in (swap.requester_id, swap.target_id) and not _is_decider():
        abort(403)
    check = _check_view(swap, seat_holders.display_names(web.db())) if swap.status in ("proposed", "accepted") else None
    return render_template("roster/swap_detail.html", swap=swap, people=_people_by_id(), check=check,
                           party=leave_swaps.is_party(current_user.id, swap),
                           form=NoteForm(formdata=None), seat_label=_seat_label,
                           version_url=_version_url(swap.amendment_id))


def _swap_action(swap_id: int, action: str) -> Any:
    _swap_or_404(swap_id)
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    session, actor, note = web.db(), current_user.username, form.note.data or ""
    calls = {"accept": lambda: leave_swaps.accept_swap(session, actor=actor, swap_id=swap_id),
             "decline": lambda: leave_swaps.decline_swap(session, actor=actor, swap_id=swap_id, note=note),
             "cancel": lambda: leave_swaps.cancel_swap(session, actor=actor, swap_id=swap_id),
             "approve": lambda: leave_swaps.approve_swap(session, actor=actor, swap_id=swap_id, note=note),
             "reject": lambda: leave_swaps.reject_swap(session, actor=actor, swap_id=swap_id, note=note)}
    try:
        swap = calls[action]()
    except (leave_swaps.RequestError, refusals.RosterError) as exc:
        session.rollback()
        flash(_error(exc), "error")
        for line in _refusal_lines(exc):
            flash(line, "error")
    except (IntegrityError, OperationalError) as exc:
        _conflict(exc)
    else:
        session.commit()
        flash(_swap_flash(swap), "success")
    return redirect(url_for("requests.swap_detail", swap_id=swap_id))


def _swap_flash(swap: SwapRequest) -> str:
    return {"accepted": _("Swap accepted; a shift leader will decide."), "declined": _("Swap declined."),
            "cancelled": _("Request cancelled."), "rejected": _("Swap rejected."),
            "approved": _("Swap approved and published.")}.get(swap.status, _("Saved."))


@bp.route("/swap/<int:swap_id>/accept", methods=["POST"])
@web.roles(*SEAT_HOLDERS)
def swap_accept(swap_id: int) -> Any:
    return _swap_action(swap_id, "accept")


@bp.route("/swap/<int:swap_id>/decline", methods=["POST"])
@web.roles(*SEAT_HOLDERS)
def swap_decline(swap_id: int) -> Any:
    return _swap_action(swap_id, "decline")


@bp.route("/swap/<int:swap_id>/cancel", methods=["POST"])
@web.roles(*SEAT_HOLDERS)
def swap_cancel(swap_id: int) -> Any:
    return _swap_action(swap_id, "cancel")


@bp.route("/swap/<int:swap_id>/approve", methods=["POST"])
@web.roles(*DECIDERS)
def swap_approve(swap_id: int) -> Any:
    return _swap_action(swap_id, "approve")


@bp.route("/swap/<int:swap_id>/reject", methods=["POST"])
@web.roles(*DECIDERS)
def swap_reject(swap_id: int) -> Any:
    return _swap_action(swap_id, "reject")


# --- calendar feed and downloads -----------------------------------------------------------------------------

@files_bp.route("/feed/<token>.ics")
@web.public
def feed(token: str) -> Any:
    session = web.db()
    person = leave_swaps.person_for_token(session, token)
    if person is None:
        abort(404)
    with force_locale(person.language or DEFAULT_LANGUAGE):  # a calendar app sends no useful language
        words = leave_swaps.export_words(_)
    body = leave_swaps.person_feed(session, person=person, today=_today(), tz=web.settings().timezone, words=words)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="duty-{person.username}.ics"', "Cache-Control": "no-cache"})


@files_bp.route("/calendar")
@web.roles(*SEAT_HOLDERS)
def calendar() -> Any:
    return _calendar_page(None)


def _calendar_page(secret: str | None) -> Any:
    """The calendar page; the feed address only right after it was made (only its hash is kept)."""
    token = leave_swaps.feed_token(web.db(), person_id=current_user.id)
    url = url_for("roster_files.feed", token=secret, _external=True) if secret else None
    webcal = url.replace("http", "webcal", 1).replace("webcals://", "webcal://") if url else None
    return render_template("roster/calendar.html", feed_url=url, webcal=webcal, form=NoteForm(formdata=None),
                           created=token.created_at if token else None)


@files_bp.route("/calendar/regenerate", methods=["POST"])
@web.roles(*SEAT_HOLDERS)
def calendar_regenerate() -> Any:
    if not NoteForm().validate_on_submit():
        abort(400)
    secret = leave_swaps.regenerate_feed_token(web.db(), actor=current_user.username, person_id=current_user.id)
    web.db().commit()
    flash(_("New calendar address made; any older one no longer works. Copy it now: it is shown only once."),
          "success")
    return _calendar_page(secret)  # rendered, never redirected: the address must not sit in a cookie or a URL


@files_bp.route("/export")
@web.roles(*DECIDERS)
def export() -> Any:
    fmt = request.args.get("format", "xlsx")
    try:
        first = date.fromisoformat((request.args.get("month") or _today().strftime("%Y-%m")) + "-01")
    except ValueError:
        abort(400, description=_("Give the month as YYYY-MM."))
    if not in_desk_range(first):
        abort(400, description=_("Dates must lie between the years 2000 and 2100."))
    if fmt not in ("csv", "xlsx"):
        abort(400, description=_("Export as csv or xlsx."))
    last = grid.month_bounds(first)[1]
    data, _seats = leave_swaps.export_published(web.db(), start=first, end=last, fmt=fmt, tz=web.settings().timezone,
                                        words=leave_swaps.export_words(_))  # the request's language
    return Response(data, mimetype=leave_swaps.EXPORT_TYPES[fmt].split(";")[0], headers={
        "Content-Disposition": f'attachment; filename="roster-{first:%Y-%m}.{fmt}"'})
