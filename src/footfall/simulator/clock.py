"""Simulated time: real time sped up from a chosen start, for live runs and demos."""

from __future__ import annotations

import time


class SimClock:
    """Simulated UTC epoch seconds: `start` + real (monotonic) seconds elapsed × `speed`."""

    def __init__(self, speed: float = 1.0, start: float | None = None) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.speed = speed
        self.start = float(time.time() if start is None else start)
        self._origin = time.monotonic()

    def now(self) -> float:
        """The simulated time now, epoch seconds."""
        return self.start + (time.monotonic() - self._origin) * self.speed

    def real_delay(self, until: float) -> float:
        """Real seconds to wait until simulated time `until` (0 if it has passed)."""
        return max(0.0, (until - self.now()) / self.speed)

    def __repr__(self) -> str:
        return f"SimClock(speed={self.speed}, start={self.start})"
