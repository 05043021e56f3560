"""The patrol data model: what a check is (:class:`CheckSpec`), what one run gives (:class:`CheckResult`).

A spec is plain data: the database layer, the TOML files (``monitoring.checkfile``) and the web forms all
convert to and from it with :func:`spec_from_dict` / :func:`spec_to_dict`, and refuse bad input with
:func:`validate_spec`, which returns ``{field: message}`` (empty when the spec is good). Kind-specific
parameters live in ``params`` and are described by :data:`KIND_PARAMS`; in TOML and in ``spec_to_dict``
they sit at the top level next to the common fields.

Severity (what the alert layer uses to sort the board and pick channels), most to least urgent:

- ``critical`` — a service users depend on is down or about to be; act now, day or night;
- ``major``    — degraded service or a redundancy lost; act within the shift (the default);
- ``minor``    — something to fix but nobody is affected yet;
- ``info``     — recorded and shown, no one is paged.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import Any, cast
from urllib.parse import urlsplit

from monitoring.codes import Code, Message, msg
from monitoring.perfdata import PerfDatum
from monitoring.plugins import plugin_dirs, save_problem
from monitoring.ranges import RangeError, parse_range

KINDS = ("cpu", "memory", "swap", "disk", "load", "process", "tcp", "http", "nagios", "scheduler")
DOMAINS = ("info", "comms")
SEVERITIES = ("critical", "major", "minor", "info")
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MIN_INTERVAL = 5
MAX_TIMEOUT = 300
MAX_ARGS = 100
MAX_ARG_LENGTH = 1000
MAX_NAME = 100
MAX_RUNBOOK = 20_000
# Longest text of each free-text field; any other text parameter gets DEFAULT_TEXT_LIMIT.
TEXT_LIMITS = {"warning": 100, "critical": 100, "url": 2000, "host": 253, "path": 4096, "ca_file": 4096,
               "body": 65_536, "keyword": 1000, "regex": 1000, "cmdline": 1000, "name": 200, "method": 10}
DEFAULT_TEXT_LIMIT = 1000
MAX_HEADERS = 50


class State(IntEnum):
    """A result's state; the value is the Nagios plugin exit code."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3

    @classmethod
    def from_exit_code(cls, code: int | None) -> State:
        """Map a plugin exit code to a state: 0/1/2/3 as Nagios, anything else UNKNOWN."""
        return cls(code) if code in (0, 1, 2, 3) else cls.UNKNOWN


_SEVERITY_ORDER = {State.OK: 0, State.WARNING: 1, State.UNKNOWN: 2, State.CRITICAL: 3}


def worst(states: list[State]) -> State:
    """The most serious of ``states`` (CRITICAL > UNKNOWN > WARNING > OK); OK for an empty list."""
    return max(states, key=_SEVERITY_ORDER.__getitem__, default=State.OK)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of running one check once. ``duration`` is in seconds."""

    state: State
    summary: str = ""  # a plugin's own first line, exactly as it wrote it ("" when ``message`` says it)
    long_output: str = ""
    metrics: list[PerfDatum] = field(default_factory=list)
    duration: float = 0.0
    message: Message | None = None  # the summary of one of our probes, as a code and its parameters

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (state as its name, metrics as dicts)."""
        return {
            "state": self.state.name,
            "summary": self.summary,
            "message": self.message.to_dict() if self.message else None,
            "long_output": self.long_output,
            "metrics": [m.to_dict() for m in self.metrics],
            "duration": self.duration,
        }


@dataclass(frozen=True)
class Param:
    """Schema of one kind-specific parameter."""

    types: tuple[type, ...]
    default: Any = None
    required: bool = False
    help: str = ""


_STR, _INT, _NUM, _BOOL = (str,), (int,), (int, float), (bool,)

