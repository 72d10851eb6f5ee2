"""The settings pages of one kind of object (sites, counters, users…) as a table row.

A `Resource` names its page key, path, templates, CSV columns and the estate calls that
list, read, create, change and delete; `mount` gives it the same routes every time: the
list page with its create form, the edit page, both with `.json` / `.csv` twins, and
CSRF-checked POSTs. A refused change re-renders its form with the message and the values
as typed (never a password), with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Connection

from footfall.estate.common import Row, as_utc
from footfall.estate.errors import Conflict, EstateError, NotFound
from footfall.portal.auth import Form, PortalError, engine_of, page
from footfall.portal.render import TWINS, render, twin, twin_links
from footfall.portal.sessions import PortalUser
from footfall.portal.settings_forms import as_typed
from footfall.settings import Settings
from footfall.storage.engine import read_tx, write_tx

PREFIX = "/portal"
DONE = {"created": "The {noun} was created.", "saved": "Changes to the {noun} were saved.",
        "deleted": "The {noun} was deleted.", "password_set": "The {noun}'s new password is stored.",
        "password_cleared": "The {noun}'s password was cleared.", "revoked": "The {noun} was revoked."}


@dataclass(frozen=True, slots=True)
class Change:
    """What a write needs: the open transaction, who asks, and the hub's settings (secret key)."""

    conn: Connection
    me: PortalUser
    settings: Settings


Extras = Callable[[Connection, PortalUser, Row | None], dict[str, Any]]


