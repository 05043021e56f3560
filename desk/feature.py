"""The shell's own part of the app: login, home, people, the API base and the shell's CLI groups."""

from __future__ import annotations

from desk import api, auth, cli, home, people
from desk.features import Feature

FEATURE = Feature(
    name="desk",
    blueprints=(auth.bp, home.bp, people.bp, api.bp),
    nav=home.NAV + people.NAV,
    commands=cli.COMMANDS,
)
