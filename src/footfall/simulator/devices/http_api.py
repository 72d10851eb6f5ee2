"""The simulated counters' HTTP device API: access tokens and apiCount, each counter on its own port.

One Starlette app behind one uvicorn server listens on one pre-bound socket per counter and finds
the counter of a request by the local port of its connection, so a thousand counters cost a
thousand listening sockets in one event loop, not a thousand servers.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import socket
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from footfall.simulator.devices.http_params import (
    ApiError,
    CountQuery,
    interval_grid,
    parse_count_query,
    reply_type,
    single_values,
)
from footfall.simulator.devices.http_render import CountReport, render, render_error, tally
from footfall.simulator.faults import FaultPlan
from footfall.simulator.fleet import CounterSpec, Fleet
from footfall.simulator.traffic import raw_crossings

TOKEN_PATH = "/cgi-bin/access_token.cgi"
COUNT_PATHS = ("/cgi-bin/apiCount.cgi", "/cgi-bin/apiCount_cgi")   # the seeds spell it both ways


class Clock(Protocol):
    """Anything that tells the simulated time (SimClock does)."""

    def now(self) -> float:
        """Simulated UTC epoch seconds."""
        ...


class DeviceApiServer:
    """The device API of many simulated counters: one uvicorn server, one listening port per counter."""

    def __init__(self, fleet: Fleet, serials: Iterable[str], clock: Clock,
                 faults: Mapping[str, FaultPlan] | None = None, host: str = "127.0.0.1",
                 base_port: int = 0) -> None:
        self.fleet, self.clock, self.host, self.base_port = fleet, clock, host, base_port
        self.serials = tuple(serials)
        self.faults = {s: (faults or {}).get(s) or fleet.faults_for(s) for s in self.serials}
        routes = [Route(TOKEN_PATH, self._token), *(Route(path, self._count) for path in COUNT_PATHS)]
        self.app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
        self._serial_at: dict[int, str] = {}
        self._endpoints: dict[str, str] = {}
        self._requests: Counter[str] = Counter()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    def endpoint(self, serial: str) -> str:
        """The base URL of a counter's device API, e.g. http://127.0.0.1:40123 (after start)."""
        return self._endpoints[serial]

    @property
    def endpoints(self) -> dict[str, str]:
        """Every counter's base URL, by serial (after start)."""
        return dict(self._endpoints)

    async def __aenter__(self) -> DeviceApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Bind one socket per counter (base_port + i, or ephemeral ports) and start serving."""
        sockets = _bind_all(self.host, [self.base_port + i if self.base_port else 0
                                        for i in range(len(self.serials))])
        for serial, sock in zip(self.serials, sockets, strict=True):
            port = sock.getsockname()[1]
            self._serial_at[port] = serial
            self._endpoints[serial] = f"http://[{self.host}]:{port}" if ":" in self.host else \
                f"http://{self.host}:{port}"
        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="off", ws="none",
                                server_header=False, timeout_graceful_shutdown=5)
        config.load()
        config.http_protocol_class = _dropping_when_offline(config.http_protocol_class, self._offline_port)
        self._server = _EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=sockets))
        while not self._server.started and not self._task.done():
            await asyncio.sleep(0.01)
        if self._task.done():
            self._task.result()
            raise RuntimeError("the device API server stopped while starting")

    async def stop(self) -> None:
        """Stop serving and close every counter's socket."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._server = self._task = None

    def _offline_port(self, port: int) -> bool:
        serial = self._serial_at.get(port)
        return serial is not None and self.faults[serial].is_offline(self.clock.now())

    async def _device(self, request: Request) -> tuple[CounterSpec, Response | None]:
        """The counter a request is for, and the faulty reply it gets instead, if any."""
        serial = self._serial_at[request.scope["server"][1]]
        plan = self.faults[serial]
        if plan.is_offline(self.clock.now()):  # went offline while a kept-alive connection was open
            error = ApiError(503, "offline", f"counter {serial} is offline")
            return self.fleet.counter(serial), _error(error, "json", {"connection": "close"})
        if plan.slow_response_s:
            await asyncio.sleep(plan.slow_response_s)
        number = self._requests[serial]
        self._requests[serial] += 1
        if plan.roll("http_500", f"{serial}:{number}"):
            error = ApiError(500, "internal_error", f"counter {serial} failed (simulated fault)")
            return self.fleet.counter(serial), _error(error, "json")
        return self.fleet.counter(serial), None

    async def _token(self, request: Request) -> Response:
        counter, refusal = await self._device(request)
        if refusal is not None:
            return refusal
        try:
            values = single_values(request.query_params.multi_items(), ("username", "password"))
            _check_login(counter, values)
        except ApiError as error:
            return _error(error, "json")
        return JSONResponse({"access_token": issue_token(self.fleet.seed, counter), "serial": counter.serial})

    async def _count(self, request: Request) -> Response:
        counter, refusal = await self._device(request)
        if refusal is not None:
            return refusal
        items = request.query_params.multi_items()
        plan, tz = self.faults[counter.serial], ZoneInfo(self.fleet.site_of(counter.serial).timezone)
        now = plan.skewed(self.clock.now())
        try:
            self._check_token(counter, request.query_params.get("access_token"))
            query = parse_count_query(items, tz, datetime.fromtimestamp(now, tz).date())
        except ApiError as error:
            return _error(error, reply_type(items))
        body, media_type = await run_in_threadpool(self._report, counter, query, now, tz)
        return Response(body, media_type=media_type)

    def _check_token(self, counter: CounterSpec, token: str | None) -> None:
        if not token:
            raise ApiError(401, "missing_token", f"access_token is required; get one from {TOKEN_PATH}",
                           "access_token")
        owner = token_serial(self.fleet, token)
        if owner is None:
            raise ApiError(401, "bad_token", "access_token is not a token of this counter", "access_token")
        if owner != counter.serial:
            raise ApiError(401, "wrong_counter", f"access_token belongs to counter {owner}, "
                           f"not to this counter ({counter.serial})", "access_token")

    def _report(self, counter: CounterSpec, query: CountQuery, now: float, tz: ZoneInfo) -> tuple[bytes, str]:
        """The rendered reply: every complete interval of the window (the device only knows the past)."""
        start, end = int(query.start.timestamp()), int(query.end.timestamp())
        bounds = interval_grid(start, end, query.resolution, tz)
        done = bisect_right(bounds, now)
        bounds = bounds[:done] if done >= 2 else []
        # A skewed counter stamps a crossing at true time t with its own clock: t + skew.
        skew = self.faults[counter.serial].clock_skew_s
        seen: Iterator[tuple[int, int, int, int]] = iter(())
        if bounds:
            seen = ((at + skew, roi, metric, people) for at, roi, metric, people
                    in raw_crossings(self.fleet, counter.serial, bounds[0] - skew, bounds[-1] - skew))
        report = CountReport(
            serial=counter.serial, timezone=str(tz), data_format=query.data_format,
            resolution=query.resolution, start=start, end=end, device_time=int(now), bounds=tuple(bounds),
            counts=tally(seen, tuple(bounds), counter.rois),
        )
        return render(report, query.data_type, tz)


