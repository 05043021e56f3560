"""Security plumbing of every response and URL: headers, bounded integer ids, safe redirects, the database-down page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, url_for
from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns: on PostgreSQL that is 32 bits, and a bigger value in a query is an error (a 500), not
# "no such row"; SQLite overflows at 2^63. No row can have a bigger id, so the URL itself answers 404.
MAX_ID = 2**31 - 1
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# pygal's server-drawn SVG charts (reports) style their parts inline; only those pages allow inline style, never script.
CHART_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that refuses values above :data:`MAX_ID`, so a huge id is a 404 instead of a database error."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def install_converters(app: Flask) -> None:
    """Replace the built-in ``int`` converter; must run before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIntConverter


def add_security_headers(response: Response) -> Response:
    """The headers every answer carries; HSTS only when the cookies are Secure (the desk is served over HTTPS)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def safe_next(target: str | None, default: str | None = None) -> str:
    """``target`` when it is a path on this site, else ``default`` (the home page).

    Refuses absolute and scheme-relative URLs, backslashes (browsers read ``/\\evil`` as ``//evil``) and control
    characters, so no ``next=`` can send a person elsewhere.
    """
    fallback = default or url_for("home.index")
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
