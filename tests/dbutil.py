"""Test databases: a migrated SQLite template copied per test, and a PostgreSQL schema truncated per test."""

from __future__ import annotations

import os
import shutil
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


def truncate_postgres(url: str) -> None:
    """Empty every table but the seeded ones, resetting identities."""
    engine = sa.create_engine(url)
    names = [t for t in sa.inspect(engine).get_table_names() if t not in SEEDED_TABLES]
    if names:
        with engine.begin() as conn:
            quoted = ", ".join(f'"{name}"' for name in names)
            conn.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    engine.dispose()
