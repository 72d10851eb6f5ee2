"""`/counters`: the company's devices, including those that sent data before being registered."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from sqlalchemy.engine import Connection

from footfall.api.deps import CurrentPrincipal, EngineDep, EstateWrites, SettingsDep
from footfall.api.schemas.counters import CounterCreate, CounterFields, CounterPublic, CounterUpdate
from footfall.estate import counters
from footfall.estate.common import Row
from footfall.security.secrets import secret_box
from footfall.settings import Settings
from footfall.storage.engine import read_tx, write_tx

router = APIRouter(prefix="/counters", tags=["counters"], dependencies=[EstateWrites])


def _changes(body: CounterFields, settings: Settings) -> dict[str, Any]:
    """The fields sent, the device password sealed (it is never stored or handed on in plain)."""
    changes = body.changes()
    if "password" in changes:
        del changes["password"]
        secret = body.password
        changes["password_sealed"] = (None if secret is None
                                      else secret_box(settings).seal(secret.get_secret_value()))
    return changes


def _public(conn: Connection, rows: list[Row]) -> list[CounterPublic]:
    return [CounterPublic.model_validate(row) for row in counters.with_pull_details(conn, rows)]


@router.get("")
def list_counters(principal: CurrentPrincipal, engine: EngineDep, unassigned: bool | None = None,
                  site_id: int | None = None) -> list[CounterPublic]:
    """Counters of the company; `?unassigned=true` lists those waiting to be assigned."""
    with read_tx(engine) as conn:
        rows = counters.list_counters(conn, principal.company_id, unassigned, site_id)
        return _public(conn, rows)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_counter(body: CounterCreate, principal: CurrentPrincipal, engine: EngineDep,
                   settings: SettingsDep) -> CounterPublic:
    """Register a counter; 409 when its serial exists (assign an unassigned one by PATCH)."""
    with write_tx(engine) as conn:
        row = counters.create_counter(conn, principal.company_id, **_changes(body, settings))
        return _public(conn, [row])[0]


@router.get("/{counter_id}")
def get_counter(counter_id: int, principal: CurrentPrincipal, engine: EngineDep) -> CounterPublic:
    """One counter with its health timestamps and the health of each pulled channel."""
    with read_tx(engine) as conn:
        row = counters.get_counter(conn, principal.company_id, counter_id)
        return _public(conn, [row])[0]


@router.patch("/{counter_id}")
def update_counter(counter_id: int, body: CounterUpdate, principal: CurrentPrincipal,
                   engine: EngineDep, settings: SettingsDep) -> CounterPublic:
    """Change a counter; `{"site_id": …}` assigns it and re-aggregates its data there."""
    with write_tx(engine) as conn:
        row = counters.update_counter(conn, principal.company_id, counter_id, _changes(body, settings))
        return _public(conn, [row])[0]


@router.delete("/{counter_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_counter(counter_id: int, principal: CurrentPrincipal, engine: EngineDep) -> None:
    """Delete a counter and its lines."""
    with write_tx(engine) as conn:
        counters.delete_counter(conn, principal.company_id, counter_id)
