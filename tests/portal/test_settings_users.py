"""Settings › users and API tokens: roles, page access, passwords, the last admin, tokens shown
once and revoked (both backends)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.estate.users import get_user
from footfall.portal.accounts import find_user_id
from footfall.security.tokens import hash_token
from footfall.storage.engine import read_tx
from footfall.storage.tables import api_token
from tests.portal.seed import PASSWORD, Seeded
from tests.portal.settings_targets import S, enter, send

NEW_PASSWORD = "a brand new passphrase"


def _other_browser(client: TestClient) -> TestClient:
    return TestClient(client.app)


def test_users_are_created_limited_reset_and_deleted(app_client: TestClient, seeded: Seeded,
                                                     engine: Engine) -> None:
    enter(app_client, seeded.a.users["admin"])
    short = send(app_client, f"{S}/users",
                 {"email": "ana@acme.example", "password": "short", "role": "viewer"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    assert 'value="ana@acme.example"' in short.text and 'value="short"' not in short.text
    taken = send(app_client, f"{S}/users", {"email": seeded.a.users["viewer"], "password": PASSWORD,
                                            "role": "viewer"})
    assert taken.status_code == 409 and "already exists" in taken.text
    made = send(app_client, f"{S}/users",
                {"email": "ana@acme.example", "password": PASSWORD, "role": "viewer"})
    user_id = int(re.search(r"/users/(\d+)\?done=created", made.headers["location"]).group(1))  # type: ignore[union-attr]

    limited = send(app_client, f"{S}/users/{user_id}", {"role": "manager", "page_dashboard": "on",
                                                         "page_sites": "on", "page_tokens": "on"})
    assert limited.status_code == 303
    body = app_client.get(f"{S}/users/{user_id}.json").json()["data"]
    assert body["role"] == "manager" and body["pages"] == ["dashboard", "sites"]  # tokens: not a manager's
    ana = _other_browser(app_client)
    assert enter(ana, "ana@acme.example").status_code == 200
    assert ana.get("/portal/sites").status_code == 200
    assert ana.get("/portal/counters").status_code == 403 and ana.get(f"{S}/sites").status_code == 403

    reset = send(app_client, f"{S}/users/{user_id}/password", {"password": NEW_PASSWORD})
    assert reset.headers["location"].endswith("?done=password_set")
    assert ana.get("/portal/sites.json").status_code == 401  # her session ended
    assert enter(_other_browser(app_client), "ana@acme.example").status_code == 401
    assert enter(_other_browser(app_client), "ana@acme.example", NEW_PASSWORD).status_code == 200

    everything = send(app_client, f"{S}/users/{user_id}", {"role": "viewer", "page_dashboard": "on",
                                                            "page_sites": "on", "page_counters": "on"})
    assert everything.status_code == 303
    assert app_client.get(f"{S}/users/{user_id}.json").json()["data"]["pages"] == []  # all of the role
    for twin in (".json", ".csv"):
        text = app_client.get(f"{S}/users{twin}").text
        assert "ana@acme.example" in text and "argon2" not in text and "password" not in text
    send(app_client, f"{S}/users/{user_id}/delete", {})
    assert app_client.get(f"{S}/users/{user_id}").status_code == 404


def test_the_last_admin_stays_an_admin(app_client: TestClient, seeded: Seeded, engine: Engine) -> None:
    enter(app_client, seeded.a.users["admin"])
    with read_tx(engine) as conn:
        me = find_user_id(conn, seeded.a.id, seeded.a.users["admin"])
    for action, data in ((f"{S}/users/{me}", {"role": "manager"}), (f"{S}/users/{me}/delete", {})):
        answer = send(app_client, action, data)
        assert answer.status_code == 409 and "last admin" in answer.text, action
    locked_out = send(app_client, f"{S}/users/{me}", {"role": "admin", "page_dashboard": "on"})
    assert locked_out.status_code == 422 and "Users page away from yourself" in locked_out.text
    with read_tx(engine) as conn:
        assert get_user(conn, seeded.a.id, me)["role"] == "admin"
    second = send(app_client, f"{S}/users",
                  {"email": "boss2@acme.example", "password": PASSWORD, "role": "admin"})
    assert second.status_code == 303
    assert send(app_client, f"{S}/users/{me}", {"role": "manager"}).status_code == 303
    assert app_client.get(f"{S}/users").status_code == 403  # a manager now


def test_a_token_is_shown_once_has_its_role_and_can_be_revoked(app_client: TestClient, seeded: Seeded,
                                                              engine: Engine) -> None:
    enter(app_client, seeded.a.users["admin"])
    for data, message in (({"name": "", "role": "viewer"}, "name must be a non-empty string"),
                          ({"name": "BI", "role": "owner"}, "role &#39;owner&#39; is not one of")):
        answer = send(app_client, f"{S}/tokens", data, f"{S}/tokens")
        assert answer.status_code == 422 and message in answer.text
    created = send(app_client, f"{S}/tokens", {"name": "BI dashboard", "role": "viewer"}, f"{S}/tokens")
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    token = re.search(r'<code id="token-value">(ff_[^<]+)</code>', created.text).group(1)  # type: ignore[union-attr]
    with read_tx(engine) as conn:
        stored = conn.execute(select(api_token).where(api_token.c.token_hash == hash_token(token))
                              ).mappings().one()
    assert stored["role"] == "viewer" and stored["company_id"] == seeded.a.id
    for url in (f"{S}/tokens", f"{S}/tokens.json", f"{S}/tokens.csv"):
        shown = app_client.get(url).text
        assert token not in shown and stored["token_hash"] not in shown and token[:8] in shown
    listed = {t["name"]: t for t in app_client.get(f"{S}/tokens.json").json()["data"]}
    assert listed["BI dashboard"]["role"] == "viewer" and listed["BI dashboard"]["revoked_at"] is None

    bearer = {"Authorization": f"Bearer {token}"}
    assert app_client.get("/api/v1/sites", headers=bearer).status_code == 200
    refused = app_client.post("/api/v1/sites", headers=bearer,
                              json={"code": "X", "name": "X", "timezone": "UTC"})
    assert refused.status_code == 403 and "viewer role" in refused.json()["detail"]

    revoked = send(app_client, f"{S}/tokens/{stored['id']}/revoke", {}, f"{S}/tokens")
    assert revoked.headers["location"] == f"{S}/tokens?done=revoked"
    assert app_client.get("/api/v1/sites", headers=bearer).status_code == 401
    assert app_client.get(f"{S}/tokens.json").json()["data"][-1]["revoked_at"] is not None
