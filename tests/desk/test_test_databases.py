"""The tests' own PostgreSQL emptying (tests/dbutil.py): every table but the seeded ones empty, ids from 1 again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlmodel import select

from desk.db import session_scope
from desk.models import Person
from monitoring import service as checks
from monitoring.checkspec import spec_from_dict
from tests import dbutil


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_emptying_postgres_deletes_every_row_and_restarts_ids(request: pytest.FixtureRequest, db_url: str,
                                                              make_person: Callable[..., str]) -> None:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        teams = conn.execute(sa.text("SELECT count(*) FROM team")).scalar()
    make_person("first", role="leader", skills="info,comms")
    make_person("second")
    with session_scope(engine) as session:
        checks.create_check(session, actor="test", spec=spec_from_dict(
            {"name": "tcp", "kind": "tcp", "host": "127.0.0.1", "port": 9, "interval": 60}))
    names = [n for n in sa.inspect(engine).get_table_names() if n not in dbutil.SEEDED_TABLES]
    with engine.connect() as conn:
        filled = {n for n in names if conn.execute(sa.text(f'SELECT count(*) FROM "{n}"')).scalar()}
    assert {"person", "check", "auditevent"} <= filled

    request.getfixturevalue("_empty_postgres")()

    with engine.connect() as conn:
        counts = {n: conn.execute(sa.text(f'SELECT count(*) FROM "{n}"')).scalar() for n in names}
        assert counts == dict.fromkeys(names, 0)
        assert conn.execute(sa.text("SELECT count(*) FROM team")).scalar() == teams  # seeded by the migrations: kept
    make_person("third")
    with session_scope(engine) as session:
        assert session.exec(select(Person.id).where(Person.username == "third")).one() == 1
    engine.dispose()
