"""Roster pages: the month grid, my shifts, on duty, generate/review/edit/publish drafts, amendments, history,
settings. Drafts are solved by the scheduler process (roster.jobs); the draft page polls until the solve is done.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, OperationalError

from desk import features, web
from desk.forms import ConfirmForm
from desk.timeutil import in_desk_range, utcnow
from roster import (
    clock,
    concurrency,
    drafts,
    duty_lookup,
    grid,
    hand_edits,
    holiday_store,
    preferences,
    publishing,
    refusals,
    seat_holders,
    settings_store,
    solve_inputs,
    stored_text,
    versions,
    words,
)
from roster.domain import POSITIONS, TEAMS, Leave, Member, Pattern, Weights
from roster.forms import AmendForm, GenerateForm, PreferenceForm, PresetForm, SeatForm, SettingsForm
from roster.models import RosterVersion
from roster.patterns import default_offsets
from roster.settings_store import SettingsError

bp = Blueprint("roster", __name__, url_prefix="/roster")
LEADS = ("leader", "manager")
SHIFT_LABELS = {"D": _l("Day"), "E": _l("Evening"), "N": _l("Night")}
POSITION_LABELS = {k: _l(v) for k, v in words.SEAT_NAMES.items()}
RULE_LABELS = {k: _l(v) for k, v in words.SOFT_RULE_NAMES.items()}
STATUS_LABELS = {"draft": _l("draft"), "published": _l("published"), "superseded": _l("superseded"),
                 "discarded": _l("discarded")}


NAV = (features.nav("roster.month", _l("Roster"), ("manager", "leader", "watcher"), order=10),
       features.nav("roster.mine", _l("My shifts"), ("leader", "watcher"), order=11),
       features.nav("roster.versions", _l("Roster versions"), LEADS, order=13),
       features.nav("roster.oncall", _l("On duty"), ("manager", "leader", "watcher"), order=16))


def _shift_starts(session) -> dict[str, Any]:
    """What the grid's legend says about the shifts: the desk's shift types with their hours."""
    row = settings_store.load(session)
    shifts = settings_store.shift_types(row)
    hours = [(s.code, f"{s.start:%H:%M}", f"{s.ends_at(date(2000, 1, 3)):%H:%M}") for s in shifts]
    return {"day_start": row.day_start, "night_start": row.night_start, "shift_hours": hours}


@bp.app_template_filter("person_name")
def _person_name(username: str | None) -> str:
    """A person's display name for a stored username ("cli", "system" and the departed stay as stored)."""
    if not username:
        return ""
    if "roster_names" not in g:
        g.roster_names = seat_holders.display_names(web.db())  # once per request
    return g.roster_names.get(username, username)


@bp.app_template_filter("progress_text")
def _progress_text(raw: str | None) -> str:
    return stored_text.progress_text(raw, _)


@bp.app_template_filter("version_note")
def _version_note(raw: str | None) -> str:
    return stored_text.note_text(raw, _)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"shift_labels": SHIFT_LABELS, "position_labels": POSITION_LABELS, "rule_labels": RULE_LABELS,
            "version_status_labels": STATUS_LABELS}


def _tz():
    return web.settings().tz


def _today() -> date:
    return clock.today(_tz())


def _parse_month(raw: str | None) -> date:
    try:
        first = datetime.strptime(raw, "%Y-%m").date() if raw else _today().replace(day=1)
    except ValueError:
        abort(400, description=_("A month is written YYYY-MM."))
    if not in_desk_range(first):
        abort(400, description=_("Dates must lie between the years 2000 and 2100."))
    return first


def _grid_people(session, start: date, end: date) -> tuple[list[Member], tuple[Leave, ...]]:
    """The people and the approved leave a grid over ``start``..``end`` shows (engine types)."""
    people = seat_holders.people_by_id(session)
    leaves = solve_inputs.approved_leaves(session, start=start, end=end,
                                     usernames={i: p.username for i, p in people.items()})
    return [seat_holders.to_domain_person(p) for p in people.values()], leaves


