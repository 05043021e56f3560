"""monitoring: the patrol lease records its holder's last renewal (the heartbeat the scheduler check reads)

Revision ID: m002
Revises: m001
Create Date: 2026-12-01 23:45:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import desk.db

revision: str = 'm002'
down_revision: str | None = 'm001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('schedulerlease', schema=None) as batch_op:
        batch_op.add_column(sa.Column('renewed_at', desk.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('schedulerlease', schema=None) as batch_op:
        batch_op.drop_column('renewed_at')
