"""Tables of scheduled deliveries: what/when/where, the history of runs, per-counter days sent.

`delivery_run` has one row per occurrence of a delivery: the UNIQUE (delivery_id,
occurrence_key) is how several hub processes agree that an occurrence runs exactly once
(the first INSERT wins; the others see the conflict and skip it).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from footfall.storage.tables import BigId, metadata

delivery = Table(
    "delivery", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("company_id", BigId, ForeignKey("company.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("name", String(200), nullable=False),
    # `export`: one file per occurrence; `counter_daily`: one file per counter per local day.
    Column("kind", String(20), nullable=False),
    Column("active", Boolean, nullable=False),
    # What: the export's parameters (footfall.export.ExportRequest without the dates).
    Column("level", String(20), nullable=False),
    Column("ids", JSON, nullable=False),  # a list of ids/codes, or "all"
    Column("interval", String(10), nullable=False),
    Column("columns", JSON),  # None: the default columns
    Column("format", String(10), nullable=False),
    Column("dateformat", String(40), nullable=False),
    Column("timeformat", String(40), nullable=False),
    Column("bom", Boolean, nullable=False),
    # When: frequency at a local clock time (hourly: its minute) in an IANA zone.
    Column("frequency", String(10), nullable=False),
    Column("at_time", String(5), nullable=False),
    Column("weekday", SmallInteger, nullable=False),
    Column("timezone", String(64), nullable=False),
    # Occurrences due before this instant never run (set on creation and schedule changes).
    Column("schedule_since", DateTime(timezone=True), nullable=False),
    # Where: e-mail recipients, or a remote folder; the password only ever sealed.
    Column("destination", String(20), nullable=False),
    Column("host", String(255)),
    Column("port", Integer),
    Column("username", String(200)),
    Column("password_sealed", Text),
    Column("directory", String(500)),
    Column("passive", Boolean, nullable=False),
    Column("verify_tls", Boolean, nullable=False),
    Column("recipients", JSON),
    Column("file_name", String(300)),  # pattern; None: the export's own file name
    # On failure: retries with exponential backoff, then a notice to this address.
    Column("failure_email", String(320)),
    Column("retries", Integer, nullable=False),
    Column("retry_delay_s", Float, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("company_id", "name"),
)

delivery_run = Table(
    "delivery_run", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("delivery_id", BigId, ForeignKey("delivery.id", ondelete="CASCADE"), nullable=False),
    Column("occurrence_key", String(120), nullable=False),
    Column("trigger", String(20), nullable=False),  # schedule, manual, restated
    Column("period_first", Date),
    Column("period_last", Date),
    Column("counter_id", BigId),  # per-counter daily files
    Column("revision_us", BigInteger),  # the day's revision stamp the file was built from
    Column("status", String(20), nullable=False),  # running, delivered, failed
    Column("attempts", Integer, nullable=False),
    Column("rows", BigInteger),
    Column("bytes", BigInteger),
    Column("destination", String(600)),
    Column("file_name", String(300)),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    UniqueConstraint("delivery_id", "occurrence_key", name="uq_delivery_run_occurrence"),
    Index("ix_delivery_run_delivery_started", "delivery_id", "started_at"),
)

# Per-counter daily files: the revision of each (counter, local day) last delivered.
delivered_day = Table(
    "delivered_day", metadata,
    Column("delivery_id", BigId, ForeignKey("delivery.id", ondelete="CASCADE"), nullable=False),
    Column("counter_id", BigId, ForeignKey("counter.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("revision_us", BigInteger, nullable=False),
    Column("run_id", BigId),
    Column("delivered_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("delivery_id", "counter_id", "day"),
)
