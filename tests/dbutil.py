"""Test databases: a migrated SQLite template copied per test, and a PostgreSQL schema emptied per test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from desk import migrate

# Tables whose rows are written by migrations (reference data) and survive between tests.
SEEDED_TABLES = {"alembic_version", "team"}


def postgres_base_url() -> str | None:
    """The PostgreSQL server for tests, from TEST_DATABASE_URL, or None to skip."""
    return os.environ.get("TEST_DATABASE_URL") or None


def with_schema(url: str, schema: str) -> str:
    """The same PostgreSQL URL with every connection's search_path set to ``schema``."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


def fresh_postgres_schema(base_url: str, schema: str) -> str:
    """Drop and recreate ``schema``; return a URL whose connections use it."""
    drop_postgres_schema(base_url, schema)
    engine = sa.create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return with_schema(base_url, schema)


def run_schema(prefix: str) -> str:
    """A schema name of this process's own (developers and CI may run the suite at the same time)."""
    return f"{prefix}_{os.getpid()}"


def drop_postgres_schema(base_url: str, schema: str) -> None:
    """Remove a test schema and everything in it."""
    engine = sa.create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def migrated_sqlite_template(folder: Path) -> Path:
    """A SQLite file with every migration applied, made once per test session."""
    path = folder / "template.sqlite"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def copy_sqlite(template: Path, target: Path) -> str:
    """A private copy of the template for one test."""
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def remove_sqlite(path: Path) -> None:
    """Delete a test's SQLite file with its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def postgres_emptier(url: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """(empty, close): ``empty()`` deletes every row but the seeded ones and restarts the tables' id sequences,
    as ``TRUNCATE ... RESTART IDENTITY CASCADE`` would; ``close()`` lets go of the connection.

    TRUNCATE swaps every table's files and cost 300 ms per test (a third of the PostgreSQL half's time); a
    DELETE per table, children first, and a ``setval`` per sequence cost 3 ms in one round trip. The table
    order and the sequences are read once, from the migrated schema."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    tables = [table.name for table in reversed(metadata.sorted_tables) if table.name not in SEEDED_TABLES]
    with engine.connect() as conn:
        sequences = conn.execute(sa.text(OWNED_SEQUENCES)).all()
    statements = [f'DELETE FROM "{name}"' for name in tables]
    restarts = [f"setval('\"{sequence}\"', {start}, false)" for sequence, table, start in sequences
                if table not in SEEDED_TABLES]
    if restarts:
        statements.append("SELECT " + ", ".join(restarts))
    script = ";\n".join(statements)

    def empty() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(script)

    return empty, engine.dispose


# The sequences of the schema's tables (serial and identity columns), with the table and start value of each.
OWNED_SEQUENCES = """
SELECT seq.relname, owner.relname, info.start_value
FROM pg_class seq
JOIN pg_namespace ns ON ns.oid = seq.relnamespace
JOIN pg_depend dep ON dep.objid = seq.oid AND dep.classid = 'pg_class'::regclass
                  AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
JOIN pg_class owner ON owner.oid = dep.refobjid
JOIN pg_sequences info ON info.schemaname = ns.nspname AND info.sequencename = seq.relname
WHERE seq.relkind = 'S' AND ns.nspname = current_schema()
"""
