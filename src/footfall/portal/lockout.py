"""Lock-out after repeated failed sign-ins, per account and per client address.

The rule is pure (`after_failure`, `lock_of`); the shell stores one tally per subject.
The account is the e-mail as typed, known or not, so a lock says nothing about whether
an account exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from footfall.estate.common import as_utc
from footfall.storage.dialect import insert_ignore
from footfall.storage.tables_portal import sign_in_failure

ACCOUNT, ADDRESS = "account", "address"


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """How many failures within `window` lock an account or an address, and for how long."""

    account_failures: int = 5
    address_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)

    def limit(self, scope: str) -> int:
        """Failures that lock a subject of this scope."""
        return self.account_failures if scope == ACCOUNT else self.address_failures


@dataclass(frozen=True, slots=True)
class Tally:
    """Failures of one subject since `window_start`, and the lock they earned."""

    failures: int
    window_start: datetime
    locked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Lock:
    """A refused sign-in: which scope is locked and until when."""

    scope: str
    until: datetime

    def message(self, now: datetime) -> str:
        """What the person at the sign-in form reads."""
        minutes = max(1, math.ceil((self.until - now).total_seconds() / 60))
        whom = "this account" if self.scope == ACCOUNT else "your network address"
        return (f"Too many failed sign-ins for {whom}: signing in is locked for {minutes} more "
                f"minute{'s' if minutes != 1 else ''}. Try again later or ask an administrator.")


def after_failure(tally: Tally | None, limit: int, policy: LockoutPolicy, now: datetime) -> Tally:
    """The tally after one more failure: a new window once the old one ran out, locked at the limit."""
    if tally is None or now - tally.window_start > policy.window:
        tally = Tally(0, now)
    failures = tally.failures + 1
    locked = now + policy.lock if failures >= limit else tally.locked_until
    return Tally(failures, tally.window_start, locked)


def lock_of(scope: str, tally: Tally | None, now: datetime) -> Lock | None:
    """The lock a tally holds at `now`, if any."""
    if tally is None or tally.locked_until is None or tally.locked_until <= now:
        return None
    return Lock(scope, tally.locked_until)


def _read(conn: Connection, scope: str, subject: str, for_update: bool = False) -> Tally | None:
    query = select(sign_in_failure).where(sign_in_failure.c.scope == scope,
                                          sign_in_failure.c.subject == subject)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        return None
    return Tally(row.failures, as_utc(row.window_start), as_utc(row.locked_until))  # type: ignore[arg-type]


def current_lock(conn: Connection, subjects: dict[str, str], now: datetime) -> Lock | None:
    """The first lock among `{scope: subject}` at `now`, else None."""
    for scope, subject in subjects.items():
        lock = lock_of(scope, _read(conn, scope, subject), now)
        if lock is not None:
            return lock
    return None


def record_failure(conn: Connection, subjects: dict[str, str], policy: LockoutPolicy,
                   now: datetime) -> Lock | None:
    """Count one failed sign-in against every subject; the lock it causes, if any."""
    caused = None
    for scope, subject in subjects.items():
        conn.execute(insert_ignore(conn, sign_in_failure, ["scope", "subject"]).values(
            scope=scope, subject=subject, failures=0, window_start=now))
        tally = after_failure(_read(conn, scope, subject, for_update=True),
                              policy.limit(scope), policy, now)
        conn.execute(update(sign_in_failure).where(
            sign_in_failure.c.scope == scope, sign_in_failure.c.subject == subject).values(
            failures=tally.failures, window_start=tally.window_start,
            locked_until=tally.locked_until))
        caused = caused or lock_of(scope, tally, now)
    return caused


def clear(conn: Connection, scope: str, subject: str) -> None:
    """Forget a subject's failures (after it signed in)."""
    conn.execute(delete(sign_in_failure).where(sign_in_failure.c.scope == scope,
                                               sign_in_failure.c.subject == subject))
