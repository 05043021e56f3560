"""monitoring: checks, status, runs, anomaly events, maintenance, lease

Revision ID: m001
Revises: 0001
Create Date: 2026-11-28 22:07:35.316097
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate refers to sqlmodel types)
from alembic import op

import desk.db  # noqa: F401  (UTCDateTime)


revision: str = 'm001'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = ('monitoring',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('check',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('domain', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('interval', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', desk.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', desk.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_name'), ['name'], unique=True)

    op.create_table('maintenancewindow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('starts_at', desk.db.UTCDateTime(), nullable=True),
    sa.Column('ends_at', desk.db.UTCDateTime(), nullable=True),
    sa.Column('weekdays', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('start_time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', desk.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('schedulerlease',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('acquired_at', desk.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', desk.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('patrolcounter',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('labels', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('name', 'labels')
    )
    op.create_table('anomalyevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=True),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('domain', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('at', desk.db.UTCDateTime(), nullable=False),
    sa.Column('processed_at', desk.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['check_id'], ['check.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('anomalyevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_anomalyevent_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_anomalyevent_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_anomalyevent_processed_at'), ['processed_at'], unique=False)

    op.create_table('checkrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('started_at', desk.db.UTCDateTime(), nullable=False),
    sa.Column('scheduled_at', desk.db.UTCDateTime(), nullable=True),
    sa.Column('duration', sa.Float(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('state_type', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('long_output', sa.Text(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('runner', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('in_maintenance', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['check.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('checkrun', schema=None) as batch_op:
        batch_op.create_index('ix_checkrun_check_started', ['check_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkrun_started_at'), ['started_at'], unique=False)

    op.create_table('checkstatus',
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('state_type', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('hard_state', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('since', desk.db.UTCDateTime(), nullable=True),
    sa.Column('last_change', desk.db.UTCDateTime(), nullable=True),
    sa.Column('consecutive_ok', sa.Integer(), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('flapping', sa.Boolean(), nullable=False),
    sa.Column('percent_change', sa.Float(), nullable=False),
    sa.Column('last_run_at', desk.db.UTCDateTime(), nullable=True),
    sa.Column('last_duration', sa.Float(), nullable=True),
    sa.Column('last_summary', sa.Text(), nullable=False),
    sa.Column('last_metrics', sa.JSON(), nullable=False),
    sa.Column('next_run_at', desk.db.UTCDateTime(), nullable=True),
    sa.Column('check_version', sa.Integer(), nullable=False),
    sa.Column('run_requested_at', desk.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['check_id'], ['check.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('check_id')
    )


def downgrade() -> None:
    op.drop_table('checkstatus')
    with op.batch_alter_table('checkrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkrun_started_at'))
        batch_op.drop_index('ix_checkrun_check_started')

    op.drop_table('checkrun')
    with op.batch_alter_table('anomalyevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_anomalyevent_processed_at'))
        batch_op.drop_index(batch_op.f('ix_anomalyevent_key'))
        batch_op.drop_index(batch_op.f('ix_anomalyevent_at'))

    op.drop_table('anomalyevent')
    op.drop_table('patrolcounter')
    op.drop_table('schedulerlease')
    op.drop_table('maintenancewindow')
    with op.batch_alter_table('check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_name'))

    op.drop_table('check')
