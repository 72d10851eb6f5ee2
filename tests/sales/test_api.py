"""`/api/v1/sales`: upload, history, logs, profiles; one company never sees another's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import Tenant
from tests.sales.helpers import BAD_ROWS, HEADER, sample_text, with_bad_row


def upload(client: TestClient, tenant: Tenant, data: bytes, **form: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/sales/imports", headers=tenant.headers, data=form,
                       files={"file": ("sales.csv", data, "text/csv")})


def test_upload_history_and_log(client: TestClient, a: Tenant) -> None:
    ok = upload(client, a, sample_text().encode())
    assert ok.status_code == 201, ok.text
    assert ok.json()["status"] == "imported" and ok.json()["rows_imported"] == 8
    data, line = with_bad_row(BAD_ROWS[4][0])
    bad = upload(client, a, data)
    assert bad.status_code == 422
    body = bad.json()
    assert body["import"]["status"] == "failed" and body["errors"][0]["line"] == line
    assert "nothing imported" in body["detail"]
    history = client.get("/api/v1/sales/imports", headers=a.headers).json()
    assert [h["status"] for h in history] == ["failed", "imported"]
    log = client.get(f"/api/v1/sales/imports/{body['import']['id']}/log", headers=a.headers)
    assert log.headers["content-type"].startswith("text/csv")
    assert log.text.splitlines()[1].startswith(f"{line},TotalTransactionQty,'-2,negative quantity")
    one = client.get(f"/api/v1/sales/imports/{body['import']['id']}", headers=a.headers).json()
    assert one["error_count"] == 1


def test_valid_rows_only_flag(client: TestClient, a: Tenant) -> None:
    data, _line = with_bad_row(BAD_ROWS[0][0])
    response = upload(client, a, data, valid_rows_only="true")
    assert response.status_code == 201 and response.json()["status"] == "partial"


def test_profiles_crud_and_import_with_a_profile(client: TestClient, a: Tenant) -> None:
    created = client.post("/api/v1/sales/profiles", headers=a.headers, json={
        "name": "till", "store_code": "Shop", "date_time": "When", "quantity": "Tickets",
        "value": "Takings", "delimiter": ";", "date_format": "YYYY-MM-DD hh:mm"})
    assert created.status_code == 201, created.text
    assert client.post("/api/v1/sales/profiles", headers=a.headers,
                       json={"name": "till"}).status_code == 409
    bad = client.post("/api/v1/sales/profiles", headers=a.headers,
                      json={"name": "x", "date_format": "hh:mm"})
    assert bad.status_code == 422 and bad.json()["field"] == "date_format"
    patched = client.patch("/api/v1/sales/profiles/till", headers=a.headers, json={"delimiter": "|"})
    assert patched.json()["delimiter"] == "|"
    data = b"Takings|Shop|When|Tickets\r\n12.50|KUL01|2024-03-01 10:00|2\r\n"
    response = upload(client, a, data, profile="till")
    assert response.status_code == 201, response.text
    assert response.json()["profile_name"] == "till"
    assert [p["name"] for p in client.get("/api/v1/sales/profiles", headers=a.headers).json()] == ["till"]
    assert client.delete("/api/v1/sales/profiles/till", headers=a.headers).status_code == 204
    assert upload(client, a, data, profile="till").status_code == 404


def test_one_company_never_sees_another_companys_imports_or_profiles(
        client: TestClient, a: Tenant, b: Tenant) -> None:
    imported = upload(client, a, sample_text().encode()).json()
    client.post("/api/v1/sales/profiles", headers=a.headers, json={"name": "mine"})
    assert client.get(f"/api/v1/sales/imports/{imported['id']}", headers=b.headers).status_code == 404
    assert client.get(f"/api/v1/sales/imports/{imported['id']}/log", headers=b.headers).status_code == 404
    assert client.get("/api/v1/sales/imports", headers=b.headers).json() == []
    assert client.get("/api/v1/sales/profiles/mine", headers=b.headers).status_code == 404
    assert upload(client, b, b"x", profile="mine").status_code == 404


def test_an_upload_over_the_body_limit_is_refused_clearly(client: TestClient, a: Tenant) -> None:
    rows = "".join("KUL01,01-03-2024 10:00,1,1.00\r\n" for _ in range(40_000))
    response = upload(client, a, (HEADER + "\r\n" + rows).encode())
    assert response.status_code == 413 and "larger than the limit" in response.json()["detail"]
