"""Flask-WTF forms of the roster pages (each carries its CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from desk import web
from desk.forms import WholeRange
from desk.timeutil import in_desk_range
from roster import settings_store, words
from roster.domain import ShiftDef, Weights

PATTERN_CHOICES = [("DNOO", _l("DNOO: day, night, off, off (4-day cycle)")),
                   ("DDNNOOOO", _l("DDNNOOOO: two days, two nights, four off (8-day cycle)")),
                   ("custom", _l("Custom pattern")),
                   ("none", _l("No rotation (the solver decides every seat)"))]
SHIFT_CHOICES = [(k, _l(v)) for k, v in words.SHIFT_NAMES.items()]
POSITION_CHOICES = [(k, _l(v)) for k, v in words.SEAT_NAMES.items()]
WEIGHT_LABELS = {
    "substitution": _l("Substitution (someone off their own pattern)"),
    "pattern_release": _l("Pattern shift not worked"),
    "fair_nights": _l("Fair share of nights"),
    "fair_weekends": _l("Fair share of weekend shifts"),
    "fair_holidays": _l("Fair share of public-holiday shifts"),
    "fair_substitutions": _l("Fair share of substitutions"),
    "preference": _l("Personal wish not honoured"),
    "change": _l("Seat changed against the published roster"),
    "change_added": _l("Seat added against the published roster"),
}


def in_range(_form: Any, field: Any) -> None:
    """A date field's value must lie within the years the desk accepts (desk.timeutil.in_desk_range)."""
    if field.data is not None and not in_desk_range(field.data):
        raise ValidationError(_("Dates must lie between the years 2000 and 2100."))


class GenerateForm(FlaskForm):
    start = DateField(_l("First day"), validators=[DataRequired(), in_range])
    end = DateField(_l("Last day"), validators=[DataRequired(), in_range])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class AmendForm(FlaskForm):
    start = DateField(_l("First day"), validators=[DataRequired(), in_range])
    end = DateField(_l("Last day"), validators=[DataRequired(), in_range])
    note = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class SeatForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(), in_range])
    shift = SelectField(_l("Shift"), choices=SHIFT_CHOICES)
    position = SelectField(_l("Seat"), choices=POSITION_CHOICES)
    username = SelectField(_l("Person"), choices=[], validate_choice=False)


def _count(label, lo: int = 0, hi: int = 400, required: bool = True) -> IntegerField:
    checks = [InputRequired() if required else Optional(), WholeRange(min=lo, max=hi)]
    return IntegerField(label, validators=checks)


class SettingsForm(FlaskForm):
    pattern = SelectField(_l("Rotation pattern"), choices=PATTERN_CHOICES)
    custom = StringField(_l("Custom pattern (D, N and O)"), validators=[Optional(), Length(max=32)])
    anchor = DateField(_l("Anchor date"), validators=[DataRequired(), in_range])
    default_offsets = BooleanField(_l("Spread the teams automatically (default offsets)"))
    offset_A = _count(_l("Team A offset"), 0, 31)
    offset_B = _count(_l("Team B offset"), 0, 31)
    offset_C = _count(_l("Team C offset"), 0, 31)
    offset_D = _count(_l("Team D offset"), 0, 31)
    offset_E = _count(_l("Team E offset (five teams only)"), 0, 31, required=False)
    day_start = StringField(_l("Day shift starts"), validators=[DataRequired(), Length(max=5)])
    night_start = StringField(_l("Night shift starts"), validators=[DataRequired(), Length(max=5)])
    cov_leader = _count(_l("Shift leaders per shift"), 1, 9)
    cov_info = _count(_l("Information watchers per shift"), 1, 9)
    cov_comms = _count(_l("Communications watchers per shift"), 1, 9)
    min_rest_hours = _count(_l("Minimum rest between shifts (hours)"), 0, 48)
    max_consecutive = _count(_l("Most working days in a row (empty: from the pattern)"), 1, 31, required=False)
    window_days = _count(_l("Rolling window (days)"), 7, 62)
    max_shifts_in_window = _count(_l("Most shifts in the window (empty: from the pattern)"), 1, 62, required=False)
    shift_types = TextAreaField(_l("Shift types (one per line: CODE HH:MM MINUTES; empty: day and night above)"),
                                validators=[Optional(), Length(max=1000)])
    forbidden = StringField(_l("Forbidden successions (FIRST>SECOND: the second not the day after the first)"),
                            validators=[Optional(), Length(max=200)])
    limits = TextAreaField(_l("Limits per person (one per line: KIND [SHIFT] [MIN-MAX] [~MIN-MAX*COST] [@person], "
                              "e.g. shifts N -8 ~-4*10)"), validators=[Optional(), Length(max=2000)])


class PresetForm(FlaskForm):
    preset = SelectField(_l("Preset"), choices=[])


for _name in Weights.__dataclass_fields__:
    setattr(SettingsForm, f"w_{_name}", _count(WEIGHT_LABELS[_name], 0, 1000))


WEEKDAY_CHOICES = [("", _l("— a date instead —")), ("0", _l("Mondays")), ("1", _l("Tuesdays")),
                   ("2", _l("Wednesdays")), ("3", _l("Thursdays")), ("4", _l("Fridays")), ("5", _l("Saturdays")),
                   ("6", _l("Sundays"))]


class PreferenceForm(FlaskForm):
    wanted = SelectField(_l("I would like"), choices=[("0", _l("not to work")), ("1", _l("to work"))])
    # the desk's shift types (set in __init__); the service refuses a shift the desk does not have, by name
    shift = SelectField(_l("Which shift"), choices=[("", _l("any shift"))], validate_choice=False)
    weekday = SelectField(_l("On"), choices=WEEKDAY_CHOICES)
    day = DateField(_l("or on the date"), validators=[Optional(), in_range])
    weight = SelectField(_l("How much it matters"), choices=[("1", _l("a little")), ("3", _l("quite")),
                                                             ("5", _l("a lot"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shift.choices = wish_shift_choices(settings_store.current(web.db()).shifts)


THE_SHIFT = {"D": _l("the day shift"), "E": _l("the evening shift"), "N": _l("the night shift")}


def wish_shift_choices(shifts: tuple[ShiftDef, ...]) -> list[tuple[str, str]]:
    """Any shift, or one of the desk's shift types (named when the desk has a word for it, else its code)."""
    return [("", _("any shift")), *((s.code, str(THE_SHIFT.get(s.code, s.code))) for s in shifts)]
