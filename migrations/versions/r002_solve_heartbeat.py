"""roster: heartbeat of a running solve (a solve whose process died is failed within a minute)

Revision ID: r002
Revises: r001
Create Date: 2026-12-01 23:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import desk.db

revision: str = 'r002'
down_revision: str | None = 'r001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('rosterversion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_heartbeat_at', desk.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rosterversion', schema=None) as batch_op:
        batch_op.drop_column('job_heartbeat_at')
