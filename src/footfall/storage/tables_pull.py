"""State of every pulled channel per counter (device API, BACnet, …): watermark and health.

Shared by the pollers so that one query shows each counter's health whatever it speaks.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from footfall.storage.tables import BigId, metadata

pull_state = Table(
    "pull_state", metadata,
    Column("counter_id", BigId, ForeignKey("counter.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(50), nullable=False),
    # Epoch seconds up to which the counter's own store has been pulled and committed.
    Column("watermark_ts", BigInteger),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("last_error_at", DateTime(timezone=True)),
    Column("failures", Integer, nullable=False, default=0),
    PrimaryKeyConstraint("counter_id", "channel"),
)