def _grid(session, assignments, start: date, end: date) -> grid.Grid:
    return grid.build(assignments, *_grid_people(session, start, end), start, end, holiday_store.calendar(session))


def _month_grids(session, assignments, start: date, end: date) -> list[grid.Grid]:
    """One grid per calendar month of ``start``..``end`` (a 排班表 is read a month at a time)."""
    people, leaves = _grid_people(session, start, end)  # read once, not once per month
    calendar = holiday_store.calendar(session)
    out, first = [], start
    while first <= end:
        last = min(grid.month_bounds(first)[1], end)
        out.append(grid.build([a for a in assignments if first <= a.day <= last], people, leaves, first, last,
                              calendar))
        first = last + timedelta(days=1)
    return out


# --- views for everyone ------------------------------------------------------------------------------------------

@bp.route("/")
@web.any_role
def month() -> Any:
    session = web.db()
    first, last = grid.month_bounds(_parse_month(request.args.get("month")))
    rows = versions.published_assignments(session, start=first, end=last)
    numbers = sorted(set(versions.published_days(session, start=first, end=last).values()))
    open_drafts = versions.drafts(session, start=first, end=last) if current_user.role in LEADS else []
    month_grid = _grid(session, rows, first, last)
    return render_template("roster/month.html", grid=month_grid, numbers=numbers, drafts=open_drafts,
                           unknown_years=month_grid.unknown_years,
                           prev_month=(first - timedelta(days=1)).strftime("%Y-%m"),
                           next_month=(last + timedelta(days=1)).strftime("%Y-%m"), today=_today(),
                           amend=AmendForm(formdata=None, start=first, end=last), **_shift_starts(session))


@bp.route("/mine")
@web.any_role
def mine() -> Any:
    session = web.db()
    start = _today()
    end = start + timedelta(days=62)
    rows = [a for a in versions.published_assignments(session, start=start - timedelta(days=7), end=end)
            if a.username == current_user.username]
    shifts = settings_store.current(session).shifts
    defs = {s.code: s for s in shifts}
    items = [{"a": a, "starts": defs[a.shift].starts_at(a.day), "ends": defs[a.shift].ends_at(a.day),
              "past": a.day < start} for a in rows if a.shift in defs]
    prefs = preferences.preferences_of(session, person_id=current_user.id)
    return render_template("roster/mine.html", items=items, start=start - timedelta(days=7), end=end, prefs=prefs,
                           leaves=_my_leave(session, start - timedelta(days=7), end),
                           pref_form=PreferenceForm(formdata=None), confirm=ConfirmForm(),
                           nights=sum(1 for i in items if i["a"].shift == "N" and not i["past"]))


def _my_leave(session, start: date, end: date) -> list:
    """The reader's own leave, asked or approved, over ``start``..``end`` (oldest first)."""
    from roster.leave_swaps import leave_requests

    mine = leave_requests(session, person_id=current_user.id)
    return sorted((lv for lv in mine if lv.status in ("pending", "approved") and lv.start <= end and lv.end >= start),
                  key=lambda lv: lv.start)


@bp.route("/mine/wishes", methods=["POST"])
@web.any_role
def add_wish() -> Any:
    form = PreferenceForm()
    if not form.validate_on_submit():
        flash(_("Choose either a date or a weekday."), "error")
        return redirect(url_for("roster.mine", _anchor="wishes"))
    try:
        preferences.add_preference(web.db(), actor=current_user.username, person_id=current_user.id,
                               wanted=form.wanted.data == "1", day=None if form.weekday.data else form.day.data,
                               weekday=int(form.weekday.data) if form.weekday.data else None,
                               shift=form.shift.data or None, weight=int(form.weight.data))
    except refusals.RosterError as exc:
        web.db().rollback()
        flash(_(exc.message, **exc.params), "error")
    else:
        web.db().commit()
        flash(_("Wish saved: the next rosters honour it where the rules allow."), "success")
    return redirect(url_for("roster.mine", _anchor="wishes"))


