"""The hub's MQTT subscriber against a real broker, fed by the simulator's MQTT counters.

The broker is Mosquitto on 127.0.0.1:1883 (required with CI=true), else amqtt in-process; the
shared-subscription test needs Mosquitto and PostgreSQL (two hub workers on one database).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Iterator
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from footfall.connectors.mqtt import MqttSubscriber
from footfall.connectors.mqtt.broker import embedded_broker
from footfall.domain.timegrid import Interval
from footfall.ingest.core import IngestCore
from footfall.simulator.clock import SimClock
from footfall.simulator.devices.mqtt_publish import MqttPublishDevice
from footfall.simulator.devices.payloads import counting_payload, occupancy_payload, will_payload
from footfall.simulator.faults import FaultPlan
from footfall.simulator.traffic import crossings
from footfall.simulator.truth import truth_rows
from footfall.storage.engine import make_engine, read_tx
from footfall.storage.tables import alive_span
from tests.connectors.mqtt_hub import (
    TZ,
    WINDOW,
    event_count,
    events_by_minute,
    faults,
    fleet,
    hub_config,
    occupancy_rows,
    offline_at,
    publish,
    publisher,
    running,
    topic_prefix,
    until,
    witness,
)
from tests.core.helpers import make_estate, rows
from tests.databases import empty
from tests.simulator.mqtt_broker import free_port, mqtt_broker


@pytest.fixture
def broker_url() -> Iterator[str]:
    """Mosquitto on 127.0.0.1:1883 when it is up (always with CI=true), else amqtt in-process."""
    with mqtt_broker("auto") as url:
        yield url


def test_hub_totals_match_the_simulators_truth_when_nothing_is_dropped(engine: Engine,
                                                                        broker_url: str) -> None:
    sim = fleet(doors=2)
    company_id = make_estate(engine, TZ, [])  # the counters are unknown: kept as unassigned
    start, end = WINDOW, WINDOW + 3600
    offered = {c.serial: crossings(sim, c.serial, start, end) for c in sim.counters}
    expected = {(r.serial, r.line, r.minute_ts): [r.in_, r.out, r.staff_in, r.staff_out]
                for r in truth_rows(sim, start, end)}
    prefix = topic_prefix()
    core = IngestCore(engine)

    async def scenario() -> None:
        async with running(hub_config(broker_url, company_id, prefix), core) as hub:
            devices = [MqttPublishDevice(c, sim.site("S1"), broker_url, clock=SimClock(start=start),
                                         topic=f"{prefix}/status/{{serial}}") for c in sim.counters]
            tasks = [asyncio.create_task(d.run()) for d in devices]
            await until(lambda: all(d.stats.state == "connected" for d in devices))
            for d in devices:
                d.offer(offered[d.counter.serial])
            total = sum(map(len, offered.values()))
            await until(lambda: hub.stats.events == total, 15)
            await until(lambda: sum(occupancy_rows(engine, company_id).values()) >= len(devices))
            for d in devices:
                await d.stop()
            await asyncio.gather(*tasks)
            assert (hub.stats.refused, hub.stats.dropped, hub.stats.duplicates) == (0, 0, 0)

    asyncio.run(scenario())
    core.close()
    assert sum(map(len, offered.values())) > 300
    assert events_by_minute(engine, company_id) == expected
    assert set(occupancy_rows(engine, company_id)) == {c.serial for c in sim.counters}
    with read_tx(engine) as conn:  # QoS 0 proves nothing: MQTT never claims coverage
        assert conn.execute(select(func.count()).select_from(alive_span)).scalar_one() == 0


def test_a_last_will_marks_the_counter_offline_until_it_speaks_again(sqlite_engine: Engine,
                                                                      broker_url: str) -> None:
    sim = fleet(doors=1)
    spec = sim.counters[0]
    serial = spec.serial
    company_id = make_estate(sqlite_engine, TZ, [serial])
    prefix = topic_prefix()
    core = IngestCore(sqlite_engine)
    # At 20x: online 1 s, then gone without a DISCONNECT for 2 s (the broker publishes the will).
    plan = FaultPlan(offline=((WINDOW + 20, WINDOW + 60),))

    async def scenario() -> None:
        async with running(hub_config(broker_url, company_id, prefix), core) as hub:
            device = MqttPublishDevice(spec, sim.site("S1"), broker_url, clock=SimClock(20, WINDOW),
                                       topic=f"{prefix}/status/{{serial}}", faults=plan, retry_s=(0.05, 0.2))
            task = asyncio.create_task(device.run())
            # The hub counts a last will once its batch is committed: then the mark is stored.
            await until(lambda: hub.stats.offline == 1)
            assert offline_at(sqlite_engine, company_id, serial) is not None
            await until(lambda: device.stats.connects == 2)
            device.offer(crossings(sim, serial, WINDOW + 60, WINDOW + 3600)[:3])
            await until(lambda: offline_at(sqlite_engine, company_id, serial) is None)
            await device.stop()
            await task

    asyncio.run(scenario())
    core.close()


def test_bad_payloads_are_counted_per_counter_and_the_good_ones_next_to_them_stored(
        engine: Engine, broker_url: str) -> None:
    sim = fleet(doors=1)
    serial = sim.counters[0].serial
    company_id = make_estate(engine, TZ, [serial])
    prefix = topic_prefix()
    good = crossings(sim, serial, WINDOW, WINDOW + 600)[:5]
    tz = ZoneInfo(TZ)
    core = IngestCore(engine)

    async def scenario() -> None:
        async with running(hub_config(broker_url, company_id, prefix), core) as hub, \
                publisher(broker_url) as pub:
            topic = f"{prefix}/status/{serial}"
            await publish(pub, topic, '{"CameraSerial": "' + serial + '", "MetricId": 1, "RoiI')
            await publish(pub, topic, counting_payload(good[0], tz))
            await publish(pub, topic, b"\xff\xfe\x00binary")
            await publish(pub, f"{prefix}/status/not-a-serial!", {"Temperature": 41})
            for crossing in good[1:]:
                await publish(pub, topic, counting_payload(crossing, tz))
            await publish(pub, topic, occupancy_payload(serial, 1, 2, WINDOW + 60, tz))
            await until(lambda: hub.stats.events == 5 and hub.stats.occupancy == 1)
            assert faults(engine, company_id) == {
                serial: (2, "payload is not UTF-8 text"),
                "": (1, "not a counting, occupancy or status payload (no MetricId, ObjectCount or "
                        "Status field)")}
            await publish(pub, topic, {"CameraSerial": serial, "MetricId": 9, "RoiId": 1,
                                       "EventStartTime": WINDOW})
            await until(lambda: faults(engine, company_id)[serial][0] == 3)
            assert hub.stats.refused == 4 and hub.stats.state == "subscribed"

    asyncio.run(scenario())
    core.close()
    assert faults(engine, company_id)[serial] == (3, "unknown MetricId 9 (1 = in, 2 = out)")
    assert event_count(engine, company_id) == 5


@pytest.fixture
def pg_engines(pg_url: str) -> Iterator[tuple[Engine, Engine]]:
    """Two engines (two hub workers) on one emptied PostgreSQL database."""
    first, second = empty(make_engine(pg_url)), make_engine(pg_url)
    yield first, second
    first.dispose()
    second.dispose()


@pytest.mark.postgres
def test_two_hub_workers_on_a_shared_subscription_store_each_message_once(
        pg_engines: tuple[Engine, Engine]) -> None:
    one, two = pg_engines
    sim = fleet(doors=2)
    company_id = make_estate(one, TZ, [c.serial for c in sim.counters])
    prefix, group = topic_prefix(), f"hub{secrets.token_hex(3)}"
    sent = sorted((c for d in sim.counters for c in crossings(sim, d.serial, WINDOW, WINDOW + 1800)),
                  key=lambda c: c.at)
    tz = ZoneInfo(TZ)
    cores = IngestCore(one), IngestCore(two)

    async def scenario(url: str) -> None:
        configs = [hub_config(url, company_id, prefix, share_group=group) for _ in cores]
        async with running(configs[0], cores[0]) as first, running(configs[1], cores[1]) as second, \
                publisher(url) as pub:
            for crossing in sent:
                await publish(pub, f"{prefix}/status/{crossing.serial}", counting_payload(crossing, tz))
            hubs = (first, second)
            await until(lambda: sum(h.stats.events for h in hubs) == len(sent), 15)
            await asyncio.sleep(0.3)  # time for any second delivery to show
            assert sum(h.stats.received for h in hubs) == len(sent)
            assert all(h.stats.received > 0 for h in hubs), "the broker split the stream"
            assert sum(h.stats.duplicates for h in hubs) == 0

    with mqtt_broker("mosquitto") as url:  # amqtt has no $share
        asyncio.run(scenario(url))
    for core in cores:
        core.close()
    assert event_count(one, company_id) == len(sent)


def test_messages_lost_while_the_hub_is_away_show_as_partial_not_as_silent_zeros(
        engine: Engine, broker_url: str) -> None:
    sim = fleet(doors=2, outside_line=False)  # entrance lines only: the site's in is every line's in
    serials = sorted(c.serial for c in sim.counters)
    company_id = make_estate(engine, TZ, serials)
    prefix = topic_prefix()
    first, second = WINDOW, WINDOW + 3600  # 12:00 and 13:00 in London
    delivered = [c for s in serials for c in crossings(sim, s, first, first + 3600)]
    half = [c for s in serials for c in crossings(sim, s, second, second + 1800)]
    lost = [c for s in serials for c in crossings(sim, s, second + 1800, second + 7200)]
    core = IngestCore(engine)

    async def scenario() -> None:
        devices = {c.serial: MqttPublishDevice(c, sim.site("S1"), broker_url, clock=SimClock(start=first),
                                               topic=f"{prefix}/status/{{serial}}", occupancy_every_s=None)
                   for c in sim.counters}
        tasks = [asyncio.create_task(d.run()) for d in devices.values()]
        await until(lambda: all(d.stats.state == "connected" for d in devices.values()))
        hub = MqttSubscriber(hub_config(broker_url, company_id, prefix))
        await hub.start(core)
        await hub.wait_subscribed()
        for batch in (delivered, half):
            for c in batch:
                devices[c.serial].offer([c])
        await until(lambda: hub.stats.events == len(delivered) + len(half))
        await hub.stop()  # the hub is away: QoS 0 and no session, so the broker drops these
        async with witness(broker_url, f"{prefix}/status/+") as seen:
            for c in lost:
                devices[c.serial].offer([c])
            # Once a bystander got them all, the broker has dispatched them: none is left for the hub.
            await until(lambda: seen.seen == len(lost))
        await hub.start(core)
        await hub.wait_subscribed()
        for d in devices.values():
            await d.stop()
        await asyncio.gather(*tasks)
        await hub.stop()
        assert hub.stats.connects == 2

    asyncio.run(scenario())
    core.close()
    day = rows(engine, company_id, Interval.HOUR, date(2025, 6, 10), date(2025, 6, 10))
    by_start = {r["start"][11:16]: r for r in day}
    truth_in = {h: sum(r.in_ for r in truth_rows(sim, t, t + 3600))
                for h, t in (("12:00", first), ("13:00", second), ("14:00", second + 3600))}
    noon, one, two = by_start["12:00"], by_start["13:00"], by_start["14:00"]
    assert noon["in"] == truth_in["12:00"] and 0 < one["in"] < truth_in["13:00"] and two["in"] == 0
    assert truth_in["14:00"] > 0
    # Without coverage the hub never calls an hour complete: counted hours are partial (naming
    # the counters), the hour that lost everything is no_data — never a complete zero.
    assert (noon["aggregation_status"], one["aggregation_status"]) == ("partial", "partial")
    assert one["missing_counters"] == serials
    assert two["aggregation_status"] == "no_data"
    assert all(r["aggregation_status"] != "complete" for r in day)


def test_the_embedded_broker_probe_and_reconnect_with_backoff(sqlite_engine: Engine,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    company_id = make_estate(sqlite_engine, TZ, [])
    serial = "0000000000c0ffee"
    port = free_port()
    url, prefix = f"mqtt://127.0.0.1:{port}", topic_prefix()
    core = IngestCore(sqlite_engine)
    caplog.set_level(logging.INFO, logger="footfall.connectors.mqtt")

    async def broker_up(hub: MqttSubscriber, times: int) -> None:
        async with embedded_broker(port) as served, publisher(served) as pub:
            assert served == url
            await until(lambda: hub.stats.connects == times and hub.stats.state == "subscribed")
            probe = await hub.probe(timeout_s=5)
            assert probe.ok and probe.message.endswith(f"subscribed to {prefix}/status/+"), probe
            await publish(pub, f"{prefix}/status/{serial}", will_payload(serial))
            await until(lambda: hub.stats.offline == times)

    async def scenario() -> None:
        hub = MqttSubscriber(hub_config(url, company_id, prefix))
        probe = await hub.probe(timeout_s=5)
        assert not probe.ok and probe.message.startswith(f"could not connect to mqtt://127.0.0.1:{port}")
        await hub.start(core)  # no broker yet: the hub keeps trying
        await until(lambda: hub.stats.state == "retrying")
        for times in (1, 2):  # the broker comes, goes and comes back
            await broker_up(hub, times)
            await until(lambda: hub.stats.state == "retrying")
        await hub.stop()
        assert hub.stats.state == "stopped" and hub.stats.connects == 2

    asyncio.run(scenario())
    core.close()
    assert offline_at(sqlite_engine, company_id, serial) is not None
    messages = [r.getMessage() for r in caplog.records]
    # Three outages (before the first broker, after each): one line when each starts and ends.
    assert sum("link failing" in m for m in messages) == 3
    assert sum("link recovered" in m for m in messages) == 2


def test_a_refused_login_stops_the_subscriber_and_says_why(sqlite_engine: Engine) -> None:
    from amqtt.broker import Broker

    port = free_port()
    config = hub_config(f"mqtt://127.0.0.1:{port}", make_estate(sqlite_engine, TZ, []), topic_prefix())
    core = IngestCore(sqlite_engine)

    async def scenario() -> None:
        broker = Broker({  # amqtt refusing anonymous logins
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": False}}})
        await broker.start()
        try:
            hub = MqttSubscriber(config)
            probe = await hub.probe(timeout_s=5)
            assert not probe.ok and "refused the login" in probe.message, probe
            assert "check username and password" in probe.message
            await hub.start(core)
            await until(lambda: hub.stats.state == "refused")
            assert "Not authorized" in (hub.stats.last_error or "") and hub.stats.connects == 0
            await hub.stop()
        finally:
            await broker.shutdown()

    asyncio.run(scenario())
    core.close()
