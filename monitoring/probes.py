"""Running one check once: :func:`run_check` turns a :class:`CheckSpec` into a :class:`CheckResult`.

It never raises. A check that cannot run at all (invalid spec, unknown host name, missing plugin, plugin
timeout, unexpected exception) is UNKNOWN with the reason in the summary. What a check *finds* is reported as
its state: a refused or timed-out TCP/HTTP connection is CRITICAL (as ``check_tcp``/``check_http`` do), a
slow answer is judged by the spec's thresholds.

Blocking by design: the scheduler runs checks in a worker pool. HTTP checks ignore proxy environment variables
(patrol targets are on the internal network, as with ``check_http``).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
import select
import signal
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import psutil

from desk.timeutil import utcnow
from monitoring import lease, reaper
from monitoring.checkspec import CheckResult, CheckSpec, State, validate_spec, worst
from monitoring.perfdata import PerfDatum, split_plugin_output
from monitoring.plugins import MacroStore, expand, locate_plugin, mask, plugin_dirs, plugin_env
from monitoring.ranges import check_thresholds

MAX_OUTPUT = 64 * 1024  # bytes of plugin output / HTTP body kept; Nagios itself truncates long output too
MACROS = MacroStore()  # the operator's macros: instance/resource.toml and DUTYDESK_MACRO_<NAME>
_SEALED: list[bool] = []  # non-empty once _seal_inherited has run in this process
_SEAL_LOCK = threading.Lock()
_DEFAULT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGPIPE", "SIGXFZ", "SIGXFSZ") if hasattr(signal, name))


def run_check(spec: CheckSpec) -> CheckResult:
    """Run ``spec`` once and return its result, with ``duration`` measured here. Never raises.

    Whatever the result says, no value of the operator's macros shows in it (masked as ``$NAME$``).
    """
    started = time.perf_counter()
    try:
        errors = validate_spec(spec)
        if errors:
            details = "; ".join(f"{k}: {v}" for k, v in errors.items())
            result = CheckResult(State.UNKNOWN, f"invalid check: {details}")
        else:
            result = PROBES[spec.kind](spec)
    except Exception as exc:  # a patrol must never take the scheduler down
        result = CheckResult(State.UNKNOWN, f"check failed: {type(exc).__name__}: {exc}")
    return replace(masked(result, _macros_or_empty()), duration=time.perf_counter() - started)


def _macros_or_empty() -> dict[str, str]:
    """The operator's macros, or none when resource.toml is unreadable (the probes say so themselves)."""
    try:
        return MACROS.get()
    except (OSError, ValueError):
        return {}


def masked(result: CheckResult, macros: dict[str, str]) -> CheckResult:
    """``result`` with every macro value in its texts and metric labels replaced by ``$NAME$``."""
    if not macros:
        return result
    metrics = [replace(m, label=mask(m.label, macros)) for m in result.metrics]
    return replace(result, summary=mask(result.summary, macros), long_output=mask(result.long_output, macros),
                   metrics=metrics)


def operator_macros() -> tuple[dict[str, str] | None, CheckResult | None]:
    """(macros, None), or (None, an UNKNOWN result) when instance/resource.toml cannot be read."""
    try:
        return MACROS.get(), None
    except (OSError, ValueError) as exc:
        return None, unknown(f"cannot read the operator's macros ({MACROS.path}): {exc}")


def expand_all(texts: list[str], macros: dict[str, str]) -> tuple[list[str] | None, CheckResult | None]:
    """(texts with ``$NAME$`` substituted, None), or (None, UNKNOWN naming the unknown macro)."""
    try:
        return [expand(text, macros) for text in texts], None
    except KeyError as exc:
        name = exc.args[0]
        return None, unknown(f"unknown macro ${name}$: define it in instance/resource.toml [macros] "
                             f"or as DUTYDESK_MACRO_{name} for the scheduler")


def unknown(reason: str) -> CheckResult:
    """An UNKNOWN result with ``reason`` as its summary."""
    return CheckResult(State.UNKNOWN, reason)


def judge(
    spec: CheckSpec, label: str, value: float, uom: str = "", high: float | None = None
) -> tuple[State, PerfDatum]:
    """State of ``value`` against the spec's thresholds in effect, and the metric describing it."""
    warning, critical = spec.thresholds()
    state = State(check_thresholds(value, warning, critical))
    low = 0.0 if high is not None else None
    return state, PerfDatum(label, round(value, 6), uom, warning, critical, low, high)


