"""Which programs a Nagios check may run, with what environment, and the operator's secret macros.

Commands are the operator's, as in Nagios and Icinga: a check names a plugin, and the plugin must be an
executable regular file inside one of the operator's plugin directories (``DUTYDESK_PLUGIN_DIRS``,
colon-separated; default ``/usr/lib/nagios/plugins``, ``/usr/lib/monitoring-plugins`` and
``<instance>/plugins``). Symlinks are followed (:func:`os.path.realpath`) before the containment test, so a
link inside a plugin directory that points outside it, or a ``..`` in the path, is refused.

:func:`locate_plugin` is that test: plain file-system reads, no Flask, no database. A check is refused when
it is saved (a program found outside the directories, or a path that cannot lie inside them) and again
before every run (anything not found inside them, so rows written by hand cannot run either). A program
merely absent on the host that saves the check is accepted: the scheduler's host is what matters.

Secrets are operator macros like Nagios ``$USER1$``: ``<instance>/resource.toml``'s ``[macros]`` table and
``DUTYDESK_MACRO_<NAME>`` variables (which win) give named values; a check's plugin arguments and HTTP header
values may say ``$NAME$``. They are substituted only when the check runs (:func:`expand`), and every known
value is masked back to ``$NAME$`` in what a run reports (:func:`mask`). An argument that names a macro is
secret: watchers do not see it (:func:`is_secret`).
"""

from __future__ import annotations

import functools
import os
import re
import threading
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitoring.codes import Code, Message, msg

INSTANCE = Path(__file__).resolve().parent.parent / "instance"
DEFAULT_DIRS = ("/usr/lib/nagios/plugins", "/usr/lib/monitoring-plugins")
MACRO_ENV_PREFIX = "DUTYDESK_MACRO_"
MACRO_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
MACRO_REF = re.compile(r"\$([A-Z][A-Z0-9_]{0,63})\$")
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MIN_MASKED = 4  # shorter values are not masked in output: '1' or 'on' would garble every line


class PluginRefused(ValueError):
    """A command whose program is not an allowed plugin (the message says why)."""


@dataclass(frozen=True)
class Located:
    """Where a command's program is: ``path`` (what to execute) or ``problem``; ``missing`` when absent."""

    path: str | None = None
    argv0: str | None = None
    problem: Message | None = None
    missing: bool = False


# ------------------------------------------------------------------------------------------- directories


def plugin_dirs(environ: Mapping[str, str] | None = None, instance: Path = INSTANCE) -> tuple[str, ...]:
    """The allowed plugin directories, as configured (``DUTYDESK_PLUGIN_DIRS``) or by default."""
    raw = (os.environ if environ is None else environ).get("DUTYDESK_PLUGIN_DIRS", "").strip()
    if not raw:
        return (*DEFAULT_DIRS, str(instance / "plugins"))
    return tuple(part for part in raw.split(":") if part.strip())


def _real_dirs(dirs: Iterable[str]) -> tuple[str, ...]:
    """Absolute configured directories with their symlinks resolved (relative entries are ignored)."""
    return _resolved(tuple(dirs))


@functools.lru_cache(maxsize=32)
def _resolved(dirs: tuple[str, ...]) -> tuple[str, ...]:
    """Resolved once per process and setting (a plugin run costs four realpath calls less); a directory
    link re-pointed later only narrows what runs until the scheduler restarts."""
    return tuple(os.path.realpath(d) for d in dirs if os.path.isabs(d))


def is_inside(path: str, dirs: Iterable[str]) -> bool:
    """True when the (already resolved) ``path`` lies strictly below one of the (resolved) ``dirs``."""
    return any(path != d and os.path.commonpath([path, d]) == d for d in dirs)


def locate_plugin(program: object, dirs: Sequence[str]) -> Located:
    """Where ``program`` (a command's first item) runs from, or why it may not run.

    A bare name is looked up in ``dirs`` in order; an absolute path must resolve (symlinks followed) inside
    one of them; a relative path with a slash is refused. ``missing`` is set (with a problem) when the
    program simply does not exist where it is allowed to be.
    """
    if not isinstance(program, str) or not program or "\x00" in program:
        return Located(problem=msg(Code.PLUGIN_NOT_NAME_OR_PATH))
    real_dirs = _real_dirs(dirs)
    if "/" not in program:
        if program in (".", ".."):
            return Located(problem=msg(Code.PLUGIN_BAD_NAME, program=program))
        return _first_found(program, [os.path.join(d, program) for d in dirs if os.path.isabs(d)], real_dirs)
    if not os.path.isabs(program):
        return Located(problem=msg(Code.PLUGIN_RELATIVE))
    if not is_inside(os.path.normpath(program), (*real_dirs, *(os.path.normpath(d) for d in dirs))):
        return Located(problem=msg(Code.PLUGIN_OUTSIDE_DIRS, program=program, dirs=":".join(dirs)))
    return _check_file(program, real_dirs)


def _first_found(name: str, candidates: list[str], real_dirs: tuple[str, ...]) -> Located:
    """The first candidate that exists, checked; or 'no such plugin'."""
    for candidate in candidates:
        if os.path.lexists(candidate):
            return _check_file(candidate, real_dirs)
    return Located(problem=msg(Code.PLUGIN_MISSING, program=name), missing=True)


