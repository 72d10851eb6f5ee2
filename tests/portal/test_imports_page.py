"""The Import page: sales upload (seeds' format and a custom mapping profile read from a
sample file), the result with every error, history and log, automated imports with a test
run, data twins, CSRF, roles and tenancy."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.portal.conftest import csrf_of, sign_in
from tests.portal.seed import Seeded

SEEDS_FILE = ("StoreCode,DateTime,TotalTransactionQty,TotalTransactionValue\r\n"
              "LDN01,01-03-2024 10:00,3,45.50\r\nLDN01,01-03-2024 10:15,2,19.99\r\n"
              "KUL01,01-03-2024 10:00,1,5\r\n")
TILL_FILE = ("Shop;When;Receipts;Till total;Cashier\n"
             "LDN01;2024-03-02 09:00;4;10.00;ann\nLDN01;2024-03-02 09:30;1;2.50;bob\n")
# One bad row of several kinds next to a good one.
BAD_FILE = ("StoreCode,DateTime,TotalTransactionQty,TotalTransactionValue\n"
            "LDN01,03-03-2024 10:00,2,20.00\nNOPE,03-03-2024 11:00,1,1.00\n"
            "LDN01,31-02-2024 10:00,1,1.00\nLDN01,03-03-2024 12:00,1.5,1.00\n"
            "LDN01,03-03-2024 13:00,1,1.005\n")


def _upload(client: TestClient, name: str, text: str, **form: str) -> Any:
    token = csrf_of(client.get("/portal/imports").text)
    return client.post("/portal/imports", data={"csrf_token": token, **form},
                       files={"file": (name, text.encode(), "text/csv")})


def _sales(client: TestClient, seeded: Seeded, day: str) -> list[tuple[int, float]]:
    rows = client.get("/api/v1/counts", headers=seeded.a.headers, params={
        "level": "site", "id": "LDN01", "interval": "day", "from": day, "to": day}).json()["data"]
    return [(r["transactions"], r["sales_value"]) for r in rows]


def test_a_seeds_format_file_imports_and_shows_in_the_history(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["manager"])
    page = app_client.get("/portal/imports")
    assert page.status_code == 200 and 'href="/portal/imports"' in page.text
    result = _upload(app_client, "march.csv", SEEDS_FILE)
    assert result.status_code == 200 and "/portal/imports/" in str(result.url)
    assert 'id="import-badge">imported' in result.text and 'id="no-errors"' in result.text
    assert re.search(r'id="rows-imported">3<', result.text)
    assert _sales(app_client, seeded, "2024-03-01") == [(5, 65.49)]
    history = app_client.get("/portal/imports.json").json()["imports"]
    assert [(i["file_name"], i["status"], i["rows_total"], i["source"]) for i in history] == [
        ("march.csv", "imported", 3, "upload")]
    api = app_client.get("/api/v1/sales/imports", headers=seeded.a.headers).json()
    assert [i["id"] for i in api] == [i["id"] for i in history]
    table = list(csv.DictReader(io.StringIO(app_client.get("/portal/imports.csv").text)))
    assert [(r["file_name"], r["rows_imported"]) for r in table] == [("march.csv", "3")]
    listing = app_client.get("/portal/imports").text
    assert 'data-file="march.csv"' in listing and f'/portal/imports/{history[0]["id"]}/log' in listing
    log = app_client.get(f"/portal/imports/{history[0]['id']}/log")
    assert log.text.splitlines() == ["line,field,value,reason"]
    assert "attachment" in log.headers["content-disposition"]


def test_a_custom_mapping_read_from_a_sample_file(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["admin"])
    token = csrf_of(app_client.get("/portal/imports/profiles/new").text)
    read = app_client.post("/portal/imports/profiles/sample", files={
        "sample": ("till.csv", TILL_FILE.encode("utf-8-sig"), "text/csv")},
        data={"csrf_token": token, "delimiter": "semicolon", "encoding": "utf-8"})
    assert read.status_code == 200, read.text[-1500:]
    for field in ("store_code", "date_time", "quantity", "value"):  # select boxes of the file's columns
        options = re.search(rf'id="map-{field}" required>(.*?)</select>', read.text, re.S)
        assert options and re.findall(r"<option>([^<]+)</option>", options.group(1)) == [
            "Shop", "When", "Receipts", "Till total", "Cashier"]
    assert "<td>2024-03-02 09:00</td>" in read.text  # a preview of the first rows
    saved = app_client.post("/portal/imports/profiles", data={
        "csrf_token": token, "name": "till", "store_code": "Shop", "date_time": "When",
        "quantity": "Receipts", "value": "Till total", "delimiter": "semicolon", "encoding": "utf-8",
        "date_format": "YYYY-MM-DD hh:mm"})
    assert "Mapping profile till saved" in saved.text and '<option value="till" selected>' in saved.text
    profile = app_client.get("/api/v1/sales/profiles/till", headers=seeded.a.headers).json()
    assert app_client.get("/portal/imports.json").json()["profiles"] == [profile]
    assert (profile["quantity"], profile["delimiter"]) == ("Receipts", ";")
    result = _upload(app_client, "till.csv", TILL_FILE, profile="till")
    assert 'id="import-badge">imported' in result.text, result.text[-1500:]
    assert _sales(app_client, seeded, "2024-03-02") == [(5, 12.5)]
    assert app_client.get("/portal/imports.json").json()["imports"][0]["profile_name"] == "till"
    # The same file without its profile lists why it does not fit.
    refused = _upload(app_client, "till.csv", TILL_FILE)
    assert 'id="import-badge">failed' in refused.text and "no column named" in refused.text


@pytest.mark.parametrize(("changes", "says"), [
    ({"store_code": "When"}, "two required fields are mapped to the same header"),
    ({"date_format": "DD-MM"}, "has no year, hour"),
    ({"name": ""}, "name"),
])
def test_a_wrong_profile_is_named_and_kept(app_client: TestClient, seeded: Seeded,
                                           changes: dict[str, str], says: str) -> None:
    sign_in(app_client, seeded.a.users["manager"])
    form = {"csrf_token": csrf_of(app_client.get("/portal/imports/profiles/new").text), "name": "till",
            "store_code": "Shop", "date_time": "When", "quantity": "Receipts", "value": "Till total",
            "delimiter": "semicolon", "encoding": "utf-8", "date_format": "YYYY-MM-DD hh:mm", **changes}
    refused = app_client.post("/portal/imports/profiles", data=form)
    assert refused.status_code == 422 and says in refused.text and 'value="Receipts"' in refused.text
    assert app_client.get("/api/v1/sales/profiles", headers=seeded.a.headers).json() == []


def test_every_error_is_listed_and_nothing_stored_unless_valid_rows_are_chosen(
        app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["manager"])
    failed = _upload(app_client, "bad.csv", BAD_FILE)
    assert 'id="import-badge">failed' in failed.text
    import_id = int(str(failed.url).rsplit("/", 1)[1])
    errors = app_client.get(f"/portal/imports/{import_id}.json").json()["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [
        (3, "StoreCode"), (4, "DateTime"), (5, "TotalTransactionQty"), (6, "TotalTransactionValue")]
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>(\w+)</td>', failed.text)
    assert rows == [(str(e["line"]), e["field"]) for e in errors]
    assert re.search(r'id="error-count">4<', failed.text)
    assert _sales(app_client, seeded, "2024-03-03") == [(None, None)]
    log = list(csv.DictReader(io.StringIO(app_client.get(f"/portal/imports/{import_id}/log").text)))
    assert [(int(r["line"]), r["field"], r["reason"]) for r in log] == [
        (e["line"], e["field"], e["reason"]) for e in errors]
    twin = list(csv.DictReader(io.StringIO(app_client.get(f"/portal/imports/{import_id}.csv").text)))
    assert twin == log

    partial = _upload(app_client, "bad.csv", BAD_FILE, valid_rows_only="true")
    assert 'id="import-badge">partial' in partial.text and partial.text.count('<tr><td class="num">') == 4
    assert _sales(app_client, seeded, "2024-03-03") == [(2, 20.0)]


def test_upload_mistakes_are_named(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["manager"])
    token = csrf_of(app_client.get("/portal/imports").text)
    no_file = app_client.post("/portal/imports", data={"csrf_token": token},
                              files={"file": ("", b"", "text/csv")})
    assert no_file.status_code == 422 and "file: choose a sales file" in no_file.text
    unknown = _upload(app_client, "s.csv", SEEDS_FILE, profile="ghost")
    assert unknown.status_code == 422 and "profile &#39;ghost&#39;: no such sales profile" in unknown.text
    empty = _upload(app_client, "empty.csv", "")
    assert 'id="import-badge">failed' in empty.text and "the file is empty" in empty.text
    no_sample = app_client.post("/portal/imports/profiles/sample", data={"csrf_token": token},
                                files={"sample": ("", b"", "text/csv")})
    assert no_sample.status_code == 422 and "sample: choose a sample file" in no_sample.text
    undecodable = app_client.post("/portal/imports/profiles/sample", data={
        "csrf_token": token, "delimiter": "comma", "encoding": "utf-8"},
        files={"sample": ("x.csv", b"Shop,\xff\xfeWhen\n", "text/csv")})
    assert undecodable.status_code == 422 and "sample x.csv:" in undecodable.text


def test_automated_imports_are_listed_tested_and_run(app_client: TestClient, seeded: Seeded,
                                                     tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "till-0301.csv").write_text(SEEDS_FILE)
    made = app_client.post("/api/v1/sales/schedules", headers=seeded.a.headers, json={
        "name": "shop folder", "protocol": "folder", "directory": str(drop), "every_s": 86400,
        "enabled": False})  # the hub's own scheduler leaves it alone: this test runs it
    assert made.status_code == 201, made.text
    schedule_id = made.json()["id"]
    sign_in(app_client, seeded.a.users["manager"])
    page = app_client.get("/portal/imports")
    assert 'data-name="shop folder"' in page.text
    listed = app_client.get("/portal/imports.json").json()["schedules"]
    assert [(a["name"], a["password_set"]) for a in listed] == [("shop folder", False)]
    assert all("password_sealed" not in a for a in listed)
    token = csrf_of(page.text)
    tested = app_client.post(f"/portal/imports/schedules/{schedule_id}/test", data={"csrf_token": token})
    assert "Test of shop folder: passed" in tested.text and "3 rows, no errors" in tested.text
    assert app_client.get("/portal/imports.json").json()["imports"] == []  # a test stores nothing
    ran = app_client.post(f"/portal/imports/schedules/{schedule_id}/run", data={"csrf_token": token})
    assert "Run of shop folder: passed" in ran.text and "till-0301.csv: imported" in ran.text
    history = app_client.get("/portal/imports.json").json()["imports"]
    assert [(i["file_name"], i["source"], i["status"]) for i in history] == [
        ("till-0301.csv", "schedule", "imported")]


def test_another_company_gets_404_a_viewer_403_and_forms_need_csrf(app_client: TestClient,
                                                                    seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["admin"])
    import_id = int(str(_upload(app_client, "march.csv", SEEDS_FILE).url).rsplit("/", 1)[1])
    schedule = app_client.post("/api/v1/sales/schedules", headers=seeded.a.headers, json={
        "name": "acme-drop", "protocol": "folder", "directory": "/nonexistent"}).json()["id"]
    token = csrf_of(app_client.get("/portal/imports").text)
    forms = {"/portal/imports": {}, "/portal/imports/profiles": {"name": "x"},
             "/portal/imports/profiles/sample": {}, f"/portal/imports/schedules/{schedule}/test": {},
             "/portal/imports/profiles/acme-till/delete": {}}
    for path, data in forms.items():
        for forged in ({}, {"csrf_token": "forged"}):
            refused = app_client.post(path, data={**data, **forged})
            assert refused.status_code == 403 and "CSRF" in refused.text, path
    saved = app_client.post("/portal/imports/profiles", data={
        "csrf_token": token, "name": "acme-till", "store_code": "Shop", "date_time": "When",
        "quantity": "Receipts", "value": "Till total", "delimiter": "comma", "encoding": "utf-8",
        "date_format": "YYYY-MM-DD hh:mm"})
    assert "Mapping profile acme-till saved" in saved.text

    app_client.cookies.clear()
    sign_in(app_client, seeded.b.users["admin"])
    for path in (f"/portal/imports/{import_id}", f"/portal/imports/{import_id}.json",
                 f"/portal/imports/{import_id}.csv", f"/portal/imports/{import_id}/log"):
        assert app_client.get(path).status_code == 404, path
    listing = app_client.get("/portal/imports")
    assert not any(name in listing.text for name in ("march.csv", "acme-drop", "acme-till"))
    assert app_client.get("/portal/imports.json").json()["imports"] == []
    token = csrf_of(listing.text)
    for path in (f"/portal/imports/schedules/{schedule}/test", f"/portal/imports/schedules/{schedule}/run",
                 "/portal/imports/profiles/acme-till/delete"):
        assert app_client.post(path, data={"csrf_token": token}).status_code == 404, path
    refused = _upload(app_client, "a.csv", SEEDS_FILE, profile="acme-till")  # A's profile is not B's
    assert refused.status_code == 422

    app_client.cookies.clear()
    sign_in(app_client, seeded.a.users["viewer"])
    assert 'href="/portal/imports"' not in app_client.get("/portal/dashboard").text
    for path in ("/portal/imports", "/portal/imports.json", "/portal/imports.csv",
                 f"/portal/imports/{import_id}", f"/portal/imports/{import_id}/log",
                 "/portal/imports/profiles/new"):
        answer = app_client.get(path)
        assert answer.status_code == 403 and "Import" in answer.text, path
