"""The alert layer's part of the app: the duty board and the handover, alerts and their API, notification channels.
One line per item."""

from __future__ import annotations

from alerts import board_views, channel_cli, channel_views, handover_views
from desk.features import Feature

FEATURE = Feature(
    name="alerts",
    blueprints=(
        board_views.bp,  # /board, /board/data
        handover_views.bp,  # /handover…
        channel_views.bp,  # /alerts/channels (managers), /alerts/me/notifications (everyone)
    ),
    nav=(
        *board_views.NAV,  # "Board" for every role, first after Home
        *handover_views.NAV,  # "Handover" for leaders and managers
        *channel_views.NAV,
    ),
    home_panels=(
        board_views.home_panel,  # "alerts of my shift" for the leader / watcher on duty
    ),
    commands=(
        channel_cli.channels_cli,
    ),
)
