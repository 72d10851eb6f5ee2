"""`/deliveries`: scheduled e-mail / FTP / SFTP deliveries, run now, test destination, history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.engine import Engine

from footfall.api.deps import CurrentPrincipal, EngineDep, EstateWrites, SettingsDep
from footfall.api.schemas.deliveries import (
    DeliveryCreate,
    DeliveryPublic,
    DeliveryUpdate,
    ProbeResult,
    RunPublic,
)
from footfall.delivery import runs, store
from footfall.delivery.model import Delivery
from footfall.estate.common import utcnow
from footfall.security.secrets import secret_box
from footfall.storage.engine import read_tx, write_tx

router = APIRouter(prefix="/deliveries", tags=["deliveries"], dependencies=[EstateWrites])


@router.get("")
def list_deliveries(principal: CurrentPrincipal, engine: EngineDep) -> list[DeliveryPublic]:
    """Every delivery of the company, by name."""
    with read_tx(engine) as conn:
        rows = store.list_deliveries(conn, principal.company_id)
    return [DeliveryPublic.model_validate(store.public(row)) for row in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_delivery(body: DeliveryCreate, principal: CurrentPrincipal, engine: EngineDep,
                    settings: SettingsDep) -> DeliveryPublic:
    """Create a delivery; its password is sealed and never shown again (`password_set`)."""
    with write_tx(engine) as conn:
        row = store.create_delivery(conn, principal.company_id, body.changes(),
                                    secret_box(settings), utcnow())
    return DeliveryPublic.model_validate(store.public(row))


@router.get("/{delivery_id}")
def get_delivery(delivery_id: int, principal: CurrentPrincipal, engine: EngineDep) -> DeliveryPublic:
    """One delivery."""
    with read_tx(engine) as conn:
        row = store.get_delivery(conn, principal.company_id, delivery_id)
    return DeliveryPublic.model_validate(store.public(row))


@router.patch("/{delivery_id}")
def update_delivery(delivery_id: int, body: DeliveryUpdate, principal: CurrentPrincipal,
                    engine: EngineDep, settings: SettingsDep) -> DeliveryPublic:
    """Change the fields sent; a changed schedule starts again from now."""
    with write_tx(engine) as conn:
        row = store.update_delivery(conn, principal.company_id, delivery_id, body.changes(),
                                    secret_box(settings), utcnow())
    return DeliveryPublic.model_validate(store.public(row))


@router.delete("/{delivery_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_delivery(delivery_id: int, principal: CurrentPrincipal, engine: EngineDep) -> None:
    """Delete a delivery and its history."""
    with write_tx(engine) as conn:
        store.delete_delivery(conn, principal.company_id, delivery_id)


def _delivery(engine: Engine, company_id: int, delivery_id: int) -> Delivery:
    with read_tx(engine) as conn:
        return Delivery.from_row(store.get_delivery(conn, company_id, delivery_id))


@router.post("/{delivery_id}/run")
async def run_delivery(delivery_id: int, principal: CurrentPrincipal, engine: EngineDep,
                       settings: SettingsDep) -> list[RunPublic]:
    """Run now, for the period the schedule delivered last; answers when the runs are done."""
    from footfall.delivery.service import Hub, run_now  # file transfer loads only when used

    target = _delivery(engine, principal.company_id, delivery_id)
    rows = await run_now(Hub.from_settings(settings, engine), target)
    return [RunPublic.model_validate(row) for row in rows]


@router.post("/{delivery_id}/test")
async def test_delivery(delivery_id: int, principal: CurrentPrincipal, engine: EngineDep,
                        settings: SettingsDep) -> ProbeResult:
    """Test the destination: sign in and list the folder, or send a test e-mail."""
    from footfall.delivery.service import Hub, test_destination

    target = _delivery(engine, principal.company_id, delivery_id)
    ok, detail = await test_destination(Hub.from_settings(settings, engine), target)
    return ProbeResult(ok=ok, detail=detail)


@router.get("/{delivery_id}/runs")
def delivery_history(delivery_id: int, principal: CurrentPrincipal, engine: EngineDep,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[RunPublic]:
    """The delivery's runs, newest first: when, period, rows, bytes, destination, status, error."""
    with read_tx(engine) as conn:
        store.get_delivery(conn, principal.company_id, delivery_id)
        rows = runs.history(conn, principal.company_id, delivery_id, limit)
    return [RunPublic.model_validate(row) for row in rows]