@bp.route("/mine/wishes/<int:preference_id>/delete", methods=["POST"])
@web.any_role
def delete_wish(preference_id: int) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    try:
        preferences.delete_preference(web.db(), actor=current_user.username, person_id=current_user.id,
                                  preference_id=preference_id)
    except refusals.RosterError as exc:
        abort(404, description=_(exc.message))
    web.db().commit()
    flash(_("Wish removed."), "info")
    return redirect(url_for("roster.mine", _anchor="wishes"))


def duty_panel(session, person) -> dict[str, Any]:
    """The home page panel: who is on duty now and next."""
    now = clock.now()
    return {"template": "roster/_duty_panel.html", "duty_now": duty_lookup.on_duty_at(session, at=now),
            "duty_next": duty_lookup.next_on_duty_at(session, at=now),
            "duty_names": seat_holders.display_names(session)}


@bp.route("/oncall")
@web.any_role
def oncall() -> Any:
    session = web.db()
    return render_template("roster/oncall.html", panel=duty_panel(session, current_user))


# --- drafts: generate, review, edit, publish ---------------------------------------------------------------------

@bp.route("/generate", methods=["GET", "POST"])
@web.roles(*LEADS)
def generate() -> Any:
    form = GenerateForm()
    if request.method == "GET":
        first = (_today().replace(day=1) + timedelta(days=32)).replace(day=1)
        form.start.data, form.end.data = first, grid.month_bounds(first)[1]
        if request.args.get("month"):
            form.start.data, form.end.data = grid.month_bounds(_parse_month(request.args["month"]))
    error = None
    if form.validate_on_submit():
        try:
            version = drafts.create_draft(web.db(), actor=current_user.username, start=form.start.data,
                                           end=form.end.data, note=form.note.data or "")
        except refusals.RosterError as exc:
            web.db().rollback()
            error = _(exc.message, **exc.params)
        else:
            web.db().commit()
            return redirect(url_for("roster.version", version_id=version.id))
    status = 422 if (form.errors or error) else 200
    return render_template("roster/generate.html", form=form, error=error), status


@bp.route("/amend", methods=["POST"])
@web.roles(*LEADS)
def amend() -> Any:
    form = AmendForm()
    if not form.validate_on_submit():
        flash(_("Give the period and the reason of the amendment."), "error")
        return redirect(url_for("roster.month"))
    try:
        version = drafts.open_amendment(web.db(), actor=current_user.username, start=form.start.data,
                                         end=form.end.data, reason=form.note.data or "")
    except refusals.RosterError as exc:
        web.db().rollback()
        flash(_(exc.message, **exc.params), "error")
        return redirect(url_for("roster.month"))
    web.db().commit()
    return redirect(url_for("roster.version", version_id=version.id))


def _version_or_404(version_id: int) -> RosterVersion:
    version = web.db().get(RosterVersion, version_id)
    if version is None:
        abort(404, description=_("No such roster version."))
    return version


@bp.route("/versions", endpoint="versions")
@web.roles(*LEADS)
def version_list() -> Any:
    return render_template("roster/versions.html", versions=versions.history(web.db()))


@bp.route("/versions/<int:version_id>")
@web.roles(*LEADS)
def version(version_id: int) -> Any:
    return _version_page(_version_or_404(version_id))


def _seat_form(session, v: RosterVersion, posted: bool = False) -> SeatForm:
    """The hand-edit form: empty (the period's first day), or as posted (a refused edit keeps what was chosen)."""
    seat = SeatForm() if posted else SeatForm(formdata=None, day=v.start)
    seat.username.choices = [(p.username, p.display_name) for p in sorted(
        seat_holders.people_by_id(session).values(), key=lambda p: p.username) if p.active]
    seat.shift.choices = [(s.code, SHIFT_LABELS.get(s.code, s.code))
                          for s in settings_store.shift_types(settings_store.load(session))]
    return seat


