"""The app is what create_app lists: every blueprint, header link, panel, command and demo loader comes from a
Feature record, and importing a package's modules registers nothing."""

from __future__ import annotations

import importlib
import pkgutil

from flask import Flask

from desk import app as desk_app
from desk import features


def test_every_blueprint_and_command_comes_from_a_listed_feature(app: Flask) -> None:
    listed = features.installed(app)
    assert [f.name for f in listed] == [f.name for f in desk_app.FEATURES]
    assert set(app.blueprints) == {bp.name for f in listed for bp in f.blueprints}
    assert set(app.cli.commands) == {c.name for f in listed for c in f.commands}


def test_nav_endpoints_exist_and_are_ordered(app: Flask) -> None:
    items = features.nav_items(app)
    assert items == sorted(items, key=lambda i: (i.order, i.endpoint))
    assert {i.endpoint for i in items} <= set(app.view_functions)
    assert "roster.oncall" in {i.endpoint for i in items}


def test_a_feature_listed_twice_is_refused() -> None:
    fresh = Flask("twice")
    feature = features.Feature(name="x")
    try:
        features.install(fresh, (feature, feature))
    except ValueError as exc:
        assert "twice" in str(exc)
    else:
        raise AssertionError("installing a feature twice was accepted")


def test_importing_every_module_registers_nothing_globally() -> None:
    """No module keeps a registry that importing it fills (the old HOME_PANELS / DEMO_LOADERS / add_nav)."""
    for package in ("desk", "roster", "monitoring", "reports"):
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__):
            importlib.import_module(f"{package}.{info.name}")
    from desk import demo, home, templating

    assert not hasattr(home, "HOME_PANELS")
    assert not hasattr(demo, "DEMO_LOADERS")
    assert not hasattr(templating, "add_nav")
