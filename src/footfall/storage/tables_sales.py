"""Tables of sales (share the metadata of footfall.storage.tables): hourly sales per site,
mapping profiles, the import history with its log, and automated import schedules."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from footfall.storage.tables import BigId, metadata


def _company() -> Column:
    return Column("company_id", BigId, ForeignKey("company.id", ondelete="CASCADE"),
                  nullable=False, index=True)


# Sales of one site in one local hour; `start_ts` is the hour's start as a UTC instant.
# Values are whole cents: money is never a float at rest.
sales_hour = Table(
    "sales_hour", metadata,
    Column("site_id", BigId, ForeignKey("site.id", ondelete="CASCADE"), nullable=False),
    Column("start_ts", BigInteger, nullable=False),
    Column("transactions", BigInteger, nullable=False),
    Column("value_cents", BigInteger, nullable=False),
    Column("import_id", BigInteger),  # the import that wrote it (kept when that record goes)
    PrimaryKeyConstraint("site_id", "start_ts"),
    sqlite_with_rowid=False,
)

# How a company's sales files map onto the required fields, saved by name.
sales_profile = Table(
    "sales_profile", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True), _company(),
    Column("name", String(100), nullable=False),
    Column("store_code", String(200), nullable=False),
    Column("date_time", String(200), nullable=False),
    Column("quantity", String(200), nullable=False),
    Column("value", String(200), nullable=False),
    Column("delimiter", String(4), nullable=False),
    Column("encoding", String(40), nullable=False),
    Column("date_format", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "name"),
)

# Automated import: pick files up from a folder, FTP or SFTP directory on a schedule.
sales_schedule = Table(
    "sales_schedule", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True), _company(),
    Column("name", String(100), nullable=False),
    Column("profile_name", String(100)),  # None: the seeds' format
    Column("protocol", String(20), nullable=False),  # folder, ftp, ftps, ftps_implicit, sftp
    Column("host", String(255)),
    Column("port", Integer),
    Column("username", String(200)),
    Column("password_sealed", Text),  # footfall.security.secrets, never returned
    Column("directory", Text, nullable=False),
    Column("archive_directory", Text),
    Column("passive", Boolean, nullable=False),
    Column("known_hosts", Text),
    Column("pattern", String(200), nullable=False),
    Column("every_s", Integer, nullable=False),
    Column("notify_email", String(320)),
    Column("valid_rows_only", Boolean, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("next_run_ts", BigInteger, nullable=False),
    Column("last_run_at", DateTime(timezone=True)),
    Column("last_status", String(20)),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "name"),
)

# Every import, manual or automated: file, when, rows, status and the full error log.
sales_import = Table(
    "sales_import", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True), _company(),
    Column("file_name", String(500), nullable=False),
    Column("source", String(20), nullable=False),  # upload, cli, schedule
    Column("schedule_id", BigId, ForeignKey("sales_schedule.id", ondelete="SET NULL")),
    Column("profile_name", String(100)),
    Column("valid_rows_only", Boolean, nullable=False),
    Column("status", String(20), nullable=False),  # imported, partial, failed
    Column("rows_total", Integer, nullable=False),
    Column("rows_imported", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("error_count", Integer, nullable=False),
    Column("hours_written", Integer, nullable=False),
    Column("first_hour_ts", BigInteger),
    Column("last_hour_ts", BigInteger),
    Column("message", Text, nullable=False),
    Column("log", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
)
