"""WebSocket connector (push): counters send `ffc-eventrawdata` to `ws://HOST:PORT/ws`; `OK` after commit."""

from footfall.connectors.websocket.config import WebSocketConfig, WebSocketLogin, load_config
from footfall.connectors.websocket.connector import WebSocketServer
from footfall.connectors.websocket.protocol import LeanWebSocketProtocol, uvicorn_options

KEY = "websocket"
KIND = "push"
CONFIG = WebSocketConfig
CONNECTOR = WebSocketServer

__all__ = ["CONFIG", "CONNECTOR", "KEY", "KIND", "LeanWebSocketProtocol", "WebSocketConfig", "WebSocketLogin",
           "WebSocketServer", "load_config", "uvicorn_options"]
