"""``flask --app wsgi checks ...``: checks as code (import/export TOML), run one check once, list them."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from desk.db import session_scope
from monitoring import service, words
from monitoring.checkfile import MAX_FILE_BYTES, CheckFileError, dump_checks, parse_checks
from monitoring.codes import Message
from monitoring.perfdata import format_perfdata
from monitoring.probes import run_check, use_database

checks_cli = AppGroup("checks", help="Patrol checks: import/export TOML, run one now, list them.")


def _engine():
    return current_app.extensions["dutydesk.engine"]


@checks_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only say what would change.")
@click.option("--actor", default="cli", show_default=True, help="Name written to the audit trail.")
def import_cmd(file: Path, dry_run: bool, actor: str) -> None:
    """Create or update the checks of FILE by name (idempotent). A bad file changes nothing (exit 2)."""
    try:
        if file.stat().st_size > MAX_FILE_BYTES:  # refused before reading it into memory
            raise CheckFileError([(None, f"file too large: at most {MAX_FILE_BYTES} bytes")])
        specs = parse_checks(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"error: cannot read {file}: {exc}", err=True)
        sys.exit(2)
    except CheckFileError as exc:
        for line, message in exc.problems:
            click.echo(f"{file}:{line}: {message}" if line else f"{file}: {message}", err=True)
        click.echo(f"error: {file} refused, nothing changed", err=True)
        sys.exit(2)
    try:
        with session_scope(_engine()) as session:
            report = service.import_checks(session, actor=actor, specs=specs, dry_run=dry_run)
    except service.CheckError as exc:
        for key, message in exc.errors.items():
            click.echo(f"{file}: {key}: {words.english(message) if isinstance(message, Message) else message}",
                       err=True)
        click.echo(f"error: {file} refused, nothing changed", err=True)
        sys.exit(2)
    _print_report(report, dry_run)


def _print_report(report: service.ImportReport, dry_run: bool) -> None:
    verb = "would be " if dry_run else ""
    for label, names in (("created", report.created), ("updated", report.updated)):
        for name in names:
            click.echo(f"{verb}{label}: {name}")
    click.echo(f"{len(report.created)} {verb}created, {len(report.updated)} {verb}updated, "
               f"{len(report.unchanged)} unchanged")


@checks_cli.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
def export_cmd(output: Path | None) -> None:
    """Write every check as TOML ([[checks]] tables) to standard output or --output FILE."""
    with session_scope(_engine()) as session:
        text = dump_checks(service.export_specs(session))
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"{text.count('[[checks]]')} checks written to {output}", err=True)


@checks_cli.command("run")
@click.argument("name")
@click.option("--lang", type=click.Choice(["en", "zh_CN"]), default="en", show_default=True,
              help="Language of the summary (a plugin's own output is printed as it wrote it).")
def run_cmd(name: str, lang: str) -> None:
    """Run the check NAME once, here and now; print state, summary and metrics; exit 0/1/2/3 as Nagios.

    The stored state is not changed: that is the scheduler's job.
    """
    with session_scope(_engine()) as session:
        check = service.get_by_name(session, name)
        spec = service.spec_of(check) if check else None
    if spec is None:
        click.echo(f"UNKNOWN - no check named {name!r} (see: flask --app wsgi checks list)", err=True)
        sys.exit(3)
    use_database(_engine())  # a scheduler check reads this desk's lease
    result = run_check(spec)
    click.echo(f"state:    {result.state.name}")
    with words.language(lang):
        summary = words.render(result.message) if result.message else result.summary
    click.echo(f"summary:  {summary}")
    for line in result.long_output.splitlines():
        click.echo(f"          {line}")
    for index, metric in enumerate(result.metrics):
        click.echo(f"{'metrics:' if index == 0 else '':<9} {format_perfdata([metric])}")
    click.echo(f"duration: {result.duration * 1000:.1f} ms")
    sys.exit(int(result.state))


@checks_cli.command("list")
def list_cmd() -> None:
    """Every check with kind, domain, interval, whether enabled, and its latest state."""
    with session_scope(_engine()) as session:
        rows = service.list_checks(session)
    click.echo(f"{'name':<28} {'kind':<8} {'domain':<6} {'every':>6} {'on':<3} {'state':<8} summary")
    for row in rows:
        check = row.check
        summary = row.status.last_summary if row.status else ""
        click.echo(f"{check.name:<28} {check.kind:<8} {check.domain:<6} {check.interval:>5}s "
                   f"{'yes' if check.enabled else 'no':<3} {row.state:<8} {summary[:60]}")
    click.echo(f"{len(rows)} checks")
