"""The `/api/v1` routers, one per resource; app.py includes every router in ROUTERS."""

from __future__ import annotations

from fastapi import APIRouter

from footfall.api.routers import (
    areas,
    changes,
    counters,
    counts,
    deliveries,
    export,
    ingest,
    lines,
    live,
    sales,
    site_groups,
    sites,
    tokens,
)

ROUTERS: list[APIRouter] = [
    sites.router,
    site_groups.router,
    areas.router,
    counters.router,
    lines.router,
    tokens.router,
    ingest.router,
    counts.router,
    deliveries.router,
    export.router,
    changes.router,
    live.router,
    sales.router,
]
