"""``flask --app wsgi integrations create|list|disable|enable|rotate``: the senders of alerts and their tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlmodel import Session

from alerts import integrations
from alerts.models import DOMAINS, INTEGRATION_KINDS, Integration
from alerts.service import AlertError
from desk import web
from desk.db import session_scope
from desk.timeutil import utcnow

integrations_cli = AppGroup("integrations", help="Senders of alerts (Alertmanager, generic JSON) and their tokens.")
ACTOR = "cli"


@integrations_cli.command("create")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(INTEGRATION_KINDS))
@click.option("--domain", type=click.Choice(DOMAINS), default=None, help="the domain of alerts that name none")
def create(name: str, kind: str, domain: str | None) -> None:
    """Add an integration and print its token once (the last line); only its hash is kept."""
    with session_scope(web.engine()) as session:
        try:
            row, secret = integrations.create(session, actor=ACTOR, name=name, kind=kind, domain=domain,
                                              now=utcnow())
        except AlertError as exc:
            raise click.ClickException(str(exc)) from exc
        path = "/api/v1/integrations/alertmanager" if kind == "alertmanager" else "/api/v1/alerts"
        click.echo(f"integration {row.name} ({row.kind}) created: POST {path} with Authorization: Bearer <token>")
    click.echo(secret)


@integrations_cli.command("list")
def list_() -> None:
    """Every integration with its kind, default domain, state and last use."""
    with session_scope(web.engine()) as session:
        for row in integrations.list_integrations(session):
            used = row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else "never"
            state = "enabled" if row.enabled else "disabled"
            click.echo(f"{row.id}\t{row.name}\t{row.kind}\t{row.default_domain or '-'}\t{state}\tlast used {used}")


def _find(session: Session, ref: str) -> Integration:
    row = integrations.find(session, ref)
    if row is None:
        raise click.ClickException(f"no integration {ref!r}")
    return row


@integrations_cli.command("disable")
@click.argument("ref")
def disable(ref: str) -> None:
    """Refuse the integration's deliveries (401) until it is enabled again."""
    with session_scope(web.engine()) as session:
        integrations.set_enabled(session, actor=ACTOR, integration=_find(session, ref), enabled=False)
    click.echo(f"integration {ref} disabled")


@integrations_cli.command("enable")
@click.argument("ref")
def enable(ref: str) -> None:
    """Accept the integration's deliveries again."""
    with session_scope(web.engine()) as session:
        integrations.set_enabled(session, actor=ACTOR, integration=_find(session, ref), enabled=True)
    click.echo(f"integration {ref} enabled")


@integrations_cli.command("rotate")
@click.argument("ref")
def rotate(ref: str) -> None:
    """Give the integration a new token (printed once, last line); the old one stops working."""
    with session_scope(web.engine()) as session:
        secret = integrations.rotate(session, actor=ACTOR, integration=_find(session, ref))
        click.echo(f"integration {ref}: new token (the old one no longer works)")
    click.echo(secret)
