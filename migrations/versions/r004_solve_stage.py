"""roster: which solver stage answered (OPTIMAL of a rotation-restricted stage is not proven for the whole desk),
and how many seats were edited by hand since the solve

Revision ID: r004
Revises: r003
Create Date: 2027-01-05 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'r004'
down_revision: str | None = 'r003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('rosterversion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('hand_edits', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rosterversion', schema=None) as batch_op:
        batch_op.drop_column('hand_edits')
        batch_op.drop_column('stage')
