"""Flask CLI commands of the shell: ``db``, ``users``, ``tokens`` and ``demo``."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask.cli import AppGroup

from desk import accounts, features, migrate, web
from desk.db import session_scope
from desk.models import ROLES
from desk.timeutil import utcnow

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
users_cli = AppGroup("users", help="People and their accounts.")
tokens_cli = AppGroup("tokens", help="Personal API tokens.")
demo_cli = AppGroup("demo", help="Demo data.")


@db_cli.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    """Apply the migrations up to REVISION (default: every head)."""
    migrate.upgrade(web.settings().database_url, revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (default: one step)."""
    migrate.downgrade(web.settings().database_url, revision)
    click.echo(f"database at {revision}")


def _fail(errors: dict[str, str]) -> None:
    for field, message in errors.items():
        click.echo(f"error: {field}: {message}", err=True)
    sys.exit(2)


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="Display name, e.g. 张伟")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--skills", default="", help="Comma-separated: info,comms")
@click.option("--team", default="", help="A, B, C or D (none for managers and spares)")
@click.option("--phone", default="")
@click.option("--email", default="")
@click.option("--password", default=None, help="Prefer --password-stdin: a password here stays in shell history")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
def users_create(username: str, display_name: str, role: str, skills: str, team: str, phone: str,
                 email: str, password: str | None, password_stdin: bool) -> None:
    """Create a person with a login (the first manager is made this way)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        _fail({"password": "give --password or --password-stdin"})
    fields = accounts.PersonFields(username=username.strip().lower(), display_name=display_name, role=role,
                                   skills=accounts.normalise_skills(skills), team_code=team or None,
                                   phone=phone, email=email)
    try:
        with session_scope(web.engine()) as session:
            accounts.create_person(session, actor="cli", fields=fields, password=password or "")
    except accounts.AccountError as exc:
        _fail(exc.errors)
    click.echo(f"created {role} {username}")


@users_cli.command("list")
def users_list() -> None:
    """List everyone with role, skills, team and whether they are active."""
    with session_scope(web.engine()) as session:
        people = accounts.list_people(session)
        click.echo(f"{'username':<16} {'name':<10} {'role':<8} {'skills':<11} team active")
        for p in people:
            click.echo(f"{p.username:<16} {p.display_name:<10} {p.role:<8} {p.skills or '-':<11} "
                       f"{p.team_code or '-':<4} {'yes' if p.active else 'no'}")


@tokens_cli.command("create")
@click.option("--username", required=True)
@click.option("--label", required=True, help="What the token is for, e.g. 'grafana'")
@click.option("--expires-days", type=click.IntRange(1, 3650), default=None,
              help="Days until the token stops working (default: until revoked)")
def tokens_create(username: str, label: str, expires_days: int | None) -> None:
    """Create a personal API token; it is printed once, only its hash is kept."""
    try:
        with session_scope(web.engine()) as session:
            person = accounts.get_by_username(session, username)
            if person is None:
                _fail({"username": f"no such person: {username}"})
            secret = accounts.create_token(session, actor="cli", person=person, label=label,
                                           expires_days=expires_days)
    except accounts.AccountError as exc:
        _fail(exc.errors)
    click.echo(secret)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@tokens_cli.command("list")
@click.option("--username", default=None, help="Only this person's tokens")
def tokens_list(username: str | None) -> None:
    """List API tokens (never their secrets): id, owner, label, made, last used, expiry, state."""
    now = utcnow()
    with session_scope(web.engine()) as session:
        person_id = None
        if username is not None:
            person = accounts.get_by_username(session, username)
            if person is None:
                _fail({"username": f"no such person: {username}"})
            person_id = person.id
        rows = accounts.list_tokens(session, person_id=person_id)
    click.echo(f"{'id':>4} {'username':<16} {'label':<20} {'made (UTC)':<16} {'last used':<16} {'expires':<16} state")
    for token, owner in rows:
        state = "revoked" if token.revoked else ("active" if accounts.token_is_live(token, now) else "expired")
        click.echo(f"{token.id:>4} {owner:<16} {token.label[:20]:<20} {_when(token.created_at):<16} "
                   f"{_when(token.last_used_at):<16} {_when(token.expires_at):<16} {state}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=click.IntRange(1, 2**63 - 1))
def tokens_revoke(token_id: int) -> None:
    """Revoke the token TOKEN_ID (see ``tokens list``): it opens nothing from now on."""
    with session_scope(web.engine()) as session:
        done = accounts.revoke_token(session, actor="cli", token_id=token_id)
    if not done:
        _fail({"token": f"no live token with id {token_id}"})
    click.echo(f"revoked token {token_id}")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo desk (idempotent) and print its logins."""
    from desk import demo

    with session_scope(web.engine()) as session:
        created = demo.load(session, features.demo_loaders())
    click.echo(f"demo data: {created} new people" if created else "demo data already present")
    click.echo(demo.logins_text())


@demo_cli.command("load-if-empty")
def demo_load_if_empty() -> None:
    """Load the demo desk only when nobody exists yet (used by ``make run``)."""
    from desk import demo

    with session_scope(web.engine()) as session:
        if accounts.list_people(session):
            click.echo("database has people: demo data not loaded")
            has_demo = accounts.get_by_username(session, demo.DEMO_PEOPLE[0][0]) is not None
        else:
            demo.load(session, features.demo_loaders())
            has_demo = True
    if has_demo:
        click.echo(demo.logins_text())


COMMANDS = (db_cli, users_cli, tokens_cli, demo_cli)
