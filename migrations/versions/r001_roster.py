"""roster: settings, versions, assignments, pins, leave, swaps, preferences, feed tokens

Revision ID: r001
Revises: 0001
Create Date: 2026-11-28 22:11:10.232919
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate refers to sqlmodel types)
from alembic import op

import desk.db  # noqa: F401  (UTCDateTime)


revision: str = 'r001'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = ('roster',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rostersettings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pattern_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('anchor', sa.Date(), nullable=False),
    sa.Column('offsets', sa.JSON(), nullable=False),
    sa.Column('day_start', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('night_start', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('coverage', sa.JSON(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('updated_at', desk.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('rosterversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('base_version_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', desk.db.UTCDateTime(), nullable=False),
    sa.Column('published_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('published_at', desk.db.UTCDateTime(), nullable=True),
    sa.Column('job_status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('progress', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('job_started_at', desk.db.UTCDateTime(), nullable=True),
    sa.Column('job_finished_at', desk.db.UTCDateTime(), nullable=True),
    sa.Column('solver_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('objective', sa.Integer(), nullable=True),
    sa.Column('best_bound', sa.Integer(), nullable=True),
    sa.Column('gap', sa.Float(), nullable=True),
    sa.Column('wall_time', sa.Float(), nullable=True),
    sa.Column('cost_breakdown', sa.JSON(), nullable=True),
    sa.Column('explanation', sa.JSON(), nullable=True),
    sa.Column('warnings', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['base_version_id'], ['rosterversion.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('rosterversion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rosterversion_job_status'), ['job_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_rosterversion_status'), ['status'], unique=False)

    op.create_table('feedtoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', desk.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id'),
    sa.UniqueConstraint('token')
    )
    op.create_table('leaverequest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('shifts', sa.JSON(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('decided_at', desk.db.UTCDateTime(), nullable=True),
    sa.Column('decision_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', desk.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['rosterversion.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('leaverequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leaverequest_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leaverequest_status'), ['status'], unique=False)

    op.create_table('preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('wanted', sa.Boolean(), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('shift', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('created_at', desk.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_preference_person_id'), ['person_id'], unique=False)

    op.create_table('rosterassignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('shift', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('position', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['rosterversion.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rosterassignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rosterassignment_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_rosterassignment_version_day', ['version_id', 'day'], unique=False)

    op.create_table('rosterpin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('shift', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('position', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', desk.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['rosterversion.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rosterpin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rosterpin_version_id'), ['version_id'], unique=False)

    op.create_table('swaprequest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('requester_day', sa.Date(), nullable=False),
    sa.Column('requester_shift', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('requester_position', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('target_day', sa.Date(), nullable=True),
    sa.Column('target_shift', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True),
    sa.Column('target_position', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('accepted_at', desk.db.UTCDateTime(), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('decided_at', desk.db.UTCDateTime(), nullable=True),
    sa.Column('decision_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', desk.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['rosterversion.id'], ),
    sa.ForeignKeyConstraint(['requester_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['target_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('swaprequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_swaprequest_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_swaprequest_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_swaprequest_target_id'), ['target_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('swaprequest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_swaprequest_target_id'))
        batch_op.drop_index(batch_op.f('ix_swaprequest_status'))
        batch_op.drop_index(batch_op.f('ix_swaprequest_requester_id'))

    op.drop_table('swaprequest')
    with op.batch_alter_table('rosterpin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rosterpin_version_id'))

    op.drop_table('rosterpin')
    with op.batch_alter_table('rosterassignment', schema=None) as batch_op:
        batch_op.drop_index('ix_rosterassignment_version_day')
        batch_op.drop_index(batch_op.f('ix_rosterassignment_person_id'))

    op.drop_table('rosterassignment')
    with op.batch_alter_table('preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_preference_person_id'))

    op.drop_table('preference')
    with op.batch_alter_table('leaverequest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leaverequest_status'))
        batch_op.drop_index(batch_op.f('ix_leaverequest_person_id'))

    op.drop_table('leaverequest')
    op.drop_table('feedtoken')
    with op.batch_alter_table('rosterversion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rosterversion_status'))
        batch_op.drop_index(batch_op.f('ix_rosterversion_job_status'))

    op.drop_table('rosterversion')
    op.drop_table('rostersettings')
