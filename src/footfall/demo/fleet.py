"""The demo fleet: a few sites whose counters push live over WebSocket and MQTT.

Built by the simulator from one seed, so every run shows the same estate and the same
history; the channels alternate so both live paths are exercised side by side.
"""

from __future__ import annotations

import dataclasses

from footfall.simulator.fleet import Fleet, build_fleet

COMPANY = "Demo Retail"
GROUP = "All stores"
DEFAULT_SEED = 20200617
DEFAULT_DAYS = 30
DEFAULT_SITES = 3
DEFAULT_COUNTERS = 6
LIVE_CHANNELS = ("ws", "mqtt")


def demo_fleet(seed: int = DEFAULT_SEED, sites: int = DEFAULT_SITES,
               counters: int = DEFAULT_COUNTERS) -> Fleet:
    """The demo's sites and counters; counter i pushes over LIVE_CHANNELS[i % 2]."""
    fleet = build_fleet(counters=counters, sites=sites, seed=seed, channels=("ws",))
    pushing = tuple(dataclasses.replace(c, channels=(LIVE_CHANNELS[i % len(LIVE_CHANNELS)],))
                    for i, c in enumerate(fleet.counters))
    return Fleet(fleet.seed, fleet.sites, pushing, fleet.faults)
