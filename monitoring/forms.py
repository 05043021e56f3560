"""The check and maintenance-window forms: typed text in, a :class:`CheckSpec` (or field errors) out.

Every value is taken as text and converted here, so that a mistake is reported on its own field in the
desk's words and what was typed stays in the box. Kind parameters are generated from
:data:`monitoring.checkspec.KIND_PARAMS` as fields named ``p_<kind>_<key>``; only the chosen kind's are read.
"""

from __future__ import annotations

import shlex
from datetime import datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from desk.accounts import N_
from monitoring.checkspec import (
    DOMAINS,
    KIND_PARAMS,
    KINDS,
    SEVERITIES,
    CheckSpec,
    spec_from_dict,
    spec_to_dict,
    validate_spec,
)
from monitoring.codes import Code, Message, msg
from monitoring.plugins import is_secret

KIND_LABELS = {
    "cpu": _l("CPU usage (this host)"), "memory": _l("Memory usage (this host)"),
    "swap": _l("Swap usage (this host)"), "disk": _l("Disk usage (this host)"),
    "load": _l("Load per core (this host)"), "process": _l("Process running"), "tcp": _l("TCP port"),
    "http": _l("HTTP(S) endpoint"), "nagios": _l("Nagios plugin"),
    "scheduler": _l("This desk's patrol scheduler (lease heartbeat age, s)"),
}
DOMAIN_LABELS = {"info": _l("Information systems"), "comms": _l("Communications")}
# "info" as a severity is not the roster's "info" seat tag: its own context, its own Chinese word.
SEVERITY_LABELS = {"critical": _l("critical"), "major": _l("major"), "minor": _l("minor"),
                   "info": LazyString(lambda: pgettext("severity", "info"))}
# The core's parameter help texts, marked here so the catalog translates them.
PARAM_HELP = {
    "seconds to sample CPU usage over": _l("seconds to sample CPU usage over"),
    "mount point (or any path on it)": _l("mount point (or any path on it)"),
    "1, 5 or 15: which load average the thresholds apply to":
        _l("1, 5 or 15: which load average the thresholds apply to"),
    "exact process name, e.g. 'nginx'": _l("exact process name, e.g. 'nginx'"),
    "regular expression searched in the command line": _l("regular expression searched in the command line"),
    "host name or address": _l("host name or address"),
    "TCP port 1-65535": _l("TCP port 1-65535"),
    "http:// or https:// URL": _l("http:// or https:// URL"),
    "accepted status codes; empty means any 2xx or 3xx": _l("accepted status codes; empty means any 2xx or 3xx"),
    "text the body must contain": _l("text the body must contain"),
    "regular expression the body must match": _l("regular expression the body must match"),
    "extra request headers": _l("extra request headers"),
    "request body": _l("request body"),
    "verify the server certificate": _l("verify the server certificate"),
    "CA bundle (PEM) to verify against instead of the system store":
        _l("CA bundle (PEM) to verify against instead of the system store"),
    "WARNING when the certificate expires sooner": _l("WARNING when the certificate expires sooner"),
    "CRITICAL when the certificate expires sooner": _l("CRITICAL when the certificate expires sooner"),
    "plugin path then its arguments, no shell": _l("plugin path then its arguments, no shell"),
}
PARAM_LABELS = {
    "sample": _l("Sample (s)"), "path": _l("Path"), "period": _l("Load average (minutes)"),
    "name": _l("Process name"), "cmdline": _l("Command line pattern"), "host": _l("Host"), "port": _l("Port"),
    "url": _l("URL"), "method": _l("Method"), "expect_status": _l("Expected status codes"),
    "keyword": _l("Keyword"), "regex": _l("Regular expression"), "headers": _l("Request headers"),
    "body": _l("Request body"), "follow_redirects": _l("Follow redirects"), "verify_tls": _l("Verify TLS"),
    "ca_file": _l("CA file"), "cert_warning_days": _l("Certificate warning (days)"),
    "cert_critical_days": _l("Certificate critical (days)"), "command": _l("Command"),
}
# How a list or table parameter is typed in a box.
FORMAT_HINTS = {
    "expect_status": _l("comma-separated, e.g. 200, 204"),
    "headers": _l("one per line: Name: value"),
    "command": _l("as on a command line, e.g. check_load -r -w 4,3,2 -c 8,6,4: a plugin from the operator's "
                  "plugin directories; $NAME$ is one of the operator's secret macros"),
}
INT_FIELDS = ("interval", "timeout", "max_attempts", "retry_interval", "recovery_threshold")
NUM_FIELDS = ("flap_start", "flap_stop")


