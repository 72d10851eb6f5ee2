"""A misbehaving device on loopback: answers apiCount with whatever body the test sets."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit


class BadDevice:
    """A real HTTP server (own thread) that logs in anyone and serves a set apiCount reply."""

    def __init__(self) -> None:
        self.count_reply: tuple[int, dict[str, str], bytes] = (200, {}, b"{}")
        self.hits: list[tuple[str, dict[str, list[str]]]] = []
        device = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                device.hits.append((parts.path, parse_qs(parts.query)))
                if parts.path.endswith("access_token.cgi"):
                    status, headers, body = 200, {}, b'{"access_token": "t0ken", "serial": "x"}'
                else:
                    status, headers, body = device.count_reply
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> BadDevice:
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)
