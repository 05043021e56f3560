"""shell hardening: login sessions, login throttling, token expiry, hashed calendar-feed tokens

The calendar-feed table belongs to the roster branch (r001), hence depends_on: its plain tokens are replaced by
their SHA-256 here, so every subscribed calendar keeps working. A downgrade cannot recover the plain tokens: it
gives every feed a new random one (old addresses stop working).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 23:20:18.490076
"""
import hashlib
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate refers to sqlmodel types)
from alembic import op

import desk.db  # noqa: F401  (UTCDateTime)


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = 'r001'


def upgrade() -> None:
    op.create_table('login_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('window_start', desk.db.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'key', name='uq_login_throttle_kind_key'),
    sqlite_autoincrement=True
    )
    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', desk.db.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', desk.db.UTCDateTime(), nullable=False),
    sa.Column('user_agent', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('loginfailure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loginfailure_address'))
        batch_op.drop_index(batch_op.f('ix_loginfailure_at'))

    op.drop_table('loginfailure')
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', desk.db.UTCDateTime(), nullable=True))

    _feed_tokens_to_hashes()


FEED = sa.table('feedtoken', sa.column('id', sa.Integer), sa.column('token', sa.String),
                sa.column('token_hash', sa.String))


def _feed_tokens_to_hashes() -> None:
    with op.batch_alter_table('feedtoken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    conn = op.get_bind()
    for row_id, token in conn.execute(sa.select(FEED.c.id, FEED.c.token)).all():
        digest = hashlib.sha256(token.encode()).hexdigest()
        conn.execute(FEED.update().where(FEED.c.id == row_id).values(token_hash=digest))
    with op.batch_alter_table('feedtoken', schema=None) as batch_op:
        batch_op.alter_column('token_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
                              nullable=False)
        batch_op.create_unique_constraint('uq_feedtoken_token_hash', ['token_hash'])
        batch_op.drop_column('token')


def downgrade() -> None:
    with op.batch_alter_table('feedtoken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    conn = op.get_bind()
    for (row_id,) in conn.execute(sa.select(FEED.c.id)).all():
        conn.execute(FEED.update().where(FEED.c.id == row_id).values(token=secrets.token_urlsafe(24)))
    with op.batch_alter_table('feedtoken', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.drop_constraint('uq_feedtoken_token_hash', type_='unique')
        batch_op.create_unique_constraint('uq_feedtoken_token', ['token'])
        batch_op.drop_column('token_hash')

    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    op.create_table('loginfailure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', desk.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('loginfailure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loginfailure_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_loginfailure_address'), ['address'], unique=False)

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_person_id'))

    op.drop_table('login_session')
    op.drop_table('login_throttle')