KIND_PARAMS: dict[str, dict[str, Param]] = {
    "cpu": {"sample": Param(_NUM, 1.0, help="seconds to sample CPU usage over")},
    "memory": {},
    "swap": {},
    "disk": {"path": Param(_STR, "/", help="mount point (or any path on it)")},
    "load": {"period": Param(_INT, 5, help="1, 5 or 15: which load average the thresholds apply to")},
    "process": {
        "name": Param(_STR, help="exact process name, e.g. 'nginx'"),
        "cmdline": Param(_STR, help="regular expression searched in the command line"),
    },
    "tcp": {
        "host": Param(_STR, required=True, help="host name or address"),
        "port": Param(_INT, required=True, help="TCP port 1-65535"),
    },
    "http": {
        "url": Param(_STR, required=True, help="http:// or https:// URL"),
        "method": Param(_STR, "GET"),
        "expect_status": Param((list,), [], help="accepted status codes; empty means any 2xx or 3xx"),
        "keyword": Param(_STR, help="text the body must contain"),
        "regex": Param(_STR, help="regular expression the body must match"),
        "headers": Param((dict,), {}, help="extra request headers"),
        "body": Param(_STR, help="request body"),
        "follow_redirects": Param(_BOOL, False),
        "verify_tls": Param(_BOOL, True, help="verify the server certificate"),
        "ca_file": Param(_STR, help="CA bundle (PEM) to verify against instead of the system store"),
        "cert_warning_days": Param(_INT, 14, help="WARNING when the certificate expires sooner"),
        "cert_critical_days": Param(_INT, 7, help="CRITICAL when the certificate expires sooner"),
    },
    "nagios": {"command": Param((list,), required=True, help="plugin path then its arguments, no shell")},
    "scheduler": {},
}

# Thresholds used when a host check gives none (values: %, % , %, %, load per core, process count).
DEFAULT_THRESHOLDS: dict[str, tuple[str | None, str | None]] = {
    "cpu": ("85", "95"),
    "memory": ("85", "95"),
    "swap": ("50", "80"),
    "disk": ("80", "90"),
    "load": ("1.5", "3"),
    "process": (None, "1:"),
    "scheduler": ("20", "45"),
}


@dataclass
class CheckSpec:
    """One patrol check. Times are seconds; ``warning``/``critical`` are Nagios range texts.

    What the thresholds apply to: cpu/memory/swap/disk — percent used; load — load average per core;
    process — number of matching processes; tcp/http — response time in seconds; scheduler — seconds since
    this desk's patrol lease holder last renewed the lease (its heartbeat). nagios plugins take
    their thresholds in their own arguments (``warning``/``critical`` must be empty).
    ``recovery_threshold`` is how many OK results in a row end a HARD problem; ``flap_start``/``flap_stop``
    are the Nagios percent-state-change thresholds.
    """

    name: str
    kind: str
    domain: str = "info"
    params: dict[str, Any] = field(default_factory=dict)
    interval: int = 60
    timeout: int = 10
    max_attempts: int = 3
    retry_interval: int = 15
    recovery_threshold: int = 1
    warning: str | None = None
    critical: str | None = None
    severity: str = "major"
    enabled: bool = True
    runbook: str = ""
    flap_start: float = 50.0
    flap_stop: float = 25.0

    def __post_init__(self) -> None:
        # A browser's textarea sends CRLF, and a TOML file may be read back with its newlines normalised: keep one
        # form (LF) so a runbook reads the same after an export and an import.
        if isinstance(self.runbook, str) and "\r\n" in self.runbook:
            object.__setattr__(self, "runbook", re.sub(r"\r+\n", "\n", self.runbook))

    def param(self, key: str) -> Any:
        """A kind parameter, or its schema default when not given."""
        if key in self.params:
            return self.params[key]
        schema = KIND_PARAMS.get(self.kind, {}).get(key)
        return schema.default if schema else None

    def thresholds(self) -> tuple[str | None, str | None]:
        """(warning, critical) in effect: the spec's own, or the kind's defaults when both are empty."""
        if self.warning or self.critical:
            return self.warning or None, self.critical or None
        return DEFAULT_THRESHOLDS.get(self.kind, (None, None))


COMMON_FIELDS = tuple(f.name for f in fields(CheckSpec) if f.name != "params")