def _version_page(v: RosterVersion, seat: SeatForm | None = None, status: int = 200) -> Any:
    session = web.db()
    names = seat_holders.display_names(session)
    rows = versions.version_assignments(session, version_id=v.id)
    changes = versions.version_diff(session, version_id=v.id) if v.job_status != "running" else []
    grids = _month_grids(session, rows, v.start, v.end) if rows else []
    return render_template(
        "roster/version.html", v=v, names=names, grids=grids,
        unknown_years=sorted({y for g in grids for y in g.unknown_years}),
        changes=changes, costs=words.cost_lines(v.cost_breakdown, names, words.babel()),
        seat=seat or _seat_form(session, v),
        confirm=ConfirmForm(), substitutes=sum(1 for a in rows if a.source == "substitute"), seats=len(rows),
        pinned=sum(1 for a in rows if a.source == "pinned"),
        proof=words.proof_note(v.solver_status, v.stage, v.hand_edits, words.babel()),
        baseline=versions.has_baseline(session, version=v),
        stalled=v.job_status == "queued" and (utcnow() - v.created_at).total_seconds() > 30,
        base=session.get(RosterVersion, v.base_version_id) if v.base_version_id else None,
        explanation=words.explanation_lines(v.explanation, words.babel()) if v.explanation else [],
        warnings=[words.warning(w, words.babel()) for w in v.warnings or []],
        **_shift_starts(session)), status


@bp.route("/versions/<int:version_id>/status")
@web.roles(*LEADS)
def version_status(version_id: int) -> Any:
    v = _version_or_404(version_id)
    return jsonify({"id": v.id, "job_status": v.job_status, "progress": _progress_text(v.progress), "status": v.status,
                    "solver_status": v.solver_status})


def _problem_lines(exc: refusals.RosterError) -> list[str]:
    """The broken hard rules of a refused action in the reader's words (the swap pages' wording)."""
    if not exc.violations or exc.inputs is None:
        return exc.problems
    from roster.leave_swaps import rule_and_sentence

    names = {p.username: p.name for p in exc.inputs.people}
    return [f"{rule}: {sentence}" for rule, sentence in (rule_and_sentence(v, exc.inputs, names, _)
                                                          for v in exc.violations)]


def _act(version_id: int, action) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    _version_or_404(version_id)
    try:
        done = action(web.db(), actor=current_user.username, version_id=version_id)
        web.db().flush()
    except (IntegrityError, OperationalError) as exc:
        if not concurrency.is_write_conflict(exc):
            raise
        web.db().rollback()
        flash(_("Someone else changed the roster at the same moment; try again."), "error")
        return None
    except refusals.RosterError as exc:
        web.db().rollback()
        params = {k: str(STATUS_LABELS.get(v, v)) if k == "status" else v for k, v in exc.params.items()}
        flash(_(exc.message, **params), "error")
        for line in _problem_lines(exc):
            flash(line, "error")
        return None
    web.db().commit()
    return done


@bp.route("/versions/<int:version_id>/publish", methods=["POST"])
@web.roles(*LEADS)
def publish(version_id: int) -> Any:
    v = _act(version_id, publishing.publish)
    if v is not None:
        flash(_("Published as version %(number)s.", number=v.number), "success")
    return redirect(url_for("roster.version", version_id=version_id))


@bp.route("/versions/<int:version_id>/discard", methods=["POST"])
@web.roles(*LEADS)
def discard(version_id: int) -> Any:
    if _act(version_id, drafts.discard) is not None:
        flash(_("The draft is discarded."), "info")
    return redirect(url_for("roster.version", version_id=version_id))


@bp.route("/versions/<int:version_id>/resolve", methods=["POST"])
@web.roles(*LEADS)
def resolve(version_id: int) -> Any:
    if _act(version_id, drafts.requeue) is not None:
        flash(_("The draft is queued to be solved again, keeping the seats edited by hand."), "info")
    return redirect(url_for("roster.version", version_id=version_id))


