"""`/counters/{counter_id}/lines`: a counter's counting lines (created by ingest)."""

from __future__ import annotations

from fastapi import APIRouter

from footfall.api.deps import CurrentPrincipal, EngineDep, EstateWrites
from footfall.api.schemas.lines import LinePublic, LineUpdate
from footfall.estate import lines
from footfall.storage.engine import read_tx, write_tx

router = APIRouter(prefix="/counters/{counter_id}/lines", tags=["lines"], dependencies=[EstateWrites])


@router.get("")
def list_lines(counter_id: int, principal: CurrentPrincipal, engine: EngineDep) -> list[LinePublic]:
    """The counter's lines, by RoiId."""
    with read_tx(engine) as conn:
        rows = lines.list_lines(conn, principal.company_id, counter_id)
    return [LinePublic.model_validate(row) for row in rows]


@router.get("/{line_id}")
def get_line(counter_id: int, line_id: int, principal: CurrentPrincipal,
             engine: EngineDep) -> LinePublic:
    """One line of the counter."""
    with read_tx(engine) as conn:
        row = lines.get_line(conn, principal.company_id, line_id, counter_id)
    return LinePublic.model_validate(row)


@router.patch("/{line_id}")
def update_line(counter_id: int, line_id: int, body: LineUpdate, principal: CurrentPrincipal,
                engine: EngineDep) -> LinePublic:
    """Rename a line or change its kind/direction (which re-aggregates the counter's data)."""
    with write_tx(engine) as conn:
        row = lines.update_line(conn, principal.company_id, line_id, body.changes(), counter_id)
    return LinePublic.model_validate(row)
