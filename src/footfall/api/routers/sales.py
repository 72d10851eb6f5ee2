"""`/sales`: upload sales files, the import history and its logs, mapping profiles, and
automated imports (schedules) with their test and run-now actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile, status
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from footfall.api.deps import CurrentPrincipal, EngineDep, EstateWrites, SettingsDep
from footfall.api.schemas.sales import (
    ImportPublic,
    ProfileCreate,
    ProfilePublic,
    ProfileUpdate,
    RowErrorPublic,
    RunFile,
    ScheduleCreate,
    SchedulePublic,
    ScheduleRun,
    ScheduleTest,
    ScheduleUpdate,
)
from footfall.sales import pickup, profiles, schedules, store
from footfall.sales.importer import FAILED, ImportRequest, import_sales
from footfall.sales.pickup import schedule_row
from footfall.security.secrets import secret_box
from footfall.storage.engine import read_tx, write_tx

router = APIRouter(prefix="/sales", tags=["sales"], dependencies=[EstateWrites])


@router.post("/imports", status_code=status.HTTP_201_CREATED, responses={
    422: {"description": "nothing imported: `detail`, the `import` record and its first `errors`"}})
def upload_sales(
    principal: CurrentPrincipal,
    engine: EngineDep,
    file: UploadFile,
    profile: Annotated[str | None, Form(description="a saved mapping profile (default: the "
                                        "seeds' StoreCode,DateTime,TotalTransactionQty,"
                                        "TotalTransactionValue)")] = None,
    valid_rows_only: Annotated[bool, Form(description="store the valid rows of a file with "
                                          "errors (default: all or nothing)")] = False,
) -> Any:
    """Import a sales CSV; a file with any error stores nothing unless `valid_rows_only`."""
    with read_tx(engine) as conn:
        mapping = profiles.load_profile(conn, principal.company_id, profile)
    request = ImportRequest(principal.company_id, file.filename or "upload.csv", "upload",
                            mapping, profile, valid_rows_only)
    outcome = import_sales(engine, request, file.file)
    with read_tx(engine) as conn:
        record = ImportPublic.model_validate(store.get_import(conn, principal.company_id,
                                                             outcome.import_id))
    if outcome.status == FAILED:
        errors = [RowErrorPublic.model_validate(e._asdict()).model_dump() for e in outcome.errors]
        return JSONResponse({"detail": outcome.message, "import": record.model_dump(mode="json"),
                             "errors": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    return record


@router.get("/imports")
def list_imports(principal: CurrentPrincipal, engine: EngineDep,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                 schedule_id: int | None = None) -> list[ImportPublic]:
    """The import history, newest first (file, when, rows, status)."""
    with read_tx(engine) as conn:
        rows = store.list_imports(conn, principal.company_id, limit, schedule_id)
    return [ImportPublic.model_validate(r) for r in rows]


@router.get("/imports/{import_id}")
def get_import(import_id: int, principal: CurrentPrincipal, engine: EngineDep) -> ImportPublic:
    """One import of the history."""
    with read_tx(engine) as conn:
        return ImportPublic.model_validate(store.get_import(conn, principal.company_id, import_id))


@router.get("/imports/{import_id}/log", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def import_log(import_id: int, principal: CurrentPrincipal, engine: EngineDep) -> Response:
    """The import's log as CSV: `line,field,value,reason`, one row per error."""
    with read_tx(engine) as conn:
        row = store.get_import(conn, principal.company_id, import_id, with_log=True)
    disposition = f'attachment; filename="sales-import-{import_id}.log.csv"'
    return Response(row["log"], media_type="text/csv", headers={"Content-Disposition": disposition})


@router.get("/profiles")
def list_profiles(principal: CurrentPrincipal, engine: EngineDep) -> list[ProfilePublic]:
    """The company's saved mapping profiles."""
    with read_tx(engine) as conn:
        return [ProfilePublic.model_validate(r) for r in profiles.list_profiles(conn, principal.company_id)]


@router.post("/profiles", status_code=status.HTTP_201_CREATED)
def create_profile(body: ProfileCreate, principal: CurrentPrincipal, engine: EngineDep) -> ProfilePublic:
    """Save a mapping profile under a new name."""
    with write_tx(engine) as conn:
        return ProfilePublic.model_validate(profiles.create_profile(conn, principal.company_id,
                                                                    body.model_dump()))