def spec_from_dict(data: dict[str, Any]) -> CheckSpec:
    """Build a spec from a flat dict (TOML table, form, DB row): common keys become fields, the rest params.

    Does not validate; call :func:`validate_spec` on the result. Missing name/kind become empty strings so
    that validation can report them.
    """
    common = {k: v for k, v in data.items() if k in COMMON_FIELDS}
    params = {k: v for k, v in data.items() if k not in COMMON_FIELDS and k != "params"}
    params.update(data.get("params") or {})
    common["name"] = normalize_name(common.get("name", ""))
    common.setdefault("kind", "")
    return CheckSpec(params=params, **common)


def spec_to_dict(spec: CheckSpec, *, include_defaults: bool = False) -> dict[str, Any]:
    """Flat dict of a spec (inverse of :func:`spec_from_dict`); None values are left out (TOML has no null).

    With ``include_defaults`` false, common fields equal to their default are left out too, except name, kind
    and domain, so exported files stay short.
    """
    defaults = CheckSpec(name="", kind="")
    out: dict[str, Any] = {}
    for key in COMMON_FIELDS:
        value = getattr(spec, key)
        keep = include_defaults or key in ("name", "kind", "domain") or value != getattr(defaults, key)
        if value is not None and keep:
            out[key] = value
    out.update({k: v for k, v in spec.params.items() if v is not None})
    return out


# ---------------------------------------------------------------------------------------------- validation


def validate_spec(spec: CheckSpec) -> dict[str, Message]:
    """Check every field; return ``{field name: message}`` for each problem (empty dict when valid)."""
    errors: dict[str, Message] = {}
    _validate_identity(spec, errors)
    _validate_timing(spec, errors)
    _validate_thresholds(spec, errors)
    if spec.kind in KINDS:
        _validate_param_types(spec, errors)
        validator = _KIND_VALIDATORS.get(spec.kind)
        if validator:
            validator(spec, errors)
    return errors


