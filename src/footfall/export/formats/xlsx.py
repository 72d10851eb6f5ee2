"""Excel through xlsxwriter in constant-memory mode: real number, date and time cells.

Text that a spreadsheet could run as a formula is written as a string cell with Excel's
quote-prefix style (shown as typed, never evaluated, even after editing the cell).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, BinaryIO

import xlsxwriter

from footfall.export.cells import LIST_SEPARATOR, is_number, risky
from footfall.export.formats.base import Context, WriterSpec
from footfall.export.request import MEDIA_TYPES

MAX_ROWS = 1_048_576  # Excel's rows per sheet; a longer export continues on the next sheet
SHEET = "Counts"


class XlsxWriter:
    """Rows into worksheets of one workbook; xlsxwriter flushes each finished row to disk."""

    def __init__(self, sink: BinaryIO, context: Context) -> None:
        self.context = context
        self.book = xlsxwriter.Workbook(sink, {  # type: ignore[arg-type]
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd"})
        self.bold = self.book.add_format({"bold": True})
        self.literal = self.book.add_format({"quote_prefix": True})
        self.date_cell = self.book.add_format({"num_format": context.cells.patterns["date"].excel})
        self.time_cell = self.book.add_format({"num_format": context.cells.patterns["time"].excel})
        self.kinds = [c.kind for c in context.columns]
        self.sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        self.sheet = self.book.add_worksheet(SHEET if self.sheets == 1 else f"{SHEET} {self.sheets}")
        for index, column in enumerate(self.context.columns):
            width = 12 if column.kind in ("date", "time", "int", "float") else 18
            self.sheet.set_column(index, index, max(width, len(column.header) + 2))
            self._text(0, index, column.header, self.bold)
        self.sheet.freeze_panes(1, 0)
        self.next_row = 1

    def _text(self, row: int, col: int, text: str, style: Any = None) -> None:
        self.sheet.write_string(row, col, text, self.literal if risky(text) else style)

    def row(self, values: Sequence[Any]) -> None:
        """Add one row of typed cells."""
        if self.next_row >= MAX_ROWS:
            self._new_sheet()
        r, sheet = self.next_row, self.sheet
        for col, (kind, value) in enumerate(zip(self.kinds, values, strict=True)):
            if value is None:
                continue
            if is_number(value):
                sheet.write_number(r, col, value)
            elif isinstance(value, datetime) and kind == "date":
                sheet.write_datetime(r, col, value.date(), self.date_cell)
            elif isinstance(value, datetime) and kind == "time":
                sheet.write_datetime(r, col, value.time().replace(tzinfo=None), self.time_cell)
            elif isinstance(value, list | tuple):
                self._text(r, col, LIST_SEPARATOR.join(str(v) for v in value))
            else:
                self._text(r, col, str(value))
        self.next_row += 1

    def flush(self) -> None:
        """Nothing to do: the workbook is a zip written whole at close."""

    def close(self) -> None:
        """Assemble the workbook into the sink."""
        self.book.close()


XLSX = WriterSpec("xlsx", "xlsx", MEDIA_TYPES["xlsx"], XlsxWriter, seekable=True)