# ------------------------------------------------------------------------------------------- host (psutil)


def probe_cpu(spec: CheckSpec) -> CheckResult:
    """CPU percent used, sampled over ``sample`` seconds."""
    percent = psutil.cpu_percent(interval=float(spec.param("sample")))
    state, metric = judge(spec, "cpu", percent, "%", 100)
    return CheckResult(state, f"CPU {state.name} - {percent:.1f}% used", metrics=[metric])


def probe_memory(spec: CheckSpec) -> CheckResult:
    """Memory percent used (psutil's 'available'-based figure)."""
    mem = psutil.virtual_memory()
    state, metric = judge(spec, "memory", mem.percent, "%", 100)
    used = PerfDatum("memory_used", float(mem.total - mem.available), "B", None, None, 0, float(mem.total))
    text = f"MEMORY {state.name} - {mem.percent:.1f}% used of {_human(mem.total)}"
    return CheckResult(state, text, metrics=[metric, used])


def probe_swap(spec: CheckSpec) -> CheckResult:
    """Swap percent used; OK when the host has no swap."""
    swap = psutil.swap_memory()
    if not swap.total:
        return CheckResult(State.OK, "SWAP OK - no swap configured", metrics=[PerfDatum("swap", 0.0, "%")])
    state, metric = judge(spec, "swap", swap.percent, "%", 100)
    text = f"SWAP {state.name} - {swap.percent:.1f}% used of {_human(swap.total)}"
    return CheckResult(state, text, metrics=[metric])


def probe_disk(spec: CheckSpec) -> CheckResult:
    """Disk percent used on the file system holding ``path``."""
    path = spec.param("path")
    try:
        usage = psutil.disk_usage(path)
    except OSError as exc:
        return unknown(f"DISK UNKNOWN - cannot read {path}: {exc.strerror or exc}")
    state, metric = judge(spec, path, usage.percent, "%", 100)
    free = f"{_human(usage.free)} free of {_human(usage.total)}"
    text = f"DISK {state.name} - {path} {usage.percent:.1f}% used, {free}"
    return CheckResult(state, text, metrics=[metric])


def probe_load(spec: CheckSpec) -> CheckResult:
    """Load average per core; thresholds apply to the ``period`` (1, 5 or 15 minute) figure."""
    cores = psutil.cpu_count() or 1
    loads = [value / cores for value in os.getloadavg()]
    period = spec.param("period")
    value = loads[(1, 5, 15).index(period)]
    state, _ = judge(spec, f"load{period}", value)
    warning, critical = spec.thresholds()
    metrics = [
        PerfDatum(f"load{p}", round(v, 4), "", warning, critical, 0)
        for p, v in zip((1, 5, 15), loads, strict=True)
    ]
    text = f"LOAD {state.name} - per core: {loads[0]:.2f}, {loads[1]:.2f}, {loads[2]:.2f} ({cores} cores)"
    return CheckResult(state, text, metrics=metrics)


def count_processes(name: str | None, cmdline: str | None) -> int:
    """Count processes named ``name`` and/or whose command line matches ``cmdline``.

    The patrolling process counts itself too: a check for ``scheduler.py`` runs inside scheduler.py.
    """
    pattern = re.compile(cmdline) if cmdline else None
    count = 0
    for proc in psutil.process_iter(["pid", "name", "cmdline"]):
        info = proc.info
        if name and info.get("name") != name:
            continue
        if pattern and not pattern.search(" ".join(info.get("cmdline") or [])):
            continue
        count += 1
    return count


def probe_process(spec: CheckSpec) -> CheckResult:
    """Count matching processes and judge the count (default: CRITICAL when none)."""
    name, cmdline = spec.params.get("name"), spec.params.get("cmdline")
    count = count_processes(name, cmdline)
    state, metric = judge(spec, "procs", float(count))
    what = " ".join(filter(None, [name and f"name={name}", cmdline and f"cmdline~/{cmdline}/"]))
    return CheckResult(state, f"PROCS {state.name} - {count} process(es) with {what}", metrics=[metric])


