"""Flask-WTF form of the reports' settings page (carries its CSRF token). The ranges are checked once, by
reports.core.ack_target_problems (through reports.targets), and their messages shown here."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, HiddenField, IntegerField
from wtforms.validators import InputRequired

from reports import core

MINUTES = core.ACK_MINUTES_RANGE
PERCENT = core.ACK_PERCENT_RANGE
MESSAGES = {"required": _l("Enter a number."),
            "minutes": _l("Between %(low)d and %(high)d minutes.", low=MINUTES[0], high=MINUTES[1]),
            "percent": _l("Between %(low)g and %(high)g %%.", low=PERCENT[0], high=PERCENT[1])}


class _Numbers:
    """A number field whose unreadable input says 'Enter a number.' in the reader's language."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError:
            raise ValueError(str(MESSAGES["required"])) from None


class _Minutes(_Numbers, IntegerField):
    pass


class _Percent(_Numbers, FloatField):
    pass


class AckTargetForm(FlaskForm):
    minutes = _Minutes(_l("An alert is on time when acknowledged within (minutes)"),
                       validators=[InputRequired(MESSAGES["required"])])
    percent = _Percent(_l("Target: share of alerts on time (%)"),
                       validators=[InputRequired(MESSAGES["required"])])
    version = HiddenField()
