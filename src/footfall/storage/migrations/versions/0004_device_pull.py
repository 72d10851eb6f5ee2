"""device API poller settings, watermarks and counter health

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 22:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pull_state',
    sa.Column('counter_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.String(length=50), nullable=False),
    sa.Column('watermark_ts', sa.BigInteger(), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_pull_state_counter_id_counter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('counter_id', 'channel', name=op.f('pk_pull_state'))
    )
    op.create_table('device_api_login',
    sa.Column('counter_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=True),
    sa.Column('password_sealed', sa.Text(), nullable=True),
    sa.Column('data_type', sa.String(length=10), nullable=False),
    sa.Column('resolution', sa.String(length=10), nullable=False),
    sa.Column('resolution_step', sa.Integer(), nullable=False),
    sa.Column('poll_interval_s', sa.Integer(), nullable=False),
    sa.Column('device_timezone', sa.String(length=64), nullable=True),
    sa.Column('token_sealed', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_device_api_login_counter_id_counter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('counter_id', name=op.f('pk_device_api_login'))
    )


def downgrade() -> None:
    op.drop_table('device_api_login')
    op.drop_table('pull_state')
