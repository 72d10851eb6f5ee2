"""estate version: one row bumped when a counter is moved, renamed or deleted

The ingest writer keeps the counter ids of serials between groups (looking up a fleet's
thousand serials in every group cost a query per company per group). Triggers on the
counter table bump `estate_version.version` on an UPDATE of company_id, serial or site_id
and on a DELETE (cascades from a company or site included); the writer reads the row once
per group and forgets what it kept when the number changed.

A later migration that rebuilds the counter table on SQLite (`batch_alter_table` copies it)
drops these triggers with the old table and must create them again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_WATCHED = "UPDATE OF company_id, serial, site_id"


def upgrade() -> None:
    op.create_table(
        'estate_version',
        sa.Column('id', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.execute("INSERT INTO estate_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION bump_estate_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN UPDATE estate_version SET version = version + 1; RETURN NULL; END $$")
        for name, when in (("counter_estate_changed", _WATCHED), ("counter_estate_removed", "DELETE")):
            op.execute(f"CREATE TRIGGER {name} AFTER {when} ON counter "
                       "FOR EACH STATEMENT EXECUTE FUNCTION bump_estate_version()")
    else:
        for name, when in (("counter_estate_changed", _WATCHED), ("counter_estate_removed", "DELETE")):
            op.execute(f"CREATE TRIGGER {name} AFTER {when} ON counter "
                       "BEGIN UPDATE estate_version SET version = version + 1; END")


def downgrade() -> None:
    for name in ("counter_estate_changed", "counter_estate_removed"):
        op.execute(f"DROP TRIGGER {name}" + (" ON counter" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION bump_estate_version()")
    op.drop_table('estate_version')
