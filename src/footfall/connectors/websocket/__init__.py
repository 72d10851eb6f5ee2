"""WebSocket connector (push): counters send `ffc-eventrawdata` to `ws://HOST:PORT/ws`; `OK` after commit."""

from footfall.connectors.spec import ConnectorSpec
from footfall.connectors.websocket.config import WebSocketConfig, WebSocketLogin, load_config
from footfall.connectors.websocket.connector import WebSocketServer
from footfall.connectors.websocket.protocol import LeanWebSocketProtocol, uvicorn_options

KEY = "websocket"
KIND = "push"
CONFIG = WebSocketConfig
CONNECTOR = WebSocketServer
# A server the counters dial: there is nothing to probe until one connects.
SPEC = ConnectorSpec(key=KEY, kind="push", title="WebSocket push (ffc-eventrawdata, OK after commit)",
                     source="live", config=WebSocketConfig)

__all__ = ["CONFIG", "CONNECTOR", "KEY", "KIND", "SPEC", "LeanWebSocketProtocol", "WebSocketConfig",
           "WebSocketLogin", "WebSocketServer", "load_config", "uvicorn_options"]