def _no_extras(_conn: Connection, _me: PortalUser, _row: Row | None) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Resource:
    """One kind of settings object and the estate calls behind its pages."""

    page: str
    path: str  # under /portal, e.g. "/settings/sites"
    noun: str
    templates: tuple[str, str]  # list page, edit page
    columns: Sequence[str]
    rows: Callable[[Connection, int], list[Row]]
    one: Callable[[Connection, int, int], Row]
    show: Callable[[Row], dict[str, str]]
    create: Callable[[Change, dict[str, str]], Row]
    update: Callable[[Change, Row, dict[str, str]], Any]
    delete: Callable[[Change, Row], None]
    extras: Extras = _no_extras
    blank: Mapping[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """The file name of its CSV twin."""
        return self.path.rsplit("/", 1)[-1]


def public(row: Mapping[str, Any]) -> Row:
    """A row for a page twin: plain-text keys, instants as ISO 8601 UTC text, no company id."""
    return {str(k): _plain(v) for k, v in row.items() if k != "company_id"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()  # type: ignore[union-attr]
    if isinstance(value, Mapping):
        return public(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def status_of(error: EstateError) -> int:
    """The HTTP status of a refused change."""
    return 409 if isinstance(error, Conflict) else 422


def check_twin(fmt: str) -> None:
    """Refuse a twin that does not exist."""
    if fmt not in TWINS:
        raise PortalError(404, f"no .{fmt} twin: use .json or .csv")


def redirect(path: str) -> Response:
    """See the result at `path` (post, redirect, get)."""
    return RedirectResponse(f"{PREFIX}{path}", status_code=303)


def fetch(request: Request, res: Resource, me: PortalUser, item_id: int) -> Row:
    """One object of the user's company; 404 for an unknown id or another company's."""
    try:
        with read_tx(engine_of(request)) as conn:
            return res.one(conn, me.company_id, item_id)
    except NotFound as error:
        raise PortalError(404, error.message) from None


def list_page(request: Request, res: Resource, me: PortalUser, values: Mapping[str, str],
              error: str = "", status: int = 200, done: str | None = None) -> Response:
    """The list of a resource with its create form."""
    with read_tx(engine_of(request)) as conn:
        rows, extras = res.rows(conn, me.company_id), res.extras(conn, me, None)
    return render(request, res.templates[0], me, "settings", status, res=res, rows=rows,
                  values=values, error=error, notice=_notice(res, done), twins=twin_links(request),
                  **extras)


def edit_page(request: Request, res: Resource, me: PortalUser, item_id: int,
              values: Mapping[str, str] | None = None, error: str = "", status: int = 200,
              done: str | None = None) -> Response:
    """One object's edit page (its current values, or the values as typed after an error)."""
    row = fetch(request, res, me, item_id)
    with read_tx(engine_of(request)) as conn:
        extras = res.extras(conn, me, row)
    return render(request, res.templates[1], me, "settings", status, res=res, row=row,
                  values=res.show(row) if values is None else values, error=error,
                  notice=_notice(res, done), twins=twin_links(request), **extras)


def _notice(res: Resource, done: str | None) -> str:
    return DONE[done].format(noun=res.noun) if done in DONE else ""


def write_item(request: Request, res: Resource, me: PortalUser, item_id: int, form: dict[str, str],
               action: Callable[[Change, Row], Any], done: str, after: str | None = None,
               main_form: bool = False) -> Response:
    """Run one change on an object in one transaction; its edit page again (with why) if refused.

    After a refusal the form sent shows what was typed; the page's other forms (when it was
    not the main one) show the object as it is.
    """
    current = fetch(request, res, me, item_id)
    try:
        with write_tx(engine_of(request)) as conn:
            action(Change(conn, me, request.app.state.settings), current)
    except EstateError as error:
        values = as_typed(form) if main_form else {**res.show(current), **as_typed(form)}
        return edit_page(request, res, me, item_id, values, error.message, status_of(error))
    return redirect(f"{after or f'{res.path}/{item_id}'}?done={done}")


def mount(router: APIRouter, res: Resource) -> None:
    """The routes of a resource's pages, their twins and their forms."""
    guard = page(res.page)
    item = res.path + "/{item_id:int}"

    @router.get(res.path, include_in_schema=False)
    def show_list(request: Request, me: PortalUser = Depends(guard), done: str | None = None) -> Response:
        return list_page(request, res, me, res.blank, done=done)

    @router.get(res.path + ".{fmt}", include_in_schema=False)
    def list_twin(request: Request, fmt: str, me: PortalUser = Depends(guard)) -> Response:
        check_twin(fmt)
        with read_tx(engine_of(request)) as conn:
            rows = [public(r) for r in res.rows(conn, me.company_id)]
        return twin(fmt, {"data": rows}, rows, res.columns, res.slug)

    @router.post(res.path, include_in_schema=False)
    def create(request: Request, form: Form, me: PortalUser = Depends(guard)) -> Response:
        try:
            with write_tx(engine_of(request)) as conn:
                row = res.create(Change(conn, me, request.app.state.settings), form)
        except EstateError as error:
            return list_page(request, res, me, as_typed(form), error.message, status_of(error))
        return redirect(f"{res.path}/{row['id']}?done=created")

    @router.get(item, include_in_schema=False)
    def show_item(request: Request, item_id: int, me: PortalUser = Depends(guard),
                  done: str | None = None) -> Response:
        return edit_page(request, res, me, item_id, done=done)

    @router.get(item + ".{fmt}", include_in_schema=False)
    def item_twin(request: Request, item_id: int, fmt: str, me: PortalUser = Depends(guard)) -> Response:
        check_twin(fmt)
        row = public(fetch(request, res, me, item_id))
        return twin(fmt, {"data": row}, [row], res.columns, f"{res.slug}-{item_id}")

    @router.post(item, include_in_schema=False)
    def update(request: Request, item_id: int, form: Form, me: PortalUser = Depends(guard)) -> Response:
        return write_item(request, res, me, item_id, form,
                          lambda change, row: res.update(change, row, form), "saved", main_form=True)

    @router.post(item + "/delete", include_in_schema=False)
    def delete(request: Request, item_id: int, form: Form, me: PortalUser = Depends(guard)) -> Response:
        return write_item(request, res, me, item_id, form, res.delete, "deleted", after=res.path)
