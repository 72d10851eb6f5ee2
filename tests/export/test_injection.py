"""Formula injection: site names that start with = + - @ tab or CR come out inert."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
from defusedxml import ElementTree
from fastapi.testclient import TestClient

from tests.api.helpers import Tenant
from tests.export.estate import RISKY_NAMES, build

COLUMNS = "code,name,in,out,turn_in_rate"


def _export(client: TestClient, tenant: Tenant, fmt: str) -> bytes:
    response = client.get("/api/v1/export", headers=tenant.headers, params={
        "level": "site", "ids": "all", "interval": "day", "fromdate": "20240304",
        "todate": "20240304", "format": fmt, "columns": COLUMNS})
    assert response.status_code == 200, response.text
    return response.content


def _names(rows: list[list[str]]) -> list[str]:
    return [row[1] for row in rows[1:]]


def test_risky_names_come_out_inert_in_every_format(client: TestClient, a: Tenant) -> None:
    build(client, a, risky=True)
    _check_delimited(client, a)
    _check_xlsx(client, a)
    _check_json_and_xml(client, a)


def _check_delimited(client: TestClient, a: Tenant) -> None:
    """CSV and TXT: an apostrophe before risky text; numbers untouched."""
    for fmt, delimiter in (("csv", ","), ("txt", "\t")):
        text = _export(client, a, fmt).decode()
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        names = _names(rows)
        assert names[2:] == ["'" + name for name in RISKY_NAMES], fmt
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r"))
                       for row in rows for cell in row), fmt
        assert names[:2] == ["London Bridge", "Camden"]
        # Numbers stay numbers: nothing in the numeric columns gets an apostrophe.
        assert all(row[2].isdigit() and row[3].isdigit() for row in rows[1:])


def _check_xlsx(client: TestClient, a: Tenant) -> None:
    """XLSX: risky text is a quote-prefixed string cell, never a formula."""
    sheet = openpyxl.load_workbook(io.BytesIO(_export(client, a, "xlsx"))).active
    assert sheet is not None
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    # The file format escapes CR as `_x000D_` (Excel shows a CR); openpyxl leaves it escaped.
    shown = [re.sub("_x([0-9A-F]{4})_", lambda m: chr(int(m[1], 16)), c.value) for c in cells]
    assert shown == ["London Bridge", "Camden", *RISKY_NAMES]
    for cell in cells[2:]:
        assert cell.data_type == "s", cell.value  # a string, not a formula ("f")
        assert cell.quotePrefix, cell.value  # Excel keeps it literal even when edited
    assert not cells[0].quotePrefix
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert all(row[2].data_type == "n" for row in sheet.iter_rows(min_row=2))


def _check_json_and_xml(client: TestClient, a: Tenant) -> None:
    """JSON and XML are no spreadsheets: they carry the names exactly."""
    rows = json.loads(_export(client, a, "json"))
    assert [r["name"] for r in rows][2:] == list(RISKY_NAMES)
    root = ElementTree.fromstring(_export(client, a, "xml"))
    assert [row.find("name").text for row in root][2:] == list(RISKY_NAMES)
