"""Live out: committed events and current occupancy per site, fanned out to dashboards."""

from footfall.live.fanout import Subscription
from footfall.live.hub import LiveHub
from footfall.live.occupancy import SiteLive

__all__ = ["LiveHub", "SiteLive", "Subscription"]
