"""Settings › counters: register and edit counters, their lines, and their device API pull
credentials, which are sealed where the poller reads them and never shown, exported or
logged again (both backends)."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from footfall.connectors.device_api.store import load_targets
from footfall.estate.counters import find_counter, get_counter
from footfall.estate.errors import NotFound
from footfall.estate.lines import list_lines
from footfall.security.secrets import secret_box
from footfall.storage.engine import read_tx
from footfall.storage.tables_device_api import device_api_login
from tests.portal.seed import A_DOORS, UNASSIGNED, Seeded
from tests.portal.settings_targets import S, enter, send

SECRET = "Tr0ub4dor&3-first-secret"
REPLACED = "c0rrect-h0rse-second-secret"
SERIAL = "00000000d0000001"


def _pulled_password(client: TestClient, engine: Engine, counter_id: int) -> str | None:
    """The password the device API poller would sign in with (None: not pullable)."""
    with read_tx(engine) as conn:
        targets, _broken = load_targets(conn, secret_box(client.app.state.settings), [counter_id])  # type: ignore[attr-defined]
    return targets[0].config.password.get_secret_value() if targets else None


def _everything_shown(client: TestClient, counter_id: int) -> str:
    urls = [f"{S}/counters", f"{S}/counters.json", f"{S}/counters.csv", f"{S}/counters/{counter_id}",
            f"{S}/counters/{counter_id}.json", f"{S}/counters/{counter_id}.csv"]
    return "\n".join(client.get(url).text for url in urls)


def test_pull_credentials_are_sealed_for_the_poller_and_never_shown_again(
        app_client: TestClient, seeded: Seeded, engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    enter(app_client, seeded.a.users["manager"])
    made = send(app_client, f"{S}/counters", {
        "serial": SERIAL, "name": "Side door", "site_id": str(seeded.a.sites["LDN01"]),
        "channel": "device_api",
        "host": "127.0.0.1", "port": "8080", "active": "on", "username": "admin", "password": SECRET,
        "data_type": "json", "resolution": "minute", "resolution_step": "5"})
    assert made.status_code == 303, made.text
    counter_id = int(re.search(r"/counters/(\d+)\?", made.headers["location"]).group(1))  # type: ignore[union-attr]
    with read_tx(engine) as conn:
        sealed = conn.execute(select(device_api_login.c.password_sealed)
                              .where(device_api_login.c.counter_id == counter_id)).scalar_one()
    assert sealed and SECRET not in sealed
    assert _pulled_password(app_client, engine, counter_id) == SECRET
    shown = _everything_shown(app_client, counter_id)
    assert SECRET not in shown and sealed not in shown
    page = app_client.get(f"{S}/counters/{counter_id}").text
    assert 'id="password-state">Password: <strong>set</strong>' in page
    assert app_client.get(f"{S}/counters/{counter_id}.json").json()["data"]["password_set"] is True

    kept = send(app_client, f"{S}/counters/{counter_id}", {
        "name": "Side door (east)", "site_id": str(seeded.a.sites["LDN01"]), "channel": "device_api",
        "host": "127.0.0.1", "port": "8080", "active": "on", "username": "admin", "password": ""})
    assert kept.status_code == 303
    assert _pulled_password(app_client, engine, counter_id) == SECRET
    send(app_client, f"{S}/counters/{counter_id}", {
        "name": "Side door (east)", "site_id": str(seeded.a.sites["LDN01"]), "channel": "device_api",
        "host": "127.0.0.1", "port": "8080", "active": "on", "username": "admin", "password": REPLACED})
    assert _pulled_password(app_client, engine, counter_id) == REPLACED
    assert REPLACED not in _everything_shown(app_client, counter_id)

    cleared = send(app_client, f"{S}/counters/{counter_id}/password/clear", {})
    assert cleared.headers["location"].endswith("?done=password_cleared")
    page = app_client.get(f"{S}/counters/{counter_id}?done=password_cleared").text
    assert "password was cleared" in page and "Password: <strong>not set</strong>" in page
    assert _pulled_password(app_client, engine, counter_id) is None
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert SECRET not in logged and REPLACED not in logged and sealed not in logged


def test_a_refused_counter_form_keeps_what_was_typed_but_never_the_password(
        app_client: TestClient, seeded: Seeded, engine: Engine) -> None:
    enter(app_client, seeded.a.users["admin"])
    cases = [
        ({"port": "99999"}, "port 99999 is not a TCP port"),
        ({"port": "eighty"}, "port: &#39;eighty&#39; is not a whole number"),
        ({"host": ""}, "a device_api counter needs its static address"),
        ({"host": "169.254.169.254"}, "link-local"),
        ({"poll_interval_s": "5"}, "poll_interval_s must be whole seconds from 60 to 86400"),
        ({"serial": UNASSIGNED}, "already exists as unassigned counter"),
        ({"serial": A_DOORS["LDN01"][0]}, "already exists"),
    ]
    for change, message in cases:
        typed = {"serial": SERIAL, "name": "Typed door", "channel": "device_api", "host": "10.1.2.3",
                 "username": "installer", "password": "EchoMe-please-9", **change}
        answer = send(app_client, f"{S}/counters", typed)
        assert answer.status_code in (409, 422) and message in answer.text, (change, answer.status_code)
        assert 'value="Typed door"' in answer.text and 'value="installer"' in answer.text
        assert "EchoMe-please-9" not in answer.text
    with read_tx(engine) as conn, pytest.raises(NotFound):
        find_counter(conn, seeded.a.id, SERIAL)


def test_lines_and_placement_are_edited_and_a_counter_deleted(app_client: TestClient, seeded: Seeded,
                                                              engine: Engine) -> None:
    enter(app_client, seeded.a.users["manager"])
    with read_tx(engine) as conn:
        door = find_counter(conn, seeded.a.id, A_DOORS["KUL01"][0])
        line = list_lines(conn, seeded.a.id, door["id"])[0]
    saved = send(app_client, f"{S}/counters/{door['id']}/lines", {
        f"name_{line['id']}": "Main entrance", f"kind_{line['id']}": "entrance",
        f"direction_{line['id']}": "reversed"})
    assert saved.status_code == 303
    with read_tx(engine) as conn:
        after = list_lines(conn, seeded.a.id, door["id"])[0]
    assert (after["name"], after["kind"], after["direction"]) == ("Main entrance", "entrance", "reversed")
    bad = send(app_client, f"{S}/counters/{door['id']}/lines", {f"kind_{line['id']}": "ceiling",
                                                                 f"name_{line['id']}": "Typed line"})
    assert bad.status_code == 422 and "kind &#39;ceiling&#39; is not one of" in bad.text
    assert 'value="Typed line"' in bad.text
    body = app_client.get(f"{S}/counters/{door['id']}.json").json()["data"]
    assert body["lines"][0]["direction"] == "reversed" and body["site"] == "KUL01"

    moved = send(app_client, f"{S}/counters/{door['id']}", {"name": "Door 1", "site_id": "",
                                                             "channel": "websocket", "active": "on"})
    assert moved.status_code == 303
    with read_tx(engine) as conn:
        assert get_counter(conn, seeded.a.id, door["id"])["site_id"] is None
    send(app_client, f"{S}/counters/{door['id']}/delete", {})
    assert app_client.get(f"{S}/counters/{door['id']}").status_code == 404
    assert A_DOORS["KUL01"][0] not in app_client.get(f"{S}/counters.csv").text
