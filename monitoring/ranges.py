"""Nagios threshold ranges (plugin development guidelines, "Threshold and ranges").

| text      | alert when value is                      |
|-----------|------------------------------------------|
| ``10``    | < 0 or > 10 (outside 0..10)              |
| ``10:``   | < 10 (outside 10..+inf)                  |
| ``~:10``  | > 10 (outside -inf..10)                  |
| ``10:20`` | < 10 or > 20 (outside 10..20)            |
| ``@10:20``| >= 10 and <= 20 (inside 10..20)          |

Bounds are inclusive. ``parse_range`` raises :class:`RangeError` (a ``ValueError``) carrying a
:class:`~monitoring.codes.Message`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from monitoring.codes import Code, Message, msg

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(rf"^{_NUMBER}$")


class RangeError(ValueError):
    """A threshold text that is not valid Nagios range syntax; ``message`` says why, as a code."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.code.value, message.params)
        self.message = message


@dataclass(frozen=True)
class NagiosRange:
    """A parsed range: alert when the value is outside ``start..end`` (or inside, with ``inside``)."""

    start: float
    end: float
    inside: bool = False
    text: str = ""

    def alerts(self, value: float) -> bool:
        """True when ``value`` should raise an alert for this range."""
        within = self.start <= value <= self.end
        return within if self.inside else not within

    def __str__(self) -> str:
        return self.text


def _number(text: str, full: str) -> float:
    """Parse one bound, refusing anything that is not a plain decimal number."""
    if not _NUMBER_RE.match(text) or not math.isfinite(float(text)):  # 1e999 would be infinity
        raise RangeError(msg(Code.RANGE_NOT_NUMBER, range=full, bound=text))
    return float(text)


def parse_range(text: str) -> NagiosRange:
    """Parse Nagios range syntax (``10``, ``10:``, ``~:10``, ``10:20``, ``@10:20``) into a NagiosRange."""
    if not isinstance(text, str):
        raise RangeError(msg(Code.RANGE_NOT_TEXT))
    body = text.strip()
    inside = body.startswith("@")
    if inside:
        body = body[1:]
    if not body:
        raise RangeError(msg(Code.RANGE_EMPTY, range=text))
    if body.count(":") > 1:
        raise RangeError(msg(Code.RANGE_TWO_COLONS, range=text))
    start, end = _bounds(body, text)
    if start > end:
        raise RangeError(msg(Code.RANGE_REVERSED, range=text, start=f"{start:g}", end=f"{end:g}"))
    return NagiosRange(start, end, inside, text.strip())


def _bounds(body: str, full: str) -> tuple[float, float]:
    """Split ``start:end`` (either side optional per the syntax) into two floats."""
    if ":" not in body:
        return 0.0, _number(body, full)
    left, right = body.split(":")
    if left == "~":
        start = -math.inf
    elif left == "":
        start = 0.0
    else:
        start = _number(left, full)
    end = math.inf if right == "" else _number(right, full)
    return start, end


def is_valid_range(text: str) -> bool:
    """True when ``text`` parses as a Nagios range."""
    try:
        parse_range(text)
    except RangeError:
        return False
    return True


def check_thresholds(value: float, warning: str | None, critical: str | None) -> int:
    """Nagios state code for ``value``: 2 if critical alerts, else 1 if warning alerts, else 0.

    ``None`` or empty thresholds never alert. A value that is NaN is treated as alerting nothing (returns 0);
    callers that must flag missing data should do so before calling.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    if critical and parse_range(critical).alerts(value):
        return 2
    if warning and parse_range(warning).alerts(value):
        return 1
    return 0
