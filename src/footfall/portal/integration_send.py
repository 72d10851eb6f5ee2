"""The integration tool's Send Query: the hub asks the counter (the browser cannot reach it).

The request goes through the device API's own client: the guard against metadata and
link-local addresses, no redirects followed, a timeout, a size limit, one attempt, nothing
logged. A recording transport keeps each exchange's status, headers and body to show them.
The counter is a registered device-API counter of the company (its stored login) or an
address and login typed in, used for this one request and never stored, echoed or logged.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ElementTree
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import orjson
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from footfall.connectors.device_api import store
from footfall.connectors.device_api.client import DeviceClient, PullError, default_transport
from footfall.connectors.device_api.config import DeviceApiConfig, PollerLimits
from footfall.portal.integration_query import ACCESS_TOKEN, ADDRESS, PASSWORD, DeviceQuery, QueryError
from footfall.security.secrets import SecretBox
from footfall.storage.engine import read_tx

LIMITS = PollerLimits(attempts=1, timeout_s=10.0, max_reply_bytes=4 * 1024 * 1024)
SHOWN_CHARS = 200_000  # of a reply's body, pretty-printed


@dataclass(frozen=True, slots=True)
class Target:
    """The counter asked: how to reach it, its zone, a label, and whether the login is stored."""

    config: DeviceApiConfig
    zone: ZoneInfo
    label: str
    stored: bool


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip() or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise QueryError("timezone", f"unknown time zone {name!r} (an IANA name like Europe/London)"
                         ) from None


def target_of(engine: Engine, box: SecretBox, company_id: int, fields: Mapping[str, str],
              login: bool = True) -> Target:
    """The counter the form names: `counter` = a registered counter's id, else host/port/login typed in.

    `login` False (building a URL, not sending): a typed password is not needed.
    """
    chosen = (fields.get("counter") or "").strip()
    if chosen and chosen != "address":
        if not chosen.isdigit():
            raise QueryError("counter", f"{chosen!r} is not a counter id")
        with read_tx(engine) as conn:
            found, broken = store.load_targets(conn, box, counter_ids=[int(chosen)], company_id=company_id)
        if broken:
            raise QueryError("counter", f"counter {broken[0].serial} cannot be asked: {broken[0].error}")
        if not found:
            raise QueryError("counter", f"no device-API counter {chosen} in your company")
        pulled = found[0]
        return Target(pulled.config, _zone(pulled.zone), f"counter {pulled.serial} "
                      f"({pulled.config.describe()})", stored=True)
    typed = {name: (fields.get(name) or "").strip() for name in ("host", "port", "username")}
    typed["password"] = fields.get("password") or ("" if login else PASSWORD)
    typed["port"], typed["username"] = typed["port"] or "80", typed["username"] or "admin"
    if not typed["host"] and not login:
        typed["host"] = ADDRESS  # the URL shows where the counter's address goes
    if not typed["password"]:
        raise QueryError("password", "the device password is required to log in (it is used for this "
                                     "request only, never stored)")
    try:
        config = DeviceApiConfig.model_validate(typed)
    except ValidationError as error:
        problem = error.errors()[0]
        name = ".".join(str(p) for p in problem["loc"]) or "host"
        raise QueryError(name, problem["msg"].removeprefix("Value error, ")) from None
    return Target(config, _zone(fields.get("timezone") or "UTC"), config.describe(), stored=False)


@dataclass(slots=True)
class Exchange:
    """One request the client made: the path, the answer's status and headers, the body read."""

    path: str
    status: int
    headers: list[tuple[str, str]]
    body: bytearray = field(default_factory=bytearray)


class _Teed(httpx.AsyncByteStream):
    """A response body passed on to the client as it reads it, and kept (up to the size limit)."""

    def __init__(self, inner: httpx.AsyncByteStream, kept: bytearray) -> None:
        self._inner, self._kept = inner, kept

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            room = LIMITS.max_reply_bytes - len(self._kept)
            if room > 0:
                self._kept += chunk[:room]
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class Recorder(httpx.AsyncBaseTransport):
    """The device client's transport, remembering every exchange."""

    def __init__(self) -> None:
        self._inner = default_transport()
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send as the default transport does; keep the answer's status, headers and body."""
        response = await self._inner.handle_async_request(request)
        exchange = Exchange(request.url.path, response.status_code, list(response.headers.multi_items()))
        self.exchanges.append(exchange)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(response.status_code, headers=response.headers,
                              stream=_Teed(response.stream, exchange.body), extensions=response.extensions)

    async def aclose(self) -> None:
        """Close the connections."""
        await self._inner.aclose()


async def send(target: Target, query: DeviceQuery) -> dict[str, Any]:
    """Send the query to the counter; what it answered (the last exchange) or why nothing came."""
    recorder = Recorder()
    client = DeviceClient(target.config, LIMITS, lambda: recorder)
    error: str | None = None
    began = time.monotonic()
    try:
        async with client:
            if query.api.data_format is None:
                await client.login()
            else:
                await client.count(query.count_params())
    except PullError as failure:
        error = str(failure)
    secrets = {target.config.password.get_secret_value(): PASSWORD}
    if client.token and target.stored:  # a stored login's token is not shown; a typed one's is
        secrets[client.token] = ACCESS_TOKEN
    last = recorder.exchanges[-1] if recorder.exchanges else None
    body = _pretty(bytes(last.body)) if last else ""
    return {
        "url": query.url(target.config.host, target.config.port), "target": target.label,
        "error": _scrub(error, secrets) if error else None,
        "status": last.status if last else None,
        "headers": [[k, _scrub(v, secrets)] for k, v in last.headers] if last else [],
        "body": _scrub(body[:SHOWN_CHARS], secrets), "body_bytes": len(last.body) if last else 0,
        "truncated": len(body) > SHOWN_CHARS,
        "steps": [{"path": e.path, "status": e.status} for e in recorder.exchanges],
        "elapsed_ms": round((time.monotonic() - began) * 1000),
    }


def _scrub(text: str, secrets: dict[str, str]) -> str:
    for secret, placeholder in secrets.items():
        if secret:
            text = text.replace(secret, placeholder)
    return text


def _pretty(body: bytes) -> str:
    """A reply body for reading: JSON and XML indented (XML without DTDs), anything else as text."""
    try:
        return orjson.dumps(orjson.loads(body), option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONDecodeError:
        pass
    if body.lstrip().startswith(b"<"):
        try:
            element = fromstring(body, forbid_dtd=True)
            ElementTree.indent(element)
            return str(ElementTree.tostring(element, encoding="unicode"))
        except (ParseError, DefusedXmlException):
            pass
    return body.decode("utf-8", "replace")
