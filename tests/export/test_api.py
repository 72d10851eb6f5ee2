"""The export API's contract: parameters, errors naming them, tenancy, token in the URL, BOM."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from footfall.domain.metrics import METRICS
from tests.api.helpers import Tenant
from tests.export.estate import build

GOOD = {"level": "site", "ids": "all", "interval": "day", "fromdate": "20240301",
        "todate": "20240307"}


BAD = [  # (change to the good parameters, the parameter named, words of the message)
    ({"level": None}, "level", "required"),
    ({"level": "branch"}, "level", "counter, area, site, site_group"),
    ({"interval": "hours"}, "interval", "minute, 15min, hour"),
    ({"fromdate": "20241301"}, "fromdate", "YYYYMMDD"),
    ({"todate": "20240229"}, "todate", "before fromdate"),
    ({"interval": "minute", "todate": "20260101"}, "todate", "at most 370 days"),
    ({"format": "pdf"}, "format", "csv, xlsx, txt, json, xml"),
    ({"dateformat": "yyyy-QQ-dd"}, "dateformat", "'QQ' is not one of"),
    ({"timeformat": "HH:MM"}, "timeformat", "'MM' is not one of"),
    ({"columns": "in,visitors"}, "columns", "unknown column 'visitors'; valid: item_id"),
    ({"columns": "in,in"}, "columns", "given twice"),
    ({"ids": "LDN00,,LDN01"}, "ids", "empty item"),
    ({"bom": "maybe"}, "bom", "not true or false"),
    ({"fromDate": "20240301"}, "fromDate", "unknown parameter"),
]


def test_bad_parameters_answer_422_naming_the_parameter(client: TestClient, a: Tenant) -> None:
    for change, parameter, words in BAD:
        params = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
        response = client.get("/api/v1/export", params=params, headers=a.headers)
        assert response.status_code == 422, (change, response.text)
        body = response.json()
        assert body["field"] == parameter, change
        assert words in body["detail"] and body["detail"].startswith(parameter), body


def test_another_companys_ids_are_404_and_all_is_only_ones_own(client: TestClient, a: Tenant,
                                                              b: Tenant) -> None:
    estate = build(client, a)
    for level, ident in (("site", estate.sites[0]), ("counter", estate.counters[0])):
        response = client.get("/api/v1/export", headers=b.headers,
                              params={**GOOD, "level": level, "ids": ident})
        assert response.status_code == 404, response.text
        assert ident in response.json()["detail"]
    own = client.get("/api/v1/export", headers=b.headers, params={**GOOD, "format": "json"})
    assert own.status_code == 200 and own.json() == []
    theirs = client.get("/api/v1/export", headers=a.headers, params={**GOOD, "format": "json"})
    assert {r["code"] for r in theirs.json()} == set(estate.sites)


def test_access_token_in_the_url_works_on_get(client: TestClient, a: Tenant) -> None:
    build(client, a)
    by_header = client.get("/api/v1/export", params=GOOD, headers=a.headers)
    by_url = client.get("/api/v1/export", params={**GOOD, "access_token": a.token})
    assert by_url.status_code == 200 and by_url.content == by_header.content
    bad = client.get("/api/v1/export", params={**GOOD, "access_token": a.token + "x"})
    assert bad.status_code == 401
    assert client.get("/api/v1/export", params=GOOD).status_code == 401


def test_file_name_media_type_and_bom(client: TestClient, a: Tenant) -> None:
    build(client, a)
    plain = client.get("/api/v1/export", params=GOOD, headers=a.headers)
    assert plain.headers["content-type"] == "text/csv; charset=utf-8"
    assert plain.headers["content-disposition"] == (
        'attachment; filename="footfall-site-all-day-20240301-20240307.csv"')
    assert plain.content.startswith(b"Code,Name,Date")
    for fmt in ("csv", "txt"):
        bom = client.get("/api/v1/export", params={**GOOD, "bom": "true", "format": fmt},
                         headers=a.headers)
        assert bom.content.startswith(b"\xef\xbb\xbfCode")
    xlsx = client.get("/api/v1/export", params={**GOOD, "ids": "LDN00,LDN01", "format": "xlsx"},
                      headers=a.headers)
    assert xlsx.headers["content-type"].endswith("spreadsheetml.sheet")
    assert 'filename="footfall-site-LDN00+LDN01-day-20240301-20240307.xlsx"' in (
        xlsx.headers["content-disposition"])
    assert xlsx.content.startswith(b"PK")


def test_copy_url_has_no_token_unless_asked_and_fetches_the_same_file(client: TestClient,
                                                                      a: Tenant) -> None:
    build(client, a)
    params = {**GOOD, "columns": "date,code,in", "dateformat": "dd/MM/yyyy"}
    built = client.get("/api/v1/export/url", params=params, headers=a.headers)
    assert built.status_code == 200, built.text
    body = built.json()
    assert "access_token" not in body["url"] and body["token_included"] is False
    assert body["filename"].endswith(".csv")
    query = {k: v[0] for k, v in parse_qs(urlsplit(body["url"]).query).items()}
    assert query["fromdate"] == "20240301" and query["columns"] == "date,code,in"
    with_token = client.get("/api/v1/export/url", params={**params, "with_token": "true"},
                            headers=a.headers).json()
    url = urlsplit(with_token["url"])
    assert parse_qs(url.query)["access_token"] == [a.token]
    fetched = client.get(f"{url.path}?{url.query}")  # the copied URL alone, no header
    direct = client.get("/api/v1/export", params=params, headers=a.headers)
    assert fetched.status_code == 200 and fetched.content == direct.content
    assert fetched.text.splitlines()[1].startswith("01/03/2024,LDN00,")
    bad = client.get("/api/v1/export/url", params={**params, "interval": "year"}, headers=a.headers)
    assert bad.status_code == 422 and bad.json()["field"] == "interval"


def test_columns_endpoint_lists_every_report_metric(client: TestClient, a: Tenant) -> None:
    response = client.get("/api/v1/export/columns", headers=a.headers)
    assert response.status_code == 200
    body = response.json()
    keys = [c["key"] for c in body["columns"]]
    assert {m.key for m in METRICS} <= set(keys)
    assert {"code", "name", "serial", "date", "time"} <= set(keys)
    assert body["default"][:4] == ["code", "name", "date", "time"]
    assert "start" not in body["default"]
