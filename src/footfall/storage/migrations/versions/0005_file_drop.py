"""FTP drop accounts and processed files; BACnet poller state

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 22:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('drop_account',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('company_id', _ID, nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('file_format', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_drop_account_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drop_account')),
    sa.UniqueConstraint('username', name=op.f('uq_drop_account_username'))
    )
    op.create_index(op.f('ix_drop_account_company_id'), 'drop_account', ['company_id'], unique=False)
    op.create_table('drop_source',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('company_id', _ID, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('password_sealed', sa.Text(), nullable=True),
    sa.Column('file_format', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_drop_source_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drop_source')),
    sa.UniqueConstraint('company_id', 'name', name=op.f('uq_drop_source_company_id'))
    )
    op.create_index(op.f('ix_drop_source_company_id'), 'drop_source', ['company_id'], unique=False)
    op.create_table('drop_file',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('company_id', _ID, nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rows', sa.BigInteger(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_drop_file_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drop_file'))
    )
    op.create_index('ix_drop_file_company_origin', 'drop_file', ['company_id', 'origin', 'name'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_drop_file_company_origin', table_name='drop_file')
    op.drop_table('drop_file')
    op.drop_index(op.f('ix_drop_source_company_id'), table_name='drop_source')
    op.drop_table('drop_source')
    op.drop_index(op.f('ix_drop_account_company_id'), table_name='drop_account')
    op.drop_table('drop_account')
