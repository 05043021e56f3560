"""The alert layer's part of the app (one line per item: three engineers add theirs)."""

from __future__ import annotations

from alerts import channel_cli, channel_views
from desk.features import Feature

FEATURE = Feature(
    name="alerts",
    blueprints=(
        channel_views.bp,  # /alerts/channels (managers), /alerts/me/notifications (everyone)
    ),
    nav=(
        *channel_views.NAV,
    ),
    commands=(
        channel_cli.channels_cli,
    ),
)
