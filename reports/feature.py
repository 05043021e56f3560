"""Reports' part of the app: the managers' report pages, their exports and the reports API."""

from __future__ import annotations

from desk.features import Feature
from reports import api, cli, trail, views

FEATURE = Feature(
    name="reports",
    blueprints=(views.bp, api.bp),
    nav=views.NAV,
    commands=(cli.reports_cli,),
    home_panels=(trail.recent_panel,),
)
