"""The alert layer's part of the app: alerts and their API (integrations' webhooks, escalation policy), the duty
board and the handover, notification channels. One line per item."""

from __future__ import annotations

from alerts import api, board_views, channel_cli, channel_views, cli, demo, handover_views, views
from desk.features import Feature

FEATURE = Feature(
    name="alerts",
    blueprints=(
        board_views.bp,  # /board, /board/data
        handover_views.bp,  # /handover…
        views.bp,  # /alerts/… list, detail, raise by hand, integrations, escalation policy
        api.bp,  # /api/v1/alerts…, /api/v1/integrations/alertmanager
        channel_views.bp,  # /alerts/channels (managers), /alerts/me/notifications (everyone)
    ),
    nav=(
        *board_views.NAV,  # "Board" for every role, first after Home
        *views.NAV,  # "Alerts"
        *handover_views.NAV,  # "Handover" for leaders and managers
        *channel_views.NAV,
    ),
    home_panels=(
        board_views.home_panel,  # "alerts of my shift" for the leader / watcher on duty
    ),
    commands=(
        cli.integrations_cli,
        channel_cli.channels_cli,
    ),
    demo_loaders=(
        demo.load_demo_alerts,
    ),
)
