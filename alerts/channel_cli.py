"""``flask --app wsgi channels ...``: the desk-wide notification channels from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from alerts import channel_service as service
from alerts.channels import redact_url
from alerts.models import CHANNEL_KINDS
from desk import web
from desk.db import session_scope
from desk.settings import LANGUAGES

channels_cli = AppGroup("channels", help="Notification channels: group robots, webhooks, shared mailboxes.")


@channels_cli.command("add")
@click.option("--name", required=True, help="A name of your choice, shown on the channels page.")
@click.option("--kind", required=True, type=click.Choice(CHANNEL_KINDS), help="What kind of channel.")
@click.option("--target", required=True, help="The robot's or webhook's URL, or an e-mail address.")
@click.option("--secret", default="", help="DingTalk/Feishu signing secret, or the webhook's HMAC key.")
@click.option("--language", default="zh_CN", show_default=True, type=click.Choice(LANGUAGES))
@click.option("--actor", default="cli", show_default=True, help="Name written to the audit trail.")
def add_cmd(name: str, kind: str, target: str, secret: str, language: str, actor: str) -> None:
    """Add an enabled channel (exit 2 and nothing added on bad input)."""
    fields = service.ChannelFields(name=name, kind=kind, target=target, secret=secret, language=language)
    try:
        with session_scope(web.engine()) as session:
            channel = service.create_channel(session, actor=actor, fields=fields)
            channel_id = channel.id
    except service.ChannelError as exc:
        for key, message in exc.errors.items():
            click.echo(f"error: --{key}: {message}", err=True)
        sys.exit(2)
    click.echo(f"channel {name} added (id {channel_id})")


@channels_cli.command("list")
def list_cmd() -> None:
    """Every channel: name, kind, language, enabled, whether it has a secret, address (robot tokens cut)."""
    with session_scope(web.engine()) as session:
        rows = service.list_channels(session)
        click.echo(f"{'name':<24} {'kind':<9} {'lang':<6} {'on':<3} {'secret':<6} address")
        for c in rows:
            address = c.target if c.kind == "email" else redact_url(c.target)
            click.echo(f"{c.name:<24} {c.kind:<9} {c.language:<6} {'yes' if c.enabled else 'no':<3} "
                       f"{'yes' if c.secret else 'no':<6} {address}")
    click.echo(f"{len(rows)} channels")


@channels_cli.command("disable")
@click.argument("name")
@click.option("--actor", default="cli", show_default=True, help="Name written to the audit trail.")
def disable_cmd(name: str, actor: str) -> None:
    """Disable the channel NAME (pending notifications to it are then given up)."""
    with session_scope(web.engine()) as session:
        channel = service.by_name(session, name)
        if channel is None:
            click.echo(f"error: no channel named {name!r} (see: flask --app wsgi channels list)", err=True)
            sys.exit(2)
        changed = service.set_enabled(session, actor=actor, channel_id=channel.id, enabled=False)
    click.echo(f"channel {name} disabled" if changed else f"channel {name} already was disabled")
