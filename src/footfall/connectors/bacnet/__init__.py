"""BACnet/IP poller (poll): a counter's In-C-X / Out-C-X, read hourly with ReadPropertyMultiple."""

from footfall.connectors.bacnet.config import BacnetConfig
from footfall.connectors.bacnet.probe import ProbeConfig, probe_bacnet
from footfall.connectors.spec import ConnectorSpec

SPEC = ConnectorSpec(
    key="bacnet",
    kind="poll",
    title="BACnet/IP (In-C-X / Out-C-X)",
    source="bacnet",
    config=ProbeConfig,
    probe=probe_bacnet,
)

# The poller (bacpypes3) is imported only where it runs: `footfall.connectors.bacnet.connector`.
__all__ = ["SPEC", "BacnetConfig", "ProbeConfig"]
