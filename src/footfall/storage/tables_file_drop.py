"""Tables of the FTP file drop: hosted FTP accounts, watched/remote sources, the processed-file log."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from footfall.storage.tables import BigId, metadata

# A login of the hub's own FTP server; files land in its home under the data directory.
drop_account = Table(
    "drop_account", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("company_id", BigId, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    # The counter file layout its uploads use (`FileFormat` as JSON).
    Column("file_format", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A folder the hub takes files from: a local directory it watches or a remote FTP/SFTP folder.
drop_source = Table(
    "drop_source", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("company_id", BigId, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    # `WatchedFolder` / `RemoteSource` as JSON; a remote password is never in here.
    Column("settings", JSON, nullable=False),
    Column("password_sealed", Text),
    Column("file_format", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("last_error_at", DateTime(timezone=True)),
    Column("failures", Integer, nullable=False, default=0),
    UniqueConstraint("company_id", "name"),
)

# Every file the drop took: `ingesting` until its last batch committed, then `done`, or `rejected`.
drop_file = Table(
    "drop_file", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("company_id", BigId, ForeignKey("company.id", ondelete="CASCADE"), nullable=False),
    Column("origin", String(200), nullable=False),
    Column("name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),
    Column("rows", BigInteger, nullable=False, default=0),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Index("ix_drop_file_company_origin", "company_id", "origin", "name"),
)
