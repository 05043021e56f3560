"""The alert layer's part of the app: the duty board and the handover (board), alerts and their API (core),
notification channels (delivery). One line per item, so the three parts merge cleanly."""

from __future__ import annotations

from alerts import board_views, handover_views
from desk.features import Feature

FEATURE = Feature(
    name="alerts",
    blueprints=(
        board_views.bp,  # board: /board, /board/data
        handover_views.bp,  # board: /handover…
    ),
    nav=(
        *board_views.NAV,  # board: "Board" for every role, first after Home
        *handover_views.NAV,  # board: "Handover" for leaders and managers
    ),
    home_panels=(
        board_views.home_panel,  # board: "alerts of my shift" for the leader / watcher on duty
    ),
)
