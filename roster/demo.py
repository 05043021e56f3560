"""Demo roster: default settings (DNOO, team A on days from the anchor) and a published roster covering the
current month and the next two, solved inline (a fraction of a second for the demo desk)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from roster import clock, drafts, duty_lookup, grid, publishing, settings_store, versions
from roster.models import RosterSettings


def demo_period(today: date) -> tuple[date, date]:
    """The first day of ``today``'s month and the last day of the month two months later."""
    first = today.replace(day=1)
    month = first
    for _ in range(2):
        month = grid.month_bounds(month)[1] + timedelta(days=1)
    return first, grid.month_bounds(month)[1]


def load_demo_roster(session: Session, today: date | None = None) -> None:
    """Save the default settings when there are none; publish a roster over the demo period of ``today`` (by
    default the app's clock, ``roster.clock``) unless one exists."""
    if session.get(RosterSettings, settings_store.SETTINGS_ID) is None:
        defaults = settings_store.defaults()
        settings_store.save(session, actor="demo", values={k: getattr(defaults, k) for k in (
            "pattern_code", "anchor", "offsets", "day_start", "night_start", "coverage", "rules")})
    start, end = demo_period(today or clock.today(ZoneInfo(duty_lookup.desk_timezone())))
    if versions.published_versions(session, start=start, end=end):
        return
    version = drafts.create_draft(session, actor="demo", start=start, end=end, note="demo roster")
    result = drafts.solve_version(session, version=version)
    if result.ok:
        publishing.publish(session, actor="demo", version_id=version.id)

