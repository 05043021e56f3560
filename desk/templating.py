"""Jinja helpers: the navigation by role, local-time filters and labels shared by every template."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import Flask, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from desk import audit, features, web
from desk.i18n import select_locale
from desk.timeutil import to_local

ROLE_LABELS = {"manager": _l("Manager"), "leader": _l("Shift leader"), "watcher": _l("Watcher")}
SKILL_LABELS = {"info": _l("Information systems"), "comms": _l("Communications")}


def nav_for(role: str) -> list[dict[str, Any]]:
    """The header links this role may follow, in order, with the current one marked."""
    items = [i for i in features.nav_items() if role in i.roles]
    return [{"url": url_for(i.endpoint), "label": i.label, "endpoint": i.endpoint,
             "active": request.endpoint == i.endpoint} for i in items]


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time shown in the desk's time zone."""
    local = to_local(value, web.settings().tz)
    return "" if local is None else local.strftime(fmt)


def skill_names(skills: Iterable[str]) -> str:
    """The skills' labels in the reader's language, comma-separated ("" for none)."""
    return ", ".join(str(SKILL_LABELS.get(s, "")) for s in sorted(skills))


def _context() -> dict[str, Any]:
    from desk.forms import LanguageForm

    role = current_user.role if current_user.is_authenticated else None
    return {
        "nav": nav_for(role) if role else [],
        "language_form": LanguageForm(formdata=None, language=select_locale()),
        "current_language": select_locale(),
        "desk_timezone": web.settings().timezone,
        "role_labels": ROLE_LABELS,
        "skill_labels": SKILL_LABELS,
    }


def init_templating(app: Flask) -> None:
    """Install the context processor and filters."""
    app.context_processor(_context)
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(skill_names, "skill_names")
    app.add_template_filter(audit.changes, "audit_changes")
