"""Flask-WTF forms of the shell (each carries its CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError

from desk.models import TEAMS


class WholeRange(NumberRange):
    """NumberRange for whole numbers of any length: WTForms' own asks ``math.isnan`` first, which cannot take an
    integer beyond a float's range (a pasted 400-digit number was a 500, not a field error)."""

    def __call__(self, form: Any, field: Any) -> None:
        data = field.data
        if isinstance(data, int) and not isinstance(data, bool):
            if (self.min is None or data >= self.min) and (self.max is None or data <= self.max):
                return
            raise ValidationError(self.message or field.gettext("Number must be between %(min)s and %(max)s.")
                                  % {"min": self.min, "max": self.max})
        super().__call__(form, field)


def attach_errors(form: Any, errors: dict[str, str]) -> None:
    """Show a service's errors ({field: untranslated message}) next to their fields, translated."""
    for name, message in errors.items():
        target = getattr(form, name, None)
        if target is not None:
            target.errors = [*list(target.errors), _(message)]


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Keep me signed in on this computer"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new", message=_l("The two entries differ."))])


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[("zh_CN", "中文"), ("en", "English")])


# Choices are checked by desk.accounts.validate_fields, which explains each mistake in words.
class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PersonForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[("watcher", _l("Watcher")), ("leader", _l("Shift leader")),
                                            ("manager", _l("Manager"))], validate_choice=False)
    skills = MultiCheckboxField(_l("Skills"), choices=[("info", _l("Information systems")),
                                                       ("comms", _l("Communications"))],
                                 validate_choice=False)
    team_code = SelectField(_l("Team"), choices=[("", _l("No team (spare or manager)")),
                                                 *((t, t) for t in TEAMS)],
                            validate_choice=False)
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    language = SelectField(_l("Language"), choices=[("", _l("Browser's language")), ("zh_CN", "中文"),
                                                    ("en", "English")], validate_choice=False)
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(max=128)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=128)])


class TokenForm(FlaskForm):
    label = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=100)])
    expires_days = IntegerField(_l("Valid for (days, empty for no end)"),
                                validators=[Optional(), WholeRange(min=1, max=3650)])


class ConfirmForm(FlaskForm):
    """An empty form: a button that only needs its CSRF token."""
