"""The BACnet/IP device on loopback, read by a real bacpypes3 client with ReadPropertyMultiple."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from bacpypes3.apdu import AbortPDU
from bacpypes3.app import Application
from bacpypes3.local.device import DeviceObject
from bacpypes3.local.networkport import NetworkPortObject
from bacpypes3.pdu import Address

from footfall.simulator.clock import SimClock
from footfall.simulator.devices.bacnet_device import BacnetDevice, current_hour_start
from footfall.simulator.faults import FaultPlan
from footfall.simulator.fleet import ENTRANCE_ROI, CounterSpec, Fleet, SiteSpec
from footfall.simulator.traffic import crossings, tallies

ALL_DAY = ((0, 1440),) * 7
FLEET = Fleet(
    seed=5,
    sites=(
        SiteSpec("LON", "London", "Europe/London", ALL_DAY, daily_visitors=3000),
        SiteSpec("DEL", "Delhi", "Asia/Kolkata", ALL_DAY, daily_visitors=3000),
    ),
    counters=(
        CounterSpec("00000000000b0001", "FFC-2024-000731", "LON", 1, 1.0, True, ("bacnet",)),
        CounterSpec("00000000000b0002", "FFC-2024-004242", "DEL", 1, 1.0, False, ("bacnet",)),
    ),
)
LONDON, DELHI = FLEET.counters
# Saturday 2025-06-14 15:20 in London (14:20 UTC) and 19:50 in Delhi: mid-hour, so no hour ends mid-test.
START = datetime(2025, 6, 14, 14, 20, tzinfo=UTC).timestamp()


def _device(counter: CounterSpec, clock: SimClock, **kwargs: Any) -> BacnetDevice:
    return BacnetDevice(counter, FLEET.site(counter.site_code), FLEET, clock, port=0, **kwargs)


def _client(timeout_ms: int = 3000, retries: int = 2) -> Application:
    """A BACnet client on loopback; patient by default, as a loaded CI machine needs."""
    device = DeviceObject(objectIdentifier=("device", 4194000), objectName="test-client",
                          vendorIdentifier=999, apduTimeout=timeout_ms, numberOfApduRetries=retries)
    port = NetworkPortObject("127.0.0.1/32:0", objectIdentifier=("network-port", 1),
                             objectName="NetworkPort-1")
    return Application.from_object_list([device, port])


def _expected(counter: CounterSpec, start: int, end: int) -> tuple[int, int]:
    """Visitor (in, out) of the entrance line over the whole minutes [start, end) from the minute tallies."""
    rows = [t for t in tallies(FLEET, counter.serial, start, end, 60) if t.roi == ENTRANCE_ROI]
    return sum(t.in_ for t in rows), sum(t.out for t in rows)


def _so_far(counter: CounterSpec, start: int, now: float) -> tuple[int, int]:
    """Visitor (in, out) of the entrance line from `start` up to the second `now` falls in."""
    found = [c for c in crossings(FLEET, counter.serial, start, int(now) + 1)
             if c.roi == ENTRANCE_ROI and c.people_type == 1]
    return sum(c.metric == 1 for c in found), sum(c.metric == 2 for c in found)


async def _read(client: Application, device: BacnetDevice, hours: range) -> dict[str, float]:
    """present-value by object name of In-C-X / Out-C-X for X in `hours`, in one ReadPropertyMultiple."""
    request: list[Any] = []
    for x in hours:
        request += [f"analog-value,{x}", ["object-name", "present-value"]]
        request += [f"analog-value,{48 + x}", ["object-name", "present-value"]]
    result = await client.read_property_multiple(Address(device.address), request)
    assert isinstance(result, list), result
    names = {obj: value for obj, prop, _, value in result if str(prop) == "object-name"}
    return {names[obj]: value for obj, prop, _, value in result if str(prop) == "present-value"}


def test_read_property_multiple_gives_the_hour_counts_of_the_ground_truth() -> None:
    async def scenario() -> None:
        clock = SimClock(start=START)
        device = _device(LONDON, clock)
        await device.start()
        client = _client()
        try:
            before = clock.now()
            values = await _read(client, device, range(48))
            after = clock.now()
        finally:
            client.close()
            await device.stop()
        assert len(values) == 96
        h0 = current_hour_start(before, "Europe/London")
        assert h0 == START - 20 * 60
        for x in range(1, 48):
            ins, outs = _expected(LONDON, h0 - x * 3600, h0 - x * 3600 + 3600)
            assert (values[f"In-C-{x}"], values[f"Out-C-{x}"]) == (ins, outs), x
        assert sum(values[f"In-C-{x}"] for x in range(1, 25)) > 0
        low, high = _so_far(LONDON, h0, before), _so_far(LONDON, h0, after)
        assert low[0] <= values["In-C-0"] <= high[0] and low[1] <= values["Out-C-0"] <= high[1]

    asyncio.run(scenario())


def test_the_device_is_named_ffc_with_the_company_serial_instance() -> None:
    async def scenario() -> None:
        device = _device(LONDON, SimClock(start=START))
        await device.start()
        client = _client()
        try:
            result = await client.read_property_multiple(
                Address(device.address),
                [f"device,{LONDON.bacnet_instance}", ["object-identifier", "object-name", "local-time"]],
            )
        finally:
            client.close()
            await device.stop()
        values = {str(prop): value for _, prop, _, value in result}
        assert values["object-name"] == "FFC"
        assert tuple(values["object-identifier"]) == (8, 731) and device.instance == 731
        assert tuple(values["local-time"])[:2] == (15, 20)  # the site's local time on the simulated clock

    asyncio.run(scenario())


def test_two_devices_on_two_ports_in_one_process_half_hour_zone_included() -> None:
    async def scenario() -> None:
        clock = SimClock(start=START)
        devices = [_device(LONDON, clock), _device(DELHI, clock)]
        for device in devices:
            await device.start()
        client = _client()
        try:
            assert devices[0].port != devices[1].port
            london, delhi = [await _read(client, device, range(1, 4)) for device in devices]
        finally:
            client.close()
            for device in devices:
                await device.stop()
        h0 = current_hour_start(START, "Asia/Kolkata")
        assert h0 % 3600 == 1800  # Delhi's hours start at :30 UTC
        for x in range(1, 4):
            hour = h0 - x * 3600
            assert (delhi[f"In-C-{x}"], delhi[f"Out-C-{x}"]) == _expected(DELHI, hour, hour + 3600)
        assert london != delhi

    asyncio.run(scenario())


def test_an_offline_device_does_not_answer_until_the_window_ends() -> None:
    async def scenario() -> None:
        clock = SimClock(start=START)
        device = _device(LONDON, clock, faults=FaultPlan(offline=((int(START) - 60, int(START) + 2),)))
        await device.start()
        quick = _client(timeout_ms=400, retries=0)  # gives up while the device is still away
        try:
            with pytest.raises(AbortPDU, match="no-response"):
                await asyncio.wait_for(_read(quick, device, range(1, 2)), 3)
        finally:
            quick.close()
        client = _client()
        try:
            await asyncio.sleep(clock.real_delay(START + 2.1))
            answered = await asyncio.wait_for(_read(client, device, range(1, 2)), 15)
        finally:
            client.close()
            await device.stop()
        assert set(answered) == {"In-C-1", "Out-C-1"}

    asyncio.run(scenario())


def test_a_port_in_use_is_refused() -> None:
    async def scenario() -> None:
        clock = SimClock(start=START)
        first = _device(LONDON, clock)
        await first.start()
        try:
            second = BacnetDevice(DELHI, FLEET.site("DEL"), FLEET, clock, port=first.port)
            with pytest.raises(OSError, match="already in use"):
                await second.start()
        finally:
            await first.stop()

    asyncio.run(scenario())