def _is_int(value: Any) -> bool:
    """An int that is not a bool (TOML and JSON booleans must not pass as numbers)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_num(value: Any) -> bool:
    """A finite int or float that is not a bool."""
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _validate_identity(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """Name, kind, domain, severity, enabled, runbook."""
    if not isinstance(spec.name, str) or not spec.name.strip():
        errors["name"] = msg(Code.NAME_REQUIRED)
    elif len(spec.name) > MAX_NAME or spec.name != spec.name.strip() or _has_invisible(spec.name):
        errors["name"] = msg(Code.NAME_INVALID, n=MAX_NAME)
    if spec.kind not in KINDS:
        errors["kind"] = msg(Code.KIND_UNKNOWN, kind=str(spec.kind), choices=", ".join(KINDS))
    if spec.domain not in DOMAINS:
        errors["domain"] = msg(Code.DOMAIN_UNKNOWN, choices=", ".join(DOMAINS))
    if spec.severity not in SEVERITIES:
        errors["severity"] = msg(Code.SEVERITY_UNKNOWN, choices=", ".join(SEVERITIES))
    if not isinstance(spec.enabled, bool):
        errors["enabled"] = msg(Code.NOT_BOOL)
    if not isinstance(spec.runbook, str):
        errors["runbook"] = msg(Code.NOT_TEXT)
    elif len(spec.runbook) > MAX_RUNBOOK:
        errors["runbook"] = msg(Code.TOO_LONG, n=MAX_RUNBOOK)


def _has_invisible(text: str) -> bool:
    """Control, format (zero-width, bidi override), surrogate, private or line-separator characters."""
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for ch in text)


def normalize_name(name: Any) -> Any:
    """A check name in NFKC form (full-width letters and look-alike compatibility forms folded)."""
    return unicodedata.normalize("NFKC", name) if isinstance(name, str) else name


def _int_field(errors: dict[str, Message], name: str, value: Any, low: int, high: int,
               code: Code = Code.WHOLE_NUMBER) -> bool:
    """Record an error unless ``low <= value <= high`` for an integer value; True when valid."""
    if not _is_int(value) or not low <= value <= high:
        errors[name] = msg(code, low=low, high=high)
        return False
    return True


def _validate_timing(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """Interval, retry interval, timeout, attempts, recovery and flapping thresholds."""
    day = 86400
    interval_ok = _int_field(errors, "interval", spec.interval, MIN_INTERVAL, day, Code.WHOLE_SECONDS)
    _int_field(errors, "retry_interval", spec.retry_interval, MIN_INTERVAL, day, Code.WHOLE_SECONDS)
    timeout_ok = _int_field(errors, "timeout", spec.timeout, 1, MAX_TIMEOUT, Code.WHOLE_SECONDS)
    if timeout_ok and interval_ok and spec.timeout > spec.interval:
        errors["timeout"] = msg(Code.TIMEOUT_OVER_INTERVAL, timeout=spec.timeout, interval=spec.interval)
    _int_field(errors, "max_attempts", spec.max_attempts, 1, 20)
    _int_field(errors, "recovery_threshold", spec.recovery_threshold, 1, 20)
    for name in ("flap_start", "flap_stop"):
        if not _is_num(getattr(spec, name)) or not 0 < getattr(spec, name) <= 100:
            errors[name] = msg(Code.PERCENTAGE)
    if "flap_start" not in errors and "flap_stop" not in errors and spec.flap_stop > spec.flap_start:
        errors["flap_stop"] = msg(Code.FLAP_STOP_ABOVE_START)


def _validate_thresholds(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """Warning and critical must be valid Nagios ranges (and absent for plugins)."""
    for name in ("warning", "critical"):
        value = getattr(spec, name)
        if value is None or value == "":
            continue
        if isinstance(value, str) and len(value) > TEXT_LIMITS[name]:
            errors[name] = msg(Code.TOO_LONG, n=TEXT_LIMITS[name])
            continue
        if spec.kind == "nagios":
            errors[name] = msg(Code.NAGIOS_THRESHOLDS)
            continue
        try:
            parse_range(value)
        except RangeError as exc:
            errors[name] = exc.message


def _type_code(types: tuple[type, ...]) -> Code:
    """The code saying which type a parameter must have."""
    if float in types:
        return Code.TYPE_NUMBER
    codes = {str: Code.TYPE_TEXT, int: Code.TYPE_WHOLE, bool: Code.TYPE_BOOL, list: Code.TYPE_LIST,
             dict: Code.TYPE_TABLE}
    return codes[types[0]]


def _validate_param_types(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """Unknown parameters, missing required ones, and wrong types."""
    schema = KIND_PARAMS[spec.kind]
    for key, value in spec.params.items():
        param = schema.get(key)
        if param is None:
            known = ", ".join(schema) or "none"
            errors[key] = msg(Code.SETTING_UNKNOWN, key=key, kind=spec.kind, known=known)
        elif (isinstance(value, bool) and bool not in param.types) or not isinstance(value, param.types):
            errors[key] = msg(_type_code(param.types))
        elif isinstance(value, str) and len(value) > TEXT_LIMITS.get(key, DEFAULT_TEXT_LIMIT):
            errors[key] = msg(Code.TOO_LONG, n=TEXT_LIMITS.get(key, DEFAULT_TEXT_LIMIT))
    for key, param in schema.items():
        if param.required and key not in spec.params:
            errors[key] = msg(Code.REQUIRED_FOR_KIND, key=key, kind=spec.kind)


def _validate_cpu(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """Sample length must fit in the timeout."""
    sample = spec.param("sample")
    if "sample" not in errors and not (_is_num(sample) and 0 < sample < max(spec.timeout, 1)):
        errors["sample"] = msg(Code.SAMPLE_RANGE)


def _validate_disk(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """The path must be absolute (it is looked up on the patrolling host at run time)."""
    path = spec.param("path")
    if "path" not in errors and not path.startswith("/"):
        errors["path"] = msg(Code.PATH_ABSOLUTE)


def _validate_load(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """Period must be one of the three load averages."""
    if "period" not in errors and spec.param("period") not in (1, 5, 15):
        errors["period"] = msg(Code.LOAD_PERIOD)


def _validate_process(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """A name or a compilable command-line pattern is needed."""
    if "name" in errors or "cmdline" in errors:
        return
    if not spec.params.get("name") and not spec.params.get("cmdline"):
        errors["name"] = msg(Code.PROCESS_WHAT)
    _regex_error(spec.params.get("cmdline"), "cmdline", errors)


def _regex_error(pattern: str | None, key: str, errors: dict[str, Message]) -> None:
    """Record an error when ``pattern`` is not a valid regular expression."""
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        errors[key] = msg(Code.REGEX_INVALID, error=str(exc))


def _validate_tcp(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """Host must be non-empty without spaces; port 1-65535."""
    host = cast(str, spec.params.get("host"))  # present: the generic parameter check ran first
    if "host" not in errors and (not host.strip() or re.search(r"\s", host)):
        errors["host"] = msg(Code.HOST_INVALID)
    if "port" not in errors:
        _int_field(errors, "port", spec.params["port"], 1, 65535)


def _validate_http(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """URL, method, status codes, body patterns, TLS options."""
    if "url" not in errors:
        url_error = _url_error(spec.params["url"])
        if url_error:
            errors["url"] = url_error
    if "method" not in errors and spec.param("method").upper() not in HTTP_METHODS:
        errors["method"] = msg(Code.METHOD_UNKNOWN, choices=", ".join(HTTP_METHODS))
    codes = spec.param("expect_status")
    if "expect_status" not in errors and not all(_is_int(c) and 100 <= c <= 599 for c in codes):
        errors["expect_status"] = msg(Code.EXPECT_STATUS)
    if "regex" not in errors:
        _regex_error(spec.params.get("regex"), "regex", errors)
    _validate_http_extras(spec, errors)


def _validate_http_extras(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """Headers, CA file and certificate day limits."""
    headers = spec.param("headers")
    if "headers" not in errors and not all(isinstance(v, str) for v in headers.values()):
        errors["headers"] = msg(Code.HEADER_VALUES_TEXT)
    elif "headers" not in errors and (len(headers) > MAX_HEADERS or any(
            len(k) > 100 or len(v) > DEFAULT_TEXT_LIMIT or re.search(r"[\x00-\x1f\x7f]", k + v)
            for k, v in headers.items())):
        errors["headers"] = msg(Code.HEADERS_LIMITS, n=MAX_HEADERS, length=DEFAULT_TEXT_LIMIT)
    ca_file = spec.params.get("ca_file")
    if "ca_file" not in errors and ca_file is not None and not os.path.isfile(ca_file):
        errors["ca_file"] = msg(Code.CA_FILE_MISSING, file=ca_file)
    for key in ("cert_warning_days", "cert_critical_days"):
        if key not in errors:
            _int_field(errors, key, spec.param(key), 0, 3650, Code.WHOLE_DAYS)
    days_ok = not {"cert_warning_days", "cert_critical_days"} & errors.keys()
    if days_ok and spec.param("cert_critical_days") > spec.param("cert_warning_days"):
        errors["cert_critical_days"] = msg(Code.CERT_DAYS_ORDER)


def _url_error(url: str) -> Message | None:
    """Why ``url`` is not usable for an HTTP check, or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return msg(Code.URL_INVALID, error=str(exc))
    if parts.scheme not in ("http", "https"):
        return msg(Code.URL_SCHEME)
    if not parts.hostname:
        return msg(Code.URL_NO_HOST)
    if re.search(r"\s", url):
        return msg(Code.URL_SPACES)
    if port == 0:
        return msg(Code.URL_PORT)
    return None


def _validate_nagios(spec: CheckSpec, errors: dict[str, Message]) -> None:
    """Command: a list of text whose program is (or may become) a plugin in the allowed directories."""
    if "command" in errors:
        return
    command = spec.params["command"]
    if not command or not all(isinstance(a, str) and "\x00" not in a for a in command):
        errors["command"] = msg(Code.COMMAND_LIST)
    elif len(command) > MAX_ARGS or any(len(a) > MAX_ARG_LENGTH for a in command):
        errors["command"] = msg(Code.COMMAND_LIMITS, n=MAX_ARGS, length=MAX_ARG_LENGTH)
    else:
        problem = save_problem(command[0], plugin_dirs())
        if problem:
            errors["command"] = problem


_KIND_VALIDATORS = {
    "cpu": _validate_cpu,
    "disk": _validate_disk,
    "load": _validate_load,
    "process": _validate_process,
    "tcp": _validate_tcp,
    "http": _validate_http,
    "nagios": _validate_nagios,
}
