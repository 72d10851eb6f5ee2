"""MQTT connector (push): subscribe to the counters' broker; counting, occupancy and last wills."""

from footfall.connectors.mqtt.config import MqttConfig
from footfall.connectors.mqtt.connector import MqttSubscriber, ProbeResult
from footfall.connectors.mqtt.session import MqttStats
from footfall.connectors.spec import ConnectorSpec, ProbeFailed

KEY = "mqtt"
KIND = "push"
CONFIG = MqttConfig
CONNECTOR = MqttSubscriber


async def _probe(config: MqttConfig) -> str:
    """Test connection: connect and subscribe once; ProbeFailed with the reason otherwise."""
    result = await MqttSubscriber(config).probe()
    if not result.ok:
        raise ProbeFailed(result.message)
    return result.message


SPEC = ConnectorSpec(key=KEY, kind="push", title="MQTT subscriber (counting, occupancy, last wills)",
                     source="live", config=MqttConfig, probe=_probe)

__all__ = ["CONFIG", "CONNECTOR", "KEY", "KIND", "SPEC", "MqttConfig", "MqttStats", "MqttSubscriber",
           "ProbeResult"]
