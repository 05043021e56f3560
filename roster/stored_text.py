"""Texts the roster writes into the database for people to read later (a solve's progress, the note of a version
the desk made by itself) are stored as a code with parameters and rendered in the reader's language.

A stored value is ``code`` or ``code {json params}`` for the progress, and ``MARK code {json params}`` for an
automatic note (a note people typed never starts with the invisible ``MARK``). Values written before this
existed, or unknown codes, are shown as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from desk.accounts import N_

MARK = "\u2063"  # INVISIBLE SEPARATOR: nobody types it, so it tells an automatic note from a typed one
PROGRESS = {
    "queued": N_("waiting for the solver"),
    "reading": N_("solving: reading people, leave and the published roster"),
    "solving": N_("solving: %(people)s people, %(days)s days (CP-SAT)"),
    "solved": N_("solved"),
    "no_roster": N_("no roster for this period"),
    "discarded": N_("discarded before solving"),
    "stalled": N_("failed: the solving process stopped (no sign of life since %(since)s UTC); solve again"),
    "error": N_("failed: %(error)s"),
}
NOTES = {
    "leave": N_("leave #%(id)s of %(name)s"),
    "swap": N_("swap #%(id)s"),
}
MAX_PARAM = 120


def encode(code: str, **params: Any) -> str:
    """``code`` with its parameters as one stored string (long string parameters are cut)."""
    if not params:
        return code
    cut = {k: v[:MAX_PARAM] if isinstance(v, str) else v for k, v in params.items()}
    return f"{code} {json.dumps(cut, ensure_ascii=False, sort_keys=True)}"


def auto_note(code: str, **params: Any) -> str:
    """The stored form of an automatic note."""
    return MARK + encode(code, **params)


def _render(raw: str, table: dict[str, str], gettext: Callable[..., str]) -> str:
    code, _, rest = raw.partition(" ")
    if code not in table:
        return raw
    try:
        params = json.loads(rest) if rest else {}
        return gettext(table[code], **params) if params else gettext(table[code])
    except (ValueError, KeyError, TypeError):
        return raw


def progress_text(raw: str | None, gettext: Callable[..., str]) -> str:
    """A stored progress in the reader's words."""
    return _render(raw or "", PROGRESS, gettext)


def note_text(raw: str | None, gettext: Callable[..., str]) -> str:
    """A version's note: an automatic one in the reader's words, a typed one as typed."""
    raw = raw or ""
    return _render(raw[len(MARK):], NOTES, gettext) if raw.startswith(MARK) else raw
