"""Flask-WTF forms of the alert pages (each carries its CSRF token). Limits match alerts.service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from alerts.words import DOMAIN_LABELS, SEVERITY_LABELS
from desk.forms import WholeRange

NOTE = Length(max=2000)


class AckForm(FlaskForm):
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), NOTE])


class ResolveForm(FlaskForm):
    impact = TextAreaField(_l("Business impact (业务影响情况)"), validators=[DataRequired(), NOTE])
    summary = TextAreaField(_l("Handling summary (处理情况)"), validators=[DataRequired(), NOTE])


class CommentForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[DataRequired(), NOTE])


class ReassignForm(FlaskForm):
    username = SelectField(_l("Reassign to"), validate_choice=False, validators=[DataRequired()])


class ReopenForm(FlaskForm):
    pass


class NewAlertForm(FlaskForm):
    title = StringField(_l("What is wrong"), validators=[DataRequired(), Length(max=300)])
    severity = SelectField(_l("Severity"), choices=list(SEVERITY_LABELS.items()), default="major")
    domain = SelectField(_l("Domain"), choices=[("", DOMAIN_LABELS[None]), ("info", DOMAIN_LABELS["info"]),
                                                 ("comms", DOMAIN_LABELS["comms"])], default="")
    key = StringField(_l("Deduplication key (optional)"), validators=[Optional(), Length(max=200)])
    details = TextAreaField(_l("Details (optional)"), validators=[Optional(), NOTE])


class IntegrationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=[("alertmanager", "Prometheus Alertmanager"),
                                            ("generic", _l("Generic JSON webhook"))])
    domain = SelectField(_l("Default domain"), choices=[("", DOMAIN_LABELS[None]), ("info", DOMAIN_LABELS["info"]),
                                                         ("comms", DOMAIN_LABELS["comms"])], default="")


class PolicyForm(FlaskForm):
    severity = SelectField(_l("Applies to"), choices=[("", _l("Every severity (default)")),
                                                      *SEVERITY_LABELS.items()], default="")
    remind_after = IntegerField(_l("Remind the leader after (minutes unacknowledged)"),
                                validators=[DataRequired(), WholeRange(1, 1440)], default=5)
    managers_after = IntegerField(_l("Then raise to the managers after (minutes)"),
                                  validators=[DataRequired(), WholeRange(1, 1440)], default=10)
    repeat_every = IntegerField(_l("Then re-notify every (minutes)"),
                                validators=[DataRequired(), WholeRange(1, 1440)], default=30)
