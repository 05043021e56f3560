"""``flask --app wsgi reports rollup``: count the patrol runs of finished days into the daily roll-ups."""

from __future__ import annotations

import time
from datetime import date
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from desk.db import session_scope
from desk.timeutil import utcnow
from reports import service

reports_cli = AppGroup("reports", help="Reports: roll up the patrol runs of finished days.")


@reports_cli.command("rollup")
@click.option("--until", "until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Roll up the days before this local date (default: today, i.e. every finished day).")
def rollup_cmd(until: object) -> None:
    """Roll up every finished day not rolled up yet (idempotent; run it daily, e.g. from cron after midnight)."""
    tz = current_app.extensions["dutydesk.settings"].timezone
    last: date = until.date() if until else utcnow().astimezone(ZoneInfo(tz)).date()  # type: ignore[attr-defined]
    started = time.perf_counter()
    with session_scope(current_app.extensions["dutydesk.engine"]) as session:
        days = service.roll_up(session, until=last, tz=tz)
    click.echo(f"rolled up {len(days)} day(s) before {last} in {time.perf_counter() - started:.1f} s")
