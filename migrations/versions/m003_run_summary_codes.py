"""monitoring: summaries of our probes and anomaly events are kept as a code with parameters (each reader's language)

Revision ID: m003
Revises: m002
Create Date: 2026-12-02 00:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'm003'
down_revision: str | None = 'm002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('checkrun', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.JSON(), nullable=True))
    with op.batch_alter_table('checkstatus', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_message', sa.JSON(), nullable=True))
    with op.batch_alter_table('anomalyevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('anomalyevent', schema=None) as batch_op:
        batch_op.drop_column('message')
    with op.batch_alter_table('checkstatus', schema=None) as batch_op:
        batch_op.drop_column('last_message')
    with op.batch_alter_table('checkrun', schema=None) as batch_op:
        batch_op.drop_column('message')
