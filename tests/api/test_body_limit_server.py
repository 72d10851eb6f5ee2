"""The body limit on a real server on loopback: declared and chunked bodies over the limit."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from footfall.api.app import create_app
from footfall.settings import Settings
from tests.api.helpers import BODY_LIMIT


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    """A uvicorn server of the hub on a free loopback port (SQLite)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings(data_dir=tmp_path, max_body_bytes=BODY_LIMIT))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield port
    instance.should_exit = True
    thread.join(timeout=10)


def _post(port: int, body: bytes | Iterator[bytes], chunked: bool) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer ff_x"}
    if not chunked:
        assert isinstance(body, bytes)
        headers["Content-Length"] = str(len(body))
    try:
        conn.request("POST", "/api/v1/sites", body=body, headers=headers,
                     encode_chunked=chunked)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_declared_length_over_limit(server: int) -> None:
    status, payload = _post(server, b"x" * (BODY_LIMIT + 1), chunked=False)
    assert status == 413 and "larger than the limit" in payload["detail"]


def test_chunked_body_over_limit(server: int) -> None:
    chunks = iter([b"x" * 1024] * 8)
    status, payload = _post(server, chunks, chunked=True)
    assert status == 413 and "larger than the limit" in payload["detail"]


def test_small_chunked_body_reaches_auth(server: int) -> None:
    status, _ = _post(server, iter([b"{}"]), chunked=True)
    assert status == 401
