"""`/areas`: parts of a site defined by counting lines."""

from __future__ import annotations

from fastapi import APIRouter, status

from footfall.api.deps import CurrentPrincipal, EngineDep, EstateWrites
from footfall.api.schemas.areas import AreaCreate, AreaPublic, AreaUpdate
from footfall.estate import areas
from footfall.storage.engine import read_tx, write_tx

router = APIRouter(prefix="/areas", tags=["areas"], dependencies=[EstateWrites])


@router.get("")
def list_areas(principal: CurrentPrincipal, engine: EngineDep,
               site_id: int | None = None) -> list[AreaPublic]:
    """Areas of the company, or of one site."""
    with read_tx(engine) as conn:
        rows = areas.list_areas(conn, principal.company_id, site_id)
    return [AreaPublic.model_validate(row) for row in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_area(body: AreaCreate, principal: CurrentPrincipal, engine: EngineDep) -> AreaPublic:
    """Create an area from lines of counters assigned to its site."""
    fields = body.changes()
    with write_tx(engine) as conn:
        row = areas.create_area(conn, principal.company_id, fields["site_id"], fields["name"],
                                fields.get("lines", []))
    return AreaPublic.model_validate(row)


@router.get("/{area_id}")
def get_area(area_id: int, principal: CurrentPrincipal, engine: EngineDep) -> AreaPublic:
    """One area with its lines."""
    with read_tx(engine) as conn:
        row = areas.get_area(conn, principal.company_id, area_id)
    return AreaPublic.model_validate(row)


@router.patch("/{area_id}")
def update_area(area_id: int, body: AreaUpdate, principal: CurrentPrincipal,
                engine: EngineDep) -> AreaPublic:
    """Rename or move an area, or replace its lines."""
    with write_tx(engine) as conn:
        row = areas.update_area(conn, principal.company_id, area_id, body.changes())
    return AreaPublic.model_validate(row)


@router.delete("/{area_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_area(area_id: int, principal: CurrentPrincipal, engine: EngineDep) -> None:
    """Delete an area; its lines and counters stay."""
    with write_tx(engine) as conn:
        areas.delete_area(conn, principal.company_id, area_id)
