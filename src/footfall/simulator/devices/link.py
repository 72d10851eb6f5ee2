"""What every pushing device shares: when it is down (faults) and how it backs off to reconnect."""

from __future__ import annotations

import random

from footfall.simulator.faults import FaultPlan

NO_DOWNTIME_AHEAD_S = 86400.0


class Downtime:
    """Sim-time spans when a counter is down: its offline windows and its reboots."""

    def __init__(self, faults: FaultPlan, reboot_s: float) -> None:
        self.spans = sorted([*faults.offline, *((t, t + reboot_s) for t in faults.reboot_at)])

    def back_at(self, now: float) -> float | None:
        """When the counter comes back, if it is down at `now`."""
        return max((end for start, end in self.spans if start <= now < end), default=None)

    def began(self, since: float, now: float) -> bool:
        """True if a down span was under way at some point in (since, now]."""
        return any(start <= now and end > since for start, end in self.spans)

    def wall_s_until_next(self, now: float, speed: float) -> float:
        """Wall seconds until the next down span starts (a day if none is coming)."""
        start = next((start for start, _ in self.spans if start > now), None)
        return NO_DOWNTIME_AHEAD_S if start is None else max(0.0, (start - now) / speed)


class Backoff:
    """Jittered exponential backoff between connection attempts (wall seconds)."""

    def __init__(self, retry_s: tuple[float, float], seed: str) -> None:
        self._first, self._most = retry_s
        self._delay = self._first
        self._rng = random.Random(seed)

    def reset(self) -> None:
        """A link came up: the next failure waits the shortest time again."""
        self._delay = self._first

    def next_wait(self) -> float:
        """How long to wait after a failure; each one doubles the next, up to the cap."""
        wait = self._delay * (0.5 + self._rng.random() / 2)
        self._delay = min(self._delay * 2, self._most)
        return wait
