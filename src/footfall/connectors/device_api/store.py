"""The poller's rows: which counters to pull with which login, their watermark and health.

Logins live in `device_api_login` (password and token sealed); watermark and health in
`pull_state` under channel "device_api". The watermark only moves forward, and only after
the ingest commit of the intervals it covers (the caller's order guarantees that).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from footfall.connectors.device_api.config import DeviceApiConfig
from footfall.estate.common import Row, as_utc
from footfall.security.secrets import SecretBox, SecretError
from footfall.storage.tables import counter, site
from footfall.storage.tables_device_api import device_api_login
from footfall.storage.tables_pull import pull_state

CHANNEL = "device_api"
LOGIN_FIELDS = ("username", "password_sealed", "data_type", "resolution", "resolution_step",
                "poll_interval_s", "device_timezone", "token_sealed")
HEALTH_FIELDS = ("watermark_ts", "last_attempt_at", "last_success_at", "last_error", "last_error_at",
                 "failures")


@dataclass(frozen=True, slots=True)
class PullTarget:
    """One counter to pull: who it is, how to reach it, its zone, token and pull state."""

    counter_id: int
    company_id: int
    serial: str
    config: DeviceApiConfig
    zone: str
    token: str | None
    state: Mapping[str, Any]

    @property
    def watermark(self) -> int | None:
        """Epoch seconds pulled and committed so far (None before the first pull)."""
        return self.state.get("watermark_ts")


@dataclass(frozen=True, slots=True)
class Misconfigured:
    """A device_api counter that cannot be pulled as configured, and why."""

    counter_id: int
    serial: str
    error: str
    state: Mapping[str, Any]


def _targets_query() -> Any:
    joined = (counter.outerjoin(site, site.c.id == counter.c.site_id)
              .outerjoin(device_api_login, device_api_login.c.counter_id == counter.c.id)
              .outerjoin(pull_state, and_(pull_state.c.counter_id == counter.c.id,
                                          pull_state.c.channel == CHANNEL)))
    return (select(counter.c.id, counter.c.company_id, counter.c.serial, counter.c.host, counter.c.port,
                   site.c.timezone, *(device_api_login.c[f] for f in LOGIN_FIELDS),
                   *(pull_state.c[f] for f in HEALTH_FIELDS))
            .select_from(joined).where(counter.c.channel == CHANNEL).order_by(counter.c.id))


def load_targets(conn: Connection, box: SecretBox, counter_ids: Collection[int] | None = None,
                 company_id: int | None = None) -> tuple[list[PullTarget], list[Misconfigured]]:
    """Active device_api counters (or the given ones) as pull targets; the unusable ones apart."""
    query = _targets_query()
    if counter_ids is not None:
        query = query.where(counter.c.id.in_(list(counter_ids)))
    else:
        query = query.where(counter.c.active.is_(True))
    if company_id is not None:
        query = query.where(counter.c.company_id == company_id)
    targets: list[PullTarget] = []
    broken: list[Misconfigured] = []
    for found in conn.execute(query).mappings():
        row = dict(found)
        try:
            targets.append(_target(row, box))
        except ValueError as error:
            broken.append(Misconfigured(row["id"], row["serial"], str(error), _state(row)))
    return targets, broken


def _target(row: Mapping[str, Any], box: SecretBox) -> PullTarget:
    """A pull target from a joined row; ValueError naming the field when it cannot be pulled."""
    if not row["host"]:
        raise ValueError("host: not set (the counter's static address)")
    if not row["password_sealed"]:
        raise ValueError("password: not set (the counter's device login)")
    try:
        password = box.unseal(row["password_sealed"])
        token = box.unseal(row["token_sealed"]) if row["token_sealed"] else None
    except SecretError as error:
        raise ValueError(f"password: {error}") from None
    fields = {"host": row["host"], "port": row["port"] or 80, "password": password,
              "timezone": row["device_timezone"]}
    fields.update({k: row[k] for k in ("username", "data_type", "resolution", "resolution_step",
                                       "poll_interval_s") if row[k] is not None})
    try:
        config = DeviceApiConfig.model_validate(fields)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "config"
        raise ValueError(f"{where}: {problem['msg'].removeprefix('Value error, ')}") from None
    zone = row["device_timezone"] or row["timezone"] or "UTC"
    return PullTarget(row["id"], row["company_id"], row["serial"], config, zone, token, _state(row))


def _state(row: Mapping[str, Any]) -> dict[str, Any]:
    """The pull_state part of a joined row (aware datetimes, failures 0 when never pulled)."""
    state = {f: (as_utc(row[f]) if f.endswith("_at") else row[f]) for f in HEALTH_FIELDS}
    state["failures"] = state["failures"] or 0
    return state


def _state_row(conn: Connection, counter_id: int) -> Row | None:
    found = conn.execute(select(pull_state).where(
        pull_state.c.counter_id == counter_id, pull_state.c.channel == CHANNEL)).mappings().first()
    return dict(found) if found is not None else None


def _write_state(conn: Connection, counter_id: int, values: dict[str, Any]) -> None:
    if _state_row(conn, counter_id) is None:
        conn.execute(insert(pull_state).values(counter_id=counter_id, channel=CHANNEL,
                                               failures=values.pop("failures", 0), **values))
    elif values:
        conn.execute(update(pull_state).where(pull_state.c.counter_id == counter_id,
                                              pull_state.c.channel == CHANNEL).values(values))


def record_attempt(conn: Connection, counter_id: int, at: datetime) -> None:
    """A pull of the counter starts now."""
    record_attempts(conn, [counter_id], at)


def record_attempts(conn: Connection, counter_ids: Collection[int], at: datetime) -> None:
    """Pulls of these counters start now (one polling round: two statements, whatever its size)."""
    ids = list(counter_ids)
    if not ids:
        return
    known = set(conn.execute(select(pull_state.c.counter_id).where(
        pull_state.c.counter_id.in_(ids), pull_state.c.channel == CHANNEL)).scalars())
    if known:
        conn.execute(update(pull_state).values(last_attempt_at=at).where(
            pull_state.c.counter_id.in_(known), pull_state.c.channel == CHANNEL))
    new = [{"counter_id": i, "channel": CHANNEL, "failures": 0, "last_attempt_at": at}
           for i in ids if i not in known]
    if new:
        conn.execute(insert(pull_state), new)


def advance(conn: Connection, counter_id: int, watermark_ts: int) -> None:
    """Move the watermark forward to `watermark_ts` (never back); call after the ingest commit."""
    current = _state_row(conn, counter_id)
    if current is None or current["watermark_ts"] is None or current["watermark_ts"] < watermark_ts:
        _write_state(conn, counter_id, {"watermark_ts": watermark_ts})


def record_success(conn: Connection, counter_id: int, at: datetime) -> None:
    """The pull succeeded: clear the failure count (the last error stays, with its time)."""
    _write_state(conn, counter_id, {"last_success_at": at, "failures": 0})


def record_failure(conn: Connection, counter_id: int, at: datetime, error: str) -> int:
    """The pull failed with `error`; returns the failures in a row so far."""
    current = _state_row(conn, counter_id)
    failures = (current["failures"] if current else 0) + 1
    _write_state(conn, counter_id, {"last_error": error, "last_error_at": at, "failures": failures})
    return failures


def remember(conn: Connection, counter_id: int, **values: str | None) -> None:
    """Keep what the device taught: its time zone (`device_timezone`), its sealed `token_sealed`."""
    conn.execute(update(device_api_login).where(device_api_login.c.counter_id == counter_id).values(values))


def save_login(conn: Connection, counter_id: int, values: Mapping[str, Any]) -> None:
    """Create or change a counter's device login; a new password drops the stored token."""
    values = {k: v for k, v in values.items() if k in LOGIN_FIELDS}
    if not values:
        return
    if "password_sealed" in values:
        values["token_sealed"] = None
    if {"username", "password_sealed"} & values.keys():
        # A corrected login is tried at the next tick, not after the failures' backoff.
        conn.execute(update(pull_state).where(pull_state.c.counter_id == counter_id,
                                              pull_state.c.channel == CHANNEL)
                     .values(failures=0, last_attempt_at=None))
    exists = conn.execute(select(device_api_login.c.counter_id)
                          .where(device_api_login.c.counter_id == counter_id)).first()
    if exists is None:
        conn.execute(insert(device_api_login).values(counter_id=counter_id, **values))
    else:
        conn.execute(update(device_api_login).where(device_api_login.c.counter_id == counter_id)
                     .values(values))


def logins(conn: Connection, counter_ids: Collection[int]) -> dict[int, Row]:
    """Each counter's device login as the API shows it: `password_set`, never the password."""
    query = select(device_api_login).where(device_api_login.c.counter_id.in_(list(counter_ids)))
    return {row["counter_id"]: {
        "username": row["username"], "password_set": bool(row["password_sealed"]),
        "data_type": row["data_type"], "resolution": row["resolution"],
        "resolution_step": row["resolution_step"], "poll_interval_s": row["poll_interval_s"],
    } for row in conn.execute(query).mappings()}
