"""Settings › sites, site groups and areas: create, edit, delete through the forms; errors keep
what was typed; every page's twins carry its rows (both backends)."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from footfall.estate.areas import get_area
from footfall.estate.counters import find_counter
from footfall.estate.lines import list_lines
from footfall.estate.site_groups import get_site_group
from footfall.estate.sites import find_site
from footfall.storage.engine import read_tx
from tests.portal.seed import A_DOORS, Seeded
from tests.portal.settings_targets import S, enter, send


def _created_id(answer: object, path: str) -> int:
    location = answer.headers["location"]  # type: ignore[attr-defined]
    found = re.fullmatch(rf"/portal/settings/{path}/(\d+)\?done=created", location)
    assert found, location
    return int(found.group(1))


def test_site_round_trip(app_client: TestClient, seeded: Seeded, engine: Engine) -> None:
    enter(app_client, seeded.a.users["manager"])
    made = send(app_client, f"{S}/sites", {
        "code": "PAR01", "name": "Paris Opéra", "timezone": "Europe/Paris", "capacity": "120",
        "city": "Paris", "latitude": "48.87", "hours_mon": "09:00-12:00, 13:00-19:00",
        "hours_sat": "10:00-18:00",
        "closed_dates": "2030-12-25, 2030-01-01"})
    assert made.status_code == 303
    site_id = _created_id(made, "sites")
    with read_tx(engine) as conn:
        row = find_site(conn, seeded.a.id, "PAR01")
    assert row["id"] == site_id and row["capacity"] == 120 and row["latitude"] == 48.87
    assert row["opening_hours"] == {"mon": [["09:00", "12:00"], ["13:00", "19:00"]],
                                    "sat": [["10:00", "18:00"]]}
    assert row["closed_dates"] == ["2030-01-01", "2030-12-25"]
    page = app_client.get(f"{S}/sites/{site_id}?done=created")
    assert "The site was created." in page.text
    assert 'value="09:00-12:00, 13:00-19:00"' in page.text and 'value="Europe/Paris"' in page.text

    edited = send(app_client, f"{S}/sites/{site_id}", {
        "code": "PAR01", "name": "Paris", "timezone": "Europe/Paris", "capacity": "",
        "hours_sun": "11:00-17:00"})
    assert edited.status_code == 303 and edited.headers["location"].endswith("?done=saved")
    with read_tx(engine) as conn:
        row = find_site(conn, seeded.a.id, "PAR01")
    assert row["name"] == "Paris" and row["capacity"] is None and row["city"] is None
    assert row["opening_hours"] == {"sun": [["11:00", "17:00"]]} and row["closed_dates"] is None

    body = app_client.get(f"{S}/sites/{site_id}.json").json()["data"]
    assert body["code"] == "PAR01" and body["hours"] == "sun 11:00-17:00" and body["counters"] == 0
    listed = list(csv.DictReader(io.StringIO(app_client.get(f"{S}/sites.csv").text)))
    assert [r["code"] for r in listed] == ["KUL01", "LDN01", "PAR01"]
    assert {r["code"]: r["counters"] for r in listed} == {"KUL01": "1", "LDN01": "2", "PAR01": "0"}
    as_json = app_client.get(f"{S}/sites.json").json()["data"]
    assert [r["code"] for r in as_json] == ["KUL01", "LDN01", "PAR01"]

    gone = send(app_client, f"{S}/sites/{site_id}/delete", {})
    assert gone.headers["location"] == f"{S}/sites?done=deleted"
    assert app_client.get(f"{S}/sites/{site_id}").status_code == 404


def test_bad_site_input_is_named_and_the_typed_values_stay(app_client: TestClient, seeded: Seeded,
                                                           engine: Engine) -> None:
    enter(app_client, seeded.a.users["admin"])
    cases = [
        ({"timezone": "Mars/Olympus_Mons"}, "Mars/Olympus_Mons", 422),
        ({"capacity": "lots"}, "capacity: &#39;lots&#39; is not a whole number", 422),
        ({"hours_tue": "9 to 5"}, "opening hours, tue", 422),
        ({"hours_wed": "18:00-09:00"}, "opening time 18:00 is not before closing time 09:00", 422),
        ({"closed_dates": "Christmas"}, "closed_dates: &#39;Christmas&#39; is not a YYYY-MM-DD date", 422),
        ({"code": "LDN01"}, "a site with code &#39;LDN01&#39; already exists", 409),
        ({"code": ""}, "code must be a non-empty string", 422),
    ]
    for change, message, status in cases:
        typed = {"code": "NEW01", "name": "Typed name", "timezone": "Europe/Rome", "city": "Roma", **change}
        answer = send(app_client, f"{S}/sites", typed)
        assert answer.status_code == status, (change, answer.status_code)
        assert message in answer.text, change
        assert 'value="Typed name"' in answer.text and 'value="Roma"' in answer.text
    with read_tx(engine) as conn:
        assert find_site(conn, seeded.a.id, "LDN01")["name"] == "Acme LDN01"
    site_id = seeded.a.sites["KUL01"]
    answer = send(app_client, f"{S}/sites/{site_id}",
                  {"code": "KUL01", "name": "Kept?", "timezone": "Nowhere/X"})
    assert answer.status_code == 422 and 'value="Kept?"' in answer.text and 'value="Nowhere/X"' in answer.text
    with read_tx(engine) as conn:
        assert find_site(conn, seeded.a.id, "KUL01")["name"] == "Acme KUL01"


def test_site_group_round_trip(app_client: TestClient, seeded: Seeded, engine: Engine) -> None:
    enter(app_client, seeded.a.users["manager"])
    ldn, kul = seeded.a.sites["LDN01"], seeded.a.sites["KUL01"]
    made = send(app_client, f"{S}/site-groups", {"name": "Europe", f"site_{ldn}": "on"})
    group_id = _created_id(made, "site-groups")
    with read_tx(engine) as conn:
        assert get_site_group(conn, seeded.a.id, group_id)["site_ids"] == [ldn]
    page = app_client.get(f"{S}/site-groups/{group_id}").text
    assert f'name="site_{ldn}" checked' in page and f'name="site_{kul}" checked' not in page
    send(app_client, f"{S}/site-groups/{group_id}",
         {"name": "Everywhere", f"site_{ldn}": "on", f"site_{kul}": "on"})
    with read_tx(engine) as conn:
        row = get_site_group(conn, seeded.a.id, group_id)
    assert row["name"] == "Everywhere" and row["site_ids"] == sorted([ldn, kul])
    twin = app_client.get(f"{S}/site-groups.json").json()["data"]
    assert {g["name"]: sorted(g["sites"]) for g in twin} == {"All stores": ["KUL01", "LDN01"],
                                                             "Everywhere": ["KUL01", "LDN01"]}
    clash = send(app_client, f"{S}/site-groups/{group_id}", {"name": "All stores"})
    assert clash.status_code == 409 and "already exists" in clash.text and 'value="All stores"' in clash.text
    send(app_client, f"{S}/site-groups/{group_id}/delete", {})
    assert app_client.get(f"{S}/site-groups/{group_id}.json").status_code == 404


def test_area_round_trip_with_lines(app_client: TestClient, seeded: Seeded, engine: Engine) -> None:
    enter(app_client, seeded.a.users["admin"])
    ldn, kul = seeded.a.sites["LDN01"], seeded.a.sites["KUL01"]
    missing_site = send(app_client, f"{S}/areas", {"name": "Floor 1"})
    assert missing_site.status_code == 422 and "choose the site" in missing_site.text
    area_id = _created_id(send(app_client, f"{S}/areas", {"name": "Floor 1", "site_id": str(ldn)}), "areas")
    with read_tx(engine) as conn:
        door = find_counter(conn, seeded.a.id, A_DOORS["LDN01"][1])
        line = list_lines(conn, seeded.a.id, door["id"])[0]
        other = find_counter(conn, seeded.a.id, A_DOORS["KUL01"][0])
        foreign = list_lines(conn, seeded.a.id, other["id"])[0]
    page = app_client.get(f"{S}/areas/{area_id}").text
    assert f'name="line_{line["id"]}"' in page and f'name="line_{foreign["id"]}"' not in page
    send(app_client, f"{S}/areas/{area_id}", {"name": "Ground floor", "site_id": str(ldn),
                                              f"line_{line['id']}": "reversed"})
    with read_tx(engine) as conn:
        row = get_area(conn, seeded.a.id, area_id)
    assert row["name"] == "Ground floor"
    assert row["lines"] == [{"line_id": line["id"], "direction": "reversed"}]
    wrong = send(app_client, f"{S}/areas/{area_id}", {"name": "Moved", "site_id": str(kul),
                                                      f"line_{line['id']}": "normal"})
    assert wrong.status_code == 422 and "not assigned to" in wrong.text and 'value="Moved"' in wrong.text
    with read_tx(engine) as conn:
        assert get_area(conn, seeded.a.id, area_id)["name"] == "Ground floor"
    rows = list(csv.DictReader(io.StringIO(app_client.get(f"{S}/areas.csv").text)))
    assert rows == [{"id": str(area_id), "name": "Ground floor", "site_id": str(ldn), "site": "LDN01",
                     "line_ids": str(line["id"]), "created_at": rows[0]["created_at"]}]
    send(app_client, f"{S}/areas/{area_id}/delete", {})
    assert app_client.get(f"{S}/areas.json").json() == {"data": []}
