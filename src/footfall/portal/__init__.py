"""The web portal under /portal: server-rendered pages, each with `.json` and `.csv` twins."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from footfall.portal.auth import PortalError, SignInRequired
from footfall.portal.lockout import LockoutPolicy
from footfall.portal.render import HERE, render
from footfall.portal.sessions import signing_key

PREFIX = "/portal"
DATA_SUFFIXES = (".json", ".csv", "/live")


def plotly_js() -> Path:
    """plotly.min.js as shipped inside the installed `plotly` package (no CDN: works offline)."""
    spec = find_spec("plotly")
    if spec is None or spec.origin is None:
        raise RuntimeError("the plotly package is not installed")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


def _router() -> APIRouter:
    # Imported here: the page modules load the query and estate layers.
    from footfall.portal import (
        routes_auth,
        routes_counters,
        routes_dashboard,
        routes_exports,
        routes_imports,
        routes_integration,
        routes_settings,
        routes_settings_access,
        routes_settings_counters,
        routes_settings_estate,
        routes_sites,
    )

    router = APIRouter(include_in_schema=False)

    @router.get("")
    @router.get("/")
    def home() -> Response:
        return RedirectResponse(f"{PREFIX}/dashboard", status_code=303)

    @router.get("/vendor/plotly.min.js")
    def plotly() -> Response:
        return FileResponse(plotly_js(), media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    for module in (routes_auth, routes_dashboard, routes_sites, routes_counters, routes_exports,
                   routes_imports, routes_integration, routes_settings, routes_settings_estate,
                   routes_settings_counters, routes_settings_access):
        router.include_router(module.router)
    return router


async def _refused(request: Request, error: Exception) -> Response:
    """Data twins get JSON; pages get the sign-in form (no session) or an error page."""
    assert isinstance(error, PortalError)
    path = request.url.path
    if path.endswith(DATA_SUFFIXES):
        return JSONResponse({"detail": error.message}, status_code=error.status)
    if isinstance(error, SignInRequired):
        target = path + (f"?{request.url.query}" if request.url.query and request.method == "GET" else "")
        return RedirectResponse(f"{PREFIX}/sign-in?next={quote(target)}", status_code=303)
    return render(request, "error.html", None, "", error.status, message=error.message)


def install_portal(app: FastAPI, lockout: LockoutPolicy | None = None) -> None:
    """Mount the portal on the hub's app: pages, static files, plotly.js, error pages."""
    app.state.portal_key = signing_key(app.state.settings)
    app.state.portal_lockout = lockout if lockout is not None else LockoutPolicy()
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="portal-static")
    app.include_router(_router(), prefix=PREFIX)
    app.add_exception_handler(PortalError, _refused)
