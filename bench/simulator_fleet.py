"""1,000 simulated counters in one process: the fleet runner's CPU and memory, beside the bare traffic cost.

The runner runs here with 1,000 counters (the device API for all, WebSocket push for half, MQTT
for a quarter, FTP and BACnet for 50 each) at 60x for a minute of real time. What they talk to
runs in other processes so it does not share the simulator's CPU: a websockets server answering
`OK`, Mosquitto on 127.0.0.1:1883 (or an amqtt broker), a pyftpdlib server, and a client polling
apiCount as a hub would. The ceiling, measured in the same run: the traffic model's queries alone
for the same simulated window, i.e. the floor of what feeding the push devices can cost.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing as mp
import resource
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from footfall.simulator.clock import SimClock
from footfall.simulator.devices.ftp_push import FtpPushConfig
from footfall.simulator.fleet import Fleet, build_fleet
from footfall.simulator.runner import FleetRunner, Targets, raise_open_file_limit
from footfall.simulator.summary import channel_figures, total
from footfall.simulator.traffic import fleet_crossings

COUNTERS, SITES, SEED = 1000, 300, 1
SPEED = 60.0
WINDOW_S = 60.0         # measured real seconds
SETTLE_S = 5.0          # after start-up, before measuring (first FTP files, first polls)
START = int(datetime(2025, 11, 22, 12, 0, tzinfo=UTC).timestamp())   # a Saturday noon UTC
POLLS_PER_S = 3.0       # a hub polling 1,000 counters every 5 to 6 minutes
FTP_USER = "bench"


def bench_fleet() -> Fleet:
    """All counters serve the device API; half push over WebSocket, a quarter over MQTT; 50 FTP, 50 BACnet."""
    fleet = build_fleet(counters=COUNTERS, sites=SITES, seed=SEED)

    def channels(i: int) -> tuple[str, ...]:
        extra = ("ws",) if i % 2 == 0 else ("mqtt",) if i % 4 == 1 else ()
        extra += ("ftp",) if i % 20 == 3 else ("bacnet",) if i % 20 == 7 else ()
        return ("http", *extra)

    counters = tuple(dataclasses.replace(c, channels=channels(i)) for i, c in enumerate(fleet.counters))
    return Fleet(fleet.seed, fleet.sites, counters)


# ---- the other processes -----------------------------------------------------------------------

def ws_server(ready: Queue, stop: Event, result: Queue) -> None:
    """A websockets server answering OK to every message, counting them."""
    from websockets.asyncio.server import ServerConnection, serve
    from websockets.exceptions import ConnectionClosed

    received = 0

    async def handle(ws: ServerConnection) -> None:
        nonlocal received
        try:
            async for _ in ws:
                received += 1
                await ws.send("OK")
        except ConnectionClosed:
            pass

    async def main() -> None:
        async with serve(handle, "127.0.0.1", 0, compression=None, ping_interval=None) as server:
            ready.put(next(iter(server.sockets)).getsockname()[1])
            while not stop.is_set():
                await asyncio.sleep(0.2)
        result.put(("ws messages received", received))

    asyncio.run(main())


def amqtt_broker(ready: Queue, stop: Event, result: Queue) -> None:
    """An amqtt broker on an ephemeral port (when Mosquitto is not running)."""
    from amqtt.broker import Broker

    async def main() -> None:
        port = free_port()
        broker = Broker({"listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}",
                                                   "max_connections": 5000}},
                         "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin":
                                     {"allow_anonymous": True}}})
        await broker.start()
        ready.put(port)
        while not stop.is_set():
            await asyncio.sleep(0.2)
        await broker.shutdown()
        result.put(("amqtt broker", "stopped"))

    asyncio.run(main())


def ftp_server(ready: Queue, stop: Event, result: Queue, root: str) -> None:
    """A pyftpdlib server with one user, counting the files that landed."""
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.log import config_logging
    from pyftpdlib.servers import FTPServer

    authorizer = DummyAuthorizer()
    authorizer.add_user(FTP_USER, FTP_USER, root, perm="elradfmwMT")
    handler = type("Handler", (FTPHandler,), {"authorizer": authorizer})
    config_logging(level=logging.WARNING)
    server = FTPServer(("127.0.0.1", 0), handler)
    ready.put(server.address[1])
    serving = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.2, "handle_exit": False},
                               daemon=True)
    serving.start()
    stop.wait()
    server.close_all()
    serving.join(10)
    result.put(("ftp files landed", sum(1 for p in Path(root).rglob("*.csv"))))


def http_poller(endpoints: list[str], stop: Event, result: Queue) -> None:
    """Poll apiCount (yesterday, hourly: the defaults) round-robin at POLLS_PER_S, as a hub would."""
    import httpx

    latencies, errors, tokens = [], 0, {}
    with httpx.Client(timeout=30) as client:
        i, next_at = 0, time.monotonic()
        while not stop.is_set():
            url = endpoints[i % len(endpoints)]
            i += 1
            began = time.monotonic()
            try:
                if url not in tokens:
                    login = {"username": "admin", "password": "123456"}
                    token = client.get(f"{url}/cgi-bin/access_token.cgi", params=login)
                    tokens[url] = token.json()["access_token"]
                reply = client.get(f"{url}/cgi-bin/apiCount.cgi", params={"access_token": tokens[url]})
                reply.raise_for_status()
                latencies.append(time.monotonic() - began)
            except httpx.HTTPError:
                errors += 1
            next_at += 1 / POLLS_PER_S
            time.sleep(max(0.0, next_at - time.monotonic()))
    median = statistics.median(latencies) * 1000 if latencies else float("nan")
    result.put(("apiCount polls", f"{len(latencies)} ok, {errors} failed, median {median:.0f} ms"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mosquitto_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=0.5).close()
    except OSError:
        return False
    return True


# ---- the measurement ---------------------------------------------------------------------------

def push_figures(runner: FleetRunner) -> tuple[int, int, int]:
    """Crossings counted, messages sent and events acknowledged so far, over WebSocket and MQTT."""
    summed = total(channel_figures(runner))
    return summed.counted or 0, summed.sent or 0, summed.acknowledged or 0


async def measure(fleet: Fleet, targets: Targets, ctx: Any, results: Queue) -> dict[str, Any]:
    """Start the runner, let it settle, measure WINDOW_S of real time, stop it."""
    runner = FleetRunner(fleet, SimClock(SPEED, START), targets)
    began = time.perf_counter()
    await runner.start()
    startup = time.perf_counter() - began
    assert runner.http is not None
    # The poller has its own stop: it must finish before the device servers go away.
    polling = ctx.Event()
    poller = ctx.Process(target=http_poller, args=(list(runner.http.endpoints.values()), polling, results))
    poller.start()
    await asyncio.sleep(SETTLE_S)
    wall0, cpu0, sim0, pushed0 = time.perf_counter(), time.process_time(), runner.cursor, push_figures(runner)
    await asyncio.sleep(WINDOW_S)
    wall1, cpu1, sim1, pushed1 = time.perf_counter(), time.process_time(), runner.cursor, push_figures(runner)
    polling.set()
    await asyncio.to_thread(poller.join, 30)
    await runner.stop()
    return {"runner": runner, "startup": startup, "wall": wall1 - wall0, "cpu": cpu1 - cpu0,
            "sim": (sim0, sim1), "pushed": [b - a for a, b in zip(pushed0, pushed1, strict=True)],
            "poller": poller}


def bare_queries(fleet: Fleet, sim: tuple[int, int], tick_s: float) -> tuple[float, int]:
    """CPU seconds of the traffic queries alone over the same simulated window, tick by tick."""
    step = max(1, round(tick_s * SPEED))
    began, found = time.process_time(), 0
    for start in range(sim[0], sim[1], step):
        found += len(fleet_crossings(fleet, start, min(start + step, sim[1])))
    return time.process_time() - began, found


def main() -> None:
    raise_open_file_limit()
    ctx = mp.get_context("spawn")
    stop, ready, results = ctx.Event(), ctx.Queue(), ctx.Queue()
    root = tempfile.mkdtemp(prefix="footfall-bench-ftp-")
    servers = [ctx.Process(target=ws_server, args=(ready, stop, results))]
    servers[0].start()
    ws_port = ready.get(timeout=30)
    if mosquitto_up():
        mqtt_url, broker = "mqtt://127.0.0.1:1883", "Mosquitto 127.0.0.1:1883"
    else:
        servers.append(ctx.Process(target=amqtt_broker, args=(ready, stop, results)))
        servers[-1].start()
        mqtt_url, broker = f"mqtt://127.0.0.1:{ready.get(timeout=60)}", "amqtt (separate process)"
    servers.append(ctx.Process(target=ftp_server, args=(ready, stop, results, root)))
    servers[-1].start()
    ftp = FtpPushConfig(host="127.0.0.1", port=ready.get(timeout=30), username=FTP_USER, password=FTP_USER)
    targets = Targets(ws_url=f"ws://127.0.0.1:{ws_port}/", mqtt_url=mqtt_url, ftp=ftp, http_port=0,
                      bacnet_port=0)
    fleet = bench_fleet()
    try:
        run = asyncio.run(measure(fleet, targets, ctx, results))
    finally:
        stop.set()
    for process in [*servers]:
        process.join(30)
    run["poller"].join(30)
    others = dict(results.get(timeout=5) for _ in range(len(servers) + 1))
    runner: FleetRunner = run["runner"]
    query_cpu, query_found = bare_queries(fleet, run["sim"], runner.tick_s)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall, cpu = run["wall"], run["cpu"]
    counted, sent, acked = (n / wall for n in run["pushed"])
    by_channel = {r.channel: r.counters for r in channel_figures(runner)}
    print(f"counters: {COUNTERS} over {SITES} sites, channels "
          + ", ".join(f"{ch} {n}" for ch, n in by_channel.items()))
    print(f"speed {SPEED:g}x from {datetime.fromtimestamp(START, UTC):%Y-%m-%d %H:%M}Z; broker: {broker}")
    print(f"start-up: {run['startup']:.1f} s (site-days generated, ports bound, push links up)")
    print(f"window: {wall:.1f} s real = {(run['sim'][1] - run['sim'][0]) / 60:.0f} min simulated")
    print(f"events: {counted:,.0f}/s counted, {sent:,.0f}/s pushed (messages), {acked:,.0f}/s acknowledged")
    for name, value in others.items():
        print(f"{name}: {value}")
    print(f"simulator process: {cpu / wall:.0%} of one core ({cpu:.1f} s CPU in {wall:.1f} s), "
          f"peak RSS {peak_rss:.0f} MB")
    print(f"ceiling, same run: the bare traffic queries for the same simulated window ({query_found:,} "
          f"crossings) take {query_cpu:.2f} s CPU = {query_cpu / wall:.1%} of one core; "
          f"the simulator process costs {cpu / query_cpu:.1f}x that")


if __name__ == "__main__":
    main()
