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
from typing import TYPE_CHECKING, Any

import httpx
import psutil

from desk.timeutil import utcnow
from monitoring import lease, reaper
from monitoring.checkspec import CheckResult, CheckSpec, State, validate_spec, worst
from monitoring.codes import Code, Message, msg
from monitoring.perfdata import PerfDatum, split_plugin_output
from monitoring.plugins import MacroStore, expand, locate_plugin, mask, plugin_dirs, plugin_env
from monitoring.ranges import check_thresholds

if TYPE_CHECKING:  # the probe reads the lease row the patrol hands it; no database import at run time
    from sqlalchemy.engine import Engine

    from monitoring.models import SchedulerLease

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
        problems = {field: message.to_dict() for field, message in errors.items()}
        result = unknown(msg(Code.INVALID_CHECK, problems=problems)) if errors else PROBES[spec.kind](spec)
    except Exception as exc:  # a patrol must never take the scheduler down
        result = unknown(msg(Code.CHECK_FAILED, error=f"{type(exc).__name__}: {exc}"))
    return replace(masked(result, _macros_or_empty()), duration=time.perf_counter() - started)


def _macros_or_empty() -> dict[str, str]:
    """The operator's macros, or none when resource.toml is unreadable (the probes say so themselves)."""
    try:
        return MACROS.get()
    except (OSError, ValueError):
        return {}


def masked(result: CheckResult, macros: dict[str, str]) -> CheckResult:
    """``result`` with every macro value in its texts, message parameters and metric labels shown as ``$NAME$``."""
    if not macros:
        return result
    metrics = [replace(m, label=mask(m.label, macros)) for m in result.metrics]
    message = _masked_message(result.message, macros) if result.message else None
    return replace(result, summary=mask(result.summary, macros), long_output=mask(result.long_output, macros),
                   metrics=metrics, message=message)


def _masked_message(message: Message, macros: dict[str, str]) -> Message:
    """``message`` with every text parameter (also inside nested messages) masked."""
    def masked_value(value: object) -> object:
        if isinstance(value, str):
            return mask(value, macros)
        if isinstance(value, Message):
            return _masked_message(value, macros)
        if isinstance(value, list):
            return [masked_value(v) for v in value]
        if isinstance(value, dict):
            return {k: masked_value(v) for k, v in value.items()}
        return value

    return Message(message.code, {k: masked_value(v) for k, v in message.params.items()})


def operator_macros() -> tuple[dict[str, str] | None, CheckResult | None]:
    """(macros, None), or (None, an UNKNOWN result) when instance/resource.toml cannot be read."""
    try:
        return MACROS.get(), None
    except (OSError, ValueError) as exc:
        return None, unknown(msg(Code.MACROS_UNREADABLE, path=str(MACROS.path), error=str(exc)))


def expand_all(texts: list[str], macros: dict[str, str]) -> tuple[list[str] | None, CheckResult | None]:
    """(texts with ``$NAME$`` substituted, None), or (None, UNKNOWN naming the unknown macro)."""
    try:
        return [expand(text, macros) for text in texts], None
    except KeyError as exc:
        name = exc.args[0]
        return None, unknown(msg(Code.MACRO_UNKNOWN, name=name))


def unknown(reason: Message) -> CheckResult:
    """An UNKNOWN result with ``reason`` as its summary."""
    return CheckResult(State.UNKNOWN, message=reason)


def said(state: State, code: Code, metrics: list[PerfDatum] | None = None, /, **params: object) -> CheckResult:
    """A result of one of our probes: its state and its summary as ``code`` with ``params``."""
    return CheckResult(state, metrics=metrics or [], message=Message(code, params))


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
    return said(state, Code.CPU, [metric], state=state.name, percent=round(percent, 1))


def probe_memory(spec: CheckSpec) -> CheckResult:
    """Memory percent used (psutil's 'available'-based figure)."""
    mem = psutil.virtual_memory()
    state, metric = judge(spec, "memory", mem.percent, "%", 100)
    used = PerfDatum("memory_used", float(mem.total - mem.available), "B", None, None, 0, float(mem.total))
    return said(state, Code.MEMORY, [metric, used], state=state.name, percent=round(mem.percent, 1),
                total=_human(mem.total))


def probe_swap(spec: CheckSpec) -> CheckResult:
    """Swap percent used; OK when the host has no swap."""
    swap = psutil.swap_memory()
    if not swap.total:
        return said(State.OK, Code.SWAP_NONE, [PerfDatum("swap", 0.0, "%")], state=State.OK.name)
    state, metric = judge(spec, "swap", swap.percent, "%", 100)
    return said(state, Code.SWAP, [metric], state=state.name, percent=round(swap.percent, 1),
                total=_human(swap.total))


