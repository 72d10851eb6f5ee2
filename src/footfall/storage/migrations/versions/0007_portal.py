"""portal sessions and sign-in lock-out

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 22:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('portal_session',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('user_id', _ID, nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('client', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_portal_session_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_portal_session_token_hash'))
    )
    with op.batch_alter_table('portal_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_session_user_id'), ['user_id'], unique=False)

    op.create_table('sign_in_failure',
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=320), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('scope', 'subject', name=op.f('pk_sign_in_failure'))
    )
    op.create_table('portal_page_access',
    sa.Column('user_id', _ID, nullable=False),
    sa.Column('page', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_portal_page_access_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'page', name=op.f('pk_portal_page_access'))
    )


def downgrade() -> None:
    op.drop_table('portal_page_access')
    op.drop_table('sign_in_failure')
    with op.batch_alter_table('portal_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_session_user_id'))

    op.drop_table('portal_session')
