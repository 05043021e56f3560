"""The alert layer's part of the app: alert pages and API, integrations' webhooks, escalation policy, demo alerts."""

from __future__ import annotations

from alerts import api, cli, demo, views
from desk.features import Feature

FEATURE = Feature(
    name="alerts",
    blueprints=(views.bp, api.bp),
    nav=views.NAV,
    commands=(cli.integrations_cli,),
    demo_loaders=(demo.load_demo_alerts,),
)
