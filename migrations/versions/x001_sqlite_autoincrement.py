"""SQLite: every table whose id the database allocates gets AUTOINCREMENT, so an id is never used twice

Without AUTOINCREMENT SQLite hands out max(id) + 1, so deleting the newest row and inserting another gives the
new row the old id, and an audit entry or a link that named the old row now points at a stranger. The tables are
rebuilt (SQLite cannot add AUTOINCREMENT in place); env.py switches foreign keys off around the migrations, so
the rebuild's DROP TABLE cascades nothing, and checks them afterwards. PostgreSQL sequences never reuse a value:
nothing to do there.

Written generically (every table in the database, not a fixed list) so that it stays right when it is re-pointed
to follow other branches' new tables. Downgrade does nothing: AUTOINCREMENT only strengthens what the older
revisions promised, and rebuilding the tables again without it would reopen the reuse of ids for nothing.

Revision ID: x001
Revises: 0002, a003, m002, r002, r003
Create Date: 2026-12-01 23:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'x001'
down_revision: str | Sequence[str] | None = ('0002', 'a003', 'm002', 'r002', 'r003')  # every head before it: runs last
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _allocated_id_tables(conn: sa.Connection) -> list[str]:
    """Tables without AUTOINCREMENT whose primary key is one INTEGER column that is not a foreign key."""
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '\\_alembic%' ESCAPE '\\' ORDER BY name").all()
    return [name for name, sql in rows if "AUTOINCREMENT" not in (sql or "").upper() and _allocated_id(conn, name)]


def _allocated_id(conn: sa.Connection, table: str) -> bool:
    quoted = table.replace('"', '""')
    keys = [row for row in conn.exec_driver_sql(f'PRAGMA table_info("{quoted}")').all() if row[5]]
    referencing = {row[3] for row in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{quoted}")').all()}
    return len(keys) == 1 and keys[0][2].upper() == "INTEGER" and keys[0][1] not in referencing


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    for table in _allocated_id_tables(conn):
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass


def downgrade() -> None:
    pass
