"""``GET /metrics``: the patrol figures in the Prometheus text format (see ``monitoring.metrics``).

Prometheus scrapes without a login, so the route is public. Set ``DUTYDESK_METRICS_TOKEN`` (environment or app
config) to require ``Authorization: Bearer <token>`` (Prometheus ``authorization: {credentials: …}``); without it
the figures (check names and states, no secrets) are readable by anyone who can reach the app.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from alerts.metrics import AlertCollector
from desk import web
from monitoring.metrics import render

bp = Blueprint("metrics", __name__)


def _token() -> str:
    """The scrape token in effect ('' when /metrics is open)."""
    return str(current_app.config.get("DUTYDESK_METRICS_TOKEN") or os.environ.get("DUTYDESK_METRICS_TOKEN", ""))


@bp.route("/metrics")
@web.public
def metrics() -> Any:
    token = _token()
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return Response("bearer token required\n", status=401, mimetype="text/plain",
                            headers={"WWW-Authenticate": "Bearer"})
    body = render(web.engine(), collectors=(AlertCollector(web.engine()),))
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})
