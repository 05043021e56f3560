"""The patrol's messages in words: the one place where a :class:`~monitoring.codes.Code` becomes text.

Each code has a template here, written with Flask-Babel (named parameters, ``ngettext`` for counts), so
the catalog holds every sentence the core can mean. Outside a request (the scheduler, ``checks run``)
the text is English unless a language is forced. A nested message (a plugin problem, an HTTP finding)
and a state name are put into words too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import has_app_context
from flask_babel import force_locale, ngettext, pgettext
from flask_babel import gettext as _

from monitoring.codes import Code, Message

P = dict[str, Any]


def _but_num(p: P) -> P:
    """The parameters without ``num``, which ``ngettext`` takes as its own argument."""
    return {k: v for k, v in p.items() if k != "num"}


def _state(name: object) -> str:
    """A check state's word (the same words the pages use)."""
    words = {"OK": _("OK"), "WARNING": _("WARNING"), "CRITICAL": _("CRITICAL"), "UNKNOWN": _("UNKNOWN")}
    return words.get(str(name), str(name))


TEMPLATES: dict[Code, Callable[[P], str]] = {
    Code.NAME_REQUIRED: lambda p: _("Give the check a name."),
    Code.NAME_INVALID: lambda p: _("1–%(n)s characters, without control, zero-width or text-direction characters "
                                   "or surrounding spaces.", **p),
    Code.KIND_UNKNOWN: lambda p: _("Unknown kind %(kind)s: use one of %(choices)s.", **p),
    Code.DOMAIN_UNKNOWN: lambda p: _("One of: %(choices)s.", **p),
    Code.SEVERITY_UNKNOWN: lambda p: _("One of: %(choices)s.", **p),
    Code.NOT_BOOL: lambda p: _("Must be true or false."),
    Code.NOT_TEXT: lambda p: _("Must be text."),
    Code.TOO_LONG: lambda p: _("At most %(n)s characters.", **p),
    Code.WHOLE_NUMBER: lambda p: _("A whole number from %(low)s to %(high)s.", **p),
    Code.WHOLE_SECONDS: lambda p: _("A whole number of seconds from %(low)s to %(high)s.", **p),
    Code.WHOLE_DAYS: lambda p: _("A whole number of days from %(low)s to %(high)s.", **p),
    Code.TIMEOUT_OVER_INTERVAL: lambda p: _("The timeout (%(timeout)s s) must not be longer than the interval "
                                            "(%(interval)s s).", **p),
    Code.PERCENTAGE: lambda p: _("A percentage above 0 and at most 100."),
    Code.FLAP_STOP_ABOVE_START: lambda p: _("The stop threshold must not be above the start threshold."),
    Code.NAGIOS_THRESHOLDS: lambda p: _("A Nagios plugin takes its thresholds in its own arguments (e.g. -w/-c): "
                                        "leave this empty."),
    Code.SETTING_UNKNOWN: lambda p: _("Unknown setting %(key)s for a %(kind)s check (known: %(known)s).", **p),
    Code.TYPE_TEXT: lambda p: _("Must be text."),
    Code.TYPE_WHOLE: lambda p: _("Enter a whole number."),
    Code.TYPE_NUMBER: lambda p: _("Enter a number."),
    Code.TYPE_BOOL: lambda p: _("Must be true or false."),
    Code.TYPE_LIST: lambda p: _("Must be a list."),
    Code.TYPE_TABLE: lambda p: _("Must be a table of key = value."),
    Code.REQUIRED_FOR_KIND: lambda p: _("Required for this kind of check."),
    Code.SAMPLE_RANGE: lambda p: _("Above 0 and shorter than the timeout."),
    Code.PATH_ABSOLUTE: lambda p: _("An absolute path such as / or /var."),
    Code.LOAD_PERIOD: lambda p: _("1, 5 or 15 (minutes)."),
    Code.PROCESS_WHAT: lambda p: _("Give a process name or a command line pattern."),
    Code.REGEX_INVALID: lambda p: _("Not a valid regular expression: %(error)s", **p),
    Code.HOST_INVALID: lambda p: _("A host name or address, without spaces."),
    Code.URL_SCHEME: lambda p: _("The URL must start with http:// or https://."),
    Code.URL_NO_HOST: lambda p: _("The URL has no host name."),
    Code.URL_SPACES: lambda p: _("The URL must not contain spaces."),
    Code.URL_PORT: lambda p: _("The URL's port must be 1–65535."),
    Code.URL_INVALID: lambda p: _("Not a valid URL: %(error)s", **p),
    Code.METHOD_UNKNOWN: lambda p: _("One of: %(choices)s.", **p),
    Code.EXPECT_STATUS: lambda p: _("Status codes from 100 to 599, e.g. 200, 204."),
    Code.HEADER_VALUES_TEXT: lambda p: _("Header values must be text."),
    Code.HEADERS_LIMITS: lambda p: _("At most %(n)s headers, names up to 100 and values up to %(length)s "
                                     "characters, without control characters.", **p),
    Code.CA_FILE_MISSING: lambda p: _("The CA file %(file)s does not exist.", **p),
    Code.CERT_DAYS_ORDER: lambda p: _("Must not be more than the certificate warning days."),
    Code.COMMAND_LIST: lambda p: _("Give the plugin path, then its arguments."),
    Code.COMMAND_LIMITS: lambda p: _("At most %(n)s parts of at most %(length)s characters each.", **p),
    Code.RANGE_NOT_TEXT: lambda p: _("Invalid range: write e.g. 10, 10:, ~:10, 10:20 or @10:20."),
    Code.RANGE_EMPTY: lambda p: _("Invalid range: write e.g. 10, 10:, ~:10, 10:20 or @10:20."),
    Code.RANGE_TWO_COLONS: lambda p: _("Invalid range '%(range)s': more than one ':'.", **p),
    Code.RANGE_NOT_NUMBER: lambda p: _("Invalid range '%(range)s': '%(bound)s' is not a number.", **p),
    Code.RANGE_REVERSED: lambda p: _("Invalid range '%(range)s': the start %(start)s is greater than the end "
                                     "%(end)s.", **p),
    Code.PLUGIN_NOT_NAME_OR_PATH: lambda p: _("Give a plugin name or an absolute path."),
    Code.PLUGIN_BAD_NAME: lambda p: _("%(program)s is not a plugin name.", **p),
    Code.PLUGIN_RELATIVE: lambda p: _("Give a plugin name or an absolute path, not a relative path."),
    Code.PLUGIN_OUTSIDE_DIRS: lambda p: _("%(program)s is not in an allowed plugin directory (%(dirs)s): the "
                                          "operator installs plugins there.", **p),
    Code.PLUGIN_LEADS_OUTSIDE: lambda p: _("%(program)s leads to %(real)s, outside the allowed plugin "
                                           "directories.", **p),
    Code.PLUGIN_MISSING: lambda p: _("no such plugin %(program)s in the plugin directories", **p),
    Code.PLUGIN_NOT_REGULAR: lambda p: _("%(program)s is not a regular file.", **p),
    Code.PLUGIN_NOT_EXECUTABLE: lambda p: _("Plugin %(program)s is not executable.", **p),
    Code.AUTHOR_REQUIRED: lambda p: _("An author is required."),
    Code.REASON_REQUIRED: lambda p: _("Write the reason: what is being worked on, by whom."),
    Code.ONE_OFF_NEEDS_SPAN: lambda p: _("A one-off window needs a start and an end."),
    Code.SPAN_NEEDS_ZONE: lambda p: _("The start and the end need a time zone."),
    Code.WINDOW_YEARS: lambda p: _("The window must lie between the years %(first)s and %(last)s.", **p),
    Code.END_BEFORE_START: lambda p: _("The end must be after the start."),
    Code.WEEKDAYS_REQUIRED: lambda p: _("Choose at least one weekday."),
    Code.DURATION_RANGE: lambda p: _("More than zero and at most 7 days (10080 minutes)."),
    Code.ZONE_UNKNOWN: lambda p: _("Unknown time zone %(zone)s.", **p),
    Code.INVALID_CHECK: lambda p: _("invalid check: %(problems)s", **p),
    Code.CHECK_FAILED: lambda p: _("check failed: %(error)s", **p),
    Code.MACROS_UNREADABLE: lambda p: _("cannot read the operator's macros (%(path)s): %(error)s", **p),
    Code.MACRO_UNKNOWN: lambda p: _("unknown macro $%(name)s$: define it in instance/resource.toml [macros] "
                                    "or as DUTYDESK_MACRO_%(name)s for the scheduler", **p),
    Code.CPU: lambda p: _("CPU %(state)s - %(percent)s%% used", **p),
    Code.MEMORY: lambda p: _("MEMORY %(state)s - %(percent)s%% used of %(total)s", **p),
    Code.SWAP: lambda p: _("SWAP %(state)s - %(percent)s%% used of %(total)s", **p),
    Code.SWAP_NONE: lambda p: _("SWAP %(state)s - no swap configured", **p),
    Code.DISK: lambda p: _("DISK %(state)s - %(path)s %(percent)s%% used, %(free)s free of %(total)s", **p),
    Code.DISK_UNREADABLE: lambda p: _("DISK UNKNOWN - cannot read %(path)s: %(error)s", **p),
    Code.LOAD: lambda p: ngettext("LOAD %(state)s - per core: %(loads)s (%(num)s core)",
                                  "LOAD %(state)s - per core: %(loads)s (%(num)s cores)", p["num"], **_but_num(p)),
    Code.PROCESS: lambda p: ngettext("PROCS %(state)s - %(num)s process with %(what)s",
                                     "PROCS %(state)s - %(num)s processes with %(what)s", p["num"], **_but_num(p)),
    Code.TCP: lambda p: _("TCP %(state)s - %(host)s:%(port)s answered in %(ms)s ms", **p),
    Code.TCP_UNRESOLVED: lambda p: _("TCP UNKNOWN - cannot resolve %(host)s: %(error)s", **p),
    Code.TCP_TIMEOUT: lambda p: _("TCP CRITICAL - %(host)s:%(port)s no answer within %(timeout)s s", **p),
    Code.TCP_ERROR: lambda p: _("TCP CRITICAL - %(host)s:%(port)s %(error)s", **p),
    Code.HTTP: lambda p: _("HTTP %(state)s - %(findings)s", **p),
    Code.HTTP_UNRESOLVED: lambda p: _("HTTP UNKNOWN - cannot resolve host of %(url)s", **p),
    Code.HTTP_TIMEOUT: lambda p: _("HTTP CRITICAL - %(url)s no answer within %(timeout)s s", **p),
    Code.HTTP_ERROR: lambda p: _("HTTP CRITICAL - %(url)s %(error)s", **p),
    Code.FINDING_STATUS: lambda p: _("status %(status)s", **p),
    Code.FINDING_KEYWORD_FOUND: lambda p: _("keyword '%(keyword)s' found", **p),
    Code.FINDING_KEYWORD_MISSING: lambda p: _("keyword '%(keyword)s' missing", **p),
    Code.FINDING_REGEX_MATCHED: lambda p: _("regex /%(regex)s/ matched", **p),
    Code.FINDING_REGEX_UNMATCHED: lambda p: _("regex /%(regex)s/ not matched", **p),
    Code.FINDING_LATENCY: lambda p: _("%(ms)s ms", **p),
    Code.FINDING_CERT_UNCHECKED: lambda p: _("certificate not checked (verify_tls = false)"),
    Code.FINDING_CERT_DAYS: lambda p: ngettext("certificate expires in %(num)s day",
                                               "certificate expires in %(num)s days", p["num"], **_but_num(p)),
    Code.PLUGIN_REFUSED: lambda p: _("plugin refused: %(problem)s", **p),
    Code.PLUGIN_CANNOT_RUN: lambda p: _("cannot run plugin %(plugin)s: %(error)s", **p),
    Code.PLUGIN_TIMEOUT: lambda p: _("plugin timed out after %(timeout)s s: %(plugin)s", **p),
    Code.PLUGIN_KILLED: lambda p: _("plugin killed by signal %(signal)s", **p),
    Code.PLUGIN_KILLED_SAID: lambda p: _("plugin killed by signal %(signal)s: %(output)s", **p),
    Code.PLUGIN_BAD_EXIT: lambda p: _("plugin exit code %(code)s (not 0-3)", **p),
    Code.PLUGIN_BAD_EXIT_SAID: lambda p: _("plugin exit code %(code)s (not 0-3): %(output)s", **p),
    Code.PLUGIN_NO_OUTPUT: lambda p: _("(no output returned from plugin)"),
    Code.PLUGIN_NO_OUTPUT_STDERR: lambda p: _("(no output returned from plugin) stderr: %(stderr)s", **p),
    Code.SCHEDULER_NEVER: lambda p: _("SCHEDULER %(state)s - no scheduler has ever patrolled this desk", **p),
    Code.SCHEDULER_HOLDS: lambda p: ngettext(
        "SCHEDULER %(state)s - %(holder)s holds the patrol lease; last renewed %(num)s second ago",
        "SCHEDULER %(state)s - %(holder)s holds the patrol lease; last renewed %(num)s seconds ago",
        p["num"], **_but_num(p)),
    Code.SCHEDULER_EXPIRED: lambda p: ngettext(
        "SCHEDULER %(state)s - %(holder)s held the patrol lease, now expired; last renewed %(num)s second ago",
        "SCHEDULER %(state)s - %(holder)s held the patrol lease, now expired; last renewed %(num)s seconds ago",
        p["num"], **_but_num(p)),
    Code.FLAPPING_START: lambda p: _("%(check)s is flapping (%(percent)s%% state change): %(said)s", **p),
    Code.FLAPPING_STOP: lambda p: _("%(check)s stopped flapping (%(percent)s%% state change): %(said)s", **p),
    Code.SCHEDULER_NO_DATABASE: lambda p: _("SCHEDULER UNKNOWN - no database to read the patrol lease from"),
}


