"""scheduled deliveries, their runs and per-counter daily files

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 22:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('company_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('ids', sa.JSON(), nullable=False),
    sa.Column('interval', sa.String(length=10), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=True),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('dateformat', sa.String(length=40), nullable=False),
    sa.Column('timeformat', sa.String(length=40), nullable=False),
    sa.Column('bom', sa.Boolean(), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('at_time', sa.String(length=5), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('schedule_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('destination', sa.String(length=20), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('port', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=200), nullable=True),
    sa.Column('password_sealed', sa.Text(), nullable=True),
    sa.Column('directory', sa.String(length=500), nullable=True),
    sa.Column('passive', sa.Boolean(), nullable=False),
    sa.Column('verify_tls', sa.Boolean(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=True),
    sa.Column('file_name', sa.String(length=300), nullable=True),
    sa.Column('failure_email', sa.String(length=320), nullable=True),
    sa.Column('retries', sa.Integer(), nullable=False),
    sa.Column('retry_delay_s', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_delivery_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery')),
    sa.UniqueConstraint('company_id', 'name', name=op.f('uq_delivery_company_id'))
    )
    op.create_table('delivery_run',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('delivery_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('occurrence_key', sa.String(length=120), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('period_first', sa.Date(), nullable=True),
    sa.Column('period_last', sa.Date(), nullable=True),
    sa.Column('counter_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('revision_us', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('rows', sa.BigInteger(), nullable=True),
    sa.Column('bytes', sa.BigInteger(), nullable=True),
    sa.Column('destination', sa.String(length=600), nullable=True),
    sa.Column('file_name', sa.String(length=300), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], name=op.f('fk_delivery_run_delivery_id_delivery'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_run')),
    sa.UniqueConstraint('delivery_id', 'occurrence_key', name='uq_delivery_run_occurrence')
    )
    op.create_table('delivered_day',
    sa.Column('delivery_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('counter_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('revision_us', sa.BigInteger(), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_delivered_day_counter_id_counter'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], name=op.f('fk_delivered_day_delivery_id_delivery'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('delivery_id', 'counter_id', 'day', name=op.f('pk_delivered_day'))
    )
    op.create_index(op.f('ix_delivery_company_id'), 'delivery', ['company_id'], unique=False)
    op.create_index('ix_delivery_run_delivery_started', 'delivery_run', ['delivery_id', 'started_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_delivery_run_delivery_started', table_name='delivery_run')
    op.drop_index(op.f('ix_delivery_company_id'), table_name='delivery')
    op.drop_table('delivered_day')
    op.drop_table('delivery_run')
    op.drop_table('delivery')
