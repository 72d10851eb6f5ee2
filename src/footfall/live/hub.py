"""The live-out hub: committed events fanned out per site with the site's current occupancy.

The ingest core tells `_on_commit` (in its writer thread) what each commit stored; events of
watched sites hop to the event loop and go to each subscriber's bounded feed. Nothing here can
slow ingest: unwatched commits cost one set lookup, and a slow dashboard only loses messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from footfall.domain.records import Event
from footfall.ingest.core import IngestCore
from footfall.ingest.writer import Stored
from footfall.live.baseline import load_site
from footfall.live.fanout import DEFAULT_LIMIT, Message, Subscription
from footfall.live.occupancy import SiteLive

log = logging.getLogger(__name__)
ROLL_CHECK_S = 30.0
RECENT_MARGIN_S = 120  # events stored this long before a subscription are checked for double counting


@dataclass(slots=True)
class _Site:
    """One watched site: its state once loaded, events heard while loading, its subscribers."""

    ready: asyncio.Future[None]
    state: SiteLive | None = None
    heard: list[tuple[int, Event]] = field(default_factory=list)
    subscribers: set[Subscription] = field(default_factory=set)


class LiveHub:
    """Per-site fan-out of new events and occupancy to subscribers (dashboards)."""

    def __init__(self, engine: Engine, limit: int = DEFAULT_LIMIT) -> None:
        self._engine, self._limit = engine, limit
        self._sites: dict[int, _Site] = {}
        self._watched: frozenset[int] = frozenset()  # read by the writer thread
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unlisten: Callable[[], None] | None = None
        self._roller: asyncio.Task[None] | None = None

    async def start(self, ingest: IngestCore) -> None:
        """Listen to the ingest core's commits."""
        self._loop = asyncio.get_running_loop()
        self._unlisten = ingest.listen(self._on_commit)
        self._roller = asyncio.create_task(self._roll_days())

    async def stop(self) -> None:
        """Stop listening; every subscription ends."""
        if self._unlisten is not None:
            self._unlisten()
        if self._roller is not None:
            self._roller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._roller
        for site in self._sites.values():
            for subscription in site.subscribers:
                subscription.close()
        self._sites.clear()
        self._watched = frozenset()

    async def subscribe(self, company_id: int, site_id: int) -> Subscription:
        """A feed of the site's crossings and occupancy; it starts with the current occupancy."""
        site = self._sites.get(site_id)
        if site is None:
            site = self._sites[site_id] = _Site(asyncio.get_running_loop().create_future())
            self._watched = frozenset(self._sites)  # from here on commits are heard
            await self._load(company_id, site_id, site)
        else:
            await asyncio.shield(site.ready)
        subscription = Subscription(company_id, site_id, self._limit)
        site.subscribers.add(subscription)
        assert site.state is not None
        subscription.put(("occupancy", site.state.snapshot(int(time.time()))))
        return subscription

    async def _load(self, company_id: int, site_id: int, site: _Site) -> None:
        since = int(time.time()) - RECENT_MARGIN_S
        try:
            state, recent = await asyncio.to_thread(load_site, self._engine, company_id, site_id,
                                                    int(time.time()), since)
        except BaseException as error:
            self._sites.pop(site_id, None)
            self._watched = frozenset(self._sites)
            if isinstance(error, Exception):
                site.ready.set_exception(error)
                site.ready.exception()  # retrieved: waiting subscribers re-raise it themselves
            else:
                site.ready.cancel()
            raise
        for counter_id, heard in site.heard:
            if heard.identity not in recent:
                state.count(counter_id, heard)
        site.state, site.heard = state, []
        site.ready.set_result(None)

    def unsubscribe(self, subscription: Subscription) -> None:
        """End a feed; a site nobody watches is forgotten."""
        subscription.close()
        site = self._sites.get(subscription.site_id)
        if site is None:
            return
        site.subscribers.discard(subscription)
        if not site.subscribers and site.state is not None:
            del self._sites[subscription.site_id]
            self._watched = frozenset(self._sites)

    def _on_commit(self, stored: list[Stored]) -> None:
        """Writer thread: pass on what concerns watched sites."""
        watched, loop = self._watched, self._loop
        if not watched or loop is None:
            return
        hits = [s for s in stored if s.site_id in watched]
        if hits:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is watching
                loop.call_soon_threadsafe(self._dispatch, hits)

    def _dispatch(self, hits: list[Stored]) -> None:
        now = int(time.time())
        touched: dict[int, list[Message]] = {}
        for stored in hits:
            site = self._sites.get(stored.site_id or 0)
            if site is None:
                continue
            if site.state is None:
                site.heard.extend((stored.counter_id, e) for e in stored.events)
                continue
            state = site.state
            state.roll(now)
            messages = touched.setdefault(stored.site_id or 0, [])
            for e in stored.events:
                state.count(stored.counter_id, e)
                messages.append(("crossing", state.crossing(e)))
        for site_id, messages in touched.items():
            site = self._sites[site_id]
            assert site.state is not None
            messages.append(("occupancy", site.state.snapshot(now)))
            for subscription in site.subscribers:
                for message in messages:
                    subscription.put(message)

    async def _roll_days(self) -> None:
        """At each site's local midnight, tell its subscribers the day starts again at zero."""
        while True:
            await asyncio.sleep(ROLL_CHECK_S)
            now = int(time.time())
            for site in list(self._sites.values()):
                if site.state is not None and site.state.roll(now):
                    for subscription in site.subscribers:
                        subscription.put(("occupancy", site.state.snapshot(now)))
