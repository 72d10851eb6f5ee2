"""Every table of the hub, as SQLAlchemy Core. Instants of counting data are epoch seconds."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def _id() -> Column:
    return Column("id", BigId, primary_key=True, autoincrement=True)


def _company() -> Column:
    return Column("company_id", BigId, ForeignKey("company.id", ondelete="CASCADE"),
                  nullable=False, index=True)


def _created() -> Column:
    return Column("created_at", DateTime(timezone=True), nullable=False)


company = Table(
    "company", metadata, _id(),
    Column("name", String(200), nullable=False, unique=True),
    _created(),
)

user = Table(
    "app_user", metadata, _id(), _company(),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    _created(),
)

api_token = Table(
    "api_token", metadata, _id(), _company(),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    # admin, manager or viewer: a viewer token reads but may not change the estate.
    Column("role", String(20), nullable=False, server_default="admin"),
    _created(),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

site = Table(
    "site", metadata, _id(), _company(),
    Column("code", String(100), nullable=False),
    Column("name", String(200), nullable=False),
    Column("region", String(200)),
    Column("city", String(200)),
    Column("country", String(100)),
    Column("store_type", String(100)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("floor_size", Float),
    Column("timezone", String(64), nullable=False),
    Column("opening_hours", JSON),
    Column("closed_dates", JSON),
    Column("capacity", Integer),
    _created(),
    UniqueConstraint("company_id", "code"),
)

site_group = Table(
    "site_group", metadata, _id(), _company(),
    Column("name", String(200), nullable=False),
    _created(),
    UniqueConstraint("company_id", "name"),
)

site_group_member = Table(
    "site_group_member", metadata,
    Column("group_id", BigId, ForeignKey("site_group.id", ondelete="CASCADE"), nullable=False),
    Column("site_id", BigId, ForeignKey("site.id", ondelete="CASCADE"), nullable=False, index=True),
    PrimaryKeyConstraint("group_id", "site_id"),
)

counter = Table(
    "counter", metadata, _id(), _company(),
    Column("serial", String(64), nullable=False),
    Column("company_serial", String(64)),
    Column("name", String(200)),
    Column("host", String(255)),
    Column("port", Integer),
    Column("channel", String(50)),
    Column("site_id", BigId, ForeignKey("site.id", ondelete="SET NULL"), index=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("first_seen_at", DateTime(timezone=True)),
    Column("last_seen_at", DateTime(timezone=True)),
    Column("last_check_at", DateTime(timezone=True)),
    # Set when a live channel learns the counter went away (MQTT last will), cleared by
    # the next message from it.
    Column("offline_at", DateTime(timezone=True)),
    _created(),
    UniqueConstraint("company_id", "serial"),
    sqlite_autoincrement=True,
)

line = Table(
    "line", metadata, _id(),
    Column("counter_id", BigId, ForeignKey("counter.id", ondelete="CASCADE"), nullable=False),
    Column("roi_id", Integer, nullable=False),
    Column("name", String(200)),
    Column("kind", String(20), nullable=False),
    Column("direction", String(20), nullable=False),
    UniqueConstraint("counter_id", "roi_id"),
)

area = Table(
    "area", metadata, _id(), _company(),
    Column("site_id", BigId, ForeignKey("site.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    _created(),
    UniqueConstraint("site_id", "name"),
)

area_line = Table(
    "area_line", metadata,
    Column("area_id", BigId, ForeignKey("area.id", ondelete="CASCADE"), nullable=False),
    Column("line_id", BigId, ForeignKey("line.id", ondelete="CASCADE"), nullable=False),
    # `normal`: the line's IN means into the area; `reversed`: its OUT does.
    Column("direction", String(20), nullable=False),
    PrimaryKeyConstraint("area_id", "line_id"),
)

# Raw events, kept forever: the unique key is the permanent deduplication key.
event = Table(
    "event", metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("counter_id", BigId, nullable=False),
    Column("start_ts", BigInteger, nullable=False),
    Column("identity", String(33), nullable=False),
    Column("roi_id", Integer, nullable=False),
    Column("metric", SmallInteger, nullable=False),
    Column("people_type", SmallInteger, nullable=False),
    Column("people_id", BigInteger),
    Column("end_ts", BigInteger, nullable=False),
    Column("uploaded_ts", BigInteger),
    Column("received_ts", BigInteger, nullable=False),
    # Time first: a fleet's stream of events appends at the index's right edge (migration 0009).
    UniqueConstraint("start_ts", "counter_id", "identity", name="uq_event_time_identity"),
)

# Reported interval counts; receiving the same key again replaces, never adds.
count_cell = Table(
    "count_cell", metadata,
    Column("counter_id", BigId, nullable=False),
    Column("roi_id", Integer, nullable=False),
    Column("start_ts", BigInteger, nullable=False),
    Column("length_s", Integer, nullable=False),
    Column("source", String(20), nullable=False),
    Column("in_count", Integer, nullable=False),
    Column("out_count", Integer, nullable=False),
    Column("staff_in", Integer, nullable=False),
    Column("staff_out", Integer, nullable=False),
    Column("received_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("counter_id", "start_ts", "roi_id", "length_s", "source"),
    sqlite_with_rowid=False,
)

alive_span = Table(
    "alive_span", metadata, _id(),
    Column("counter_id", BigId, nullable=False),
    Column("source", String(20), nullable=False),
    Column("start_ts", BigInteger, nullable=False),
    Column("end_ts", BigInteger, nullable=False),
    Index("ix_alive_span_counter_start", "counter_id", "start_ts"),
)

# Counter-hours (UTC-floored) whose inputs changed since they were last rolled up.
dirty_hour = Table(
    "dirty_hour", metadata,
    Column("counter_id", BigId, nullable=False),
    Column("hour_ts", BigInteger, nullable=False),
    Column("gen", BigInteger, nullable=False),
    PrimaryKeyConstraint("counter_id", "hour_ts"),
    # The rollup takes the earliest hours first, for all counters at once (migration 0009).
    Index("ix_dirty_hour_hour", "hour_ts", "counter_id"),
    sqlite_with_rowid=False,
)

# Resolved local hours per counter: coverage and revision stamp.
counter_hour = Table(
    "counter_hour", metadata,
    Column("counter_id", BigId, nullable=False),
    Column("start_ts", BigInteger, nullable=False),
    Column("length_s", Integer, nullable=False),
    Column("covered_s", Integer, nullable=False),
    Column("revised_us", BigInteger, nullable=False),
    PrimaryKeyConstraint("counter_id", "start_ts"),
    Index("ix_counter_hour_revised", "revised_us"),
    sqlite_with_rowid=False,
)

# Resolved local hours per counter line.
line_hour = Table(
    "line_hour", metadata,
    Column("counter_id", BigId, nullable=False),
    Column("start_ts", BigInteger, nullable=False),
    Column("roi_id", Integer, nullable=False),
    Column("in_count", Integer, nullable=False),
    Column("out_count", Integer, nullable=False),
    Column("staff_in", Integer, nullable=False),
    Column("staff_out", Integer, nullable=False),
    PrimaryKeyConstraint("counter_id", "start_ts", "roi_id"),
    sqlite_with_rowid=False,
)

connection_check = Table(
    "connection_check", metadata, _id(), _company(),
    Column("serial", String(64), nullable=False),
    Column("channel", String(50), nullable=False),
    Column("payload", Text),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# Refused messages per counter and channel: how many, the last reason, when (the serial
# may be unknown, or not even readable: then it is "").
channel_fault = Table(
    "channel_fault", metadata,
    Column("company_id", BigId, ForeignKey("company.id", ondelete="CASCADE"), nullable=False),
    Column("serial", String(64), nullable=False),
    Column("channel", String(50), nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("company_id", "serial", "channel"),
)

# Zone occupancy as devices report it (MQTT occupancy payloads: ObjectCount per RoiId).
zone_occupancy = Table(
    "zone_occupancy", metadata,
    Column("counter_id", BigId, nullable=False),
    Column("roi_id", Integer, nullable=False),
    Column("at_ts", BigInteger, nullable=False),
    Column("object_count", Integer, nullable=False),
    Column("occupancy_type", SmallInteger),
    Column("received_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("counter_id", "roi_id", "at_ts"),
)

# One row, bumped by triggers whenever a counter is moved, renamed or deleted (migration
# 0010): the ingest writer keeps counter ids between groups until it changes.
estate_version = Table(
    "estate_version", metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
)

# Each capability keeps its tables in its own module on the same metadata; importing them
# here makes `metadata` (and Alembic, and the test fixtures) see every table.
from footfall.storage import (  # noqa: E402, F401
    tables_delivery,
    tables_device_api,
    tables_file_drop,
    tables_portal,
    tables_pull,
    tables_sales,
)
