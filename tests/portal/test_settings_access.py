"""Who reaches the settings: viewers nothing, managers sites and counters, admins everything;
forms need the session's CSRF token; another company's ids are 404 (both backends)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.portal.seed import Seeded
from tests.portal.settings_targets import S, enter, ids_of, pages, posts, send, snapshot

TWINS = ("", ".json", ".csv")


def test_a_viewer_reaches_no_settings_page_twin_or_form(app_client: TestClient, seeded: Seeded,
                                                        engine: Engine) -> None:
    ids = ids_of(engine, seeded.a)
    enter(app_client, seeded.a.users["viewer"])
    before = snapshot(engine, seeded.a.id)
    for url in [S, f"{S}/company"] + [u for urls in pages(ids).values() for u in urls]:
        for twin in TWINS if url != S else ("",):
            answer = app_client.get(url + twin)
            assert answer.status_code == 403, (url + twin, answer.status_code)
            assert "viewer" in (answer.json()["detail"] if twin else answer.text)
    for action, data in [a for actions in posts(ids).values() for a in actions]:
        answer = send(app_client, action, data)
        assert answer.status_code == 403, (action, answer.status_code)
    assert snapshot(engine, seeded.a.id) == before
    assert 'href="/portal/settings"' not in app_client.get("/portal/sites").text


def test_a_manager_has_sites_and_counters_but_not_users_or_tokens(app_client: TestClient, seeded: Seeded,
                                                                  engine: Engine) -> None:
    ids = ids_of(engine, seeded.a)
    enter(app_client, seeded.a.users["manager"])
    landing = app_client.get(S).text
    listed = re.findall(r'<li><a href="([^"]+)"', landing)
    assert listed == [f"{S}/sites", f"{S}/counters"]
    allowed, refused = pages(ids), {"users", "tokens"}
    for key, urls in allowed.items():
        for url in urls:
            for twin in TWINS:
                answer = app_client.get(url + twin)
                expected = 403 if key in refused else 200
                assert answer.status_code == expected, (url + twin, answer.status_code)
    before = snapshot(engine, seeded.a.id)
    for key in refused:
        for action, data in posts(ids)[key]:
            assert send(app_client, action, data).status_code == 403, action
    assert snapshot(engine, seeded.a.id) == before


def test_the_admin_landing_lists_every_settings_section(app_client: TestClient, seeded: Seeded) -> None:
    enter(app_client, seeded.a.users["admin"])
    listed = re.findall(r'<li><a href="([^"]+)"', app_client.get(S).text)
    assert listed == [f"{S}/company", f"{S}/sites", f"{S}/counters", f"{S}/users", f"{S}/tokens"]
    for url in listed:
        assert app_client.get(url).status_code == 200


def test_form_posts_without_or_with_a_wrong_csrf_token_are_refused_and_change_nothing(
        app_client: TestClient, seeded: Seeded, engine: Engine) -> None:
    ids = ids_of(engine, seeded.a)
    enter(app_client, seeded.a.users["admin"])
    before = snapshot(engine, seeded.a.id)
    for action, data in [a for actions in posts(ids).values() for a in actions]:
        for forged in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
            answer = app_client.post(action, data={**data, **forged}, follow_redirects=False)
            assert answer.status_code == 403 and "CSRF" in answer.text, (action, forged)
    assert snapshot(engine, seeded.a.id) == before


def test_another_companys_ids_answer_404(app_client: TestClient, seeded: Seeded, engine: Engine) -> None:
    theirs = ids_of(engine, seeded.b)
    enter(app_client, seeded.a.users["admin"])
    before = snapshot(engine, seeded.b.id)
    item_pages = [u for urls in pages(theirs).values() for u in urls if re.search(r"/\d+$", u)]
    assert len(item_pages) == 5
    for url in item_pages:
        for twin in TWINS:
            assert app_client.get(url + twin).status_code == 404, url + twin
    item_posts = [(a, d) for actions in posts(theirs).values() for a, d in actions if re.search(r"/\d+", a)]
    for action, data in item_posts:
        answer = send(app_client, action, data)
        assert answer.status_code == 404, (action, answer.status_code)
    assert snapshot(engine, seeded.b.id) == before
    # Their sites are not offered, and naming one in a form is refused with the field named.
    assert "BER01" not in app_client.get(f"{S}/areas").text
    refused = send(app_client, f"{S}/areas", {"name": "Sneaky", "site_id": str(theirs["site"])})
    assert refused.status_code == 422 and "no such site" in refused.text
    assert snapshot(engine, seeded.b.id) == before
