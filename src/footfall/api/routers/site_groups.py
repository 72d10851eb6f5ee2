"""`/site-groups`: named sets of the company's sites."""

from __future__ import annotations

from fastapi import APIRouter, status

from footfall.api.deps import CurrentPrincipal, EngineDep, EstateWrites
from footfall.api.schemas.site_groups import SiteGroupCreate, SiteGroupPublic, SiteGroupUpdate
from footfall.estate import site_groups
from footfall.storage.engine import read_tx, write_tx

router = APIRouter(prefix="/site-groups", tags=["site groups"], dependencies=[EstateWrites])


@router.get("")
def list_site_groups(principal: CurrentPrincipal, engine: EngineDep) -> list[SiteGroupPublic]:
    """Every site group of the company, by name."""
    with read_tx(engine) as conn:
        rows = site_groups.list_site_groups(conn, principal.company_id)
    return [SiteGroupPublic.model_validate(row) for row in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_site_group(body: SiteGroupCreate, principal: CurrentPrincipal,
                      engine: EngineDep) -> SiteGroupPublic:
    """Create a site group from sites of the company."""
    with write_tx(engine) as conn:
        row = site_groups.create_site_group(conn, principal.company_id, body.name, body.site_ids)
    return SiteGroupPublic.model_validate(row)


@router.get("/{group_id}")
def get_site_group(group_id: int, principal: CurrentPrincipal,
                   engine: EngineDep) -> SiteGroupPublic:
    """One site group with its site ids."""
    with read_tx(engine) as conn:
        row = site_groups.get_site_group(conn, principal.company_id, group_id)
    return SiteGroupPublic.model_validate(row)


@router.patch("/{group_id}")
def update_site_group(group_id: int, body: SiteGroupUpdate, principal: CurrentPrincipal,
                      engine: EngineDep) -> SiteGroupPublic:
    """Rename a group and/or replace its list of sites."""
    with write_tx(engine) as conn:
        row = site_groups.update_site_group(conn, principal.company_id, group_id, body.changes())
    return SiteGroupPublic.model_validate(row)


@router.delete("/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_site_group(group_id: int, principal: CurrentPrincipal, engine: EngineDep) -> None:
    """Delete a site group; its sites stay."""
    with write_tx(engine) as conn:
        site_groups.delete_site_group(conn, principal.company_id, group_id)