def _human(size: float) -> str:
    """Bytes as a short human figure (GiB style)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} PiB"  # pragma: no cover


# ----------------------------------------------------------------------------------------------------- TCP


def probe_tcp(spec: CheckSpec) -> CheckResult:
    """Connect to host:port; CRITICAL when refused or timed out, latency judged by the thresholds."""
    host, port = spec.params["host"], spec.params["port"]
    started = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=spec.timeout):
            latency = time.perf_counter() - started
    except socket.gaierror as exc:
        return unknown(f"TCP UNKNOWN - cannot resolve {host}: {exc.strerror or exc}")
    except TimeoutError:
        return CheckResult(State.CRITICAL, f"TCP CRITICAL - {host}:{port} no answer within {spec.timeout} s")
    except OSError as exc:
        return CheckResult(State.CRITICAL, f"TCP CRITICAL - {host}:{port} {exc.strerror or exc}")
    state, metric = judge(spec, "time", latency, "s")
    text = f"TCP {state.name} - {host}:{port} answered in {latency * 1000:.1f} ms"
    return CheckResult(state, text, metrics=[metric])


# ---------------------------------------------------------------------------------------------------- HTTP


def _ssl_context(spec: CheckSpec) -> ssl.SSLContext:
    """TLS context per the spec: system store, a given CA file, or no verification."""
    return _cached_context(spec.params.get("ca_file"), bool(spec.param("verify_tls")))


@functools.lru_cache(maxsize=64)
def _cached_context(ca_file: str | None, verify: bool) -> ssl.SSLContext:
    """One shared context per (CA file, verify): loading the CA store costs ~17 ms, a patrol may make 100s/s.

    Contexts are safe to share between threads for client connections; a changed CA file is read on restart.
    """
    context = ssl.create_default_context(cafile=ca_file)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _is_dns_failure(exc: BaseException) -> bool:
    """True when an httpx error was caused by name resolution."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def cert_days_left(not_after: str, now: datetime | None = None) -> float:
    """Days from ``now`` (default: current time) until a certificate's ``notAfter`` (``ssl`` text format)."""
    expires = ssl.cert_time_to_seconds(not_after)
    current = (now or datetime.now(UTC)).timestamp()
    return (expires - current) / 86400


def _fetch(spec: CheckSpec, headers: dict[str, str]) -> tuple[httpx.Response, bytes, float, dict[str, Any]]:
    """Do the request; return (response, body up to MAX_OUTPUT, seconds to full body, peer certificate)."""
    method, url = spec.param("method").upper(), spec.params["url"]
    body = spec.params.get("body")
    with httpx.Client(
        verify=_ssl_context(spec),
        timeout=spec.timeout,
        trust_env=False,
        follow_redirects=spec.param("follow_redirects"),
    ) as client:
        started = time.perf_counter()
        with client.stream(method, url, headers=headers, content=body) as resp:
            cert = _peer_cert(resp)
            chunks, size = [], 0
            for chunk in resp.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_OUTPUT:
                    break
            latency = time.perf_counter() - started
    return resp, b"".join(chunks)[:MAX_OUTPUT], latency, cert


def _peer_cert(resp: httpx.Response) -> dict[str, Any]:
    """The verified peer certificate of the response's connection ({} for plain HTTP or unverified TLS)."""
    stream = resp.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    return (ssl_object.getpeercert() or {}) if ssl_object is not None else {}


def probe_http(spec: CheckSpec) -> CheckResult:
    """Request the URL and judge status, body content, latency and certificate lifetime; worst state wins."""
    url = spec.params["url"]
    headers, refused = _headers(spec)
    if refused is not None:
        return refused
    try:
        resp, body, latency, cert = _fetch(spec, headers)
    except httpx.TimeoutException:
        return CheckResult(State.CRITICAL, f"HTTP CRITICAL - {url} no answer within {spec.timeout} s")
    except httpx.TransportError as exc:
        if _is_dns_failure(exc):
            return unknown(f"HTTP UNKNOWN - cannot resolve host of {url}")
        return CheckResult(State.CRITICAL, f"HTTP CRITICAL - {url} {type(exc).__name__}: {exc}")
    findings = [_judge_status(spec, resp.status_code), *_judge_body(spec, body, resp.encoding)]
    latency_state, metric = judge(spec, "time", latency, "s")
    findings.append((latency_state, f"{latency * 1000:.0f} ms"))
    metrics = [metric, PerfDatum("size", float(len(body)), "B", None, None, 0)]
    cert_finding = _judge_cert(spec, cert)
    if cert_finding:
        findings.append(cert_finding[0])
        metrics.append(cert_finding[1])
    return _combine("HTTP", findings, metrics)


