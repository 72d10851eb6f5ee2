"""The portal's pages as a table: who may open each, and where it sits in the navigation.

A role sets the ceiling; an admin may narrow one user to fewer pages (the seeds' "Edit
User Page Access"). Pages of later slices are listed with no path: the navigation hides
them until they exist, so there is never a dead link.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

ROLES = ("admin", "manager", "viewer")
ALL = frozenset(ROLES)
STAFF = frozenset({"admin", "manager"})
ADMIN = frozenset({"admin"})


@dataclass(frozen=True, slots=True)
class Page:
    """One page: its key, the title in the navigation, its path (None: not built yet), roles."""

    key: str
    title: str
    path: str | None
    roles: frozenset[str]
    section: str = "main"  # "main" or "settings"


PAGES: tuple[Page, ...] = (
    Page("dashboard", "Dashboard", "/portal/dashboard", ALL),
    Page("sites", "Sites", "/portal/sites", ALL),
    Page("counters", "Counters", "/portal/counters", ALL),
    Page("exports", "Export centre", "/portal/exports", STAFF),
    Page("imports", "Import", "/portal/imports", STAFF),
    Page("integration", "Integration tool", "/portal/integration", STAFF),
    Page("settings", "Settings", "/portal/settings", STAFF, "settings"),
    Page("company", "Company", "/portal/settings/company", ADMIN, "settings"),
    Page("settings_sites", "Sites and groups", "/portal/settings/sites", STAFF, "settings"),
    Page("settings_counters", "Counters", "/portal/settings/counters", STAFF, "settings"),
    Page("users", "Users", "/portal/settings/users", ADMIN, "settings"),
    Page("tokens", "API tokens", "/portal/settings/tokens", ADMIN, "settings"),
)
BY_KEY = {page.key: page for page in PAGES}

# Actions inside a page that change the estate: who may do them.
ACTIONS: dict[str, frozenset[str]] = {
    "assign_counter": STAFF,
    "revoke_sessions": ADMIN,
}


def allowed_pages(role: str, limited_to: Collection[str] = ()) -> frozenset[str]:
    """Keys of the pages a user of `role` may open, narrowed to `limited_to` when given."""
    pages = {p.key for p in PAGES if role in p.roles}
    if limited_to:
        pages &= set(limited_to)
    return frozenset(pages)


def navigation(allowed: Collection[str], section: str = "main") -> list[Page]:
    """Built pages of a section that the user may open, in table order."""
    return [p for p in PAGES if p.section == section and p.path and p.key in allowed]


def check_pages(keys: Iterable[str]) -> list[str]:
    """Page keys as given, refusing unknown ones with the list of known keys."""
    out = []
    for key in keys:
        key = key.strip()
        if key not in BY_KEY:
            raise ValueError(f"unknown page {key!r} (known: {', '.join(BY_KEY)})")
        out.append(key)
    return out