def _prepared(params: P) -> P:
    """Parameters ready for a template: states, nested messages and finding lists put into words."""
    return {key: PARAM_WORDS[key](value) if key in PARAM_WORDS else value for key, value in params.items()}


def _nested(value: Any) -> Any:
    """A nested message (a plugin problem, the run behind an event) in words; anything else as it is."""
    return render(value) if isinstance(value, dict) else value


def _problems(value: Any) -> Any:
    """{field: message} as 'field: words; field: words'."""
    if not isinstance(value, dict):
        return value
    return pgettext("list separator", "; ").join(f"{field}: {render(problem)}" for field, problem in value.items())


def _findings(value: Any) -> Any:
    """A list of messages as one line."""
    return pgettext("list separator", ", ").join(render(f) for f in value) if isinstance(value, list) else value


# How each parameter that is not yet words is put into words (the others go into the template as they are).
PARAM_WORDS: dict[str, Callable[[Any], Any]] = {"state": _state, "problem": _nested, "said": _nested,
                                                "problems": _problems, "findings": _findings}


def render(message: Message | dict[str, Any]) -> str:
    """``message`` (or its dict form) as text in the current language (English outside a request)."""
    if isinstance(message, dict):
        message = Message.from_dict(message)
    return TEMPLATES[message.code](_prepared(message.params))


@contextmanager
def language(lang: str | None) -> Iterator[None]:
    """Render in ``lang`` (``en``, ``zh_CN``) inside the block; None keeps the current language."""
    if lang is None or not has_app_context():
        yield
        return
    with force_locale(lang):
        yield


def english(message: Message | dict[str, Any]) -> str:
    """``message`` in English, whatever the reader's language (what is stored beside the code)."""
    with language("en"):
        return render(message)


def text(message: Message | str) -> str:
    """A core message or a marked msgid (``N_``) of the services, in the reader's language."""
    return render(message) if isinstance(message, Message) else _(message)


def summary(code_params: dict[str, Any] | None, stored: str) -> str:
    """A run's summary as the reader sees it: its message in words, else the text stored (a plugin's own
    output, or a run recorded before summaries were codes)."""
    if not code_params:
        return stored
    try:
        return render(code_params)
    except (KeyError, ValueError, TypeError):  # a code this version no longer knows: what was stored in English
        return stored
