"""One subscriber's bounded feed: a slow reader loses its oldest messages and is told, never blocks."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any

Message = tuple[str, dict[str, Any]]  # (SSE event name, data)
DEFAULT_LIMIT = 256


class Subscription:
    """Messages of one site for one dashboard, oldest first."""

    def __init__(self, company_id: int, site_id: int, limit: int = DEFAULT_LIMIT) -> None:
        self.company_id, self.site_id, self.limit = company_id, site_id, limit
        self.closed = False
        self.dropped = 0  # since the last `get`
        self._items: deque[Message] = deque()
        self._ready = asyncio.Event()

    def put(self, message: Message) -> None:
        """Add a message (event loop); past the limit the oldest one is dropped."""
        if self.closed:
            return
        if len(self._items) >= self.limit:
            self._items.popleft()
            self.dropped += 1
        self._items.append(message)
        self._ready.set()

    def close(self) -> None:
        """No more messages: a waiting `get` returns what is left."""
        self.closed = True
        self._ready.set()

    async def get(self, timeout_s: float) -> list[Message]:
        """Everything queued (waiting up to `timeout_s`), after a `lagged` notice if any was lost."""
        if not self._items and not self.closed:
            self._ready.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout_s):
                    await self._ready.wait()
        taken = list(self._items)
        self._items.clear()
        if self.dropped:
            taken.insert(0, ("lagged", {"dropped": self.dropped}))
            self.dropped = 0
        return taken
