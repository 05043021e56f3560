"""Every message the patrol core can give, as a code with parameters (never a sentence).

The core (spec validation, the range parser, the plugin policy, maintenance windows and our own probes)
returns :class:`Message` values; ``monitoring.words`` is the one place that turns a code into text in the
reader's language. A code not listed in :class:`Code` cannot be built, so the catalog test sees them all.
Parameters are JSON values (a run's summary is stored as ``{"code", "params"}``); a parameter may itself
be a message dict (a plugin problem inside "plugin refused", the findings of an HTTP check).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Code(StrEnum):
    """The codes of the patrol core's messages."""

    # check spec
    NAME_REQUIRED = "name_required"
    NAME_INVALID = "name_invalid"
    KIND_UNKNOWN = "kind_unknown"
    DOMAIN_UNKNOWN = "domain_unknown"
    SEVERITY_UNKNOWN = "severity_unknown"
    NOT_BOOL = "not_bool"
    NOT_TEXT = "not_text"
    TOO_LONG = "too_long"
    WHOLE_NUMBER = "whole_number"
    WHOLE_SECONDS = "whole_seconds"
    WHOLE_DAYS = "whole_days"
    TIMEOUT_OVER_INTERVAL = "timeout_over_interval"
    PERCENTAGE = "percentage"
    FLAP_STOP_ABOVE_START = "flap_stop_above_start"
    NAGIOS_THRESHOLDS = "nagios_thresholds"
    SETTING_UNKNOWN = "setting_unknown"
    TYPE_TEXT = "type_text"
    TYPE_WHOLE = "type_whole"
    TYPE_NUMBER = "type_number"
    TYPE_BOOL = "type_bool"
    TYPE_LIST = "type_list"
    TYPE_TABLE = "type_table"
    REQUIRED_FOR_KIND = "required_for_kind"
    SAMPLE_RANGE = "sample_range"
    PATH_ABSOLUTE = "path_absolute"
    LOAD_PERIOD = "load_period"
    PROCESS_WHAT = "process_what"
    REGEX_INVALID = "regex_invalid"
    HOST_INVALID = "host_invalid"
    URL_SCHEME = "url_scheme"
    URL_NO_HOST = "url_no_host"
    URL_SPACES = "url_spaces"
    URL_PORT = "url_port"
    URL_INVALID = "url_invalid"
    METHOD_UNKNOWN = "method_unknown"
    EXPECT_STATUS = "expect_status"
    HEADER_VALUES_TEXT = "header_values_text"
    HEADERS_LIMITS = "headers_limits"
    CA_FILE_MISSING = "ca_file_missing"
    CERT_DAYS_ORDER = "cert_days_order"
    COMMAND_LIST = "command_list"
    COMMAND_LIMITS = "command_limits"
    # Nagios ranges
    RANGE_NOT_TEXT = "range_not_text"
    RANGE_EMPTY = "range_empty"
    RANGE_TWO_COLONS = "range_two_colons"
    RANGE_NOT_NUMBER = "range_not_number"
    RANGE_REVERSED = "range_reversed"
    # plugin policy
    PLUGIN_NOT_NAME_OR_PATH = "plugin_not_name_or_path"
    PLUGIN_BAD_NAME = "plugin_bad_name"
    PLUGIN_RELATIVE = "plugin_relative"
    PLUGIN_OUTSIDE_DIRS = "plugin_outside_dirs"
    PLUGIN_LEADS_OUTSIDE = "plugin_leads_outside"
    PLUGIN_MISSING = "plugin_missing"
    PLUGIN_NOT_REGULAR = "plugin_not_regular"
    PLUGIN_NOT_EXECUTABLE = "plugin_not_executable"
    # maintenance windows
    AUTHOR_REQUIRED = "author_required"
    REASON_REQUIRED = "reason_required"
    ONE_OFF_NEEDS_SPAN = "one_off_needs_span"
    SPAN_NEEDS_ZONE = "span_needs_zone"
    WINDOW_YEARS = "window_years"
    END_BEFORE_START = "end_before_start"
    WEEKDAYS_REQUIRED = "weekdays_required"
    DURATION_RANGE = "duration_range"
    ZONE_UNKNOWN = "zone_unknown"
    # run summaries of our probes
    INVALID_CHECK = "invalid_check"
    CHECK_FAILED = "check_failed"
    MACROS_UNREADABLE = "macros_unreadable"
    MACRO_UNKNOWN = "macro_unknown"
    CPU = "cpu"
    MEMORY = "memory"
    SWAP = "swap"
    SWAP_NONE = "swap_none"
    DISK = "disk"
    DISK_UNREADABLE = "disk_unreadable"
    LOAD = "load"
    PROCESS = "process"
    TCP = "tcp"
    TCP_UNRESOLVED = "tcp_unresolved"
    TCP_TIMEOUT = "tcp_timeout"
    TCP_ERROR = "tcp_error"
    HTTP = "http"
    HTTP_UNRESOLVED = "http_unresolved"
    HTTP_TIMEOUT = "http_timeout"
    HTTP_ERROR = "http_error"
    FINDING_STATUS = "finding_status"
    FINDING_KEYWORD_FOUND = "finding_keyword_found"
    FINDING_KEYWORD_MISSING = "finding_keyword_missing"
    FINDING_REGEX_MATCHED = "finding_regex_matched"
    FINDING_REGEX_UNMATCHED = "finding_regex_unmatched"
    FINDING_LATENCY = "finding_latency"
    FINDING_CERT_UNCHECKED = "finding_cert_unchecked"
    FINDING_CERT_DAYS = "finding_cert_days"
    PLUGIN_REFUSED = "plugin_refused"
    PLUGIN_CANNOT_RUN = "plugin_cannot_run"
    PLUGIN_TIMEOUT = "plugin_timeout"
    PLUGIN_KILLED = "plugin_killed"
    PLUGIN_KILLED_SAID = "plugin_killed_said"
    PLUGIN_BAD_EXIT = "plugin_bad_exit"
    PLUGIN_BAD_EXIT_SAID = "plugin_bad_exit_said"
    PLUGIN_NO_OUTPUT = "plugin_no_output"
    PLUGIN_NO_OUTPUT_STDERR = "plugin_no_output_stderr"
    SCHEDULER_NEVER = "scheduler_never"
    SCHEDULER_HOLDS = "scheduler_holds"
    SCHEDULER_EXPIRED = "scheduler_expired"
    SCHEDULER_NO_DATABASE = "scheduler_no_database"
    # anomaly events
    FLAPPING_START = "flapping_start"
    FLAPPING_STOP = "flapping_stop"


@dataclass(frozen=True)
class Message:
    """A code and its parameters: what the core means, for the rendering layer to put into words."""

    code: Code
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", Code(self.code))  # an unknown code fails here, where it is made

    def to_dict(self) -> dict[str, Any]:
        """``{"code", "params"}`` (nested messages as dicts too), ready for JSON."""
        params = {k: v.to_dict() if isinstance(v, Message) else v for k, v in self.params.items()}
        return {"code": self.code.value, "params": params}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        """The message :meth:`to_dict` wrote."""
        return cls(Code(data["code"]), dict(data.get("params") or {}))


def msg(code: Code, /, **params: Any) -> Message:
    """Shorthand: ``msg(Code.TOO_LONG, n=100)``."""
    return Message(code, params)
