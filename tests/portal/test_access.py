"""Sign-in, sessions, CSRF, lock-out, roles and page limits, tenancy (both backends)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from footfall.portal.accounts import find_user_id, limit_pages
from footfall.portal.sessions import COOKIE
from footfall.storage.engine import write_tx
from tests.portal.conftest import csrf_of, sign_in
from tests.portal.seed import Seeded, unassigned_id


def test_pages_need_a_session(app_client: TestClient) -> None:
    page = app_client.get("/portal/dashboard?interval=hour", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/portal/sign-in?next=/portal/dashboard%3Finterval%3Dhour"
    data = app_client.get("/portal/dashboard.json")
    assert data.status_code == 401 and data.json()["detail"] == "Sign in to continue."


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_the_session(app_client: TestClient,
                                                                  seeded: Seeded) -> None:
    answer = sign_in(app_client, seeded.a.users["viewer"])
    assert answer.status_code == 200 and answer.url.path == "/portal/dashboard"
    cookie = next(h for h in answer.history[0].headers.get_list("set-cookie") if h.startswith(COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/portal" in cookie
    stolen = app_client.cookies.get(COOKIE)
    page = app_client.get("/portal/dashboard")
    assert app_client.post("/portal/sign-out", data={"csrf_token": csrf_of(page.text)},
                           follow_redirects=False).status_code == 303
    app_client.cookies.set(COOKIE, stolen, path="/portal")  # the old cookie, kept by an attacker
    assert app_client.get("/portal/dashboard.json").status_code == 401


def test_a_forged_cookie_is_refused(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["admin"])
    real = app_client.cookies.get(COOKIE)
    app_client.cookies.set(COOKIE, real[:-3] + ("AAA" if not real.endswith("AAA") else "BBB"), path="/portal")
    assert app_client.get("/portal/dashboard.json").status_code == 401


def test_wrong_password_says_so_without_naming_the_account(app_client: TestClient, seeded: Seeded) -> None:
    for email in (seeded.a.users["admin"], "nobody@acme.example"):
        answer = sign_in(app_client, email, "wrong password")
        assert answer.status_code == 401 and "E-mail or password is wrong." in answer.text


def test_account_lock_out_after_repeated_failures(app_client: TestClient, seeded: Seeded) -> None:
    email = seeded.a.users["manager"]
    statuses = [sign_in(app_client, email, "guess").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    locked = sign_in(app_client, email)  # the right password, but locked
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this account" in locked.text
    assert COOKIE not in app_client.cookies
    assert sign_in(app_client, seeded.a.users["viewer"]).status_code == 200  # others are not locked


def test_address_lock_out_across_accounts(app_client: TestClient, seeded: Seeded) -> None:
    answers = [sign_in(app_client, f"guess{n}@acme.example", "guess") for n in range(6)]
    assert [a.status_code for a in answers] == [401] * 5 + [429]
    locked = sign_in(app_client, seeded.a.users["admin"])
    assert locked.status_code == 429 and "your network address" in locked.text


def test_forms_without_a_csrf_token_are_refused(app_client: TestClient, seeded: Seeded,
                                                engine: Engine) -> None:
    app_client.get("/portal/sign-in")
    no_token = app_client.post("/portal/sign-in", data={"email": seeded.a.users["admin"],
                                                         "password": "correct horse battery"})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    sign_in(app_client, seeded.a.users["admin"])
    counter_id = unassigned_id(engine)
    site_id = seeded.a.sites["LDN01"]
    for data in ({"site_id": str(site_id)}, {"site_id": str(site_id), "csrf_token": "forged"}):
        refused = app_client.post(f"/portal/counters/{counter_id}/assign", data=data)
        assert refused.status_code == 403 and "CSRF" in refused.text
    assert app_client.post("/portal/sign-out", data={}).status_code == 403
    counters = app_client.get("/portal/counters.json").json()["data"]
    assert next(c for c in counters if c["id"] == counter_id)["site_id"] is None


def test_assign_an_unassigned_counter(app_client: TestClient, seeded: Seeded, engine: Engine) -> None:
    sign_in(app_client, seeded.a.users["manager"])
    counter_id, site_id = unassigned_id(engine), seeded.a.sites["KUL01"]
    page = app_client.get("/portal/counters")
    done = app_client.post(f"/portal/counters/{counter_id}/assign",
                           data={"site_id": str(site_id), "csrf_token": csrf_of(page.text)})
    assert done.status_code == 200 and "is now assigned" in done.text
    api = app_client.get(f"/api/v1/counters/{counter_id}", headers=seeded.a.headers).json()
    assert api["site_id"] == site_id


def test_roles_and_page_access(app_client: TestClient, seeded: Seeded) -> None:
    sign_in(app_client, seeded.a.users["viewer"])
    dashboard = app_client.get("/portal/dashboard")
    assert 'href="/portal/settings"' not in dashboard.text and 'href="/portal/counters"' in dashboard.text
    for path in ("/portal/settings", "/portal/settings/company", "/portal/settings/company.json"):
        assert app_client.get(path).status_code == 403, path
    assert "may not open the Settings page" in app_client.get("/portal/settings").text
    assert "an admin or manager can assign it" in app_client.get("/portal/counters").text

    app_client.cookies.clear()
    sign_in(app_client, seeded.a.users["manager"])
    settings = app_client.get("/portal/settings")
    assert settings.status_code == 200 and "/portal/settings/company" not in settings.text
    assert app_client.get("/portal/settings/company").status_code == 403

    app_client.cookies.clear()
    sign_in(app_client, seeded.a.users["admin"])
    company = app_client.get("/portal/settings/company")
    assert company.status_code == 200 and seeded.a.users["viewer"] in company.text


def test_a_user_limited_to_some_pages(app_client: TestClient, seeded: Seeded, engine: Engine) -> None:
    with write_tx(engine) as conn:
        user_id = find_user_id(conn, seeded.a.id, seeded.a.users["manager"])
        limit_pages(conn, seeded.a.id, user_id, ["dashboard", "sites"])
    sign_in(app_client, seeded.a.users["manager"])
    assert app_client.get("/portal/sites").status_code == 200
    assert app_client.get("/portal/counters").status_code == 403
    assert app_client.get("/portal/settings").status_code == 403


def test_an_admin_signs_a_user_out_everywhere(app_client: TestClient, seeded: Seeded,
                                              engine: Engine) -> None:
    sign_in(app_client, seeded.a.users["viewer"])
    viewer_cookie = app_client.cookies.get(COOKIE)
    app_client.cookies.clear()
    sign_in(app_client, seeded.a.users["admin"])
    with write_tx(engine) as conn:
        viewer_id = find_user_id(conn, seeded.a.id, seeded.a.users["viewer"])
    page = app_client.get("/portal/settings/company")
    done = app_client.post(f"/portal/settings/company/users/{viewer_id}/sign-out",
                           data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 200 and "Ended 1 session(s)." in done.text
    app_client.cookies.set(COOKIE, viewer_cookie, path="/portal")
    assert app_client.get("/portal/dashboard.json").status_code == 401


def test_one_company_never_sees_another(app_client: TestClient, seeded: Seeded, engine: Engine) -> None:
    sign_in(app_client, seeded.b.users["admin"])
    a_site = seeded.a.sites["LDN01"]
    for path in (f"/portal/sites/{a_site}", f"/portal/sites/{a_site}.json", "/portal/sites/LDN01.csv",
                 f"/portal/dashboard.json?level=site&id={a_site}",
                 f"/portal/dashboard?level=site&id={a_site}",
                 "/portal/dashboard.json?level=site_group&id=All%20stores",
                 f"/portal/sites/{a_site}/live"):
        assert app_client.get(path).status_code == 404, path
    listed = app_client.get("/portal/sites.json").json()["data"]
    assert [s["code"] for s in listed] == ["BER01"]
    serials = {c["serial"] for c in app_client.get("/portal/counters.json").json()["data"]}
    assert serials == {"00000000b0000001"}
    dashboard = app_client.get("/portal/dashboard")
    assert "LDN01" not in dashboard.text and "Acme" not in dashboard.text
    page = app_client.get("/portal/counters")
    refused = app_client.post(f"/portal/counters/{unassigned_id(engine)}/assign",
                              data={"site_id": str(seeded.b.sites["BER01"]),
                                    "csrf_token": csrf_of(page.text)})
    assert refused.status_code == 404
    users = app_client.get("/portal/settings/company.json").json()["users"]
    assert {u["email"] for u in users} == set(seeded.b.users.values())
    assert all("password" not in key for u in users for key in u)
