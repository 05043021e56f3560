"""What each package adds to the app, stated in one record: ``create_app`` lists the features it installs.

A package says what it is made of in ``<package>/feature.py`` (blueprints, header links, home-page panels, CLI
groups, demo data); nothing registers itself as a side effect of being imported, so reading ``create_app`` tells a
newcomer everything the app is made of.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import click
from flask import Blueprint, Flask, current_app
from sqlmodel import Session

HomePanel = Callable[[Session, Any], "dict[str, Any] | None"]
DemoLoader = Callable[[Session], None]
_KEY = "dutydesk.features"


@dataclass(frozen=True)
class NavItem:
    """A link in the header, shown to the roles that may follow it."""

    endpoint: str
    label: Any
    roles: frozenset[str]
    order: int = 50


def nav(endpoint: str, label: Any, roles: Iterable[str], order: int = 50) -> NavItem:
    """A header link for ``Feature.nav``."""
    return NavItem(endpoint, label, frozenset(roles), order)


@dataclass(frozen=True)
class Feature:
    """One package's part of the app.

    ``home_panels`` are callables ``(session, person) -> dict | None`` whose dict names a ``template`` rendered in a
    card on the home page; ``demo_loaders`` are idempotent ``(session) -> None`` run by ``demo load`` after the
    demo people exist, in the order the features are listed.
    """

    name: str
    blueprints: tuple[Blueprint, ...] = ()
    nav: tuple[NavItem, ...] = ()
    home_panels: tuple[HomePanel, ...] = ()
    commands: tuple[click.Command, ...] = ()
    demo_loaders: tuple[DemoLoader, ...] = ()


def install(app: Flask, features: Iterable[Feature]) -> None:
    """Register every feature's blueprints and CLI commands and keep the records for nav, panels and demo data."""
    installed = tuple(features)
    names = [f.name for f in installed]
    if len(set(names)) != len(names):
        raise ValueError(f"feature installed twice: {names}")
    for feature in installed:
        for blueprint in feature.blueprints:
            app.register_blueprint(blueprint)
        for command in feature.commands:
            app.cli.add_command(command)
    app.extensions[_KEY] = installed


def installed(app: Flask | None = None) -> tuple[Feature, ...]:
    """The features of this app (the current one by default), in the order ``create_app`` listed them."""
    return (app or current_app).extensions.get(_KEY, ())


def nav_items(app: Flask | None = None) -> list[NavItem]:
    """Every feature's header links, in display order."""
    items = [item for feature in installed(app) for item in feature.nav]
    return sorted(items, key=lambda i: (i.order, i.endpoint))


def home_panels(app: Flask | None = None) -> list[HomePanel]:
    """Every feature's home-page panels, in feature order."""
    return [panel for feature in installed(app) for panel in feature.home_panels]


def demo_loaders(app: Flask | None = None) -> list[DemoLoader]:
    """Every feature's demo-data loaders, in feature order."""
    return [loader for feature in installed(app) for loader in feature.demo_loaders]
