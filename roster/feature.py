"""Rostering's part of the app: the roster pages and API, leave and swaps, the calendar feed and downloads, the
holiday calendar."""

from __future__ import annotations

from desk.features import Feature
from roster import api, cli, cli_requests, demo, holiday_cli, holiday_views, requests_views, views

FEATURE = Feature(
    name="roster",
    blueprints=(requests_views.bp, requests_views.files_bp, views.bp, api.bp, holiday_views.bp),
    nav=views.NAV + requests_views.NAV + holiday_views.NAV,
    home_panels=(views.duty_panel, requests_views.requests_panel),
    commands=(cli.roster_cli, cli_requests.leave_cli, holiday_cli.holidays_cli),
    demo_loaders=(demo.load_demo_roster,),
)
