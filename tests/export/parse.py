"""Read export files back into typed rows keyed by column key, one reader per format."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl
from defusedxml import ElementTree

from footfall.export import COLUMNS

KIND = {c.key: c.kind for c in COLUMNS}
HEADER_KEY = {c.header: c.key for c in COLUMNS}
LISTS = {"missing_counters", "verification_reasons"}


def typed(key: str, value: Any) -> Any:
    """A text cell as the report value: numbers, None for empty, lists split on `;`."""
    if key in LISTS:
        return value.split(";") if value else []
    if value in ("", None):
        return None
    if KIND.get(key) == "int":
        return int(value)
    if KIND.get(key) == "float":
        return float(value)
    return value


def read_delimited(data: bytes, delimiter: str) -> list[dict[str, Any]]:
    """CSV/TXT rows (headers mapped to keys)."""
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [HEADER_KEY[h] for h in next(reader)]
    return [{k: typed(k, v) for k, v in zip(header, row, strict=True)} for row in reader]


def read_xlsx(data: bytes) -> list[dict[str, Any]]:
    """XLSX rows from every sheet, cells as openpyxl gives them (lists split)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows: list[dict[str, Any]] = []
    for sheet in book.worksheets:
        values = sheet.iter_rows(values_only=True)
        header = [HEADER_KEY[h] for h in next(values)]
        for row in values:
            rows.append({k: (typed(k, v) if k in LISTS else v)
                         for k, v in zip(header, row, strict=True)})
    return rows


def read_json(data: bytes) -> list[dict[str, Any]]:
    """JSON rows as they are."""
    return json.loads(data)


def read_xml(data: bytes) -> list[dict[str, Any]]:
    """XML rows through defusedxml, values typed like text cells."""
    root = ElementTree.fromstring(data)
    return [{child.tag: typed(child.tag, child.text) for child in row} for row in root]


READERS = {"csv": lambda d: read_delimited(d, ","), "txt": lambda d: read_delimited(d, "\t"),
           "xlsx": read_xlsx, "json": read_json, "xml": read_xml}
