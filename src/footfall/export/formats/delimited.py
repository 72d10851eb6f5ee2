"""CSV and TXT (tab-separated): UTF-8, optional BOM, neutralised text cells, CRLF lines."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, BinaryIO

from footfall.export.cells import TEXT_BY_TYPE, neutral, text_cell
from footfall.export.formats.base import Context, WriterSpec
from footfall.export.request import MEDIA_TYPES

BOM = "\ufeff".encode()


class DelimitedWriter:
    """Rows as delimited text, encoded and handed to the sink at each flush."""

    def __init__(self, sink: BinaryIO, context: Context, delimiter: str) -> None:
        self.sink, self.context = sink, context
        self.buffer = io.StringIO()
        self.csv = csv.writer(self.buffer, delimiter=delimiter, lineterminator="\r\n")
        self.formats = [context.cells.moment_text(c) for c in context.columns]
        if context.bom:
            sink.write(BOM)
        self.csv.writerow([neutral(c.header) for c in context.columns])

    def row(self, values: Sequence[Any]) -> None:
        """Add one row."""
        # Dispatch inline on the value's type: no Python frame per int or empty cell.
        by_type, other = TEXT_BY_TYPE.get, text_cell
        self.csv.writerow([f(v) if f is not None else (by_type(type(v)) or other)(v)
                           for f, v in zip(self.formats, values, strict=True)])

    def flush(self) -> None:
        """Encode what is buffered and write it out."""
        data = self.buffer.getvalue()
        if data:
            self.sink.write(data.encode("utf-8"))
            self.buffer.seek(0)
            self.buffer.truncate()

    def close(self) -> None:
        """Write what is left."""
        self.flush()


def _csv(sink: BinaryIO, context: Context) -> DelimitedWriter:
    return DelimitedWriter(sink, context, ",")


def _txt(sink: BinaryIO, context: Context) -> DelimitedWriter:
    return DelimitedWriter(sink, context, "\t")


CSV = WriterSpec("csv", "csv", MEDIA_TYPES["csv"], _csv)
TXT = WriterSpec("txt", "txt", MEDIA_TYPES["txt"], _txt)