def _check_file(candidate: str, real_dirs: tuple[str, ...]) -> Located:
    """An existing candidate must resolve inside the directories to an executable regular file."""
    real = os.path.realpath(candidate)
    if not os.path.lexists(candidate):
        return Located(problem=msg(Code.PLUGIN_MISSING, program=candidate), missing=True)
    if not is_inside(real, real_dirs):
        return Located(problem=msg(Code.PLUGIN_LEADS_OUTSIDE, program=candidate, real=real))
    if not os.path.isfile(real):
        if not os.path.exists(real):
            return Located(problem=msg(Code.PLUGIN_MISSING, program=candidate), missing=True)
        return Located(problem=msg(Code.PLUGIN_NOT_REGULAR, program=candidate))
    if not os.access(real, os.X_OK):
        return Located(problem=msg(Code.PLUGIN_NOT_EXECUTABLE, program=candidate))
    return Located(path=real, argv0=candidate)


def save_problem(program: object, dirs: Sequence[str]) -> Message | None:
    """Why a check with this program may not be saved (None when it may): anything but 'absent'."""
    located = locate_plugin(program, dirs)
    return None if located.missing else located.problem


# ------------------------------------------------------------------------------------------ environment


def plugin_env(macros: Mapping[str, str], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """A plugin's whole environment: system PATH, C locale, the time zone, and the operator's macros.

    Nothing else of the scheduler's own environment (secret key, database URL) reaches a plugin. Macros
    are given as ``DUTYDESK_MACRO_<NAME>`` so an operator's wrapper can read a secret without it showing in
    its command line.
    """
    source = os.environ if environ is None else environ
    env = {"PATH": SYSTEM_PATH, "LANG": "C", "LC_ALL": "C"}  # plugins print decimal points, not commas
    zone = source.get("TZ") or source.get("DUTYDESK_TIMEZONE")
    if zone:
        env["TZ"] = zone
    env.update({MACRO_ENV_PREFIX + name: value for name, value in macros.items()})
    return env


# ----------------------------------------------------------------------------------------------- macros


def read_macros(environ: Mapping[str, str], resource_text: str | None) -> dict[str, str]:
    """Macros from a resource.toml text (``[macros]`` table) and ``DUTYDESK_MACRO_<NAME>`` variables (win).

    Raises :class:`ValueError` for a resource file that is not TOML or holds a non-text value or a bad name.
    """
    macros: dict[str, str] = {}
    if resource_text:
        table = tomllib.loads(resource_text).get("macros", {})
        if not isinstance(table, dict):
            raise ValueError("[macros] must be a table of NAME = \"value\"")
        for name, value in table.items():
            if not MACRO_NAME.fullmatch(name) or not isinstance(value, str):
                raise ValueError(f"macro {name!r}: names are A-Z, 0-9 and _, values are text")
            macros[name] = value
    for key, value in environ.items():
        name = key[len(MACRO_ENV_PREFIX):]
        if key.startswith(MACRO_ENV_PREFIX) and MACRO_NAME.fullmatch(name):
            macros[name] = value
    return macros


class MacroStore:
    """The operator's macros of this process, re-read when resource.toml changes (by mtime and size)."""

    def __init__(self, path: Path = INSTANCE / "resource.toml") -> None:
        self.path = path
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._macros: dict[str, str] = {}

    def get(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """The current macros; raises :class:`ValueError` when resource.toml cannot be read."""
        environ = os.environ if environ is None else environ
        try:
            stat = self.path.stat()
            key: tuple = (stat.st_mtime_ns, stat.st_size, _env_key(environ))
        except FileNotFoundError:
            key = (None, None, _env_key(environ))
        with self._lock:
            if key != self._key:
                text = self.path.read_text(encoding="utf-8") if key[0] is not None else None
                self._macros, self._key = read_macros(environ, text), key
            return self._macros


def _env_key(environ: Mapping[str, str]) -> tuple:
    return tuple(sorted((k, v) for k, v in environ.items() if k.startswith(MACRO_ENV_PREFIX)))


def macro_names(text: str) -> list[str]:
    """The macro names ``text`` refers to (``$NAME$``), in order."""
    return MACRO_REF.findall(text)


def is_secret(text: object) -> bool:
    """An argument or header value that names a macro is secret: watchers do not see it."""
    return isinstance(text, str) and MACRO_REF.search(text) is not None


def expand(text: str, macros: Mapping[str, str]) -> str:
    """``text`` with every ``$NAME$`` replaced by its value; :class:`KeyError` naming an unknown macro."""
    def value(match: re.Match) -> str:
        return macros[match.group(1)]

    return MACRO_REF.sub(value, text)


def mask(text: str, macros: Mapping[str, str]) -> str:
    """``text`` with every macro value (of at least :data:`MIN_MASKED` characters) shown as ``$NAME$``."""
    for name, value in sorted(macros.items(), key=lambda item: -len(item[1])):
        if len(value) >= MIN_MASKED and value in text:
            text = text.replace(value, f"${name}$")
    return text
