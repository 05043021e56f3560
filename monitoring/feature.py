"""Patrols' part of the app: the checks pages and API, /metrics, the ``checks`` commands and the demo checks."""

from __future__ import annotations

from desk.features import Feature
from monitoring import api, cli, demo, metrics_views, views

FEATURE = Feature(
    name="monitoring",
    blueprints=(metrics_views.bp, views.bp, api.bp),
    nav=views.NAV,
    home_panels=(views.home_panel,),
    commands=(cli.checks_cli,),
    demo_loaders=(demo.load_demo_checks,),
)