class CheckFormBase(FlaskForm):
    name = StringField(_l("Check name"))
    kind = SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in KINDS], validate_choice=False)
    domain = SelectField(_l("Domain"), choices=[(d, DOMAIN_LABELS[d]) for d in DOMAINS], validate_choice=False)
    severity = SelectField(_l("Severity"), choices=[(s, SEVERITY_LABELS[s]) for s in SEVERITIES],
                           validate_choice=False, default="major")
    enabled = BooleanField(_l("Enabled"), default=True)
    interval = StringField(_l("Interval (s)"), default="60")
    timeout = StringField(_l("Timeout (s)"), default="10")
    max_attempts = StringField(_l("Max attempts"), default="3")
    retry_interval = StringField(_l("Retry interval (s)"), default="15")
    warning = StringField(_l("Warning threshold"), validators=[Optional()])
    critical = StringField(_l("Critical threshold"), validators=[Optional()])
    runbook = TextAreaField(_l("Runbook: what to do when it fires"))
    recovery_threshold = StringField(_l("OK results to recover"), default="1")
    flap_start = StringField(_l("Flapping starts at (percent of state changes)"), default="50")
    flap_stop = StringField(_l("Flapping stops at (percent of state changes)"), default="25")


def param_text(key: str, param: Any, value: Any) -> Any:
    """How a parameter value is shown in its box."""
    if bool in param.types:
        return bool(value)
    if value is None:
        return ""
    if key == "command":
        return shlex.join(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _param_field(key: str, param: Any) -> Any:
    """A form field for one kind parameter, with the core's help text as description."""
    label = PARAM_LABELS.get(key, key.replace("_", " "))
    help_text = PARAM_HELP.get(param.help, param.help)
    if bool in param.types:
        return BooleanField(label, default=bool(param.default), description=help_text)
    default = param_text(key, param, param.default)
    if dict in param.types or key == "body":
        return TextAreaField(label, description=help_text, default=default)
    return StringField(label, description=help_text, default=default)


class CheckForm(CheckFormBase):
    """The check form with a field for every kind's parameters."""


for _kind, _params in KIND_PARAMS.items():
    for _key, _param in _params.items():
        setattr(CheckForm, f"p_{_kind}_{_key}", _param_field(_key, _param))


def param_fields(form: CheckForm, kind: str) -> list[tuple[str, Any]]:
    """(parameter key, form field) of one kind, in schema order."""
    return [(key, getattr(form, f"p_{kind}_{key}")) for key in KIND_PARAMS[kind]]


# ------------------------------------------------------------------------------------------ form <-> spec


def _to_int(text: str) -> int:
    return int(text.strip())


def _to_num(text: str) -> int | float:
    value = float(text.strip())
    return int(value) if value.is_integer() and "." not in text else value


def _convert_param(key: str, types: tuple[type, ...], raw: Any) -> Any:
    """Typed text of one parameter -> its value (None when left empty). Raises ValueError."""
    if bool in types:
        return bool(raw)
    text = (raw or "").strip()
    if not text:
        return None
    if list in types and key == "command":
        return shlex.split(text)
    if list in types:
        return [int(part) for part in text.replace(",", " ").split()]
    if dict in types:
        return _parse_headers(text)
    if float in types:
        return _to_num(text)
    if int in types:
        return _to_int(text)
    return raw if key in ("body", "keyword") else text


def _parse_headers(text: str) -> dict[str, str]:
    headers = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise ValueError(line)
        headers[name.strip()] = value.strip()
    return headers


_CONVERT_ERRORS = {
    "int": N_("Enter a whole number."),
    "num": N_("Enter a number."),
    "command": N_("Cannot split this command line: check the quotes."),
    "expect_status": N_("Enter status codes separated by commas, e.g. 200, 204."),
    "headers": N_("Write one header per line as Name: value."),
}


def spec_from_form(form: CheckForm) -> tuple[CheckSpec, dict[str, str]]:
    """The spec the form describes and ``{form field name: message}`` for values that could not be read."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {"name": (form.name.data or "").strip(), "kind": form.kind.data,
                            "domain": form.domain.data, "severity": form.severity.data,
                            "enabled": bool(form.enabled.data), "runbook": (form.runbook.data or "").strip(),
                            "warning": (form.warning.data or "").strip() or None,
                            "critical": (form.critical.data or "").strip() or None}
    for key in (*INT_FIELDS, *NUM_FIELDS):
        try:
            data[key] = (_to_int if key in INT_FIELDS else _to_num)(getattr(form, key).data or "")
        except ValueError:
            errors[key] = _CONVERT_ERRORS["int" if key in INT_FIELDS else "num"]
    params = {}
    for key, param in KIND_PARAMS.get(form.kind.data, {}).items():
        name = f"p_{form.kind.data}_{key}"
        try:
            value = _convert_param(key, param.types, getattr(form, name).data)
        except ValueError:
            errors[name] = _CONVERT_ERRORS.get(key, _CONVERT_ERRORS["num" if float in param.types else "int"])
            continue
        if value is not None and value != param.default:  # defaults left out, as in an exported file
            params[key] = value
    data["params"] = params
    return spec_from_dict({k: v for k, v in data.items() if k not in errors}), errors


def field_errors(spec: CheckSpec, errors: dict[str, Message | str]) -> dict[str, Message | str]:
    """Map the core's ``{spec field: message}`` to form field names (kind parameters get their prefix)."""
    out = {}
    params = KIND_PARAMS.get(spec.kind, {})
    for key, message in errors.items():
        if key in params and not (key == "name" and _is_check_name_error(spec, message)):
            out[f"p_{spec.kind}_{key}"] = message
        else:
            out[key] = message
    return out


def _is_check_name_error(spec: CheckSpec, message: Message | str) -> bool:
    """A process check's 'name' error can be about the check's name (a name taken, from the service, is a
    marked text) or about the process name."""
    return isinstance(message, str) or validate_spec(CheckSpec(name=spec.name, kind="memory")).get("name") == message


HIDDEN = "••••••"


def shown_params(spec: CheckSpec, *, editor: bool) -> dict[str, str]:
    """The kind parameters as the history page shows them. Watchers never see an HTTP header value, nor a
    plugin argument or request body that names an operator macro (``$NAME$``): those are secret."""
    schema = KIND_PARAMS.get(spec.kind, {})
    shown = {}
    for key, value in spec.params.items():
        if not editor and key == "headers" and isinstance(value, dict):
            value = dict.fromkeys(value, HIDDEN)
        elif not editor and key == "command" and isinstance(value, list):
            shown[key] = " ".join(HIDDEN if is_secret(arg) else shlex.quote(str(arg)) for arg in value)
            continue
        elif not editor and is_secret(value):
            value = HIDDEN
        shown[key] = param_text(key, schema[key], value) if key in schema else str(value)
    return shown


def fill_form(form: CheckForm, spec: CheckSpec) -> None:
    """Put a stored spec into an unsubmitted form, as text."""
    flat = spec_to_dict(spec, include_defaults=True)
    for key in ("name", "kind", "domain", "severity", "enabled", "runbook", "warning", "critical",
                *INT_FIELDS, *NUM_FIELDS):
        value = flat.get(key)
        getattr(form, key).data = value if key in ("enabled", "kind", "domain", "severity") else (
            "" if value is None else str(value))
    for key, param in KIND_PARAMS.get(spec.kind, {}).items():
        getattr(form, f"p_{spec.kind}_{key}").data = param_text(key, param, spec.param(key))


# --------------------------------------------------------------------------------------- maintenance form

WEEKDAY_LABELS = [_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun")]


class WindowForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[("one_off", _l("One-off")), ("weekly", _l("Weekly"))],
                       validate_choice=False)
    starts_at = StringField(_l("Start (local time)"), description=_l("e.g. 2026-12-01 22:00"))
    ends_at = StringField(_l("End (local time)"))
    weekdays = StringField(_l("Weekdays"))
    start_time = StringField(_l("Starts at (HH:MM, local)"), description=_l("e.g. 02:00"))
    duration_minutes = StringField(_l("Duration (minutes)"))
    scope = RadioField(_l("Mutes"), choices=[("all", _l("All checks")), ("some", _l("Only these checks"))],
                       validate_choice=False)
    checks = SelectMultipleField(_l("Checks"), validate_choice=False)
    reason = TextAreaField(_l("Reason"))


def parse_local(text: str, tz: Any) -> datetime:
    """'YYYY-MM-DD HH:MM' (or the browser's 'YYYY-MM-DDTHH:MM') in the desk's time zone -> aware datetime."""
    value = datetime.fromisoformat(text.strip().replace("T", " "))
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def parse_hhmm(text: str) -> time:
    """'HH:MM' -> time. Raises ValueError."""
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def window_parts(form: WindowForm, weekdays: list[str], tz: Any) -> tuple[dict[str, Any], dict[str, Message | str]]:
    """The window's values read from the form, and ``{field: message}`` for what could not be read."""
    errors: dict[str, Message | str] = {}
    checks, scope_error = _chosen_checks(form.scope.data, list(form.checks.data or []))
    parts: dict[str, Any] = {"checks": checks,
                             "reason": (form.reason.data or "").strip(), "weekly": form.kind.data == "weekly"}
    if scope_error:
        errors["checks"] = scope_error
    if parts["weekly"]:
        parts["weekdays"] = sorted({int(d) for d in weekdays if d.isdigit()})
        for key, parse in (("start_time", parse_hhmm), ("duration_minutes", _to_int)):
            try:
                parts[key] = parse(form[key].data or "")
            except ValueError:
                errors[key] = N_("Enter a time as HH:MM.") if key == "start_time" else N_("Enter a whole number.")
        if not 0 < parts.get("duration_minutes", 1) <= 7 * 24 * 60:  # a huge number would overflow timedelta
            errors["duration_minutes"] = msg(Code.DURATION_RANGE)
    else:
        for key in ("starts_at", "ends_at"):
            try:
                parts[key] = parse_local(form[key].data or "", tz)
            except ValueError:
                errors[key] = N_("Enter a date and time as YYYY-MM-DD HH:MM.")
    return parts, errors


def _chosen_checks(scope: str | None, checks: list[str]) -> tuple[list[str], str | None]:
    """The window's checks ([] = all) from the explicit choice; an error when "these checks" names none.

    A post without a choice (an older form, a script) names its checks, or must say "all".
    """
    if scope == "all":
        return [], None
    if scope == "some" or (scope is None and checks):
        return checks, None if checks else N_("Tick the checks to mute, or choose all checks.")
    return [], N_("Choose whether the window mutes all checks or only some.")


def duration_of(parts: dict[str, Any]) -> timedelta | None:
    """The weekly window's duration from its minutes."""
    minutes = parts.get("duration_minutes")
    return None if minutes is None else timedelta(minutes=minutes)
