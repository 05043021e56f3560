"""Performance data per the Nagios plugin guidelines, and splitting of plugin output.

One item is ``'label'=value[UOM];[warn];[crit];[min];[max]``; items are separated by spaces. Labels may be
quoted with single quotes (then they may hold spaces and ``=``; a literal quote is written ``''``). ``U`` as
the value means "could not be determined". Trailing empty fields may be dropped. Parsing never raises:
malformed items are skipped.

Plugin output (guidelines, "Plugin Output"): the first line is ``TEXT | PERFDATA``; following lines are long
text, and from the first ``|`` found in them onward, the rest of the output (following lines included) is
more perfdata.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

_VALUE_RE = re.compile(r"^([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)([^\d;]*)$")
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")


@dataclass(frozen=True)
class PerfDatum:
    """One perfdata item. ``value`` is None for ``U``; ``warn``/``crit`` keep the range text as written."""

    label: str
    value: float | None
    uom: str = ""
    warn: str | None = None
    crit: str | None = None
    min: float | None = None
    max: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (for storing a run's metrics)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PerfDatum:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        fields = ("label", "value", "uom", "warn", "crit", "min", "max")
        values: dict[str, Any] = {k: data.get(k) for k in fields if k in data}
        return cls(**values)

    def __str__(self) -> str:
        return format_perfdata([self])


def _to_float(text: str) -> float:
    """Parse a number that may use a decimal comma (some plugins localise their output)."""
    return float(text.replace(",", "."))


def _tokens(text: str) -> list[tuple[str, str]]:
    """Split perfdata text into (label, rest) pairs, honouring quoted labels and '' escapes."""
    items: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        label, i = _read_label(text, i)
        if i < n and text[i] == "=":
            end = i + 1
            while end < n and not text[end].isspace():
                end += 1
            if label is not None:
                items.append((label, text[i + 1 : end]))
            i = end
        else:
            while i < n and not text[i].isspace():  # skip the malformed word
                i += 1
    return items


def _read_label(text: str, i: int) -> tuple[str | None, int]:
    """Read a label starting at ``i``; return (label or None if malformed, index of the '=' or stop point)."""
    n = len(text)
    if text[i] != "'":
        start = i
        while i < n and text[i] != "=" and not text[i].isspace():
            i += 1
        return (text[start:i] or None), i
    chars: list[str] = []
    start = i
    i += 1
    while i < n:
        if text[i] == "'":
            if i + 1 < n and text[i + 1] == "'":
                chars.append("'")
                i += 2
                continue
            return ("".join(chars) or None), i + 1
        chars.append(text[i])
        i += 1
    # unterminated quote: drop only this word, so one bad label does not swallow the items after it
    match = re.compile(r"\s").search(text, start)
    return None, match.start() if match else n


def _optional_number(field: str) -> float | None:
    """A min/max field: a number, or None when empty or unparseable."""
    field = field.strip()
    if not _NUMBER_RE.match(field):
        return None
    return _to_float(field)


def parse_datum(label: str, rest: str) -> PerfDatum | None:
    """Parse the part after ``label=``; None when the value is malformed."""
    fields = [*rest.split(";"), "", "", "", ""][:5]
    value_text = fields[0].strip()
    if value_text == "U":
        value, uom = None, ""
    else:
        match = _VALUE_RE.match(value_text)
        if not match:
            return None
        value, uom = _to_float(match.group(1)), match.group(2)
    warn, crit = (f.strip() or None for f in fields[1:3])
    return PerfDatum(label, value, uom, warn, crit, _optional_number(fields[3]), _optional_number(fields[4]))


def parse_perfdata(text: str | None) -> list[PerfDatum]:
    """Parse every well-formed item of a perfdata string, in order; malformed items are skipped."""
    if not text or not isinstance(text, str):
        return []
    parsed = (parse_datum(label, rest) for label, rest in _tokens(text))
    return [item for item in parsed if item is not None]


def _quote_label(label: str) -> str:
    """Quote a label when it holds spaces, '=' or quotes, doubling embedded quotes."""
    if label and not re.search(r"[\s='\"]", label):
        return label
    return "'" + label.replace("'", "''") + "'"


def _fmt(number: float | None) -> str:
    """Format a number compactly ('' for None, integers without '.0')."""
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() and abs(number) < 1e15 else repr(float(number))


def format_perfdata(items: list[PerfDatum]) -> str:
    """Render items back to guideline perfdata text, dropping trailing empty fields."""
    out = []
    for item in items:
        value = "U" if item.value is None else _fmt(item.value) + item.uom
        fields = [value, item.warn or "", item.crit or "", _fmt(item.min), _fmt(item.max)]
        while len(fields) > 1 and fields[-1] == "":
            fields.pop()
        out.append(f"{_quote_label(item.label)}={';'.join(fields)}")
    return " ".join(out)


def split_plugin_output(output: str) -> tuple[str, str, list[PerfDatum]]:
    """Split a plugin's stdout into (summary line, long output, perfdata items) per the guidelines."""
    lines = (output or "").replace("\r\n", "\n").rstrip("\n").split("\n")
    first, _, perf_text = lines[0].partition("|")
    long_lines: list[str] = []
    perf_parts = [perf_text]
    for index, line in enumerate(lines[1:], start=1):
        if "|" in line:
            text, _, perf = line.partition("|")
            long_lines.append(text)
            perf_parts.append(perf)
            perf_parts.extend(lines[index + 1 :])
            break
        long_lines.append(line)
    long_output = "\n".join(long_lines).strip("\n")
    return first.strip(), long_output, parse_perfdata(" ".join(perf_parts))