@router.get("/profiles/{name}")
def get_profile(name: str, principal: CurrentPrincipal, engine: EngineDep) -> ProfilePublic:
    """One saved profile."""
    with read_tx(engine) as conn:
        return ProfilePublic.model_validate(profiles.get_profile(conn, principal.company_id, name))


@router.patch("/profiles/{name}")
def update_profile(name: str, body: ProfileUpdate, principal: CurrentPrincipal,
                   engine: EngineDep) -> ProfilePublic:
    """Change the fields sent."""
    with write_tx(engine) as conn:
        return ProfilePublic.model_validate(profiles.update_profile(conn, principal.company_id, name,
                                                                    body.changes()))


@router.delete("/profiles/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_profile(name: str, principal: CurrentPrincipal, engine: EngineDep) -> None:
    """Forget a profile."""
    with write_tx(engine) as conn:
        profiles.delete_profile(conn, principal.company_id, name)


@router.get("/schedules")
def list_schedules(principal: CurrentPrincipal, engine: EngineDep) -> list[SchedulePublic]:
    """The company's automated imports."""
    with read_tx(engine) as conn:
        rows = schedules.list_schedules(conn, principal.company_id)
    return [SchedulePublic.model_validate(r) for r in rows]


@router.post("/schedules", status_code=status.HTTP_201_CREATED)
def create_schedule(body: ScheduleCreate, principal: CurrentPrincipal, engine: EngineDep,
                    settings: SettingsDep, request: Request) -> SchedulePublic:
    """Save an automated import (folder, FTP, FTPS or SFTP); its first run is due at once."""
    with write_tx(engine) as conn:
        row = schedules.create_schedule(conn, principal.company_id, body.model_dump(exclude_none=True),
                                        secret_box(settings))
    scheduler = getattr(request.app.state, "services", {}).get("sales_schedules")
    if scheduler is not None:
        scheduler.wake()
    return SchedulePublic.model_validate(row)


@router.get("/schedules/{schedule_id}")
def get_schedule(schedule_id: int, principal: CurrentPrincipal, engine: EngineDep) -> SchedulePublic:
    """One automated import."""
    with read_tx(engine) as conn:
        return SchedulePublic.model_validate(schedules.get_schedule(conn, principal.company_id, schedule_id))


@router.patch("/schedules/{schedule_id}")
def update_schedule(schedule_id: int, body: ScheduleUpdate, principal: CurrentPrincipal,
                    engine: EngineDep, settings: SettingsDep) -> SchedulePublic:
    """Change the fields sent (send `password: ""` to clear it)."""
    with write_tx(engine) as conn:
        row = schedules.update_schedule(conn, principal.company_id, schedule_id, body.changes(),
                                        secret_box(settings))
    return SchedulePublic.model_validate(row)


@router.delete("/schedules/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_schedule(schedule_id: int, principal: CurrentPrincipal, engine: EngineDep) -> None:
    """Remove an automated import; its imports stay in the history."""
    with write_tx(engine) as conn:
        schedules.delete_schedule(conn, principal.company_id, schedule_id)


@router.post("/schedules/{schedule_id}/test")
async def test_schedule(schedule_id: int, principal: CurrentPrincipal, engine: EngineDep,
                        settings: SettingsDep) -> ScheduleTest:
    """Reach the source and check its first matching file, storing nothing (the seeds' Test)."""
    row = await run_in_threadpool(schedule_row, engine, principal.company_id, schedule_id)
    ok, message = await pickup.test_schedule(engine, row, secret_box(settings))
    return ScheduleTest(ok=ok, message=message)


@router.post("/schedules/{schedule_id}/run")
async def run_schedule_now(schedule_id: int, principal: CurrentPrincipal, engine: EngineDep,
                           settings: SettingsDep) -> ScheduleRun:
    """Pick up and import the matching files now (as the schedule would)."""
    row = await run_in_threadpool(schedule_row, engine, principal.company_id, schedule_id)
    report = await pickup.run_schedule(engine, settings, row, secret_box(settings))
    files = [RunFile(file_name=n, import_id=i, status=s, message=m) for n, i, s, m in report.files]
    return ScheduleRun(ok=report.ok, error=report.error, files=files)
