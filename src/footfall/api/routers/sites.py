"""`/sites`: the company's sites."""

from __future__ import annotations

from fastapi import APIRouter, status

from footfall.api.deps import CurrentPrincipal, EngineDep, EstateWrites
from footfall.api.schemas.sites import SiteCreate, SitePublic, SiteUpdate
from footfall.estate import sites
from footfall.storage.engine import read_tx, write_tx

router = APIRouter(prefix="/sites", tags=["sites"], dependencies=[EstateWrites])


@router.get("")
def list_sites(principal: CurrentPrincipal, engine: EngineDep) -> list[SitePublic]:
    """Every site of the company, by code."""
    with read_tx(engine) as conn:
        rows = sites.list_sites(conn, principal.company_id)
    return [SitePublic.model_validate(row) for row in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_site(body: SiteCreate, principal: CurrentPrincipal, engine: EngineDep) -> SitePublic:
    """Create a site; its code must be new in the company and its time zone an IANA name."""
    fields = body.changes()
    with write_tx(engine) as conn:
        row = sites.create_site(conn, principal.company_id, **fields)
    return SitePublic.model_validate(row)


@router.get("/{id_or_code}")
def get_site(id_or_code: str, principal: CurrentPrincipal, engine: EngineDep) -> SitePublic:
    """One site, by numeric id or by code."""
    with read_tx(engine) as conn:
        row = sites.find_site(conn, principal.company_id, id_or_code)
    return SitePublic.model_validate(row)


@router.patch("/{site_id}")
def update_site(site_id: int, body: SiteUpdate, principal: CurrentPrincipal,
                engine: EngineDep) -> SitePublic:
    """Change the fields sent; a new time zone re-aggregates the site's data."""
    with write_tx(engine) as conn:
        row = sites.update_site(conn, principal.company_id, site_id, body.changes())
    return SitePublic.model_validate(row)


@router.delete("/{site_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_site(site_id: int, principal: CurrentPrincipal, engine: EngineDep) -> None:
    """Delete a site; its counters become unassigned and keep their data."""
    with write_tx(engine) as conn:
        sites.delete_site(conn, principal.company_id, site_id)