def issue_token(seed: int, counter: CounterSpec) -> str:
    """A counter's long-lived access token: JWT-shaped (HS256), the same for every login."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps({"username": counter.username, "serial": counter.serial}).encode())
    return f"{header}.{payload}.{_signature(seed, counter, f'{header}.{payload}')}"


def token_serial(fleet: Fleet, token: str) -> str | None:
    """The serial of the counter that issued `token`, or None if no counter of the fleet did."""
    try:
        header, payload, signature = token.split(".")
        serial = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["serial"]
        counter = fleet.counter(serial)
    except (ValueError, KeyError, TypeError):
        return None
    expected = _signature(fleet.seed, counter, f"{header}.{payload}")
    return serial if hmac.compare_digest(expected, signature) else None


def _signature(seed: int, counter: CounterSpec, signed: str) -> str:
    # Keyed by the fleet seed (tokens survive a simulator restart) and the password (a new one voids them).
    key = hashlib.sha256(f"footfall-simulator:{seed}:{counter.serial}:{counter.password}".encode()).digest()
    return _b64(hmac.new(key, signed.encode(), hashlib.sha256).digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _check_login(counter: CounterSpec, values: dict[str, str]) -> None:
    for name in ("username", "password"):
        if name not in values:
            raise ApiError(400, "missing_parameter", f"{name} is required", name)
    if values["username"] != counter.username:
        raise ApiError(401, "bad_credentials", f"no user {values['username']!r} on this counter "
                       "(user names are case-sensitive)", "username")
    if values["password"] != counter.password:
        raise ApiError(401, "bad_credentials", f"wrong password for user {counter.username!r}", "password")


def _error(error: ApiError, data_type: str, headers: dict[str, str] | None = None) -> Response:
    body, media_type = render_error(error, data_type)
    return Response(body, status_code=error.status, media_type=media_type, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (unknown path, wrong method) in the device API's error shape."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    paths = ", ".join((TOKEN_PATH, *COUNT_PATHS))
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
    return _error(ApiError(status, code, f"{request.method} {request.url.path}: the device API serves "
                           f"GET {paths}"), "json")


def _bind_all(host: str, ports: list[int]) -> list[socket.socket]:
    """One bound TCP socket per port (0 = any free port); all or none."""
    bound: list[socket.socket] = []
    try:
        for port in ports:
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
            bound.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.setblocking(False)
    except OSError as error:
        for sock in bound:
            sock.close()
        message = f"cannot bind the device API to {host}:{port}: {error.strerror}"
        raise OSError(error.errno, message) from error
    return bound


def _dropping_when_offline(base: type, offline: Callable[[int], bool]) -> type:
    """uvicorn's HTTP protocol, but a connection to an offline counter's port is reset at once."""

    class OfflineDropping(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # uvicorn logs requests whenever its access logger has handlers (a test's caplog
            # does), and a device API request line carries the counter's password.
            self.access_log = False

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            sockname = transport.get_extra_info("sockname")
            if isinstance(sockname, tuple) and offline(sockname[1]):
                transport.abort()

    return OfflineDropping


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling (Ctrl-C) to the program running it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Install no signal handlers."""
        yield
