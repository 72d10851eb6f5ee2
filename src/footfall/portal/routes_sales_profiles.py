"""Sales mapping profiles on the Import page (the seeds' "Sales File Format" and field mapping).

A sample file's header fills select boxes: each required field is mapped to one of the
file's columns. Profiles are checked and saved by `footfall.sales.profiles`.
"""

from __future__ import annotations

import codecs
import csv
import io
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from footfall.estate.errors import EstateError, NotFound
from footfall.portal.auth import Form, PortalError, engine_of, page
from footfall.portal.render import render
from footfall.portal.sessions import PortalUser
from footfall.sales import profiles
from footfall.sales.profile import FIELDS, SEEDS
from footfall.storage.engine import write_tx

router = APIRouter()
Staff = Annotated[PortalUser, Depends(page("imports"))]
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")
SAMPLE_BYTES = 64 * 1024  # the header and a few rows are enough
PREVIEW_ROWS = 3


def sample_rows(data: bytes, delimiter: str, encoding: str) -> list[list[str]]:
    """The header and first rows of a sample file (the header's names stripped, BOM dropped)."""
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    text = codecs.getincrementaldecoder(codec)(errors="strict").decode(data, final=False)
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r]
    if not records:
        raise ValueError("the sample file has no header row")
    header = [name.lstrip("\ufeff").strip() for name in records[0]]
    return [header, *records[1:PREVIEW_ROWS + 1]]


def _form(request: Request, me: PortalUser, values: dict[str, Any], status: int = 200,
          **extra: Any) -> Response:
    return render(request, "imports_profile.html", me, "imports", status, values=values, fields=FIELDS,
                  delimiters=DELIMITERS, encodings=ENCODINGS, **extra)


def _defaults() -> dict[str, Any]:
    return {**SEEDS.as_dict(), "name": "", "delimiter": "comma"}


@router.get("/imports/profiles/new")
def new_profile(request: Request, me: Staff) -> Response:
    """A profile form with the seeds' header names to edit."""
    return _form(request, me, _defaults())


@router.post("/imports/profiles/sample")
async def profile_from_sample(request: Request, me: Staff, form: Form) -> Response:
    """Read a sample file's header: its columns become the choices of each required field."""
    sample = (await request.form()).get("sample")
    values = {**_defaults(), "delimiter": form.get("delimiter", "comma"),
              "encoding": form.get("encoding", "utf-8")}
    if not isinstance(sample, UploadFile) or not sample.filename:
        return _form(request, me, values, 422, error="sample: choose a sample file to read its header")
    try:
        rows = sample_rows(await sample.read(SAMPLE_BYTES), DELIMITERS.get(values["delimiter"], ","),
                           values["encoding"])
    except (ValueError, LookupError, csv.Error) as error:  # UnicodeDecodeError is a ValueError
        return _form(request, me, values, 422, error=f"sample {sample.filename}: {error}")
    folded = {name.casefold(): name for name in rows[0]}
    for field in FIELDS:  # preselect the columns named as in the seeds' template
        values[field.key] = folded.get(field.header.casefold(), "")
    return _form(request, me, values, headers=rows[0], preview=rows[1:], sample_name=sample.filename)


@router.post("/imports/profiles")
def create_profile(request: Request, me: Staff, form: Form) -> Response:
    """Save the profile; a wrong field is named and the form keeps its values."""
    values = {key: form.get(key, "") for key in ("name", "date_format", "encoding", "delimiter",
                                                 *(f.key for f in FIELDS))}
    stored = {**values, "delimiter": DELIMITERS.get(values["delimiter"], values["delimiter"])}
    headers = [h for h in form.get("headers", "").split("\n") if h] or None
    try:
        with write_tx(engine_of(request)) as conn:
            row = profiles.create_profile(conn, me.company_id, stored)
    except EstateError as error:
        return _form(request, me, values, 422, error=error.message, headers=headers)
    return RedirectResponse(f"/portal/imports?{urlencode({'profile': row['name'], 'saved': 1})}",
                            status_code=303)


@router.post("/imports/profiles/{name}/delete")
def delete_profile(request: Request, me: Staff, _form: Form, name: str) -> Response:
    """Forget a profile (past imports keep its name in the history)."""
    try:
        with write_tx(engine_of(request)) as conn:
            profiles.delete_profile(conn, me.company_id, name)
    except NotFound as error:
        raise PortalError(404, error.message) from None
    return RedirectResponse("/portal/imports?deleted=1", status_code=303)
