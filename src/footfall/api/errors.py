"""Estate errors as HTTP answers: `{"detail": "…", "field": "…"}` with 404, 409 or 422."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from footfall.estate.errors import Conflict, EstateError, Invalid, NotFound

STATUS: dict[type[EstateError], int] = {
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    Invalid: status.HTTP_422_UNPROCESSABLE_CONTENT,
}


async def _estate_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, EstateError)
    code = next((c for kind, c in STATUS.items() if isinstance(error, kind)),
                status.HTTP_400_BAD_REQUEST)
    return JSONResponse({"detail": error.message, "field": error.field}, status_code=code)


async def _integrity_error(_request: Request, _error: Exception) -> JSONResponse:
    # A concurrent request won a race the estate's own checks could not see.
    return JSONResponse({"detail": "the change conflicts with another one made at the same "
                         "time (duplicate code, serial or name); retry", "field": None},
                        status_code=status.HTTP_409_CONFLICT)


def install_error_handlers(app: FastAPI) -> None:
    """Register the estate error handlers on `app`."""
    app.add_exception_handler(EstateError, _estate_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
