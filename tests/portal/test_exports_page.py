"""The export centre page: manual export in the arranged column order, the API URL builder,
scheduled deliveries (create, edit, pause, run now to a real FTP server, history, delete),
data twins, CSRF, roles and tenancy."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.portal.conftest import csrf_of, sign_in
from tests.portal.seed import Seeded
from tests.servers import ftp_server

PICKED = ["in", "code", "date", "time"]  # not the default order (code, name, date, time, in, …)


def _days(back: int = 2) -> tuple[str, str]:
    today = datetime.now(UTC).date()
    return str(today - timedelta(days=back)), str(today)


def _manual(client: TestClient, action: str, **changes: Any) -> Any:
    first, last = _days()
    form: dict[str, Any] = {"csrf_token": csrf_of(client.get("/portal/exports").text), "action": action,
                            "level": "site", "ids": ["site:LDN01"], "interval": "hour",
                            "fromdate": first, "todate": last, "format": "csv",
                            "dateformat": "yyyy-MM-dd", "timeformat": "HH:mm", "columns": PICKED}
    form.update(changes)
    return client.post("/portal/exports", data=form)


def _api_export(client: TestClient, seeded: Seeded, **changes: str) -> Any:
    first, last = _days()
    params = {"level": "site", "ids": "LDN01", "interval": "hour", "fromdate": first.replace("-", ""),
              "todate": last.replace("-", ""), "format": "csv", "timeformat": "HH:mm",
              "columns": ",".join(PICKED), **changes}
    answer = client.get("/api/v1/export", params=params, headers=seeded.a.headers)
    assert answer.status_code == 200, answer.text
    return answer


def test_manual_export_follows_the_arranged_columns(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["manager"])
    page = app_client.get("/portal/exports")
    assert page.status_code == 200 and 'href="/portal/exports"' in page.text
    assert 'value="site:LDN01"' in page.text and "BER01" not in page.text
    answer = _manual(app_client, "download")
    assert answer.status_code == 200, answer.text
    assert "footfall-site-LDN01-hour" in answer.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(answer.text)))
    assert table[0] == ["Visitors in", "Code", "Date", "Time"]
    assert sum(int(row[0]) for row in table[1:]) > 0
    assert answer.content == _api_export(app_client, seeded).content

    workbook = _manual(app_client, "download", format="xlsx")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(workbook.content), read_only=True).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == ["Visitors in", "Code", "Date", "Time"]
    structured = _manual(app_client, "download", format="json")
    assert structured.json() == _api_export(app_client, seeded, format="json").json()


def test_the_url_builder_gives_working_urls_without_a_token(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["admin"])
    page = _manual(app_client, "url")
    assert page.status_code == 200
    urls = {kind: value.replace("&amp;", "&")
            for kind, value in re.findall(r'id="url-(\w+)" value="([^"]+)"', page.text)}
    assert set(urls) == {"export", "counts"}
    assert seeded.a.token not in page.text
    export = urlsplit(urls["export"])
    assert export.path == "/api/v1/export"
    query = parse_qs(export.query)
    assert query["access_token"] == ["YOUR_API_TOKEN"]
    assert query["columns"] == [",".join(PICKED)] and query["ids"] == ["LDN01"]
    # The copied URL works once the placeholder is replaced with a real token.
    real = urls["export"].replace("YOUR_API_TOKEN", seeded.a.token)
    fetched = app_client.get(real)
    assert fetched.status_code == 200 and fetched.content == _manual(app_client, "download").content
    counts = app_client.get(urls["counts"].replace("YOUR_API_TOKEN", seeded.a.token))
    assert counts.status_code == 200 and counts.text.startswith("start,end,in,out")
    # All items: no single-item counts URL.
    everything = _manual(app_client, "url", ids=[])
    assert "ids=all" in everything.text and 'id="url-counts"' not in everything.text


@pytest.mark.parametrize(("changes", "status", "says"), [
    ({"todate": "2024-01-01", "fromdate": "2024-01-05"}, 422, "todate: 20240101 is before fromdate"),
    ({"columns": []}, 422, "columns: choose at least one column"),
    ({"fromdate": "soon"}, 422, "fromdate: &#39;soon&#39; is not a date"),
    ({"ids": ["site:BER01"]}, 404, "no site &#39;BER01&#39;"),  # company B's site
])
def test_bad_choices_are_named_and_the_form_is_kept(app_client: TestClient, seeded: Seeded,
                                                    changes: dict[str, Any], status: int, says: str) -> None:
    sign_in(app_client, seeded.a.users["manager"])
    for action in ("download", "url"):
        answer = _manual(app_client, action, **changes)
        assert answer.status_code == status and says in answer.text, answer.text[-2000:]
        assert 'id="export-form"' in answer.text


def _delivery_form(client: TestClient, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "csrf_token": csrf_of(client.get("/portal/exports/deliveries/new").text),
        "name": "LDN hourly to FTP", "kind": "export", "active": "true", "level": "site",
        "ids": ["site:LDN01"], "interval": "hour", "format": "csv", "dateformat": "yyyy-MM-dd",
        "timeformat": "HH:mm", "columns": PICKED, "frequency": "daily", "at": "06:00",
        "weekday": "mon", "timezone": "Europe/London", "destination": "ftp", "recipients": "",
        "host": "127.0.0.1", "port": "21", "username": "drop", "password": "", "directory": "/",
        "passive": "true", "verify_tls": "true", "file_name": "", "failure_email": "",
        "retries": "0", "retry_delay_s": "0"}
    form.update(changes)
    return form


def test_a_delivery_round_trip_to_a_real_ftp_server(app_client: TestClient, seeded: Seeded,
                                                     tmp_path: Path) -> None:
    sign_in(app_client, seeded.a.users["manager"])
    with ftp_server(tmp_path / "ftp") as ftp:
        created = app_client.post("/portal/exports/deliveries", follow_redirects=False, data=_delivery_form(
            app_client, port=str(ftp.port), username=ftp.user, password=ftp.password))
        assert created.status_code == 303, created.text[-1500:]
        page_url = created.headers["location"].split("?")[0]
        page = app_client.get(created.headers["location"])
        assert "Saved." in page.text and ftp.password not in page.text and 'id="no-history"' in page.text
        listed = app_client.get("/portal/exports.json").json()["deliveries"]
        assert [(d["name"], d["active"], d["ids"]) for d in listed] == [("LDN hourly to FTP", True, "LDN01")]
        assert listed[0]["where"] == f"ftp://{ftp.user}@127.0.0.1:{ftp.port}/"

        # Edit with the password left blank: it is kept (never shown, still set).
        edited = app_client.post(page_url, data=_delivery_form(
            app_client, name="LDN to FTP", port=str(ftp.port), username=ftp.user))
        assert edited.status_code == 200 and "Saved." in edited.text
        twin = app_client.get(f"{page_url}.json").json()
        assert twin["delivery"]["name"] == "LDN to FTP" and twin["delivery"]["password_set"] is True
        assert ftp.password not in json.dumps(twin)

        paused = app_client.post(f"{page_url}/pause", data={"csrf_token": csrf_of(edited.text),
                                                            "active": "false"})
        assert "Paused" in paused.text and ">Resume<" in paused.text
        assert app_client.get("/portal/exports.json").json()["deliveries"][0]["active"] is False
        app_client.post(f"{page_url}/pause", data={"csrf_token": csrf_of(edited.text), "active": "true"})

        ran = app_client.post(f"{page_url}/run", data={"csrf_token": csrf_of(edited.text)})
        assert ran.status_code == 200 and 'id="ran-message"' in ran.text
        runs = app_client.get(f"{page_url}.json").json()["runs"]
        assert len(runs) == 1 and runs[0]["status"] == "delivered", runs
        run = runs[0]
        delivered = (ftp.root / run["file_name"]).read_bytes()
        assert len(delivered) == run["bytes"]
        expected = _api_export(app_client, seeded, fromdate=run["period_first"].replace("-", ""),
                               todate=run["period_last"].replace("-", ""))
        assert delivered == expected.content
        assert run["rows"] == len(list(csv.reader(io.StringIO(delivered.decode())))) - 1
        assert 'data-status="delivered"' in ran.text
        history_csv = list(csv.DictReader(io.StringIO(app_client.get(f"{page_url}.csv").text)))
        assert [(r["status"], r["rows"]) for r in history_csv] == [("delivered", str(run["rows"]))]

        tested = app_client.post(f"{page_url}/test", data={"csrf_token": csrf_of(edited.text)})
        assert "Destination test passed" in tested.text

    deleted = app_client.post(f"{page_url}/delete", data={"csrf_token": csrf_of(edited.text)})
    assert "Delivery LDN to FTP was deleted" in deleted.text
    assert app_client.get(page_url).status_code == 404
    assert app_client.get("/portal/exports.json").json()["deliveries"] == []


@pytest.mark.parametrize(("changes", "says"), [
    ({"destination": "email", "recipients": ""}, "recipients: an e-mail delivery needs at least one address"),
    ({"port": "twenty-one"}, "port: Input should be a valid integer"),
    ({"host": ""}, "host: a ftp delivery needs a host"),
    ({"timezone": "Mars/Olympus"}, "timezone:"),
    ({"columns": ["in", "bogus"]}, "columns: unknown column &#39;bogus&#39;"),
])
def test_a_refused_delivery_names_the_field_and_keeps_the_form(app_client: TestClient, seeded: Seeded,
                                                                changes: dict[str, Any], says: str) -> None:
    sign_in(app_client, seeded.a.users["admin"])
    answer = app_client.post("/portal/exports/deliveries", data=_delivery_form(app_client, **changes))
    assert answer.status_code == 422 and says in answer.text, answer.text[-2500:]
    assert 'value="LDN hourly to FTP"' in answer.text
    assert app_client.get("/portal/exports.json").json()["deliveries"] == []


def _a_delivery(client: TestClient, seeded: Seeded) -> int:
    sign_in(client, seeded.a.users["admin"])
    made = client.post("/portal/exports/deliveries", follow_redirects=False, data=_delivery_form(
        client, destination="email", recipients="ops@acme.example"))
    assert made.status_code == 303
    client.cookies.clear()
    return int(made.headers["location"].split("?")[0].rsplit("/", 1)[1])


def test_another_company_gets_404_and_a_viewer_403(app_client: TestClient, seeded: Seeded) -> None:
    delivery_id = _a_delivery(app_client, seeded)
    sign_in(app_client, seeded.b.users["admin"])
    base = f"/portal/exports/deliveries/{delivery_id}"
    for path in (base, f"{base}.json", f"{base}.csv"):
        assert app_client.get(path).status_code == 404, path
    token = csrf_of(app_client.get("/portal/exports").text)
    for action in ("", "/pause", "/run", "/test", "/delete"):
        answer = app_client.post(base + action, data={"csrf_token": token, "active": "false"})
        assert answer.status_code == 404, action
    assert app_client.get("/portal/exports.json").json()["deliveries"] == []
    assert 'value="site:LDN01"' not in app_client.get("/portal/exports").text

    app_client.cookies.clear()
    sign_in(app_client, seeded.a.users["viewer"])
    assert 'href="/portal/exports"' not in app_client.get("/portal/dashboard").text
    for path in ("/portal/exports", "/portal/exports.json", "/portal/exports.csv", base,
                 f"{base}.json", "/portal/exports/deliveries/new"):
        answer = app_client.get(path)
        assert answer.status_code == 403 and "Export centre" in answer.text, path


def test_every_export_centre_form_needs_its_csrf_token(app_client: TestClient, seeded: Seeded) -> None:
    delivery_id = _a_delivery(app_client, seeded)
    sign_in(app_client, seeded.a.users["admin"])
    base = f"/portal/exports/deliveries/{delivery_id}"
    page = app_client.get(base).text
    assert page.count('name="csrf_token"') == 6  # sign-out, edit, run, test, pause, delete
    form = {k: v for k, v in _delivery_form(app_client).items() if k != "csrf_token"}
    for path in ("/portal/exports", "/portal/exports/deliveries", base, f"{base}/pause", f"{base}/run",
                 f"{base}/test", f"{base}/delete"):
        for token in ({}, {"csrf_token": "forged"}):
            refused = app_client.post(path, data={**form, **token, "action": "download"})
            assert refused.status_code == 403 and "CSRF" in refused.text, path
    assert app_client.get(f"{base}.json").json()["delivery"]["name"] == "LDN hourly to FTP"
