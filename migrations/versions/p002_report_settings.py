"""reports: the managers' acknowledgement target (reportsettings)

Revision ID: p002
Revises: p001
Create Date: 2026-12-03 02:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import desk.db

revision: str = 'p002'
down_revision: str | None = 'p001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reportsettings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ack_minutes', sa.Integer(), nullable=False),
    sa.Column('ack_target', sa.Float(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', desk.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )


def downgrade() -> None:
    op.drop_table('reportsettings')
