"""Checks as code: the issue's example parses, bad files are refused with line numbers, exact round trip."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitoring.checkfile import CheckFileError, dump_checks, parse_checks
from monitoring.checkspec import CheckSpec, normalize_name, validate_spec
from tests.monitoring.checkfiles import DB_PORT_AND_PORTAL

EXAMPLE = DB_PORT_AND_PORTAL + """
[[checks]]
name = "root-disk"
kind = "nagios"
domain = "info"
command = ["/usr/lib/nagios/plugins/check_disk", "-w", "20%", "-c", "10%", "-p", "/"]
"""


def test_issue_example_parses():
    specs = parse_checks(EXAMPLE)
    assert [s.name for s in specs] == ["db-port", "portal", "root-disk"]
    assert specs[0].params == {"host": "127.0.0.1", "port": 5432} and specs[0].interval == 30
    assert specs[1].params["expect_status"] == [200]
    assert specs[2].params["command"][0].endswith("check_disk")


def test_round_trip_is_exact():
    specs = parse_checks(EXAMPLE)
    assert parse_checks(dump_checks(specs)) == specs
    assert dump_checks(parse_checks(dump_checks(specs))) == dump_checks(specs)


def test_round_trip_of_every_field():
    spec = CheckSpec(
        "web 门户",
        "http",
        "comms",
        {"url": "http://x/", "headers": {"X-A": "1"}, "verify_tls": False},
        interval=120,
        timeout=9,
        max_attempts=5,
        retry_interval=20,
        recovery_threshold=2,
        warning="0.5",
        critical="@2:3",
        severity="critical",
        enabled=False,
        runbook="1. 检查\n2. call 'ops' \"now\"",
        flap_start=60.5,
        flap_stop=20,
    )
    assert parse_checks(dump_checks([spec])) == [spec]


def test_numbers_are_accepted_as_thresholds():
    [spec] = parse_checks('[[checks]]\nname = "c"\nkind = "cpu"\nwarning = 80\ncritical = 95.5\n')
    assert (spec.warning, spec.critical) == ("80", "95.5")


def test_bad_file_lists_lines_and_reasons():
    bad = EXAMPLE.replace("port = 5432", "port = 99999").replace("https://portal", "ftp://portal")
    bad = bad.replace('domain = "info"         # info | comms', 'domain = "ops"')
    with pytest.raises(CheckFileError) as caught:
        parse_checks(bad)
    problems = caught.value.problems
    assert [line for line, _ in problems] == [4, 9, 15]
    assert "domain" in problems[0][1] and "port" in problems[1][1] and "http://" in problems[2][1]
    assert "line 9: check #1 'db-port': port:" in str(caught.value)


def test_missing_key_points_at_the_table():
    text = EXAMPLE + '\n[[checks]]\nname = "x"\nkind = "tcp"\nhost = "h"\n'
    with pytest.raises(CheckFileError) as caught:
        parse_checks(text)
    [(line, message)] = caught.value.problems
    assert line == 25 and "port: Required for this kind of check" in message


def test_syntax_error_has_its_line():
    with pytest.raises(CheckFileError) as caught:
        parse_checks('[[checks]]\nname = "x"\nkind = = "tcp"\n')
    assert caught.value.problems[0][0] == 3 and "not valid TOML" in caught.value.problems[0][1]


def test_duplicate_names_and_unknown_top_level_keys():
    with pytest.raises(CheckFileError, match=r"line 26: check #4: name .portal. already used by check #2"):
        parse_checks(EXAMPLE + '\n[[checks]]\nname = "portal"\nkind = "memory"\n')
    with pytest.raises(CheckFileError, match="unknown top-level key 'check'"):
        parse_checks('[[check]]\nname = "x"\n')
    with pytest.raises(CheckFileError, match="array of tables"):
        parse_checks("checks = 3\n")


def test_sub_table_keys_do_not_confuse_line_lookup():
    text = '[[checks]]\nname = "w"\nkind = "http"\nurl = "http://x/"\n[checks.headers]\nport = "x"\n'
    assert parse_checks(text)[0].params["headers"] == {"port": "x"}


def test_empty_file_is_no_checks():
    assert parse_checks("") == []
    assert dump_checks([]) == "checks = []\n" or parse_checks(dump_checks([])) == []


names = st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"]),
               min_size=1, max_size=20).map(normalize_name).filter(lambda n: "name" not in validate_spec(
                   CheckSpec(n, "memory")))


def test_a_runbook_typed_in_a_browser_survives_export_and_import():
    """A textarea sends CRLF; TOML readers may hand multi-line strings back with LF (hypothesis found '\\r\\n')."""
    spec = CheckSpec("disk", "disk", runbook="step 1\r\nstep 2\r\r\n", params={"path": "/"})
    assert spec.runbook == "step 1\nstep 2\n"
    assert parse_checks(dump_checks([spec])) == [spec]


@settings(max_examples=50, deadline=None)
@example("n", 60, 1, None, "\r\n")
@given(
    names,
    st.integers(5, 3600),
    st.integers(1, 20),
    st.sampled_from(["10", "10:", "~:5", "@1:2", None]),
    st.text(max_size=40),
)
def test_round_trip_property(name, interval, attempts, warning, runbook):
    spec = CheckSpec(
        name,
        "disk",
        interval=interval,
        timeout=5,
        max_attempts=attempts,
        warning=warning,
        runbook=runbook,
        params={"path": "/"},
    )
    assert parse_checks(dump_checks([spec])) == [spec]