@bp.route("/versions/<int:version_id>/seat", methods=["POST"])
@web.roles(*LEADS)
def edit_seat(version_id: int) -> Any:
    v = _version_or_404(version_id)
    form = _seat_form(web.db(), v, posted=True)
    if not form.validate_on_submit():
        flash(_("Choose a date, a shift, a seat and a person."), "error")
        return _version_page(v, form, 422)
    try:
        hand_edits.edit_seat(web.db(), actor=current_user.username, version_id=version_id, day=form.day.data,
                          shift=form.shift.data, position=form.position.data, username=form.username.data)
    except refusals.RosterError as exc:
        web.db().rollback()
        flash(_("Not changed: %(why)s", why=_(exc.message, **exc.params)), "error")
        for line in _problem_lines(exc):
            flash(line, "error")
        return _version_page(_version_or_404(version_id), form, 422)  # the form keeps what was chosen
    web.db().commit()
    flash(_("Seat changed and pinned."), "success")
    return redirect(url_for("roster.version", version_id=version_id, _anchor="edit"))


# --- settings ----------------------------------------------------------------------------------------------------

def _settings_form(row) -> SettingsForm:
    form = SettingsForm(formdata=None)
    preset = row.pattern_code if row.pattern_code in ("DNOO", "DDNNOOOO") else ("none" if not row.pattern_code
                                                                              else "custom")
    form.pattern.data, form.custom.data, form.anchor.data = preset, row.pattern_code, row.anchor
    for t in settings_store.FIVE_TEAMS:
        getattr(form, f"offset_{t}").data = row.offsets.get(t, 0 if t in TEAMS else None)
    form.day_start.data, form.night_start.data = row.day_start, row.night_start
    for q in POSITIONS:
        getattr(form, f"cov_{q}").data = int(row.coverage.get(q, 1))
    for key in ("min_rest_hours", "max_consecutive", "window_days", "max_shifts_in_window"):
        getattr(form, key).data = row.rules.get(key)
    weights = {**settings_store.default_rules()["weights"], **(row.rules.get("weights") or {})}
    for key in Weights.__dataclass_fields__:
        getattr(form, f"w_{key}").data = weights[key]
    _rule_texts_into(form, row)
    return form


def _rule_texts_into(form: SettingsForm, row) -> None:
    """The shift types, forbidden successions and limits as the lines the leader edits."""
    rules = row.rules or {}
    form.shift_types.data = settings_store.shift_types_text(settings_store.shift_types(row)) if rules.get(
        "shift_types") else ""
    forbidden = rules.get("forbidden")
    form.forbidden.data = settings_store.forbidden_text([["N", "D"]] if forbidden is None else forbidden)
    form.limits.data = "\n".join(settings_store.limit_text(x) for x in rules.get("limits") or ())


def rotation_preview(code: str, anchor: date, offsets: dict[str, Any], start: date,
                     days: int = 8) -> list[tuple[str, list[str]]]:
    """Each team's letters (its shift type, or O) on ``days`` days from ``start`` by the saved pattern: what the
    settings mean, shown instead of the formula. Empty without a rotation."""
    teams = [t for t in settings_store.FIVE_TEAMS if t in offsets]
    if not code or not teams:
        return []
    pattern = Pattern(code, anchor, {t: int(offsets[t]) for t in teams})
    return [(t, [pattern.shift_of(t, start + timedelta(days=i)) for i in range(days)]) for t in teams]


def _pattern_code(form: SettingsForm) -> str:
    if form.pattern.data == "none":
        return ""
    code = (form.custom.data if form.pattern.data == "custom" else form.pattern.data) or ""
    return code.strip().upper()


def _offsets(form: SettingsForm, code: str, saved) -> dict[str, int]:
    teams = settings_store.FIVE_TEAMS if form.offset_E.data is not None else TEAMS
    offsets = {t: getattr(form, f"offset_{t}").data for t in teams}
    # a new pattern with the old pattern's offsets untouched: the old offsets mean nothing for it
    untouched = code != saved.pattern_code and offsets == {t: saved.offsets.get(t, -1) for t in teams}
    if code and (form.default_offsets.data or untouched):
        return default_offsets(code, teams)
    return offsets


