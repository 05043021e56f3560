"""Every built-in check kind against this host and real local TCP/HTTP(S) servers."""

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from monitoring.checkspec import CheckSpec, State
from monitoring.probes import cert_days_left, run_check
from tests.monitoring.patrol_helpers import summary_of


def check(kind: str, **fields) -> CheckSpec:
    """A spec of ``kind``; keyword ``params`` and common fields pass through."""
    return CheckSpec(name=f"t-{kind}", kind=kind, **fields)


@pytest.mark.parametrize("kind", ["memory", "swap", "disk", "load"])
def test_host_kinds_give_a_state_and_metrics(kind):
    result = run_check(check(kind))
    assert result.state in (State.OK, State.WARNING, State.CRITICAL)
    assert summary_of(result).startswith(kind.upper()) and result.metrics and result.duration >= 0


def test_cpu_samples_and_thresholds_decide():
    result = run_check(check("cpu", params={"sample": 0.05}, warning="@0:100", critical="101:"))
    assert result.state == State.CRITICAL  # any percentage is outside 101..inf
    result = run_check(check("cpu", params={"sample": 0.05}, warning="@0:100"))
    assert result.state == State.WARNING and result.metrics[0].label == "cpu"


def test_disk_threshold_and_missing_path():
    assert run_check(check("disk", params={"path": "/"}, critical="@0:100")).state == State.CRITICAL
    result = run_check(check("disk", params={"path": "/no/such/mount"}))
    assert result.state == State.UNKNOWN and "cannot read" in summary_of(result)


def test_load_per_core_metrics():
    result = run_check(check("load", params={"period": 15}))
    assert [m.label for m in result.metrics] == ["load1", "load5", "load15"]


def test_process_by_cmdline_and_count_range():
    marker = "dutydesk-probe-marker-31337"
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", marker])
    try:
        found = run_check(check("process", params={"cmdline": marker}))
        assert found.state == State.OK and found.metrics[0].value == 1
        too_few = run_check(check("process", params={"cmdline": marker}, critical="2:"))
        assert too_few.state == State.CRITICAL
    finally:
        proc.kill()
        proc.wait()
    gone = run_check(check("process", params={"cmdline": marker}))
    assert gone.state == State.CRITICAL and "0 process" in summary_of(gone)


def test_process_by_name():
    proc = subprocess.Popen(["sleep", "30"])
    try:
        assert run_check(check("process", params={"name": "sleep"})).state == State.OK
    finally:
        proc.kill()
        proc.wait()


def test_tcp_open_closed_and_latency(tcp_port, closed_port):
    ok = run_check(check("tcp", params={"host": "127.0.0.1", "port": tcp_port}))
    assert ok.state == State.OK and ok.metrics[0].label == "time" and ok.metrics[0].uom == "s"
    slow = run_check(check("tcp", params={"host": "127.0.0.1", "port": tcp_port}, warning="~:-1"))
    assert slow.state == State.WARNING  # any latency is above -1 s
    refused = run_check(check("tcp", params={"host": "127.0.0.1", "port": closed_port}))
    assert refused.state == State.CRITICAL and "refused" in summary_of(refused).lower()


def test_tcp_bad_host_is_unknown():
    result = run_check(check("tcp", params={"host": "no-such-host.invalid", "port": 80}, timeout=2))
    assert result.state == State.UNKNOWN and "resolve" in summary_of(result)


def test_http_ok_with_keyword_and_regex(http_url):
    spec = check("http", params={"url": http_url + "/health", "keyword": "ok", "regex": r"status:\s+ok"})
    result = run_check(spec)
    assert result.state == State.OK, summary_of(result)
    assert {m.label for m in result.metrics} == {"time", "size"}


def test_http_keyword_missing_is_critical(http_url):
    result = run_check(check("http", params={"url": http_url + "/health", "keyword": "degraded"}))
    assert result.state == State.CRITICAL and "keyword 'degraded' missing" in summary_of(result)


def test_http_status_codes(http_url):
    assert run_check(check("http", params={"url": http_url + "/error"})).state == State.CRITICAL
    spec = check("http", params={"url": http_url + "/error", "expect_status": [500]})
    assert run_check(spec).state == State.OK
    assert run_check(check("http", params={"url": http_url + "/redirect"})).state == State.OK  # 3xx is fine
    spec = check("http", params={"url": http_url + "/redirect", "expect_status": [200], "follow_redirects": True})
    assert run_check(spec).state == State.OK


def test_http_post_body(http_url):
    spec = check(
        "http",
        params={"url": http_url + "/x", "method": "POST", "body": "pong", "expect_status": [201], "keyword": "pong"},
    )
    assert run_check(spec).state == State.OK


def test_http_latency_thresholds_and_timeout(http_url):
    slow = run_check(check("http", params={"url": http_url + "/slow"}, warning="0.1", critical="5"))
    assert slow.state == State.WARNING and slow.metrics[0].value >= 0.3
    timed_out = run_check(check("http", params={"url": http_url + "/hang"}, timeout=1, interval=5))
    assert timed_out.state == State.CRITICAL and "no answer within 1 s" in summary_of(timed_out)
    assert timed_out.duration < 2


def test_http_connection_refused_and_bad_host(closed_port):
    refused = run_check(check("http", params={"url": f"http://127.0.0.1:{closed_port}/"}))
    assert refused.state == State.CRITICAL
    bad = run_check(check("http", params={"url": "http://no-such-host.invalid/"}, timeout=2))
    assert bad.state == State.UNKNOWN and "resolve" in summary_of(bad)


def test_https_certificate_days(https_server):
    url, ca_file = https_server
    result = run_check(check("http", params={"url": url + "/health", "ca_file": ca_file}))
    assert result.state == State.OK, summary_of(result)
    days = next(m for m in result.metrics if m.label == "cert_days").value
    assert 29 < days <= 30
    soon = run_check(check("http", params={"url": url + "/health", "ca_file": ca_file, "cert_warning_days": 60}))
    assert soon.state == State.WARNING and "certificate expires in" in summary_of(soon)
    spec = check(
        "http", params={"url": url + "/health", "ca_file": ca_file, "cert_critical_days": 40, "cert_warning_days": 60}
    )
    assert run_check(spec).state == State.CRITICAL
    untrusted = run_check(check("http", params={"url": url + "/health"}))
    assert untrusted.state == State.CRITICAL and "CERTIFICATE_VERIFY_FAILED" in summary_of(untrusted)
    unverified = run_check(check("http", params={"url": url + "/health", "verify_tls": False}))
    assert unverified.state == State.OK and "not checked" in summary_of(unverified)


def test_cert_days_left_is_pure():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert cert_days_left("Jan 11 00:00:00 2026 GMT", now) == pytest.approx(10)
    assert cert_days_left("Dec 31 00:00:00 2025 GMT", now) == pytest.approx(-1)


def test_invalid_spec_and_exceptions_are_unknown(monkeypatch):
    assert run_check(check("tcp", params={"host": "h"})).state == State.UNKNOWN
    assert "invalid check" in summary_of(run_check(check("nope")))
    import monitoring.probes as probes

    def explode(spec):
        raise RuntimeError("boom")

    monkeypatch.setitem(probes.PROBES, "memory", explode)
    result = run_check(check("memory"))
    assert result.state == State.UNKNOWN and "RuntimeError: boom" in summary_of(result)
