"""``flask --app wsgi holidays …``: import, export and list the desk's own holiday calendar."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from desk.db import session_scope
from roster import holiday_file, holiday_store, holidays

holidays_cli = AppGroup("holidays", help="The desk's holiday calendar (overrides and extends chinese_calendar).")
MAX_FILE_BYTES = 256 * 1024


@holidays_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Set every day of a CSV file (date,kind,name; kind holiday|workday); a file with a problem changes nothing."""
    days = _read(path)
    with session_scope(current_app.extensions["dutydesk.engine"]) as session:
        added, changed = holiday_store.import_days(session, actor="cli", days=days, source=path.name)
    click.echo(f"{len(days)} days imported from {path.name}: {added} new, {changed} changed")


def _read(path: Path) -> list[holidays.Override]:
    try:
        data = path.read_bytes()[: MAX_FILE_BYTES + 1]
    except OSError as exc:
        _fail(f"{path}: {exc.strerror}")
    if len(data) > MAX_FILE_BYTES:
        _fail(f"{path}: larger than {MAX_FILE_BYTES // 1024} KB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(f"{path}: not UTF-8 text")
    days, problems = holiday_file.parse_csv(text)
    for p in problems:
        click.echo(f"{path}:{p.line}: {p.code} {' '.join(f'{k}={v}' for k, v in p.params.items())}", err=True)
    if problems:
        _fail("nothing imported")
    return days


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@holidays_cli.command("export")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout)")
def export_command(output: Path | None) -> None:
    """Write the desk's own days as CSV, ready to import elsewhere."""
    with session_scope(current_app.extensions["dutydesk.engine"]) as session:
        text = holiday_file.to_csv(holiday_store.desk_days(session))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@holidays_cli.command("list")
@click.option("--year", type=click.IntRange(holiday_file.FIRST_YEAR, holiday_file.LAST_YEAR), required=True)
def list_command(year: int) -> None:
    """The public holidays and make-up workdays of YEAR, with where each comes from."""
    with session_scope(current_app.extensions["dutydesk.engine"]) as session:
        calendar = holiday_store.calendar(session)
    if not holidays.library_knows(year) and year not in calendar.desk_years:
        click.echo(f"warning: no holiday data for {year}: only weekends are counted", err=True)
    for info, own in holidays.special_days(calendar, year):
        kind = "holiday" if info.kind == holidays.HOLIDAY else "workday"
        click.echo(f"{info.day.isoformat()}  {kind:<8} {'desk' if own else 'library':<8} {info.holiday_name or ''}")
