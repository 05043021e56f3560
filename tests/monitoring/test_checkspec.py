"""CheckSpec validation: every bad field is refused with a clear message on that field."""

import os

import pytest

from monitoring.checkspec import (
    CheckResult,
    CheckSpec,
    State,
    spec_from_dict,
    spec_to_dict,
    validate_spec,
    worst,
)
from monitoring.codes import Code
from monitoring.words import english


def tcp(**changes) -> CheckSpec:
    """A valid TCP spec with ``changes`` applied to the common fields."""
    fields = {"name": "db", "kind": "tcp", "params": {"host": "127.0.0.1", "port": 5432}, **changes}
    return CheckSpec(**fields)


def test_valid_specs_have_no_errors():
    assert validate_spec(tcp()) == {}
    assert validate_spec(CheckSpec("cpu", "cpu", warning="80", critical="90")) == {}
    assert validate_spec(CheckSpec("web", "http", params={"url": "https://x.example/health"})) == {}
    assert validate_spec(CheckSpec("p", "process", params={"cmdline": r"nginx: master"})) == {}


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"name": ""}, "name", "give the check a name"),
        ({"name": " x"}, "name", "surrounding spaces"),
        ({"kind": "ping"}, "kind", "unknown kind"),
        ({"domain": "ops"}, "domain", "info, comms"),
        ({"severity": "urgent"}, "severity", "critical, major, minor, info"),
        ({"interval": 4}, "interval", "5 to"),
        ({"interval": 10.5}, "interval", "whole number"),
        ({"interval": True}, "interval", "whole number"),
        ({"retry_interval": 1}, "retry_interval", "5 to"),
        ({"timeout": 0}, "timeout", "1 to"),
        ({"interval": 10, "timeout": 20}, "timeout", "must not be longer than the interval"),
        ({"max_attempts": 0}, "max_attempts", "1 to 20"),
        ({"recovery_threshold": 0}, "recovery_threshold", "1 to 20"),
        ({"warning": "10:5"}, "warning", "greater than the end"),
        ({"critical": "abc"}, "critical", "not a number"),
        ({"flap_start": 20, "flap_stop": 30}, "flap_stop", "must not be above"),
        ({"flap_start": 0}, "flap_start", "percentage"),
        ({"enabled": "yes"}, "enabled", "true or false"),
    ],
)
def test_common_field_errors(changes, field, fragment):
    errors = validate_spec(tcp(**changes))
    assert field in errors and fragment.lower() in english(errors[field]).lower(), errors


@pytest.mark.parametrize(
    ("kind", "params", "field", "fragment"),
    [
        ("tcp", {"host": "h"}, "port", "required"),
        ("tcp", {"host": "h", "port": 70000}, "port", "1 to 65535"),
        ("tcp", {"host": "h", "port": "80"}, "port", "whole number"),
        ("tcp", {"host": "a b", "port": 80}, "host", "without spaces"),
        ("tcp", {"host": "h", "port": 80, "prot": 1}, "prot", "unknown setting"),
        ("http", {"url": "ftp://x/"}, "url", "http:// or https://"),
        ("http", {"url": "http:///path"}, "url", "no host"),
        ("http", {"url": "http://x:99999/"}, "url", "not a valid url"),
        ("http", {"url": "http://x/", "regex": "(unclosed"}, "regex", "not a valid regular expression"),
        ("http", {"url": "http://x/", "method": "FETCH"}, "method", "GET"),
        ("http", {"url": "http://x/", "expect_status": [200, 700]}, "expect_status", "100 to 599"),
        ("http", {"url": "http://x/", "expect_status": 200}, "expect_status", "a list"),
        ("http", {"url": "http://x/", "ca_file": "/nonexistent.pem"}, "ca_file", "does not exist"),
        (
            "http",
            {"url": "http://x/", "cert_warning_days": 5, "cert_critical_days": 9},
            "cert_critical_days",
            "not be more than",
        ),
        ("process", {}, "name", "process name or a command line"),
        ("process", {"cmdline": "[a-"}, "cmdline", "not a valid regular expression"),
        ("disk", {"path": "var"}, "path", "absolute"),
        ("load", {"period": 10}, "period", "1, 5 or 15"),
        ("cpu", {"sample": 20}, "sample", "shorter than the timeout"),
        ("nagios", {}, "command", "required"),
        ("nagios", {"command": []}, "command", "plugin path"),
        ("nagios", {"command": "check_load -w 1"}, "command", "a list"),
        ("nagios", {"command": ["/no/such/plugin"]}, "command", "not in an allowed plugin directory"),
        ("nagios", {"command": ["/bin/sh", "-c", "id"]}, "command", "not in an allowed plugin directory"),
        ("nagios", {"command": ["sub/check_x"]}, "command", "not a relative path"),
    ],
)
def test_kind_param_errors(kind, params, field, fragment):
    errors = validate_spec(CheckSpec("c", kind, params=params))
    assert field in errors and fragment.lower() in english(errors[field]).lower(), errors


def test_plugin_must_be_executable(plugin_dir):
    script = plugin_dir / "check_x"
    script.write_text("#!/bin/sh\necho OK\n")
    os.chmod(script, 0o644)
    errors = validate_spec(CheckSpec("n", "nagios", params={"command": [str(script)]}))
    assert errors["command"].code == Code.PLUGIN_NOT_EXECUTABLE
    os.chmod(script, 0o755)
    assert validate_spec(CheckSpec("n", "nagios", params={"command": [str(script)]})) == {}


def test_nagios_takes_thresholds_in_arguments():
    spec = CheckSpec("n", "nagios", params={"command": ["/bin/true"]}, warning="5")
    assert validate_spec(spec)["warning"].code == Code.NAGIOS_THRESHOLDS


def test_dict_round_trip_keeps_params_flat():
    spec = tcp(interval=30, warning="0.5", runbook="call the DBA")
    flat = spec_to_dict(spec)
    assert flat["host"] == "127.0.0.1" and "params" not in flat and "timeout" not in flat
    assert spec_from_dict(flat) == spec
    assert spec_from_dict(spec_to_dict(spec, include_defaults=True)) == spec


def test_param_defaults_and_default_thresholds():
    spec = CheckSpec("w", "http", params={"url": "http://x/"})
    assert spec.param("method") == "GET" and spec.param("verify_tls") is True
    assert CheckSpec("d", "disk").thresholds() == ("80", "90")
    assert CheckSpec("d", "disk", critical="95").thresholds() == (None, "95")
    assert CheckSpec("t", "tcp").thresholds() == (None, None)


def test_state_helpers():
    assert State.from_exit_code(2) is State.CRITICAL
    assert State.from_exit_code(7) is State.UNKNOWN
    assert State.from_exit_code(-9) is State.UNKNOWN
    assert worst([State.OK, State.UNKNOWN, State.WARNING]) is State.UNKNOWN
    assert worst([State.UNKNOWN, State.CRITICAL]) is State.CRITICAL
    assert worst([]) is State.OK
    assert CheckResult(State.OK, "fine").to_dict()["state"] == "OK"
