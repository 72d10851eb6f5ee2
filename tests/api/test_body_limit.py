"""Request bodies over the limit get a 413, whether declared up front or streamed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from footfall.api.body_limit import BodyLimitMiddleware
from tests.api.helpers import BODY_LIMIT, Tenant


def _big_site() -> bytes:
    return b'{"code": "S1", "name": "' + b"x" * BODY_LIMIT + b'", "timezone": "UTC"}'


def test_content_length_over_limit(client: TestClient, a: Tenant) -> None:
    response = client.post("/api/v1/sites", content=_big_site(),
                           headers={**a.headers, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert str(BODY_LIMIT) in response.json()["detail"]
    assert client.get("/api/v1/sites", headers=a.headers).json() == []


def test_chunked_body_over_limit(client: TestClient, a: Tenant) -> None:
    def chunks() -> Iterator[bytes]:
        body = _big_site()
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]

    response = client.post("/api/v1/sites", content=chunks(),
                           headers={**a.headers, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert "larger than the limit" in response.json()["detail"]
    assert client.get("/api/v1/sites", headers=a.headers).json() == []


def test_body_under_limit_passes(client: TestClient, a: Tenant) -> None:
    response = client.post("/api/v1/sites", headers=a.headers,
                           json={"code": "S1", "name": "x" * 100, "timezone": "UTC"})
    assert response.status_code == 201


def _run(limit: int, chunk_count: int, declared: int | None) -> tuple[int, int, bool]:
    """Drive the middleware with a streamed body; (status, chunks read, app reached)."""
    pulled = 0
    reached = False
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 100, "more_body": pulled < chunk_count}

    async def send(message: Message) -> None:
        sent.append(message)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal reached
        reached = True
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    headers = [] if declared is None else [(b"content-length", str(declared).encode())]
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    asyncio.run(BodyLimitMiddleware(app, max_body_bytes=limit)(scope, receive, send))
    return sent[0]["status"], pulled, reached


def test_streamed_body_stops_being_read_at_the_limit() -> None:
    status, pulled, _ = _run(limit=1000, chunk_count=10_000, declared=None)
    assert status == 413 and pulled == 11  # 1,100 bytes: one chunk past the limit, no more


def test_declared_length_is_refused_before_reading() -> None:
    status, pulled, reached = _run(limit=1000, chunk_count=10_000, declared=1_000_000)
    assert (status, pulled, reached) == (413, 0, False)


def test_small_stream_passes() -> None:
    assert _run(limit=1000, chunk_count=10, declared=None)[0] == 200
