"""settings: roles on API tokens (existing tokens keep full rights as admin tokens)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=20), server_default='admin',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('role')