def _headers(spec: CheckSpec) -> tuple[dict[str, str], CheckResult | None]:
    """The request headers with the operator's macros substituted in their values, or an UNKNOWN result."""
    headers = spec.param("headers")
    if not any("$" in value for value in headers.values()):
        return headers, None
    macros, refused = operator_macros()
    if refused is not None:
        return {}, refused
    values, refused = expand_all(list(headers.values()), macros)
    return (dict(zip(headers, values, strict=True)) if values is not None else {}), refused


def _judge_status(spec: CheckSpec, status: int) -> tuple[State, str]:
    """CRITICAL when the status is not expected (default: any 2xx or 3xx)."""
    expected = spec.param("expect_status")
    good = status in expected if expected else 200 <= status < 400
    return (State.OK if good else State.CRITICAL), f"status {status}"


def _judge_body(spec: CheckSpec, body: bytes, encoding: str | None) -> list[tuple[State, str]]:
    """CRITICAL findings for a missing keyword or a regex that does not match."""
    text = body.decode(encoding or "utf-8", errors="replace")
    findings = []
    keyword, regex = spec.params.get("keyword"), spec.params.get("regex")
    if keyword is not None:
        found = keyword in text
        text_found = "found" if found else "missing"
        findings.append((State.OK if found else State.CRITICAL, f"keyword {keyword!r} {text_found}"))
    if regex is not None:
        found = re.search(regex, text) is not None
        text_found = "matched" if found else "not matched"
        findings.append((State.OK if found else State.CRITICAL, f"regex /{regex}/ {text_found}"))
    return findings


def _judge_cert(spec: CheckSpec, cert: dict[str, Any]) -> tuple[tuple[State, str], PerfDatum] | None:
    """Certificate lifetime finding for HTTPS URLs, or None when there is no verified certificate to read."""
    if not spec.params["url"].lower().startswith("https://"):
        return None
    if not cert.get("notAfter"):
        return (State.OK, "certificate not checked (verify_tls = false)"), PerfDatum("cert_days", None)
    days = cert_days_left(cert["notAfter"])
    warn_days, crit_days = spec.param("cert_warning_days"), spec.param("cert_critical_days")
    state = State.CRITICAL if days < crit_days else State.WARNING if days < warn_days else State.OK
    metric = PerfDatum("cert_days", round(days, 2), "", f"{warn_days}:", f"{crit_days}:")
    return (state, f"certificate expires in {days:.0f} days"), metric


def _combine(prefix: str, findings: list[tuple[State, str]], metrics: list[PerfDatum]) -> CheckResult:
    """One result from several findings: the worst state, non-OK findings first in the summary."""
    state = worst([s for s, _ in findings])
    ordered = [text for s, text in sorted(findings, key=lambda f: f[0] == State.OK)]
    long_output = "\n".join(f"{s.name}: {text}" for s, text in findings)
    return CheckResult(state, f"{prefix} {state.name} - {', '.join(ordered)}", long_output, metrics)


# ------------------------------------------------------------------------------------------- Nagios plugins


class _Timeout(Exception):
    """The plugin's deadline passed."""


def _spawn(path: str, argv: list[str], env: dict[str, str]) -> tuple[int, int, int]:
    """Start a plugin with ``os.posix_spawn`` in its own process group; (pid, stdout fd, stderr fd).

    posix_spawn (clone + exec in C) instead of subprocess.Popen: Popen re-encodes the whole environment in
    Python for every spawn and adds ~0.1 ms of Python work, a tenth of a check_dummy run. What Popen's
    defaults also gave the plugin is kept: stdin /dev/null, SIGPIPE/SIGXFSZ at their default action, and no
    descriptor of ours: Python opens every descriptor close-on-exec (PEP 446), and those this process
    inherited from whoever started it are made close-on-exec once (:func:`_seal_inherited`), where Popen's
    close_fds closed them in every child.
    """
    if not _SEALED:
        _seal_inherited()
    out_r, out_w = _pipe()
    err_r, err_w = _pipe()
    try:
        with reaper.LIVE_LOCK:  # registered as it is born: the orphan reaper never takes it for an orphan
            pid = os.posix_spawn(path, argv, env, setpgroup=0, setsigdef=_DEFAULT_SIGNALS, file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, out_w, 1),
                (os.POSIX_SPAWN_DUP2, err_w, 2),
            ])
            reaper.LIVE.add(pid)
    except BaseException:
        os.close(out_r)
        os.close(err_r)
        raise
    finally:
        os.close(out_w)
        os.close(err_w)
    return pid, out_r, err_r


