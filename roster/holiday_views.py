"""The desk's holiday calendar page (/roster/holidays): the year's public holidays and make-up workdays, from the
chinese_calendar library and the desk's own entries, which managers add, change, remove and import from CSV."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from desk import features, web
from desk.timeutil import to_local, utcnow
from roster import holiday_file, holiday_store, holidays
from roster.holidays import Override

bp = Blueprint("holidays", __name__, url_prefix="/roster/holidays")
NAV = (features.nav("holidays.index", _l("Holidays"), ("manager",), order=85),)
MAX_FILE_BYTES = 256 * 1024
WEEKDAY_NAMES = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
# chinese_calendar names its holidays in English; the reader sees them in their language (desk entries as typed).
LIBRARY_NAMES = {"New Year's Day": _l("New Year's Day"), "Spring Festival": _l("Spring Festival"),
                 "Tomb-sweeping Day": _l("Tomb-sweeping Day"), "Labour Day": _l("Labour Day"),
                 "Dragon Boat Festival": _l("Dragon Boat Festival"), "National Day": _l("National Day"),
                 "Mid-autumn Festival": _l("Mid-autumn Festival"),
                 "Anti-Fascist 70th Day": _l("Anti-Fascist War Victory 70th Anniversary")}
KIND_CHOICES = [("holiday", _l("Public holiday")), ("workday", _l("Make-up workday"))]


def _in_range(_form: Any, field: Any) -> None:
    if field.data and not holiday_file.FIRST_YEAR <= field.data.year <= holiday_file.LAST_YEAR:
        raise ValidationError(_l("Choose a date between 2000 and 2100."))


def _plain_name(_form: Any, field: Any) -> None:
    if not holiday_file.name_ok(field.data or ""):
        raise ValidationError(_l("A name may not start with = + - @ or hold control characters."))


class DayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(), _in_range])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    name = StringField(_l("Holiday name"), validators=[Optional(), Length(max=holiday_file.MAX_NAME), _plain_name])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


class RemoveForm(FlaskForm):
    day = HiddenField(validators=[DataRequired()])


@bp.app_template_filter("holiday_name")
def holiday_name(name: str | None) -> str:
    """A holiday's name in the reader's language (the library's English names translated)."""
    return str(LIBRARY_NAMES.get(name or "", name or ""))


def problem_text(problem: holiday_file.FileProblem) -> str:
    """One line's problem in the reader's language."""
    p = problem.params
    texts = {
        "columns": lambda: _("expected date,kind,name but found %(count)s columns", count=p["count"]),
        "bad_date": lambda: _("'%(value)s' is not a date (YYYY-MM-DD)", value=p["value"]),
        "date_range": lambda: _("%(value)s is outside %(first)s–%(last)s", **p),
        "bad_kind": lambda: _("'%(value)s' is neither holiday nor workday", value=p["value"]),
        "long_name": lambda: _("the name is longer than %(limit)s characters", limit=p["limit"]),
        "bad_name": lambda: _("a name may not start with = + - @ or hold control characters"),
        "duplicate": lambda: _("%(date)s is already on line %(first)s", **p),
        "too_many": lambda: _("more than %(limit)s lines", limit=p["limit"]),
        "empty": lambda: _("the file has no days"),
    }
    text = texts[problem.code]()
    return _("line %(line)s: %(text)s", line=problem.line, text=text) if problem.line else text


def _year() -> int:
    """The year asked for (the forms post it back too), else this year in the desk's zone."""
    default = to_local(utcnow(), web.settings().tz).year  # type: ignore[union-attr]
    raw = request.args.get("year", "") or request.form.get("year", "")
    year = int(raw) if raw.isdigit() and len(raw) == 4 else default
    return min(max(year, holiday_file.FIRST_YEAR), holiday_file.LAST_YEAR)


def _page(year: int, form: DayForm | None = None, upload: ImportForm | None = None,
          problems: list[str] | None = None, status: int = 200) -> Any:
    year = min(max(year, holiday_file.FIRST_YEAR), holiday_file.LAST_YEAR)  # a refused 9999-12-31 shows 2100
    calendar = holiday_store.calendar(web.db())
    return render_template(
        "holidays/index.html", year=year, days=holidays.special_days(calendar, year),
        library_knows=holidays.library_knows(year), desk_count=sum(d.year == year for d in calendar.overrides),
        form=form or DayForm(formdata=None), upload=upload or ImportForm(formdata=None), remove=RemoveForm(),
        problems=problems or [], can_edit=current_user.role == "manager", weekday_names=WEEKDAY_NAMES,
    ), status


@bp.route("/")
@web.any_role
def index() -> Any:
    return _page(_year())


@bp.route("/day", methods=["POST"])
@web.roles("manager")
def set_day() -> Any:
    form = DayForm()
    if not form.validate():
        return _page(form.day.data.year if form.day.data else _year(), form=form, status=400)
    day = Override(form.day.data, form.kind.data, (form.name.data or "").strip())
    holiday_store.set_day(web.db(), actor=current_user.username, day=day)
    web.db().commit()
    flash(_("%(day)s saved in the desk's calendar.", day=day.day.isoformat()), "success")
    return redirect(url_for("holidays.index", year=day.day.year))


@bp.route("/remove", methods=["POST"])
@web.roles("manager")
def remove_day() -> Any:
    form = RemoveForm()
    day = holiday_file.parse_day(form.day.data or "") if form.validate() else None
    if day is None:
        return _page(_year(), problems=[_("Choose a day to remove.")], status=400)
    if holiday_store.remove_day(web.db(), actor=current_user.username, day=day):
        web.db().commit()
        flash(_("%(day)s removed: the library's calendar stands for it again.", day=day.isoformat()), "success")
    else:
        flash(_("%(day)s has no entry of the desk's own.", day=day.isoformat()), "info")
    return redirect(url_for("holidays.index", year=day.year))


@bp.route("/import", methods=["POST"])
@web.roles("manager")
def import_file() -> Any:
    upload = ImportForm()
    if not upload.validate():
        return _page(_year(), upload=upload, status=400)
    data = upload.file.data.read(MAX_FILE_BYTES + 1)
    days, problems = _parse_upload(data)
    if problems:
        return _page(_year(), upload=upload, problems=problems, status=400)
    added, changed = holiday_store.import_days(web.db(), actor=current_user.username, days=days,
                                               source=upload.file.data.filename or "")
    web.db().commit()
    flash(_("Imported %(days)s days: %(added)s new, %(changed)s changed.", days=len(days), added=added,
            changed=changed), "success")
    return redirect(url_for("holidays.index", year=min(d.day.year for d in days)))


def _parse_upload(data: bytes) -> tuple[list[Override], list[str]]:
    if len(data) > MAX_FILE_BYTES:
        return [], [_("The file is larger than %(kb)s KB.", kb=MAX_FILE_BYTES // 1024)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [_("The file is not UTF-8 text.")]
    days, problems = holiday_file.parse_csv(text)
    return days, [problem_text(p) for p in problems]


@bp.route("/export.csv")
@web.any_role
def export() -> Any:
    days = holiday_store.desk_days(web.db())
    return Response(holiday_file.to_csv(days), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=desk-holidays.csv"})
