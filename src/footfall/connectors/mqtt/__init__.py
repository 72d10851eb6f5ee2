"""MQTT connector (push): subscribe to the counters' broker; counting, occupancy and last wills."""

from footfall.connectors.mqtt.config import MqttConfig
from footfall.connectors.mqtt.connector import MqttSubscriber, ProbeResult
from footfall.connectors.mqtt.session import MqttStats

KEY = "mqtt"
KIND = "push"
CONFIG = MqttConfig
CONNECTOR = MqttSubscriber

__all__ = ["CONFIG", "CONNECTOR", "KEY", "KIND", "MqttConfig", "MqttStats", "MqttSubscriber", "ProbeResult"]
