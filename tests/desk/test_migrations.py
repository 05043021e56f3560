"""The migrations on both databases: upgrade from empty, downgrade to nothing, upgrade again."""

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import desk.model_registry  # noqa: F401
from desk import migrate
from tests import dbutil


def _tables(url):
    engine = sa.create_engine(url)
    names = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    return names


def _round_trip(url):
    migrate.upgrade(url)
    expected = set(SQLModel.metadata.tables)
    assert expected <= _tables(url)
    migrate.downgrade(url, "base")
    assert _tables(url) <= {"alembic_version"}
    migrate.upgrade(url)
    assert expected <= _tables(url)


def test_migrations_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'm.sqlite'}")


@pytest.mark.postgres
def test_migrations_postgres():
    base = dbutil.postgres_base_url()
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL half skipped")
    schema = dbutil.run_schema("dd_migrations")
    try:
        _round_trip(dbutil.fresh_postgres_schema(base, schema))
    finally:
        dbutil.drop_postgres_schema(base, schema)


def test_models_match_migrations(tmp_path):
    """Autogenerate finds nothing to do: every model change has its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    migrate.upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def _convert_feed_tokens(url):
    """0002 replaces each plain calendar-feed token by its SHA-256, so subscribed calendars keep working."""
    import hashlib

    migrate.upgrade(url, "r001")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO person (username, display_name, role, skills, active, phone, email, "
                             "language, password_hash, created_at) VALUES ('li', 'Li', 'watcher', 'info', true, "
                             "'', '', '', '', '2026-01-01 00:00:00')"))
        conn.execute(sa.text("INSERT INTO feedtoken (person_id, token, created_at) "
                             "SELECT id, 'plain-secret', '2026-01-01 00:00:00' FROM person"))
    migrate.upgrade(url)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM feedtoken")).scalar_one()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("feedtoken")}
    engine.dispose()
    assert stored == hashlib.sha256(b"plain-secret").hexdigest() and "token" not in columns
    migrate.downgrade(url, "base")


def test_feed_tokens_become_hashes_sqlite(tmp_path):
    _convert_feed_tokens(f"sqlite:///{tmp_path / 'f.sqlite'}")


@pytest.mark.postgres
def test_feed_tokens_become_hashes_postgres():
    base = dbutil.postgres_base_url()
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL half skipped")
    schema = dbutil.run_schema("dd_feedhash")
    try:
        _convert_feed_tokens(dbutil.fresh_postgres_schema(base, schema))
    finally:
        dbutil.drop_postgres_schema(base, schema)
