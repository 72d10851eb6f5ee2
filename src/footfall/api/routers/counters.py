"""`/counters`: the company's devices, including those that sent data before being registered."""

from __future__ import annotations

from fastapi import APIRouter, status

from footfall.api.deps import CurrentPrincipal, EngineDep
from footfall.api.schemas.counters import CounterCreate, CounterPublic, CounterUpdate
from footfall.estate import counters
from footfall.storage.engine import read_tx, write_tx

router = APIRouter(prefix="/counters", tags=["counters"])


@router.get("")
def list_counters(principal: CurrentPrincipal, engine: EngineDep, unassigned: bool | None = None,
                  site_id: int | None = None) -> list[CounterPublic]:
    """Counters of the company; `?unassigned=true` lists those waiting to be assigned."""
    with read_tx(engine) as conn:
        rows = counters.list_counters(conn, principal.company_id, unassigned, site_id)
    return [CounterPublic.model_validate(row) for row in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_counter(body: CounterCreate, principal: CurrentPrincipal,
                   engine: EngineDep) -> CounterPublic:
    """Register a counter; 409 when its serial exists (assign an unassigned one by PATCH)."""
    with write_tx(engine) as conn:
        row = counters.create_counter(conn, principal.company_id, **body.changes())
    return CounterPublic.model_validate(row)


@router.get("/{counter_id}")
def get_counter(counter_id: int, principal: CurrentPrincipal, engine: EngineDep) -> CounterPublic:
    """One counter with its health timestamps."""
    with read_tx(engine) as conn:
        row = counters.get_counter(conn, principal.company_id, counter_id)
    return CounterPublic.model_validate(row)


@router.patch("/{counter_id}")
def update_counter(counter_id: int, body: CounterUpdate, principal: CurrentPrincipal,
                   engine: EngineDep) -> CounterPublic:
    """Change a counter; `{"site_id": …}` assigns it and re-aggregates its data there."""
    with write_tx(engine) as conn:
        row = counters.update_counter(conn, principal.company_id, counter_id, body.changes())
    return CounterPublic.model_validate(row)


@router.delete("/{counter_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_counter(counter_id: int, principal: CurrentPrincipal, engine: EngineDep) -> None:
    """Delete a counter and its lines."""
    with write_tx(engine) as conn:
        counters.delete_counter(conn, principal.company_id, counter_id)
