"""shell: team E (戊班), the fifth team of 五班三运转

Teams A–D came with 0001. A desk on 五班三运转 (roster preset "5x3") rotates five teams, so people must be able to
belong to team E. Only a row is added; no table changes. A downgrade takes everyone out of team E first (the person
table's foreign key), then removes the row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-20 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEAM = sa.table('team', sa.column('code', sa.String), sa.column('name', sa.String))
PERSON = sa.table('person', sa.column('team_code', sa.String))


def upgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.select(TEAM.c.code).where(TEAM.c.code == 'E')).first() is None:
        op.bulk_insert(TEAM, [{'code': 'E', 'name': '戊班 Team E'}])


def downgrade() -> None:
    op.execute(PERSON.update().where(PERSON.c.team_code == 'E').values(team_code=None))
    op.execute(TEAM.delete().where(TEAM.c.code == 'E'))
