"""Device HTTP API connector (poll): the counter's own store via access_token.cgi and apiCount.cgi."""

from footfall.connectors.device_api.config import DeviceApiConfig, PollerLimits
from footfall.connectors.device_api.connector import DeviceApiPoller, PullOutcome
from footfall.connectors.device_api.service import counter_config, device_api_running, probe
from footfall.connectors.spec import ConnectorSpec

KEY = "device_api"
KIND = "poll"
CONFIG = DeviceApiConfig
CONNECTOR = DeviceApiPoller
SPEC = ConnectorSpec(key=KEY, kind="poll", title="Device HTTP API (access_token.cgi, apiCount.cgi)",
                     source="device_api", config=DeviceApiConfig, probe=probe)

__all__ = ["CONFIG", "CONNECTOR", "KEY", "KIND", "SPEC", "DeviceApiConfig", "DeviceApiPoller", "PollerLimits",
           "PullOutcome", "counter_config", "device_api_running", "probe"]
