"""Tables of device_api (share the metadata of footfall.storage.tables).

The login a counter's own HTTP API asks for, and how to pull it. The counter's address
(`host`, `port`) and `channel` stay on the counter row; its watermark and health are in
`pull_state` (channel "device_api"), shared with the other pollers.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text

from footfall.storage.tables import BigId, metadata

device_api_login = Table(
    "device_api_login", metadata,
    Column("counter_id", BigId, ForeignKey("counter.id", ondelete="CASCADE"), primary_key=True),
    Column("username", String(100)),
    # Sealed with footfall.security.secrets; the plain password is never stored or returned.
    Column("password_sealed", Text),
    Column("data_type", String(10), nullable=False, default="json"),
    Column("resolution", String(10), nullable=False, default="minute"),
    Column("resolution_step", Integer, nullable=False, default=1),
    Column("poll_interval_s", Integer, nullable=False, default=3600),
    # The zone the device's own clock reports in (learned from its replies).
    Column("device_timezone", String(64)),
    # The last access token the device issued, sealed like the password.
    Column("token_sealed", Text),
    Column("updated_at", DateTime(timezone=True)),
)
