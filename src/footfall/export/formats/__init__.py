"""File writers of the export formats, one module per family, looked up in WRITERS."""

from __future__ import annotations

from footfall.export.formats.base import Writer, WriterSpec
from footfall.export.formats.delimited import CSV, TXT
from footfall.export.formats.structured import JSON, XML
from footfall.export.formats.xlsx import XLSX

WRITERS: dict[str, WriterSpec] = {spec.key: spec for spec in (CSV, TXT, XLSX, JSON, XML)}

__all__ = ["WRITERS", "Writer", "WriterSpec"]