def _rule_texts(form: SettingsForm, saved) -> dict[str, Any]:
    """Shift types, forbidden successions and limits parsed from their lines; SettingsError names a bad line."""
    parsed = {"shift_types": settings_store.parse_shift_types(form.shift_types.data or ""),
              "forbidden": settings_store.parse_forbidden(form.forbidden.data or ""),
              "limits": settings_store.parse_limits(form.limits.data or "")}
    bad = [(k, v) for k, v in parsed.items() if isinstance(v, settings_store.Problem)]
    if bad:
        raise SettingsError(bad)
    kept = {k: saved.rules[k] for k in ("preset", "weekdays_only") if k in (saved.rules or {})}
    return {**kept, **parsed}


def _settings_values(form: SettingsForm, saved) -> dict[str, Any]:
    code = _pattern_code(form)
    rules = {k: getattr(form, k).data for k in ("min_rest_hours", "max_consecutive", "window_days",
                                                  "max_shifts_in_window")}
    rules["weights"] = {k: getattr(form, f"w_{k}").data for k in Weights.__dataclass_fields__}
    rules.update(_rule_texts(form, saved))
    return {"pattern_code": code, "anchor": form.anchor.data, "offsets": _offsets(form, code, saved),
            "day_start": (form.day_start.data or "").strip(), "night_start": (form.night_start.data or "").strip(),
            "coverage": {q: getattr(form, f"cov_{q}").data for q in POSITIONS}, "rules": rules}


def _problem_text(message: Any) -> str:
    if isinstance(message, settings_store.Problem):
        return _(message.msgid) % message.params
    return words.pattern_problem(message, words.babel())


def _preset_form() -> PresetForm:
    form = PresetForm()
    form.preset.choices = [(k, _(v)) for k, v in settings_store.PRESET_NAMES.items()]
    return form


@bp.route("/settings", methods=["GET", "POST"])
@web.roles(*LEADS)
def settings() -> Any:
    row = settings_store.load(web.db())
    form = SettingsForm() if request.method == "POST" else _settings_form(row)
    problems: list[tuple[str, str]] = []
    if form.validate_on_submit():
        try:
            settings_store.save(web.db(), actor=current_user.username, values=_settings_values(form, row))
        except SettingsError as exc:
            web.db().rollback()
            problems = [(rule, _problem_text(message)) for rule, message in exc.problems]
        else:
            web.db().commit()
            flash(_("Roster settings saved. They apply to the next roster you generate."), "success")
            return redirect(url_for("roster.settings"))
    status = 422 if (form.errors or problems) else 200
    return _settings_page(row, form, problems), status


def _settings_page(row, form: SettingsForm, problems: list[tuple[str, str]]) -> str:

    rule_names = {k: _(v) for k, v in words.HARD_RULE_NAMES.items()}
    today = _today()
    presets = _preset_form()
    presets.preset.data = (row.rules or {}).get("preset", "4x2")
    return render_template("roster/settings.html", form=form, problems=problems, hard_rules=rule_names,
                           saved=row, weights=list(Weights.__dataclass_fields__), preset_form=presets,
                           shifts=settings_store.shift_types(row),
                           preview=rotation_preview(row.pattern_code, row.anchor, row.offsets, today),
                           preview_days=[today + timedelta(days=i) for i in range(8)])


@bp.route("/settings/preset", methods=["POST"])
@web.roles(*LEADS)
def settings_preset() -> Any:
    form = _preset_form()
    if not form.validate_on_submit():
        flash(_("Choose one of the presets."), "error")
        return redirect(url_for("roster.settings"))
    try:
        settings_store.apply_preset(web.db(), actor=current_user.username, name=form.preset.data)
    except SettingsError as exc:
        web.db().rollback()
        for rule, message in exc.problems:
            flash(f"{rule}: {_problem_text(message)}", "error")
        return redirect(url_for("roster.settings"))
    web.db().commit()
    flash(_("Preset %(name)s applied. It applies to the next roster you generate.",
            name=_(settings_store.PRESET_NAMES[form.preset.data])), "success")
    return redirect(url_for("roster.settings"))
