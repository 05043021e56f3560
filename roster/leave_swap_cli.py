"""``flask --app wsgi roster export …`` and ``flask --app wsgi leave add …``.

``export`` is a command of the ``roster`` group (roster.cli adds it) and ``leave`` is a top-level group that
roster.feature installs.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale, gettext

from desk.db import session_scope
from desk.i18n import DEFAULT_LANGUAGE
from desk.settings import LANGUAGES
from desk.timeutil import in_desk_range
from roster import drafts, leave_swaps, refusals, versions

leave_cli = AppGroup("leave", help="Leave requests (请假).")
DATE = click.DateTime(["%Y-%m-%d"])


def _engine():
    return current_app.extensions["dutydesk.engine"]


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.command("export")
@click.option("--start", required=True, type=DATE, help="First day, YYYY-MM-DD")
@click.option("--days", required=True, type=click.IntRange(1, refusals.MAX_DAYS), help="Length of the period")
@click.option("--format", "fmt", required=True, type=click.Choice(sorted(leave_swaps.EXPORT_TYPES)))
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True), help="File to write")
@click.option("--username", default=None, help="Whose calendar (ics only)")
@click.option("--lang", type=click.Choice(LANGUAGES), default=DEFAULT_LANGUAGE, show_default=True,
              help="Language of the file's words")
@with_appcontext
def export_command(start, days: int, fmt: str, output: str, username: str | None, lang: str) -> None:
    """Write the published roster of a period as csv or xlsx, or one person's shifts as ics.

    Exits 1 when no published roster covers the period."""
    first: date = start.date()
    if not in_desk_range(first):
        _fail("dates must lie between the years 2000 and 2100")
    if fmt == "ics" and not username:
        _fail("--username is required for --format ics")
    if fmt != "ics" and username:
        _fail("--username goes with --format ics only")
    with force_locale(lang):
        words = leave_swaps.export_words(gettext)
    with session_scope(_engine()) as session:
        try:
            data, seats = leave_swaps.export_published(session, start=first, end=first + timedelta(days=days - 1),
                                                    fmt=fmt, username=username, words=words)
        except leave_swaps.RequestError as exc:
            _fail(str(exc))
        covered = versions.published_days(session, start=first, end=first + timedelta(days=days - 1))
    Path(output).write_bytes(data)
    click.echo(f"wrote {output}: {seats} seats, {len(covered)} of {days} days published")
    if not covered:
        click.echo("error: no published roster covers this period", err=True)
        sys.exit(1)


@leave_cli.command("add")
@click.option("--username", required=True)
@click.option("--from", "first", required=True, type=DATE, help="First day of leave, YYYY-MM-DD")
@click.option("--to", "last", required=True, type=DATE, help="Last day of leave (inclusive)")
@click.option("--shift", type=click.Choice(["D", "N"]), default=None, help="Only this shift of each day")
@click.option("--reason", default="")
@click.option("--approve", is_flag=True, help="Approve it at once (opens and solves an amendment if it hits "
                                              "a published shift)")
def leave_add(username: str, first, last, shift: str | None, reason: str, approve: bool) -> None:
    """Ask for leave for someone, and optionally approve it."""
    start, end = first.date(), last.date()
    shifts = leave_swaps.single_shifts(start, end, shift) if shift else None
    with session_scope(_engine()) as session:
        try:
            leave = leave_swaps.ask_leave(session, actor="cli", username=username, start=start, end=end,
                                       shifts=shifts, reason=reason)
            if approve:
                leave = leave_swaps.approve_leave(session, actor="cli", leave_id=leave.id)
        except (leave_swaps.RequestError, refusals.RosterError) as exc:
            _fail(str(exc))
        click.echo(f"leave #{leave.id} for {username}: {start} .. {end} {leave.status}")
        if leave.amendment_id:
            _solve_amendment(session, leave.amendment_id)


def _solve_amendment(session, version_id: int) -> None:
    """Solve the amendment the approval opened, inline (the CLI has no background solver)."""
    version = versions.get_version(session, version_id)
    result = drafts.solve_version(session, version=version)
    click.echo(f"amendment draft {version.id} ({version.start} .. {version.end}): {result.status}; "
               f"review and publish it on the roster page")
