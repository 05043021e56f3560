"""Texts the roster stores for later readers (a solve's progress, the note of a version the desk made itself) are
codes with parameters, rendered in the reader's language; the error pages speak it too."""

from __future__ import annotations

from sqlmodel import select

from desk.db import session_scope
from roster import leave_swaps, stored_text
from roster.models import RosterVersion
from tests.conftest import login
from tests.roster.test_leave_swaps import published_desk, seats


def plain(text: str, **params) -> str:
    return text % params if params else text


def test_codes_render_and_anything_else_is_shown_as_stored() -> None:
    assert stored_text.progress_text(stored_text.encode("queued"), plain) == "waiting for the solver"
    solving = stored_text.encode("solving", people=14, days=30)
    assert stored_text.progress_text(solving, plain) == "solving: 14 people, 30 days (CP-SAT)"
    assert stored_text.progress_text("something older", plain) == "something older"
    assert stored_text.progress_text("solving {not json", plain) == "solving {not json"
    assert stored_text.note_text(stored_text.auto_note("swap", id=2), plain) == "swap #2"
    assert stored_text.note_text("swap #2 typed by hand", plain) == "swap #2 typed by hand"
    assert len(stored_text.encode("error", error="x" * 500)) < 200  # fits the progress column


def test_the_automatic_note_and_the_progress_are_in_the_readers_language(app, client) -> None:
    published_desk(app)
    engine = app.extensions["dutydesk.engine"]
    with session_scope(engine) as session:
        day = seats(session, "infob")[0].day
        leave = leave_swaps.ask_leave(session, actor="infob", username="infob", start=day, end=day)
        leave_swaps.approve_leave(session, actor="leada", leave_id=leave.id)
    with session_scope(engine) as session:
        draft = session.exec(select(RosterVersion).where(RosterVersion.status == "draft")).one()
        assert draft.note.startswith(stored_text.MARK) and draft.progress == "queued"
    login(client, "leada")
    page = client.get("/roster/versions").get_data(as_text=True)
    assert f"leave #{leave.id} of 陈静" in page and "waiting for the solver" in page
    zh = client.get("/roster/versions", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert f"陈静的请假 #{leave.id}" in zh and "等待求解" in zh


def test_error_pages_say_our_own_sentence_in_the_readers_language(app, client) -> None:
    english = client.get("/no/such/page").get_data(as_text=True)
    assert "There is no page at this address." in english and "The requested URL was not found" not in english
    chinese = client.get("/no/such/page", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "此地址没有页面" in chinese and "requested URL" not in chinese