def probe_disk(spec: CheckSpec) -> CheckResult:
    """Disk percent used on the file system holding ``path``."""
    path = spec.param("path")
    try:
        usage = psutil.disk_usage(path)
    except OSError as exc:
        return unknown(msg(Code.DISK_UNREADABLE, path=path, error=str(exc.strerror or exc)))
    state, metric = judge(spec, path, usage.percent, "%", 100)
    return said(state, Code.DISK, [metric], state=state.name, path=path, percent=round(usage.percent, 1),
                free=_human(usage.free), total=_human(usage.total))


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
    figures = ", ".join(f"{load:.2f}" for load in loads)
    return said(state, Code.LOAD, metrics, state=state.name, loads=figures, num=cores)


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
    return said(state, Code.PROCESS, [metric], state=state.name, num=count, what=what)


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
        return unknown(msg(Code.TCP_UNRESOLVED, host=host, error=str(exc.strerror or exc)))
    except TimeoutError:
        return said(State.CRITICAL, Code.TCP_TIMEOUT, host=host, port=port, timeout=spec.timeout)
    except OSError as exc:
        return said(State.CRITICAL, Code.TCP_ERROR, host=host, port=port, error=str(exc.strerror or exc))
    state, metric = judge(spec, "time", latency, "s")
    return said(state, Code.TCP, [metric], state=state.name, host=host, port=port, ms=round(latency * 1000, 1))


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
        return said(State.CRITICAL, Code.HTTP_TIMEOUT, url=url, timeout=spec.timeout)
    except httpx.TransportError as exc:
        if _is_dns_failure(exc):
            return unknown(msg(Code.HTTP_UNRESOLVED, url=url))
        return said(State.CRITICAL, Code.HTTP_ERROR, url=url, error=f"{type(exc).__name__}: {exc}")
    findings = [_judge_status(spec, resp.status_code), *_judge_body(spec, body, resp.encoding)]
    latency_state, metric = judge(spec, "time", latency, "s")
    findings.append((latency_state, msg(Code.FINDING_LATENCY, ms=round(latency * 1000))))
    metrics = [metric, PerfDatum("size", float(len(body)), "B", None, None, 0)]
    cert_finding = _judge_cert(spec, cert)
    if cert_finding:
        findings.append(cert_finding[0])
        metrics.append(cert_finding[1])
    return _combine(findings, metrics)


def _headers(spec: CheckSpec) -> tuple[dict[str, str], CheckResult | None]:
    """The request headers with the operator's macros substituted in their values, or an UNKNOWN result."""
    headers = spec.param("headers")
    if not any("$" in value for value in headers.values()):
        return headers, None
    macros, refused = operator_macros()
    if refused is not None or macros is None:
        return {}, refused
    values, refused = expand_all(list(headers.values()), macros)
    return (dict(zip(headers, values, strict=True)) if values is not None else {}), refused


def _judge_status(spec: CheckSpec, status: int) -> tuple[State, Message]:
    """CRITICAL when the status is not expected (default: any 2xx or 3xx)."""
    expected = spec.param("expect_status")
    good = status in expected if expected else 200 <= status < 400
    return (State.OK if good else State.CRITICAL), msg(Code.FINDING_STATUS, status=status)


def _judge_body(spec: CheckSpec, body: bytes, encoding: str | None) -> list[tuple[State, Message]]:
    """CRITICAL findings for a missing keyword or a regex that does not match."""
    text = body.decode(encoding or "utf-8", errors="replace")
    findings = []
    keyword, regex = spec.params.get("keyword"), spec.params.get("regex")
    if keyword is not None:
        found = keyword in text
        code = Code.FINDING_KEYWORD_FOUND if found else Code.FINDING_KEYWORD_MISSING
        findings.append((State.OK if found else State.CRITICAL, msg(code, keyword=keyword)))
    if regex is not None:
        found = re.search(regex, text) is not None
        code = Code.FINDING_REGEX_MATCHED if found else Code.FINDING_REGEX_UNMATCHED
        findings.append((State.OK if found else State.CRITICAL, msg(code, regex=regex)))
    return findings


