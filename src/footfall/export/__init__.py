"""Export centre core: what to export (`ExportRequest`), its columns, and streamed files.

The one entry point for the API, the CLI and scheduled deliveries:

    request = ExportRequest.from_query(company_id, {"level": "site", "ids": "all", ...})
    stats = write_export(engine, request, out, settings.policy)   # out: a binary file object
    for chunk in stream_export(engine, request, settings.policy):  # for HTTP streaming
        ...
"""

from __future__ import annotations

from footfall.export.columns import COLUMNS, DEFAULT_COLUMNS, Column, column_table
from footfall.export.request import (
    FORMATS,
    INTERVALS,
    LEVELS,
    MEDIA_TYPES,
    ExportError,
    ExportRequest,
)
from footfall.export.run import (
    ExportNotFound,
    ExportStats,
    export_filename,
    stream_export,
    write_export,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_COLUMNS",
    "FORMATS",
    "INTERVALS",
    "LEVELS",
    "MEDIA_TYPES",
    "Column",
    "ExportError",
    "ExportNotFound",
    "ExportRequest",
    "ExportStats",
    "column_table",
    "export_filename",
    "stream_export",
    "write_export",
]
