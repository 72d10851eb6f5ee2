"""The Import page: sales upload through a mapping profile, the result with every error, the
import history with each import's log, and the automated imports with a "test" run.

Everything goes through `footfall.sales` as the API's `/sales` routes do; mapping profiles
have their own pages in `routes_sales_profiles`.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from footfall.api.schemas.sales import ProfilePublic, SchedulePublic
from footfall.estate.common import as_utc
from footfall.estate.errors import NotFound
from footfall.portal import routes_sales_profiles
from footfall.portal.auth import Form, PortalError, engine_of, page
from footfall.portal.render import TWINS, render, twin, twin_links
from footfall.portal.sessions import PortalUser
from footfall.sales import profiles, schedules, store
from footfall.sales.importer import ImportRequest, import_sales
from footfall.sales.problems import LOG_HEADER
from footfall.storage.engine import read_tx

router = APIRouter()
router.include_router(routes_sales_profiles.router)
Staff = Annotated[PortalUser, Depends(page("imports"))]
HISTORY_COLUMNS = ["id", "file_name", "source", "profile_name", "valid_rows_only", "status", "rows_total",
                   "rows_imported", "rows_rejected", "error_count", "hours_written", "message",
                   "started_at", "finished_at"]
TWIN_LINKS = {fmt: f"/portal/imports.{fmt}" for fmt in TWINS}  # also after a form's POST
SHOWN_ERRORS = 10_000  # on the result page; the log download holds every logged error


def _plain(row: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    return {k: as_utc(row[k]).isoformat() if k.endswith("_at") and row[k] else row[k]  # type: ignore[union-attr]
            for k in columns}


def history(request: Request, me: PortalUser) -> list[dict[str, Any]]:
    """The company's sales imports, newest first (without their logs)."""
    with read_tx(engine_of(request)) as conn:
        return [_plain(r, HISTORY_COLUMNS) for r in store.list_imports(conn, me.company_id)]


def show(request: Request, me: PortalUser, status: int = 200, **extra: Any) -> Response:
    """The Import page (with an error, or a chosen profile, when given)."""
    with read_tx(engine_of(request)) as conn:
        saved = profiles.list_profiles(conn, me.company_id)
        automated = schedules.list_schedules(conn, me.company_id)
    extra.setdefault("chosen", request.query_params.get("profile", ""))
    return render(request, "imports.html", me, "imports", status, profiles=saved, schedules=automated,
                  imports=history(request, me), twins=TWIN_LINKS, **extra)


@router.get("/imports")
def imports_page(request: Request, me: Staff, saved: str | None = None,
                 deleted: str | None = None) -> Response:
    """Upload form, mapping profiles, automated imports and the import history."""
    return show(request, me, saved=saved, deleted=deleted)


@router.get("/imports.{fmt}")
def imports_data(request: Request, me: Staff, fmt: str) -> Response:
    """The import history as JSON (with the profiles and automated imports) or CSV."""
    if fmt not in TWINS:
        raise PortalError(404, f"no .{fmt} twin: use .json or .csv")
    rows = history(request, me)
    with read_tx(engine_of(request)) as conn:
        saved = profiles.list_profiles(conn, me.company_id)
        automated = schedules.list_schedules(conn, me.company_id)
    body = {"imports": rows,  # the profiles and schedules as the API shows them
            "profiles": [ProfilePublic.model_validate(p).model_dump(mode="json") for p in saved],
            "schedules": [SchedulePublic.model_validate(a).model_dump(mode="json") for a in automated]}
    return twin(fmt, body, rows, HISTORY_COLUMNS, "sales-imports")


@router.post("/imports")
async def upload_sales(request: Request, me: Staff, form: Form) -> Response:
    """Import the uploaded file through the chosen profile; then its result page."""
    upload = (await request.form()).get("file")
    chosen = form.get("profile", "")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return show(request, me, 422, error="file: choose a sales file (.csv) to upload", chosen=chosen)
    try:
        with read_tx(engine_of(request)) as conn:
            mapping = profiles.load_profile(conn, me.company_id, chosen or None)
    except NotFound as error:
        return show(request, me, 422, error=error.message, chosen=chosen)
    wanted = ImportRequest(me.company_id, upload.filename, "upload", mapping, chosen or None,
                           form.get("valid_rows_only") == "true")
    outcome = await run_in_threadpool(import_sales, engine_of(request), wanted, upload.file)
    return RedirectResponse(f"/portal/imports/{outcome.import_id}", status_code=303)


def one_import(request: Request, me: PortalUser,
               import_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An import of the company and the errors of its log; 404 for any other."""
    try:
        with read_tx(engine_of(request)) as conn:
            row = store.get_import(conn, me.company_id, import_id, with_log=True)
    except NotFound as error:
        raise PortalError(404, error.message) from None
    logged = list(csv.DictReader(io.StringIO(row["log"] or ""), fieldnames=LOG_HEADER))[1:]
    errors = [{**e, "line": int(e["line"]) if e["line"].isdigit() else None} for e in logged]
    return {**_plain(row, HISTORY_COLUMNS), "log": row["log"]}, errors


@router.get("/imports/{import_id:int}")
def import_page(request: Request, me: Staff, import_id: int) -> Response:
    """One import: what happened, and every error of its log."""
    record, errors = one_import(request, me, import_id)
    return render(request, "imports_result.html", me, "imports", record=record,
                  errors=errors[:SHOWN_ERRORS], hidden=max(0, len(errors) - SHOWN_ERRORS),
                  twins=twin_links(request))


@router.get("/imports/{import_id:int}.{fmt}")
def import_data(request: Request, me: Staff, import_id: int, fmt: str) -> Response:
    """One import and its errors as JSON; its errors as CSV."""
    if fmt not in TWINS:
        raise PortalError(404, f"no .{fmt} twin: use .json or .csv")
    record, errors = one_import(request, me, import_id)
    body = {"import": {k: v for k, v in record.items() if k != "log"}, "errors": errors}
    return twin(fmt, body, errors, list(LOG_HEADER), f"sales-import-{import_id}-errors")


@router.get("/imports/{import_id:int}/log")
def import_log(request: Request, me: Staff, import_id: int) -> Response:
    """The import's log as stored (`line,field,value,reason`), as the API serves it."""
    record, _errors = one_import(request, me, import_id)
    disposition = f'attachment; filename="sales-import-{import_id}.log.csv"'
    return Response(record["log"], media_type="text/csv", headers={"Content-Disposition": disposition})


@router.post("/imports/schedules/{schedule_id:int}/{action}")
async def schedule_action(request: Request, me: Staff, _form: Form, schedule_id: int,
                          action: str) -> Response:
    """`test`: reach the source and check its first file (nothing stored); `run`: import now."""
    from footfall.sales import pickup  # file transfer loads only when used
    from footfall.security.secrets import secret_box

    if action not in ("test", "run"):
        raise PortalError(404, f"no schedule action {action!r}: use test or run")
    try:
        row = await run_in_threadpool(pickup.schedule_row, engine_of(request), me.company_id, schedule_id)
    except NotFound as error:
        raise PortalError(404, error.message) from None
    box = secret_box(request.app.state.settings)
    if action == "test":
        ok, message = await pickup.test_schedule(engine_of(request), row, box)
    else:
        report = await pickup.run_schedule(engine_of(request), request.app.state.settings, row, box)
        ok = report.ok
        message = report.error or "; ".join(f"{n}: {s}, {m}" for n, _i, s, m in report.files) \
            or f"no file matches {row['pattern']!r}"
    return show(request, me, tested={"id": schedule_id, "name": row["name"], "action": action,
                                     "ok": ok, "message": message})
