"""SQLite ids are unique for ever (issue 11, item 7): AUTOINCREMENT on every table whose id SQLite allocates.

The check walks the migrated database itself, so a table added later without ``sqlite_autoincrement`` fails it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from desk import migrate


def _allocated_id_tables(path: Path) -> dict[str, str]:
    """Table -> CREATE sql for the tables whose primary key is one INTEGER column that is not a foreign key."""
    with sqlite3.connect(path) as conn:
        tables = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                   "AND name NOT LIKE 'sqlite_%'").fetchall())
        found = {}
        for name, sql in tables.items():
            keys = [row for row in conn.execute(f'PRAGMA table_info("{name}")') if row[5]]
            referencing = {row[3] for row in conn.execute(f'PRAGMA foreign_key_list("{name}")')}
            if len(keys) == 1 and keys[0][2].upper() == "INTEGER" and keys[0][1] not in referencing:
                found[name] = sql
    return found


def test_every_table_with_an_allocated_id_has_autoincrement(tmp_path):
    path = tmp_path / "fresh.sqlite"
    migrate.upgrade(f"sqlite:///{path}")
    tables = _allocated_id_tables(path)
    assert {"person", "auditevent", "check", "checkrun", "rosterversion", "leaverequest"} <= set(tables)
    missing = sorted(name for name, sql in tables.items() if "AUTOINCREMENT" not in sql.upper())
    assert missing == [], f"add __table_args__ = {{'sqlite_autoincrement': True}} (and a migration) to {missing}"


def _columns(conn: sa.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.exec_driver_sql(f'PRAGMA table_info("{table}")')]


def test_the_rebuild_keeps_rows_and_cascades_nothing_and_ids_are_not_reused(tmp_path):
    """An existing database (before the rebuild) keeps its rows, including the ones an ON DELETE CASCADE would
    have removed had the rebuild's DROP TABLE run with foreign keys on; then a deleted id stays unused."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    for head in ("m001", "r001"):
        migrate.upgrade(url, head)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO person (id, username, display_name, role, skills, team_code, active, password_hash, "
            "created_at, phone, email, language) "
            "VALUES (7, 'old', 'Old', 'watcher', 'info', 'A', 1, '', '2026-01-01 00:00:00', '', '', '')")
        conn.exec_driver_sql(
            "INSERT INTO \"check\" (id, name, kind, domain, severity, enabled, interval, spec, version, "
            "created_at, updated_at) VALUES (3, 'c', 'dummy', 'info', 'warning', 1, 60, '{}', 1, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')")
        conn.exec_driver_sql(
            "INSERT INTO checkstatus (check_id, state, state_type, hard_state, attempt, consecutive_ok, history, "
            "flapping, percent_change, last_summary, last_metrics, check_version) "
            "VALUES (3, 'OK', 'HARD', 'OK', 1, 0, '[]', 0, 0, '', '{}', 1)")
        status_columns = _columns(conn, "checkstatus")
    migrate.upgrade(url)
    with engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT username FROM person").all() == [("old",)]
        assert conn.exec_driver_sql("SELECT id FROM \"check\"").all() == [(3,)]
        assert conn.exec_driver_sql("SELECT check_id FROM checkstatus").all() == [(3,)]  # no cascade fired
        assert set(status_columns) <= set(_columns(conn, "checkstatus"))  # later revisions may add columns
        conn.exec_driver_sql("DELETE FROM person WHERE id = 7")
        conn.exec_driver_sql(
            "INSERT INTO person (username, display_name, role, skills, team_code, active, password_hash, "
            "created_at, phone, email, language) "
            "VALUES ('new', 'New', 'watcher', 'info', 'A', 1, '', '2026-01-01 00:00:00', '', '', '')")
        assert conn.exec_driver_sql("SELECT id FROM person WHERE username = 'new'").scalar_one() == 8
    engine.dispose()
