"""No plugin outlives its timeout: the scheduler adopts what plugins leave behind and kills it.

A plugin that detaches (``setsid``, a double fork) leaves its own process group and, once its parent has
exited, would be re-parented to init, out of reach. :func:`become_subreaper` makes the scheduler a *child
subreaper* (Linux ``prctl(PR_SET_CHILD_SUBREAPER)``): such orphans are re-parented to the scheduler instead,
so they stay findable. On a timeout :func:`kill_tree` kills the plugin's process group, every descendant it
still has, and the orphans adopted since it started; :func:`reap_orphans` (every second in the scheduler)
collects adopted orphans that have exited and kills any alive longer than the longest timeout.

The pids of plugins being run are registered in :data:`LIVE` (under :data:`LIVE_LOCK`, atomically with their
spawn) so that nothing here reaps or kills a plugin whose worker thread is still waiting for it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

import psutil

PR_SET_CHILD_SUBREAPER = 36
LIVE: set[int] = set()
LIVE_LOCK = threading.Lock()
_SUBREAPER: list[bool] = []  # non-empty once this process adopts orphans


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux only); True when this process now does. A no-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        done = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
    if done and not _SUBREAPER:
        _SUBREAPER.append(True)
    return done


def is_subreaper() -> bool:
    """Whether :func:`become_subreaper` succeeded in this process."""
    return bool(_SUBREAPER)


def _descendants(pid: int) -> list[psutil.Process]:
    """Every living descendant of ``pid`` (empty when it is gone)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _adopted(since: float | None = None) -> list[psutil.Process]:
    """Orphans this subreaper adopted: children that are no registered plugin (started at or after ``since``).

    Plugins run in process groups of their own, and so does whatever they leave behind; a child this process
    started otherwise (a subprocess of its own, in its process group) is never taken for an orphan.
    """
    if not _SUBREAPER:
        return []
    with LIVE_LOCK:
        live = set(LIVE)
    own_group, found = os.getpgrp(), []
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if child.pid in live or os.getpgid(child.pid) == own_group:
                continue
            if since is None or child.create_time() >= since:
                found.append(child)
    return found


def kill_tree(pid: int, since: float) -> int:
    """Kill the plugin ``pid``'s group, its descendants and the orphans adopted since ``since`` (epoch s).

    Rounds repeat until nothing is left, so a process that forked between a listing and its kill is caught
    by the next round. Returns how many processes were killed besides the group. Does not reap ``pid``.
    """
    killed = 0
    since = _started(pid) or since - 1.0  # psutil's start times are only as exact as the boot time it reads
    tree = _descendants(pid)  # listed before the kill: once the plugin dies its children are re-parented
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    for _round in range(5):
        victims = [p for p in (*tree, *_adopted(since)) if _running(p)]
        if not victims:
            break
        known = {proc.pid for proc in victims}
        tree = [child for proc in victims for child in _descendants(proc.pid) if child.pid not in known]
        for proc in victims:
            with contextlib.suppress(psutil.Error):
                proc.kill()  # psutil refuses a pid that was reused meanwhile
                killed += 1
    reap_orphans()
    return killed


def _started(pid: int) -> float | None:
    """When ``pid`` started, on psutil's clock (a zombie still has it), or None."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def _running(proc: psutil.Process) -> bool:
    """Alive and not a zombie."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def reap_orphans(kill_older_than: float | None = None, now: float | None = None) -> int:
    """Collect adopted orphans that exited; kill those alive longer than ``kill_older_than`` s. How many reaped."""
    reaped = 0
    now = time.time() if now is None else now
    for child in _adopted():
        with contextlib.suppress(psutil.Error):
            if kill_older_than is not None and now - child.create_time() > kill_older_than and _running(child):
                child.kill()
        with LIVE_LOCK:
            if child.pid in LIVE:
                continue
            with contextlib.suppress(ChildProcessError):
                done, _status = os.waitpid(child.pid, os.WNOHANG)
                reaped += bool(done)
    return reaped
