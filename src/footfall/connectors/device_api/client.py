"""Talk to one counter's device API: log in, fetch apiCount, retry what may pass.

Requests go through an httpx transport, not a client: nothing is logged (httpx's client logs
each URL, and the login URL carries the password), no proxy from the environment is used,
and redirects are never followed. The connection goes to the address `guard.resolve` checked.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Callable
from types import TracebackType

import httpx
import orjson

from footfall.connectors.device_api.config import DeviceApiConfig, PollerLimits
from footfall.connectors.device_api.guard import AddressRefused, resolve
from footfall.connectors.device_api.parse import parse_refusal

TOKEN_PATH = "/cgi-bin/access_token.cgi"
COUNT_PATH = "/cgi-bin/apiCount.cgi"
TransportFactory = Callable[[], httpx.AsyncBaseTransport]


class PullError(Exception):
    """A pull failed; the message names the counter's address and never a secret."""


class Unreachable(PullError):
    """No connection, no answer in time, or HTTP 5xx: try again later."""


class LoginRefused(PullError):
    """The device refused the user name or password: fix the counter's login."""


class BadReply(PullError):
    """The device answered something unusable: a redirect, an error, an oversized or malformed reply."""


class Forbidden(PullError):
    """The configured address may not be connected to (link-local, cloud metadata …)."""


@functools.cache
def _tls() -> ssl.SSLContext:
    # Devices speak plain http; httpx still builds a TLS context per transport, so build it once.
    return ssl.create_default_context()


def default_transport() -> httpx.AsyncBaseTransport:
    """A plain HTTP/1.1 transport with keep-alive (no proxies, no retries of its own)."""
    return httpx.AsyncHTTPTransport(retries=0, verify=_tls())


class DeviceClient:
    """One counter's device API for the length of one pull (`async with`)."""

    def __init__(self, config: DeviceApiConfig, limits: PollerLimits,
                 transport_factory: TransportFactory = default_transport, token: str | None = None) -> None:
        self.config, self.limits, self.token = config, limits, token
        self.where = config.describe()
        self._factory = transport_factory
        self._address = ""
        self._transport: httpx.AsyncBaseTransport | None = None

    async def __aenter__(self) -> DeviceClient:
        try:
            self._address = await resolve(self.config.host, self.config.port)
        except AddressRefused as error:
            raise Forbidden(str(error)) from None
        self._transport = self._factory()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        if self._transport is not None:
            await self._transport.aclose()

    async def login(self) -> str:
        """Get an access token from access_token.cgi (LoginRefused when the login is wrong)."""
        password = self.config.password.get_secret_value()
        status, body = await self._get(TOKEN_PATH, {"username": self.config.username, "password": password})
        if status in (401, 403):
            refusal = parse_refusal(body, status)
            raise LoginRefused(f"{self.where} refused the login of user {self.config.username!r} "
                               f"({refusal.code}: {self._scrub(refusal.message)}); "
                               "check username and password")
        if status != 200:
            raise BadReply(self._refused("access_token.cgi", status, body))
        self.token = _token(body)
        if self.token is None:
            raise BadReply(f"{self.where}: access_token.cgi answered without an access_token")
        return self.token

    async def count(self, params: dict[str, str]) -> bytes:
        """An apiCount reply body; a refused token is renewed once and the request repeated."""
        if self.token is None:
            await self.login()
        status, body = await self._get(COUNT_PATH, {**params, "access_token": self.token or ""})
        if status == 401:
            self.token = None
            await self.login()
            status, body = await self._get(COUNT_PATH, {**params, "access_token": self.token or ""})
            if status == 401:
                raise LoginRefused(f"{self.where} refused a fresh access token: "
                                   f"{parse_refusal(body, status).message}")
        if status != 200:
            raise BadReply(self._refused("apiCount.cgi", status, body))
        return body

    async def _get(self, path: str, params: dict[str, str]) -> tuple[int, bytes]:
        """GET with retries on timeouts, lost connections and 5xx; other answers are returned."""
        error: PullError = Unreachable(f"{self.where}: no attempt made")
        for attempt in range(self.limits.attempts):
            if attempt:
                await asyncio.sleep(self.limits.retry_delay_s * 2 ** (attempt - 1))
            try:
                status, body = await self._once(path, params)
            except (TimeoutError, httpx.TimeoutException):
                error = Unreachable(f"no answer from {self.where} within {self.limits.timeout_s:g} s")
                continue
            except httpx.TransportError as failure:
                reason = self._scrub(str(failure)) or type(failure).__name__
                error = Unreachable(f"cannot connect to {self.where}: {reason}")
                continue
            if status < 500:
                return status, body
            error = Unreachable(self._refused(path.rsplit("/", 1)[-1], status, body))
        raise error

    async def _once(self, path: str, params: dict[str, str]) -> tuple[int, bytes]:
        assert self._transport is not None, "use DeviceClient in `async with`"
        timeout = self.limits.timeout_s
        url = httpx.URL(scheme="http", host=self._address, port=self.config.port, path=path, params=params)
        host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
        headers = {"Host": host if self.config.port == 80 else f"{host}:{self.config.port}",
                   "Accept": "application/json, application/xml", "User-Agent": "footfall-hub"}
        request = httpx.Request("GET", url, headers=headers,
                                extensions={"timeout": httpx.Timeout(timeout).as_dict()})
        # A whole-request deadline too: a device dripping bytes never trips the per-read timeout.
        async with asyncio.timeout(timeout * 3):
            response = await self._transport.handle_async_request(request)
            try:
                if 300 <= response.status_code < 400:
                    raise BadReply(f"{self.where} answered with a redirect (HTTP {response.status_code}) to "
                                   f"{response.headers.get('location', '?')!r}; redirects are not followed")
                body = await self._read(response)
            finally:
                await response.aclose()
        return response.status_code, body

    async def _read(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_raw():
            size += len(chunk)
            if size > self.limits.max_reply_bytes:
                raise BadReply(f"{self.where}: the reply is larger than {self.limits.max_reply_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _refused(self, what: str, status: int, body: bytes) -> str:
        refusal = parse_refusal(body, status)
        detail = f"{refusal.code}: {self._scrub(refusal.message)}" if refusal.message else refusal.code
        where = f", parameter {refusal.parameter}" if refusal.parameter else ""
        return f"{self.where} {what} answered HTTP {status} ({detail}{where})"

    def _scrub(self, text: str) -> str:
        """`text` with the password and token cut out (device messages may echo the request)."""
        for secret in (self.config.password.get_secret_value(), self.token):
            if secret:
                text = text.replace(secret, "***")
        return text


def _token(body: bytes) -> str | None:
    """The access token of an access_token.cgi reply: JSON `{"access_token": …}` or the bare token."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        text = body.decode("utf-8", "replace").strip()
        return text if text and len(text) < 4096 and not any(c.isspace() for c in text) else None
    token = document.get("access_token") if isinstance(document, dict) else None
    return token if isinstance(token, str) and token else None