def _seal_inherited() -> None:
    """Mark every descriptor above 2 close-on-exec (once per process): inherited ones must not reach plugins."""
    with _SEAL_LOCK:
        if _SEALED:
            return
        try:
            fds = [int(name) for name in os.listdir("/proc/self/fd")]
        except OSError:  # no /proc: try the usual range
            fds = list(range(3, min(os.sysconf("SC_OPEN_MAX"), 65536)))
        for fd in fds:
            if fd > 2:
                with contextlib.suppress(OSError):  # the listing's own descriptor is already closed
                    os.set_inheritable(fd, False)
        _SEALED.append(True)


def _pipe() -> tuple[int, int]:
    """A close-on-exec pipe whose ends are above 2 (so dup2 onto the plugin's stdout/stderr cannot collide)."""
    ends = os.pipe()
    if min(ends) > 2:
        return ends
    moved = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3) for fd in ends)
    for fd in ends:
        os.close(fd)
    return moved  # type: ignore[return-value]


def _read_pipes(fds: tuple[int, int], deadline: float) -> tuple[bytes, bytes]:
    """Read both pipes to EOF (keeping MAX_OUTPUT bytes of each); :class:`_Timeout` at ``deadline``."""
    kept: dict[int, list[bytes]] = {fd: [] for fd in fds}
    sizes = dict.fromkeys(fds, 0)
    poller = select.poll()  # no descriptor of its own, unlike epoll
    for fd in fds:
        poller.register(fd, select.POLLIN)
    open_fds = len(fds)
    while open_fds:
        remaining = deadline - time.monotonic()
        events = poller.poll(remaining * 1000) if remaining > 0 else []
        if not events:
            raise _Timeout
        for fd, _ in events:
            data = os.read(fd, 65536)
            if not data:
                poller.unregister(fd)
                open_fds -= 1
            elif sizes[fd] < MAX_OUTPUT:  # keep draining past the cap so the plugin never blocks
                kept[fd].append(data)
                sizes[fd] += len(data)
    return b"".join(kept[fds[0]]), b"".join(kept[fds[1]])


def _wait_exit(pid: int, deadline: float) -> int:
    """The plugin's exit code (negative: killed by that signal); :class:`_Timeout` at ``deadline``.

    Waits on a pidfd rather than polling with sleeps (Popen.wait(timeout) polled, adding ~1 ms a run).
    """
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        return os.waitstatus_to_exitcode(status)
    remaining = max(0.0, deadline - time.monotonic())
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd (old kernel, not Linux): poll
        return _poll_exit(pid, deadline)
    try:
        ready, _, _ = select.select([pidfd], [], [], remaining)
    finally:
        os.close(pidfd)
    if not ready:
        raise _Timeout
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _poll_exit(pid: int, deadline: float) -> int:
    """:func:`_wait_exit` without pidfd: check every millisecond."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            raise _Timeout
        time.sleep(0.001)


def _kill_group(pid: int, started: float) -> None:
    """Kill the plugin's group, its descendants and orphans (:func:`reaper.kill_tree`), and reap it."""
    reaper.kill_tree(pid, started)
    try:
        _wait_exit(pid, time.monotonic() + 2)
    except _Timeout:  # stuck in the kernel: reap it whenever it goes, without waiting here
        threading.Thread(target=_reap_later, args=(pid,), daemon=True).start()
        return
    except ChildProcessError:
        pass
    _forget(pid)


