"""Rostering's part of the app: the roster pages and API, leave and swaps, the calendar feed and downloads, the
holiday calendar."""

from __future__ import annotations

from desk.features import Feature
from roster import api, cli, demo, holiday_cli, holiday_views, leave_swap_cli, leave_swap_views, views

FEATURE = Feature(
    name="roster",
    blueprints=(leave_swap_views.bp, leave_swap_views.files_bp, views.bp, api.bp, holiday_views.bp),
    nav=views.NAV + leave_swap_views.NAV + holiday_views.NAV,
    home_panels=(views.duty_panel, leave_swap_views.requests_panel),
    commands=(cli.roster_cli, leave_swap_cli.leave_cli, holiday_cli.holidays_cli),
    demo_loaders=(demo.load_demo_roster,),
)
