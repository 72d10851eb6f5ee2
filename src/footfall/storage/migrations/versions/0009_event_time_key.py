"""events keyed time first: live ingest appends to the key's index instead of scattering

The unique key of an event is (start_ts, counter_id, identity): the same columns as before,
in an order that makes a fleet's time-ordered stream insert at the index's right edge. Led
by counter, every group commit rewrote one index page per active counter. The rollup now
reads events by time window for many counters at once, taking the earliest dirty hours
first: dirty_hour gets an index led by the hour.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 10:00:00
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint('uq_event_identity', type_='unique')
        batch_op.create_unique_constraint('uq_event_time_identity', ['start_ts', 'counter_id', 'identity'])
    op.create_index('ix_dirty_hour_hour', 'dirty_hour', ['hour_ts', 'counter_id'])


def downgrade() -> None:
    op.drop_index('ix_dirty_hour_hour', table_name='dirty_hour')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint('uq_event_time_identity', type_='unique')
        batch_op.create_unique_constraint('uq_event_identity', ['counter_id', 'start_ts', 'identity'])
