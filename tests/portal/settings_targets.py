"""What the settings tests aim at: every settings page, twin and form post of a company, the
estate as it stands (to prove a refused post changed nothing), and a form post with CSRF."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from footfall.estate.areas import create_area, list_areas
from footfall.estate.counters import list_counters, with_pull_details
from footfall.estate.lines import list_lines
from footfall.estate.site_groups import create_site_group, list_site_groups
from footfall.estate.sites import list_sites
from footfall.estate.tokens import list_tokens
from footfall.estate.users import list_users
from footfall.storage.engine import read_tx, write_tx
from tests.portal.conftest import csrf_of
from tests.portal.seed import PASSWORD, Company

S = "/portal/settings"


def ids_of(engine: Engine, company: Company) -> dict[str, int]:
    """One object of each kind of the company (an area and a group are made when missing)."""
    with write_tx(engine) as conn:
        site = company.sites[sorted(company.sites)[0]]
        groups = list_site_groups(conn, company.id) or [create_site_group(conn, company.id, "G", [site])]
        areas = list_areas(conn, company.id) or [create_area(conn, company.id, site, "Floor 1")]
        counter = list_counters(conn, company.id, site_id=site)[0]["id"]
        return {"site": site, "group": groups[0]["id"], "area": areas[0]["id"], "counter": counter,
                "line": list_lines(conn, company.id, counter)[0]["id"],
                "user": list_users(conn, company.id)[-1]["id"],
                "token": list_tokens(conn, company.id)[0]["id"]}


def pages(ids: dict[str, int]) -> dict[str, list[str]]:
    """Every settings page by the page key that guards it (each also has .json and .csv twins)."""
    return {
        "settings_sites": [f"{S}/sites", f"{S}/sites/{ids['site']}", f"{S}/site-groups",
                           f"{S}/site-groups/{ids['group']}", f"{S}/areas", f"{S}/areas/{ids['area']}"],
        "settings_counters": [f"{S}/counters", f"{S}/counters/{ids['counter']}"],
        "users": [f"{S}/users", f"{S}/users/{ids['user']}"],
        "tokens": [f"{S}/tokens"],
    }


def posts(ids: dict[str, int]) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Every settings form post, with data that would change something if it were let through."""
    site, group, area, counter, user = (ids[k] for k in ("site", "group", "area", "counter", "user"))
    return {
        "settings_sites": [
            (f"{S}/sites", {"code": "NEW1", "name": "New", "timezone": "Europe/Paris"}),
            (f"{S}/sites/{site}", {"code": "RENAMED", "name": "Renamed", "timezone": "Europe/Paris"}),
            (f"{S}/sites/{site}/delete", {}),
            (f"{S}/site-groups", {"name": "New group", f"site_{site}": "on"}),
            (f"{S}/site-groups/{group}", {"name": "Renamed group"}),
            (f"{S}/site-groups/{group}/delete", {}),
            (f"{S}/areas", {"name": "New area", "site_id": str(site)}),
            (f"{S}/areas/{area}", {"name": "Renamed area", "site_id": str(site)}),
            (f"{S}/areas/{area}/delete", {}),
        ],
        "settings_counters": [
            (f"{S}/counters", {"serial": "00000000c0ffee00", "active": "on"}),
            (f"{S}/counters/{counter}", {"name": "Renamed door", "password": "s3cret-pass"}),
            (f"{S}/counters/{counter}/password/clear", {}),
            (f"{S}/counters/{counter}/lines", {f"kind_{ids['line']}": "area"}),
            (f"{S}/counters/{counter}/delete", {}),
        ],
        "users": [
            (f"{S}/users", {"email": "new@example.org", "password": "long enough pw", "role": "admin"}),
            (f"{S}/users/{user}", {"role": "admin"}),
            (f"{S}/users/{user}/password", {"password": "another long pw"}),
            (f"{S}/users/{user}/delete", {}),
        ],
        "tokens": [
            (f"{S}/tokens", {"name": "stolen", "role": "admin"}),
            (f"{S}/tokens/{ids['token']}/revoke", {}),
        ],
    }


def snapshot(engine: Engine, company_id: int) -> dict[str, Any]:
    """The company's estate as the settings pages change it."""
    with read_tx(engine) as conn:
        counters = with_pull_details(conn, list_counters(conn, company_id))
        return {"sites": list_sites(conn, company_id), "groups": list_site_groups(conn, company_id),
                "areas": list_areas(conn, company_id), "counters": counters,
                "lines": [list_lines(conn, company_id, c["id"]) for c in counters],
                "users": list_users(conn, company_id), "tokens": list_tokens(conn, company_id)}


def enter(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    """Sign in through the form, landing on the sites page (every role opens it)."""
    form = client.get("/portal/sign-in")
    return client.post("/portal/sign-in", data={"email": email, "password": password, "next": "/portal/sites",
                                                "csrf_token": csrf_of(form.text)})


def send(client: TestClient, action: str, data: dict[str, str], page: str | None = None) -> Any:
    """Post a form with the session's CSRF token (read from `page`, else the sites page: every role)."""
    token = csrf_of(client.get(page or "/portal/sites").text)
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False)