def _judge_cert(spec: CheckSpec, cert: dict[str, Any]) -> tuple[tuple[State, Message], PerfDatum] | None:
    """Certificate lifetime finding for HTTPS URLs, or None when there is no verified certificate to read."""
    if not spec.params["url"].lower().startswith("https://"):
        return None
    if not cert.get("notAfter"):
        return (State.OK, msg(Code.FINDING_CERT_UNCHECKED)), PerfDatum("cert_days", None)
    days = cert_days_left(cert["notAfter"])
    warn_days, crit_days = spec.param("cert_warning_days"), spec.param("cert_critical_days")
    state = State.CRITICAL if days < crit_days else State.WARNING if days < warn_days else State.OK
    metric = PerfDatum("cert_days", round(days, 2), "", f"{warn_days}:", f"{crit_days}:")
    return (state, msg(Code.FINDING_CERT_DAYS, num=round(days))), metric


def _combine(findings: list[tuple[State, Message]], metrics: list[PerfDatum]) -> CheckResult:
    """One result from several findings: the worst state, non-OK findings first in the summary."""
    state = worst([s for s, _ in findings])
    ordered = [found.to_dict() for s, found in sorted(findings, key=lambda f: f[0] == State.OK)]
    return said(state, Code.HTTP, metrics, state=state.name, findings=ordered)


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
        return unknown(msg(Code.PLUGIN_REFUSED, problem=located.problem.to_dict()) if not located.missing
                       else located.problem)
    macros, refused = operator_macros()
    if refused is not None:
        return refused
    assert macros is not None  # operator_macros gives macros or a refusal
    args, refused = expand_all(list(command[1:]), macros)
    if refused is not None:
        return refused
    assert args is not None and located.path is not None and located.argv0 is not None  # no problem: located
    return masked(_execute(located.path, [located.argv0, *args], timeout, plugin_env(macros)), macros)


def _execute(path: str, argv: list[str], timeout: float, env: dict[str, str]) -> CheckResult:
    """Spawn, read and wait for one plugin; on timeout kill everything it started."""
    started = time.time()
    try:
        pid, out_fd, err_fd = _spawn(path, argv, env)
    except (OSError, ValueError) as exc:
        return unknown(msg(Code.PLUGIN_CANNOT_RUN, plugin=argv[0], error=str(getattr(exc, "strerror", None) or exc)))
    deadline = time.monotonic() + timeout
    try:
        # a grandchild that left the group cannot keep us past the deadline: reading is bounded too
        out, err = _read_pipes((out_fd, err_fd), deadline)
        code = _wait_exit(pid, deadline)
    except _Timeout:
        _kill_group(pid, started)
        return unknown(msg(Code.PLUGIN_TIMEOUT, plugin=argv[0], timeout=f"{timeout:g}"))
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
    message = None
    if code < 0:
        message = msg(Code.PLUGIN_KILLED_SAID, signal=-code, output=summary) if summary else \
            msg(Code.PLUGIN_KILLED, signal=-code)
    elif code not in (0, 1, 2, 3):
        message = msg(Code.PLUGIN_BAD_EXIT_SAID, code=code, output=summary) if summary else \
            msg(Code.PLUGIN_BAD_EXIT, code=code)
    elif not summary:
        first_err = err[:MAX_OUTPUT].decode("utf-8", errors="replace").strip().split("\n")[0]
        message = msg(Code.PLUGIN_NO_OUTPUT_STDERR, stderr=first_err) if first_err else msg(Code.PLUGIN_NO_OUTPUT)
    return CheckResult(state, "" if message else summary, long_output, metrics, message=message)


def probe_nagios(spec: CheckSpec) -> CheckResult:
    """Run the spec's plugin command with its timeout."""
    return run_plugin(spec.params["command"], spec.timeout)


# --------------------------------------------------------------------------------------- this desk's patrol

_DATABASE: list[Engine] = []  # the engine of this desk's database, set by whoever runs checks (use_database)


def use_database(engine: Engine) -> None:
    """Tell the scheduler probe which database is this desk's (the patrol and ``checks run`` do)."""
    _DATABASE[:] = [engine]


def heartbeat_result(spec: CheckSpec, row: SchedulerLease | None, now: datetime) -> CheckResult:
    """Judge the patrol lease's heartbeat age (seconds since its holder renewed it) by the spec's thresholds."""
    age = lease.heartbeat_age(row, now)
    if age is None or row is None:
        return said(State.CRITICAL, Code.SCHEDULER_NEVER, state=State.CRITICAL.name)
    state, metric = judge(spec, "heartbeat_age", age, "s")
    alive = row.expires_at > now
    code = Code.SCHEDULER_HOLDS if alive else Code.SCHEDULER_EXPIRED
    return said(state, code, [metric], state=state.name, holder=row.holder, num=round(age))


def probe_scheduler(spec: CheckSpec) -> CheckResult:
    """This desk's own patroller: the age of the lease holder's heartbeat in the desk's database."""
    if not _DATABASE:
        return unknown(msg(Code.SCHEDULER_NO_DATABASE))
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