def _reap_later(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    _forget(pid)


def _forget(pid: int) -> None:
    """The plugin ``pid`` is reaped: it is no longer one of ours to wait for."""
    with reaper.LIVE_LOCK:
        reaper.LIVE.discard(pid)


def run_plugin(command: list[str], timeout: float, *, dirs: tuple[str, ...] | None = None) -> CheckResult:
    """Run a Nagios plugin without a shell in its own process group, killed at ``timeout`` seconds.

    The program must be an executable inside the allowed plugin directories (``dirs``, default
    ``DUTYDESK_PLUGIN_DIRS``): anything else is UNKNOWN and nothing runs. ``$NAME$`` in the arguments is
    replaced by the operator's macro; the plugin's environment is :func:`plugin_env`, never ours.
    Exit code 0/1/2/3 gives OK/WARNING/CRITICAL/UNKNOWN, anything else UNKNOWN. The first output line is the
    summary, the rest the long output; perfdata after ``|`` is parsed (also from long output lines).
    """
    located = locate_plugin(command[0] if command else None, plugin_dirs() if dirs is None else dirs)
    if located.problem is not None:
        return unknown(f"plugin refused: {located.problem}" if not located.missing else located.problem)
    macros, refused = operator_macros()
    if refused is not None:
        return refused
    args, refused = expand_all(list(command[1:]), macros)
    if refused is not None:
        return refused
    return masked(_execute(located.path, [located.argv0, *args], timeout, plugin_env(macros)), macros)


def _execute(path: str, argv: list[str], timeout: float, env: dict[str, str]) -> CheckResult:
    """Spawn, read and wait for one plugin; on timeout kill everything it started."""
    started = time.time()
    try:
        pid, out_fd, err_fd = _spawn(path, argv, env)
    except (OSError, ValueError) as exc:
        return unknown(f"cannot run plugin {argv[0]}: {getattr(exc, 'strerror', None) or exc}")
    deadline = time.monotonic() + timeout
    try:
        # a grandchild that left the group cannot keep us past the deadline: reading is bounded too
        out, err = _read_pipes((out_fd, err_fd), deadline)
        code = _wait_exit(pid, deadline)
    except _Timeout:
        _kill_group(pid, started)
        return unknown(f"plugin timed out after {timeout:g} s: {argv[0]}")
    finally:
        os.close(out_fd)
        os.close(err_fd)
    _forget(pid)
    return plugin_result(code, out, err)


def plugin_result(code: int, out: bytes, err: bytes) -> CheckResult:
    """Turn a finished plugin's exit code and output into a result."""
    text = out[:MAX_OUTPUT].decode("utf-8", errors="replace")
    summary, long_output, metrics = split_plugin_output(text)
    state = State.from_exit_code(code)
    if code < 0:
        summary = f"plugin killed by signal {-code}" + (f": {summary}" if summary else "")
    elif code not in (0, 1, 2, 3):
        summary = f"plugin exit code {code} (not 0-3)" + (f": {summary}" if summary else "")
    if not summary:
        first_err = err[:MAX_OUTPUT].decode("utf-8", errors="replace").strip().split("\n")[0]
        summary = "(no output returned from plugin)" + (f" stderr: {first_err}" if first_err else "")
    return CheckResult(state, summary, long_output, metrics)


def probe_nagios(spec: CheckSpec) -> CheckResult:
    """Run the spec's plugin command with its timeout."""
    return run_plugin(spec.params["command"], spec.timeout)


# --------------------------------------------------------------------------------------- this desk's patrol

_DATABASE: list = []  # the engine of this desk's database, set by whoever runs checks (use_database)


def use_database(engine: object) -> None:
    """Tell the scheduler probe which database is this desk's (the patrol and ``checks run`` do)."""
    _DATABASE[:] = [engine]


def heartbeat_result(spec: CheckSpec, row: object, now: datetime) -> CheckResult:
    """Judge the patrol lease's heartbeat age (seconds since its holder renewed it) by the spec's thresholds."""
    age = lease.heartbeat_age(row, now)
    if age is None:
        return CheckResult(State.CRITICAL, "SCHEDULER CRITICAL - no scheduler has ever patrolled this desk")
    state, metric = judge(spec, "heartbeat_age", age, "s")
    alive = row.expires_at > now
    what = "holds the patrol lease" if alive else "held the patrol lease, now expired"
    text = f"SCHEDULER {state.name} - {row.holder} {what}; last renewed {age:.0f} s ago"
    return CheckResult(state, text, metrics=[metric])


def probe_scheduler(spec: CheckSpec) -> CheckResult:
    """This desk's own patroller: the age of the lease holder's heartbeat in the desk's database."""
    if not _DATABASE:
        return unknown("SCHEDULER UNKNOWN - no database to read the patrol lease from")
    return heartbeat_result(spec, lease.current(_DATABASE[0]), utcnow())


PROBES: dict[str, Callable[[CheckSpec], CheckResult]] = {
    "cpu": probe_cpu,
    "memory": probe_memory,
    "swap": probe_swap,
    "disk": probe_disk,
    "load": probe_load,
    "process": probe_process,
    "tcp": probe_tcp,
    "http": probe_http,
    "nagios": probe_nagios,
    "scheduler": probe_scheduler,
}
