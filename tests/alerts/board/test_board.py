"""The board's pure core: order, filters, who sees which domain first, the JSON row, the ETag stamp."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts import board
from alerts.board import BoardAlert, Filters

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def alert(i: int, severity: str = "major", domain: str | None = "info", status: str = "open", age: int = 0
          ) -> BoardAlert:
    seen = T0 - timedelta(minutes=age)
    return BoardAlert(i, f"a{i}", severity, domain, status, "patrol", 1, seen, seen, "dayl", None, 0)


def ids(alerts: list[BoardAlert]) -> list[int]:
    return [a.id for a in alerts]


def test_most_severe_then_oldest_first_and_closed_ones_left_out():
    rows = [alert(1, "minor", age=50), alert(2, "critical", age=1), alert(3, "critical", age=9),
            alert(4, "info", age=99), alert(5, "major", age=5), alert(6, "critical", status="resolved", age=99)]
    assert ids(board.order(rows)) == [3, 2, 5, 1, 4]


def test_same_moment_breaks_ties_by_id():
    assert ids(board.order([alert(8), alert(7)])) == [7, 8]


def test_a_watcher_sees_their_domain_first_then_the_whole_desk_then_the_rest():
    rows = [alert(1, "critical", "comms", age=9), alert(2, "minor", "info"), alert(3, "critical", None),
            alert(4, "major", "info", age=3)]
    assert ids(board.order(rows, first_domain="info")) == [4, 2, 3, 1]
    assert ids(board.order(rows, first_domain="comms")) == [1, 3, 4, 2]
    assert ids(board.order(rows)) == [1, 3, 4, 2]


def test_filters_by_domain_and_state():
    rows = [alert(1, domain="info"), alert(2, domain="comms", status="acknowledged"), alert(3, domain=None)]
    assert ids(board.board_alerts(rows, Filters("info"))) == [1]
    assert ids(board.board_alerts(rows, Filters("desk"))) == [3]
    assert ids(board.board_alerts(rows, Filters(state="acknowledged"))) == [2]
    assert ids(board.board_alerts(rows, Filters("comms", "open"))) == []
    assert ids(board.board_alerts(rows, Filters())) == [1, 2, 3]


def test_unknown_filter_values_show_everything():
    assert board.parse_filters({"domain": "x", "state": "resolved"}) == Filters()
    assert board.parse_filters({"domain": "comms", "state": "open"}) == Filters("comms", "open")
    assert board.parse_filters({}) == Filters()


def test_first_domain_is_the_watchers_seat_now_else_their_only_skill():
    assert board.first_domain_of("watcher", "comms", frozenset({"info", "comms"})) == "comms"
    assert board.first_domain_of("watcher", None, frozenset({"info"})) == "info"
    assert board.first_domain_of("watcher", None, frozenset({"info", "comms"})) is None
    assert board.first_domain_of("leader", "leader", frozenset({"info"})) is None
    assert board.first_domain_of("manager", None, frozenset()) is None


def test_attention_is_critical_and_unacknowledged():
    rows = [alert(1, "critical"), alert(2, "critical", status="acknowledged"), alert(3, "major")]
    assert [board.needs_attention(a) for a in rows] == [True, False, False]
    assert board.counts(rows) == {"open": 2, "acknowledged": 1, "attention": 1}


def test_alert_json_names_people_and_keeps_codes():
    people = {"dayl": {"name": "Day Leader", "phone": "138"}}
    row = board.alert_json(alert(1), people)
    assert row["assignee"] == {"username": "dayl", "name": "Day Leader", "phone": "138"}
    assert row["watcher"] is None
    assert (row["severity"], row["domain"], row["status"], row["source"]) == ("major", "info", "open", "patrol")
    assert row["first_seen"] == "2026-12-03T01:00:00+00:00"
    assert board.person_json("ghost", people) == {"username": "ghost", "name": "ghost", "phone": ""}


def test_stamp_changes_with_the_markers_the_viewer_the_filters_the_language_and_the_minute():
    base = {"viewer": "dayl", "filters": Filters(), "language": "en", "now": T0}
    first = board.stamp((5, 3, 2), **base)
    assert first == board.stamp((5, 3, 2), **{**base, "now": T0 + timedelta(seconds=59)})
    assert len(first) == 20 and '"' not in first
    others = [board.stamp((6, 3, 2), **base), board.stamp((5, 3, 2), **{**base, "viewer": "dayi"}),
              board.stamp((5, 3, 2), **{**base, "filters": Filters("info")}),
              board.stamp((5, 3, 2), **{**base, "language": "zh_CN"}),
              board.stamp((5, 3, 2), **{**base, "now": T0 + timedelta(seconds=60)})]
    assert len({first, *others}) == 6
