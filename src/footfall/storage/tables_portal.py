"""Tables of the web portal: server-side sessions, sign-in lock-out, per-user page access."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, PrimaryKeyConstraint, String, Table

from footfall.storage.tables import BigId, metadata

# One row per signed-in browser; the cookie carries the token, the row only its SHA-256,
# so signing out (or an admin revoking) ends the session at once on every worker.
portal_session = Table(
    "portal_session", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", BigId, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("csrf_token", String(64), nullable=False),
    Column("client", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

# Failed sign-ins per subject: scope `account` (the e-mail typed, known or not) or
# `address` (the client's IP address). A window of failures, then a lock until a time.
sign_in_failure = Table(
    "sign_in_failure", metadata,
    Column("scope", String(10), nullable=False),
    Column("subject", String(320), nullable=False),
    Column("failures", Integer, nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    PrimaryKeyConstraint("scope", "subject"),
)

# Pages a user is limited to (the seeds' "Edit User Page Access"); no rows: every page
# the user's role allows.
portal_page_access = Table(
    "portal_page_access", metadata,
    Column("user_id", BigId, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
    Column("page", String(50), nullable=False),
    PrimaryKeyConstraint("user_id", "page"),
)
