"""The BACnet "test connection": read one complete hour from a counter."""

from __future__ import annotations

import time

from footfall.connectors.bacnet.config import BacnetConfig, CounterTarget
from footfall.connectors.bacnet.parse import device_instance
from footfall.connectors.spec import ProbeFailed


class ProbeConfig(BacnetConfig):
    """The poller's settings plus the one counter to try."""

    host: str
    port: int = 47808
    timezone: str = "UTC"
    company_serial: str | None = None


async def probe_bacnet(config: ProbeConfig) -> str:
    """Read In-C-1 / Out-C-1 once and say what the device answered."""
    from footfall.connectors.bacnet.connector import BacnetPoller, PollFailed  # bacpypes3: only when used

    poller = BacnetPoller(None, None, BacnetConfig(**config.model_dump(  # type: ignore[arg-type]
        exclude={"host", "port", "timezone", "company_serial"})), clock=time.time)
    target = CounterTarget(counter_id=0, company_id=0, serial="probe", host=config.host, port=config.port,
                           timezone=config.timezone, device_instance=device_instance(config.company_serial))
    await poller.start()
    try:
        reading = await poller.read(target, range(1, 2))
    except PollFailed as error:
        raise ProbeFailed(str(error)) from None
    finally:
        await poller.stop()
    ins, outs = reading.counts[1]
    return f"BACnet device at {target.address}: last complete hour {ins} in, {outs} out"
