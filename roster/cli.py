"""``flask --app wsgi roster …``: generate (solve inline) and publish rosters from the command line.

``roster export`` lives in roster.leave_swap_cli and joins the group here; ``leave`` is a group of its own.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from desk.db import session_scope
from desk.settings import LANGUAGES
from desk.timeutil import in_desk_range
from roster import drafts, publishing, refusals, seat_holders, settings_store, words
from roster.leave_swap_cli import export_command

roster_cli = AppGroup("roster", help="Rosters: generate, publish, export.")
roster_cli.add_command(export_command)


def _engine():
    return current_app.extensions["dutydesk.engine"]


@roster_cli.command("generate")
@click.option("--start", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day, YYYY-MM-DD")
@click.option("--days", required=True, type=click.IntRange(1, refusals.MAX_DAYS), help="Length of the period")
@click.option("--publish", is_flag=True, help="Publish the roster when one is found")
@click.option("--time-limit", default=30.0, show_default=True, help="Solver time limit in seconds")
@click.option("--note", default="", help="Why this roster (kept with the version)")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the warnings and the explanation")
def generate(start, days: int, publish: bool, time_limit: float, note: str, lang: str) -> None:
    """Solve a roster for a period inline; print status, objective and the cost by rule and person.

    Exits 1 with the explanation when no roster satisfies every rule."""
    first: date = start.date()
    if not in_desk_range(first):
        click.echo("error: dates must lie between the years 2000 and 2100", err=True)
        sys.exit(2)
    end = first + timedelta(days=days - 1)
    with session_scope(_engine()) as session:
        try:
            version = drafts.create_draft(session, actor="cli", start=first, end=end, note=note)
        except refusals.RosterError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        result = drafts.solve_version(session, version=version, time_limit=time_limit)
        names = seat_holders.display_names(session)
        _print_result(version, result, names, lang)
        if not result.ok:
            drafts.discard(session, actor="cli", version_id=version.id)
        elif publish:
            publishing.publish(session, actor="cli", version_id=version.id)
            click.echo(f"published as version {version.number}")
        else:
            click.echo(f"draft {version.id} saved; publish it on the roster page")
    if not result.ok:
        sys.exit(1)


@roster_cli.command("preset")
@click.argument("name", required=False, type=click.Choice(sorted(settings_store.PRESETS)))
def preset(name: str | None) -> None:
    """Without NAME: list the presets and the shift types now in use. With NAME: apply that preset (四班二运转
    4x2, 四班三运转 4x3, 五班三运转 5x3, day team) to the roster settings; seats and weights stay."""
    with session_scope(_engine()) as session:
        if name is None:
            for key, label in settings_store.PRESET_NAMES.items():
                click.echo(f"{key:4} {label}")
        else:
            try:
                settings_store.apply_preset(session, actor="cli", name=name)
            except settings_store.SettingsError as exc:
                click.echo(f"error: {exc}", err=True)
                sys.exit(1)
        _print_settings(session)


def _print_settings(session) -> None:
    row = settings_store.load(session)
    shifts = settings_store.shift_types(row)
    click.echo("preset: " + str((row.rules or {}).get("preset", "4x2")))
    click.echo("shift types: " + ", ".join(f"{s.code} {s.start:%H:%M} {s.length} min" for s in shifts))
    click.echo(f"pattern: {row.pattern_code or '(none: the solver decides every seat)'}"
               + (f"  offsets: {' '.join(f'{t}={o}' for t, o in sorted(row.offsets.items()))}" if row.pattern_code
                  else ""))
    forbidden = (row.rules or {}).get("forbidden")
    click.echo("forbidden successions: " + (settings_store.forbidden_text(
        [["N", "D"]] if forbidden is None else forbidden) or "-"))
    limits = [settings_store.limit_text(x) for x in (row.rules or {}).get("limits") or ()]
    click.echo("limits: " + ("; ".join(limits) or "-"))


def _in_language(lang: str, texts) -> list[str]:
    """``texts(w)`` rendered in ``lang`` (English without Babel; any other language through the catalog)."""
    if lang == "en":
        return texts(words.ENGLISH)
    with force_locale(lang):
        return texts(words.babel())


def _print_result(version, result, names: dict[str, str], lang: str = "en") -> None:
    click.echo(f"period: {version.start} .. {version.end} ({refusals.period_days(version.start, version.end)} days)")
    counts: dict[str, int] = {}
    for a in result.assignments:
        counts[a.shift] = counts.get(a.shift, 0) + 1
    if counts:
        click.echo("seats by shift type: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    click.echo(f"status: {result.status} (solver stage: {result.stage or '-'})")
    for note in _in_language(lang, lambda t: [words.proof_note(result.status, result.stage, 0, t)]):
        if note:
            click.echo(f"note: {note}")
    for w in _in_language(lang, lambda t: [words.warning(x, t) for x in version.warnings or []]):
        click.echo(f"warning: {w}")
    if not result.ok:
        lines = _in_language(lang, lambda t: words.explanation_lines(version.explanation, t))
        for line in lines or ["no roster found"]:
            click.echo(line, err=True)
        return
    gap = f"{result.gap:.1%}" if result.gap is not None else "-"
    click.echo(f"objective: {result.objective}  bound: {result.best_bound}  gap: {gap}  "
               f"wall time: {result.wall_time:.2f} s")
    substitutes = sum(1 for a in result.assignments if a.source == "substitute")
    click.echo(f"seats: {len(result.assignments)} ({substitutes} by substitutes)")
    lines = words.cost_lines(version.cost_breakdown, names)
    click.echo("cost by rule and person:" if lines else "cost: none (every rule fully honoured)")
    for group in lines:
        people = ", ".join(f"{n} {a}" for n, a in group["people"])
        click.echo(f"  {group['rule']} {group['total']} ({group['label']}): {people}")
