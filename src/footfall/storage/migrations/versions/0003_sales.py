"""sales imports and sales buckets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 22:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _company(table: str) -> list:
    return [
        sa.Column('company_id', _ID, nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['company.id'],
                                name=op.f(f'fk_{table}_company_id_company'), ondelete='CASCADE'),
    ]


def upgrade() -> None:
    op.create_table('sales_hour',
    sa.Column('site_id', _ID, nullable=False),
    sa.Column('start_ts', sa.BigInteger(), nullable=False),
    sa.Column('transactions', sa.BigInteger(), nullable=False),
    sa.Column('value_cents', sa.BigInteger(), nullable=False),
    sa.Column('import_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_sales_hour_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'start_ts', name=op.f('pk_sales_hour')),
    sqlite_with_rowid=False,
    )
    op.create_table('sales_profile',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    *_company('sales_profile'),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('store_code', sa.String(length=200), nullable=False),
    sa.Column('date_time', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.String(length=200), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('delimiter', sa.String(length=4), nullable=False),
    sa.Column('encoding', sa.String(length=40), nullable=False),
    sa.Column('date_format', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_profile')),
    sa.UniqueConstraint('company_id', 'name', name=op.f('uq_sales_profile_company_id')),
    )
    op.create_index(op.f('ix_sales_profile_company_id'), 'sales_profile', ['company_id'], unique=False)
    op.create_table('sales_schedule',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    *_company('sales_schedule'),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('profile_name', sa.String(length=100), nullable=True),
    sa.Column('protocol', sa.String(length=20), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=True),
    sa.Column('port', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=200), nullable=True),
    sa.Column('password_sealed', sa.Text(), nullable=True),
    sa.Column('directory', sa.Text(), nullable=False),
    sa.Column('archive_directory', sa.Text(), nullable=True),
    sa.Column('passive', sa.Boolean(), nullable=False),
    sa.Column('known_hosts', sa.Text(), nullable=True),
    sa.Column('pattern', sa.String(length=200), nullable=False),
    sa.Column('every_s', sa.Integer(), nullable=False),
    sa.Column('notify_email', sa.String(length=320), nullable=True),
    sa.Column('valid_rows_only', sa.Boolean(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('next_run_ts', sa.BigInteger(), nullable=False),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.String(length=20), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_schedule')),
    sa.UniqueConstraint('company_id', 'name', name=op.f('uq_sales_schedule_company_id')),
    )
    op.create_index(op.f('ix_sales_schedule_company_id'), 'sales_schedule', ['company_id'], unique=False)
    op.create_table('sales_import',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    *_company('sales_import'),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('schedule_id', _ID, nullable=True),
    sa.Column('profile_name', sa.String(length=100), nullable=True),
    sa.Column('valid_rows_only', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_imported', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('hours_written', sa.Integer(), nullable=False),
    sa.Column('first_hour_ts', sa.BigInteger(), nullable=True),
    sa.Column('last_hour_ts', sa.BigInteger(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('log', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['sales_schedule.id'],
                            name=op.f('fk_sales_import_schedule_id_sales_schedule'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_import')),
    )
    op.create_index(op.f('ix_sales_import_company_id'), 'sales_import', ['company_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sales_import_company_id'), table_name='sales_import')
    op.drop_table('sales_import')
    op.drop_index(op.f('ix_sales_schedule_company_id'), table_name='sales_schedule')
    op.drop_table('sales_schedule')
    op.drop_index(op.f('ix_sales_profile_company_id'), table_name='sales_profile')
    op.drop_table('sales_profile')
    op.drop_table('sales_hour')
