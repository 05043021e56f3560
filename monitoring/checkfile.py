"""Checks as code: TOML text <-> list of :class:`CheckSpec`.

The file is an array of ``[[checks]]`` tables; common fields and the kind's parameters sit side by side::

    [[checks]]
    name = "db-port"
    kind = "tcp"
    domain = "info"
    interval = 30
    host = "127.0.0.1"
    port = 5432

:func:`parse_checks` validates everything and raises :class:`CheckFileError` listing every problem with its
line number, so an import can refuse the whole file and change nothing. :func:`dump_checks` writes the
shortest equivalent file (defaults left out); ``parse_checks(dump_checks(specs)) == specs`` for valid specs.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import tomli_w

from monitoring import words
from monitoring.checkspec import CheckSpec, spec_from_dict, spec_to_dict, validate_spec

MAX_FILE_BYTES = 1_000_000  # a thousand checks take about 300 kB
_HEADER_RE = re.compile(r"^\s*\[\[\s*checks\s*\]\]")
_ANY_HEADER_RE = re.compile(r"^\s*\[")


class CheckFileError(ValueError):
    """A checks file that cannot be imported; ``problems`` is a list of (line number or None, message)."""

    def __init__(self, problems: list[tuple[int | None, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(_format_problem(line, text) for line, text in problems))


def _format_problem(line: int | None, text: str) -> str:
    """One problem as 'line N: message'."""
    return f"line {line}: {text}" if line else text


def parse_checks(text: str) -> list[CheckSpec]:
    """Parse and validate a checks file; raise :class:`CheckFileError` with every problem found.

    A file over :data:`MAX_FILE_BYTES` or nested too deeply for the parser is refused as a whole.
    """
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise CheckFileError([(None, f"file too large: at most {MAX_FILE_BYTES} bytes")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise CheckFileError([(int(match.group(1)) if match else None, f"not valid TOML: {exc}")]) from None
    except RecursionError:
        raise CheckFileError([(None, "not valid TOML: arrays or tables nested too deeply")]) from None
    tables = _check_tables(data, text)
    lines = text.splitlines()
    starts = [number for number, line in enumerate(lines, start=1) if _HEADER_RE.match(line)]
    specs, problems = [], []
    for index, table in enumerate(tables):
        start = starts[index] if index < len(starts) else _key_line(lines, 1, "checks")
        spec, table_problems = _parse_table(table, index, lines, start)
        specs.append(spec)
        problems.extend(table_problems)
    problems.extend(_duplicate_names(specs, lines, starts))
    if problems:
        raise CheckFileError(sorted(problems, key=lambda p: p[0] or 0))
    return specs


def _check_tables(data: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """The list of check tables, refusing other top-level keys or a wrong shape."""
    lines = text.splitlines()
    problems = [
        (_key_line(lines, 1, key), f"unknown top-level key {key!r}; checks go in [[checks]] tables")
        for key in data
        if key != "checks"
    ]
    tables = data.get("checks", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        problems.append((_key_line(lines, 1, "checks"), "'checks' must be an array of tables ([[checks]])"))
    if problems:
        raise CheckFileError(problems)
    return tables


def _parse_table(
    table: dict[str, Any], index: int, lines: list[str], start: int | None
) -> tuple[CheckSpec, list[tuple[int | None, str]]]:
    """Build and validate one spec; problems point at the key's line when it can be found."""
    spec = spec_from_dict(_coerce_thresholds(table))
    where = f"check #{index + 1}" + (f" {spec.name!r}" if isinstance(spec.name, str) and spec.name else "")
    problems = []
    for field, message in validate_spec(spec).items():
        line = _key_line(lines, start, field) if start else None
        problems.append((line or start, f"{where}: {field}: {words.english(message)}"))
    return spec, problems


def _coerce_thresholds(table: dict[str, Any]) -> dict[str, Any]:
    """Accept ``warning = 80`` as well as ``warning = "80"``: ranges are text, but a bare number is one."""
    out = dict(table)
    for key in ("warning", "critical"):
        value = out.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = str(value)
    return out


def _key_line(lines: list[str], start: int, key: str) -> int | None:
    """Line of ``key = ...`` (or a ``[checks.key]`` sub-table) in the table that starts at line ``start``."""
    key_re = re.compile(rf"""^\s*(["']?){re.escape(key)}\1\s*=""")
    sub_re = re.compile(rf"^\s*\[\s*checks\.{re.escape(key)}\s*\]")
    in_sub_table = False
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if number > start and _HEADER_RE.match(line):
            return None
        if sub_re.match(line):
            return number
        if number > start and _ANY_HEADER_RE.match(line):
            in_sub_table = True  # keys below belong to e.g. [checks.headers], not to the check
        elif not in_sub_table and key_re.match(line):
            return number
    return None


def _duplicate_names(
    specs: list[CheckSpec], lines: list[str], starts: list[int]
) -> list[tuple[int | None, str]]:
    """Problems for every name used more than once (names are the import's identity)."""
    seen: dict[str, int] = {}
    problems = []
    for index, spec in enumerate(specs):
        if not isinstance(spec.name, str) or not spec.name:
            continue
        if spec.name in seen:
            start = starts[index] if index < len(starts) else None
            line = (_key_line(lines, start, "name") if start else None) or start
            problems.append(
                (line, f"check #{index + 1}: name {spec.name!r} already used by check #{seen[spec.name]}")
            )
        else:
            seen[spec.name] = index + 1
    return problems


def load_checks(path: str) -> list[CheckSpec]:
    """Read and parse a checks file (UTF-8)."""
    with open(path, encoding="utf-8") as handle:
        return parse_checks(handle.read())


def dump_checks(specs: list[CheckSpec]) -> str:
    """TOML text for ``specs`` in the ``[[checks]]`` format, defaults left out."""
    return tomli_w.dumps({"checks": [spec_to_dict(spec) for spec in specs]}, multiline_strings=True)
