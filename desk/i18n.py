"""Language selection: the person's preference, else the session's choice, else the browser's."""

from __future__ import annotations

from flask import request, session
from flask_login import current_user

from desk.settings import LANGUAGES

DEFAULT_LANGUAGE = "zh_CN"


def select_locale() -> str:
    """The locale for this request."""
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    return browser_language(request.accept_languages.values())


def browser_language(accepted: list[str] | object) -> str:
    """Map the browser's Accept-Language list (best first) to zh_CN or en."""
    for value in accepted:  # type: ignore[attr-defined]
        tag = str(value).lower().replace("_", "-")
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


def babel_locale() -> str:
    """The request's locale for Flask-Babel.

    Babel names Simplified Chinese ``zh_Hans_CN``, and gettext looks for that folder, so the zh_CN
    catalog lives in ``translations/zh_Hans_CN``.
    """
    return select_locale()
