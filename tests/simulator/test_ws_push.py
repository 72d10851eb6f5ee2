"""The simulated counter's WebSocket push against real `websockets` servers on loopback."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.asyncio.server import Server, ServerConnection, basic_auth, serve
from websockets.exceptions import ConnectionClosed

from footfall.domain.events import ConnectionCheck, parse_event, parse_message_text
from footfall.domain.fields import FieldError
from footfall.simulator.clock import SimClock
from footfall.simulator.devices.ws_push import WsPushDevice
from footfall.simulator.faults import FaultPlan
from footfall.simulator.fleet import CounterSpec, SiteSpec
from footfall.simulator.traffic import Crossing

T0 = 1_750_000_000
SITE = SiteSpec("S001", "Leeds S001", "Europe/London", ((540, 1050),) * 7, 1000)
COUNTER = CounterSpec("000000006afce315", "FFC-2020-000123", "S001", 1, 1.0, True, ("ws",))
FAST: dict[str, Any] = {"retry_s": (0.02, 0.1), "ack_timeout_s": 1.0}


def crossings(n: int, start: int = 0) -> list[Crossing]:
    return [Crossing(T0 - 3600 + i, COUNTER.serial, 1 + i % 2, 1 + i // 2 % 2, 1 + (i % 7 == 0),
                     str(uuid.UUID(int=i + 1))) for i in range(start, start + n)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Hub:
    """A loopback server playing the hub: replies per message, in order, and records what it saw.

    `reply(uuid, receipt)` chooses the answer to an event: "OK", another text, None (stay silent
    for the rest of the connection) or "hangup" (close instead of answering).
    """

    def __init__(self, reply: Callable[[str, int], str | None] = lambda _uuid, _n: "OK",
                 auth: tuple[str, str] | None = None) -> None:
        self.reply, self.auth = reply, auth
        self.received: Counter[str] = Counter()   # uuid -> receipts
        self.oked: set[str] = set()
        self.after_ok: list[str] = []             # receipts of an event the hub had already OKed
        self.starts: dict[str, int] = {}
        self.checks = self.errors = self.sessions = 0
        self.close_codes: list[int | None] = []
        self.server: Server | None = None

    async def start(self, port: int = 0, tls: ssl.SSLContext | None = None) -> int:
        process = basic_auth(credentials=self.auth) if self.auth else None
        self.server = await serve(self.handle, "127.0.0.1", port, process_request=process, ssl=tls)
        return next(iter(self.server.sockets)).getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, ws: ServerConnection) -> None:
        self.sessions += 1
        try:
            async for text in ws:
                answer = self.answer(text)
                if answer == "hangup":
                    await ws.close()
                    return
                if answer is None:
                    await ws.wait_closed()
                    return
                await ws.send(answer)
        except ConnectionClosed:
            pass
        finally:
            self.close_codes.append(ws.close_code)

    def answer(self, text: str | bytes) -> str | None:
        if isinstance(text, bytes):
            self.errors += 1
            return "ERROR binary"
        try:
            event = parse_event(parse_message_text(text), now_ts=T0 + 86400)
        except FieldError as error:
            self.errors += 1
            return f"ERROR {error}"
        if isinstance(event, ConnectionCheck):
            assert event.serial == COUNTER.serial
            self.checks += 1
            return "OK"
        key = str(uuid.UUID(event.identity[1:]))
        if key in self.oked:
            self.after_ok.append(key)
        self.received[key] += 1
        self.starts[key] = event.start_ts
        answer = self.reply(key, self.received[key])
        if answer == "OK":
            self.oked.add(key)
        return answer


async def until(check: Callable[[], bool], seconds: float = 10.0) -> None:
    async with asyncio.timeout(seconds):
        while not check():
            await asyncio.sleep(0.01)


def device(port: int, **options: Any) -> WsPushDevice:
    settings = {**FAST, "clock": SimClock(start=T0), **options}
    return WsPushDevice(COUNTER, SITE, f"ws://127.0.0.1:{port}/", **settings)


async def push(hub: Hub, dev: WsPushDevice, offered: list[Crossing], port: int = 0) -> None:
    """Start the hub, run the device until every offered crossing is acknowledged, stop both."""
    await hub.start(port)
    task = asyncio.create_task(dev.run())
    dev.offer(offered)
    await until(lambda: dev.stats.acknowledged == len(offered))
    await dev.stop()
    await task
    await hub.stop()


@pytest.mark.parametrize("python_literal", [False, True])
def test_every_event_is_delivered_and_acknowledged_once(python_literal: bool) -> None:
    hub, offered = Hub(), crossings(500)

    async def scenario() -> None:
        dev = device(await hub.start(), python_literal=python_literal)
        task = asyncio.create_task(dev.run())
        dev.offer(offered[:200])
        await until(lambda: dev.stats.acknowledged == 200)
        dev.offer(offered[200:])
        await until(lambda: dev.stats.acknowledged == 500)
        stats = dev.stats
        assert (stats.state, stats.buffered, stats.sent, stats.resent) == ("connected", 0, 501, 0)
        await dev.stop()
        await task
        await hub.stop()

    asyncio.run(scenario())
    assert hub.checks == 1
    assert set(hub.received) == {c.uuid for c in offered} and set(hub.received.values()) == {1}
    assert hub.starts[offered[0].uuid] == offered[0].at
    assert hub.close_codes == [1000]


def test_basic_auth_is_sent_and_a_wrong_password_never_delivers() -> None:
    good, bad = Hub(auth=("hub", "s3cret")), Hub(auth=("hub", "s3cret"))
    offered = crossings(20)

    async def scenario() -> None:
        port = free_port()
        await push(good, device(port, auth=("hub", "s3cret")), offered, port)
        port = await bad.start()
        dev = device(port, auth=("hub", "wrong"))
        task = asyncio.create_task(dev.run())
        dev.offer(offered)
        await until(lambda: dev.stats.last_error is not None and "401" in dev.stats.last_error)
        assert dev.stats.state == "connecting" and dev.stats.buffered == 20
        await dev.stop()
        await task
        await bad.stop()

    asyncio.run(scenario())
    assert set(good.received) == {c.uuid for c in offered}
    assert bad.sessions == 0 and not bad.received


def test_refused_events_are_sent_again_until_ok() -> None:
    hub = Hub(reply=lambda key, n: "ERROR busy" if n == 1 and key[-1] in "37" else "OK")
    offered = crossings(200)

    async def scenario() -> None:
        port = free_port()
        await push(hub, device(port, retry_s=(0.001, 0.01)), offered, port)

    asyncio.run(scenario())
    refused = {c.uuid for c in offered if c.uuid[-1] in "37"}
    assert refused and all(hub.received[key] == 2 for key in refused)
    assert sum(hub.received.values()) == 200 + len(refused)
    assert hub.oked == {c.uuid for c in offered} and not hub.after_ok


@pytest.mark.parametrize("failure", ["hangup", "silent"])
def test_a_server_that_hangs_up_or_goes_silent_gets_everything_again(failure: str) -> None:
    failed = "hangup" if failure == "hangup" else None
    hub = Hub(reply=lambda key, n: failed if n == 1 and key.endswith("5") else "OK")
    offered = crossings(100)

    async def scenario() -> None:
        port = free_port()
        await push(hub, device(port, ack_timeout_s=0.2), offered, port)

    asyncio.run(scenario())
    assert hub.oked == {c.uuid for c in offered} and not hub.after_ok
    assert hub.sessions > 1 and hub.checks == hub.sessions


def test_ten_thousand_held_while_the_server_is_down_are_all_delivered_when_it_returns() -> None:
    hub, offered = Hub(), crossings(10_000)

    async def scenario() -> None:
        port = free_port()
        dev = device(port)
        task = asyncio.create_task(dev.run())
        dev.offer(offered)
        await until(lambda: dev.stats.last_error is not None)
        assert dev.stats.state == "connecting" and dev.stats.buffered == 10_000
        await hub.start(port)
        await until(lambda: dev.stats.acknowledged == 10_000)
        assert (dev.stats.buffered, dev.stats.dropped, dev.stats.resent) == (0, 0, 0)
        await dev.stop()
        await task
        await hub.stop()

    asyncio.run(scenario())
    assert set(hub.received) == {c.uuid for c in offered}
    assert set(hub.received.values()) == {1} and not hub.after_ok


def test_over_ten_thousand_unacknowledged_turns_the_module_off() -> None:
    hub, offered = Hub(), crossings(10_001)

    async def scenario() -> None:
        port = free_port()
        dev = device(port)
        task = asyncio.create_task(dev.run())
        dev.offer(offered[:5000])
        await until(lambda: dev.stats.last_error is not None)
        dev.offer(offered[5000:])
        await until(lambda: dev.stats.state == "off")
        await hub.start(port)
        await asyncio.sleep(0.3)
        stats = dev.stats
        assert (stats.state, stats.buffered, stats.dropped, stats.acknowledged) == ("off", 10_000, 1, 0)
        dev.offer(crossings(1, start=20_000))
        assert dev.stats.dropped == 2
        await dev.stop()
        await task
        await hub.stop()

    asyncio.run(scenario())
    assert hub.sessions == 0 and not hub.received


def test_faults_duplicate_break_lose_acks_and_skew_yet_every_event_is_acknowledged_once() -> None:
    hub, offered = Hub(), crossings(400)
    plan = FaultPlan(duplicate_rate=0.2, malformed_rate=0.1, drop_ok_rate=0.2, clock_skew_s=-90, seed=3)

    async def scenario() -> None:
        port = free_port()
        dev = device(port, faults=plan)
        await push(hub, dev, offered, port)
        stats = dev.stats
        assert stats.acknowledged == 400 and stats.buffered == 0
        assert stats.malformed == hub.errors > 0 and stats.malformed_ok == 0
        assert stats.rejected > 0 and stats.resent > 0

    asyncio.run(scenario())
    assert set(hub.received) == {c.uuid for c in offered}
    assert max(hub.received.values()) >= 2
    assert all(hub.starts[c.uuid] == c.at - 90 for c in offered)


def test_offline_windows_and_reboots_drop_the_link_and_lose_nothing() -> None:
    hub, offered = Hub(), crossings(300)
    # At 100x: offline 0.5-0.9 s of wall time, a reboot at 1.5 s that lasts 0.2 s.
    plan = FaultPlan(offline=((T0 + 50, T0 + 90),), reboot_at=(T0 + 150,))

    async def scenario() -> None:
        clock = SimClock(speed=100, start=T0)
        port = await hub.start()
        dev = device(port, clock=clock, faults=plan, reboot_s=20)
        task = asyncio.create_task(dev.run())
        dev.offer(offered[:100])
        await until(lambda: dev.stats.acknowledged == 100)
        await until(lambda: dev.stats.state == "offline")
        dev.offer(offered[100:200])          # counted while offline: held in the counter
        assert hub.sessions == 1
        await until(lambda: dev.stats.acknowledged == 200)
        await until(lambda: clock.now() > T0 + 175 and dev.stats.state == "connected")
        dev.offer(offered[200:])
        await until(lambda: dev.stats.acknowledged == 300)
        await dev.stop()
        await task
        await hub.stop()

    asyncio.run(scenario())
    assert hub.sessions == 3 and hub.checks == 3
    assert hub.close_codes == [1006, 1006, 1000]   # down twice without a goodbye, then a clean stop
    assert set(hub.received) == {c.uuid for c in offered} and not hub.after_ok


def tls_pair(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: (server context, client context trusting it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_path, key_path)
    return server, ssl.create_default_context(cafile=str(cert_path))


def test_wss_with_a_trusted_certificate_delivers_and_an_untrusted_one_never_connects(tmp_path: Path) -> None:
    hub, offered = Hub(), crossings(50)
    server_tls, client_tls = tls_pair(tmp_path)

    async def scenario() -> None:
        port = await hub.start(tls=server_tls)
        url = f"wss://127.0.0.1:{port}/"
        trusting = WsPushDevice(COUNTER, SITE, url, clock=SimClock(start=T0), ssl=client_tls, **FAST)
        default = WsPushDevice(COUNTER, SITE, url, clock=SimClock(start=T0), **FAST)
        tasks = [asyncio.create_task(trusting.run()), asyncio.create_task(default.run())]
        trusting.offer(offered)
        default.offer(offered)
        await until(lambda: trusting.stats.acknowledged == 50 and default.stats.last_error is not None)
        assert "CERTIFICATE_VERIFY_FAILED" in (default.stats.last_error or "")
        await trusting.stop()
        await default.stop()
        await asyncio.gather(*tasks)
        await hub.stop()

    asyncio.run(scenario())
    assert hub.sessions == 1 and set(hub.received) == {c.uuid for c in offered}
