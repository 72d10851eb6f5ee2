"""The simulated fleet: sites (time zone, opening hours, traffic) and their door counters."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from footfall.simulator.faults import FaultPlan

ENTRANCE_ROI = 1   # RoiId of a door's entrance line
OUTSIDE_ROI = 2    # RoiId of the street line in front of a door (only counters with outside_line)
CHANNELS = ("http", "ws", "mqtt", "ftp", "bacnet")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_BACNET_INSTANCE = 4194302

Opening = tuple[tuple[int, int] | None, ...]   # Mon..Sun: (open_minute, close_minute) local, None = closed


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """One site: where it is, when it opens and how busy it is."""

    code: str
    name: str
    timezone: str
    opening: Opening
    daily_visitors: int
    staff_share: float = 0.04
    turn_in_rate: float = 0.2

    def __post_init__(self) -> None:
        if len(self.opening) != 7:
            raise ValueError(f"site {self.code}: opening needs 7 days (Mon..Sun), got {len(self.opening)}")
        for day, hours in zip(WEEKDAYS, self.opening, strict=True):
            if hours is not None and not 0 <= hours[0] < hours[1] <= 1440:
                raise ValueError(f"site {self.code}: opening.{day} {hours} is not 0 <= open < close <= 1440")
        if self.daily_visitors < 0:
            raise ValueError(f"site {self.code}: daily_visitors must be >= 0")
        if not 0 <= self.staff_share < 1:
            raise ValueError(f"site {self.code}: staff_share must be in [0, 1)")
        if not 0 < self.turn_in_rate <= 1:
            raise ValueError(f"site {self.code}: turn_in_rate must be in (0, 1]")


@dataclass(frozen=True, slots=True)
class CounterSpec:
    """One door counter: its identity, where it hangs and which channels it speaks."""

    serial: str
    company_serial: str
    site_code: str
    door: int
    door_share: float
    outside_line: bool
    channels: tuple[str, ...]
    username: str = "admin"
    password: str = "123456"

    def __post_init__(self) -> None:
        if len(self.serial) != 16 or any(c not in "0123456789abcdef" for c in self.serial):
            raise ValueError(f"counter serial {self.serial!r} is not 16 lowercase hex digits")
        tail = self.company_serial[-6:]
        if not tail.isdigit() or int(tail) > MAX_BACNET_INSTANCE:
            raise ValueError(f"counter {self.serial}: company_serial {self.company_serial!r} must end in "
                             "six digits (its BACnet instance)")
        if self.door_share <= 0:
            raise ValueError(f"counter {self.serial}: door_share must be > 0")
        unknown = [c for c in self.channels if c not in CHANNELS]
        if unknown:
            raise ValueError(f"counter {self.serial}: unknown channel(s) {unknown} (known: {CHANNELS})")

    @property
    def bacnet_instance(self) -> int:
        """The BACnet device instance: the last six digits of the company serial."""
        return int(self.company_serial[-6:])

    @property
    def rois(self) -> tuple[int, ...]:
        """The counting lines (RoiIds) this counter reports."""
        return (ENTRANCE_ROI, OUTSIDE_ROI) if self.outside_line else (ENTRANCE_ROI,)


@dataclass(frozen=True, slots=True)
class Fleet:
    """A whole simulated estate; the seed makes every crossing reproducible."""

    seed: int
    sites: tuple[SiteSpec, ...]
    counters: tuple[CounterSpec, ...]
    faults: tuple[tuple[str, FaultPlan], ...] = ()
    _sites: Mapping[str, SiteSpec] = field(init=False, repr=False, compare=False, hash=False)
    _counters: Mapping[str, CounterSpec] = field(init=False, repr=False, compare=False, hash=False)
    _doors: Mapping[str, tuple[CounterSpec, ...]] = field(init=False, repr=False, compare=False, hash=False)
    _faults: Mapping[str, FaultPlan] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        sites = {s.code: s for s in self.sites}
        counters = {c.serial: c for c in self.counters}
        companies = {c.company_serial for c in self.counters}
        if len(sites) != len(self.sites):
            raise ValueError("site codes must be unique")
        if len(counters) != len(self.counters) or len(companies) != len(self.counters):
            raise ValueError("counter serials and company serials must be unique")
        doors: dict[str, list[CounterSpec]] = {code: [] for code in sites}
        for c in self.counters:
            if c.site_code not in sites:
                raise ValueError(f"counter {c.serial}: unknown site {c.site_code!r}")
            doors[c.site_code].append(c)
        object.__setattr__(self, "_sites", MappingProxyType(sites))
        object.__setattr__(self, "_counters", MappingProxyType(counters))
        object.__setattr__(self, "_doors", MappingProxyType(
            {code: tuple(sorted(cs, key=lambda c: (c.door, c.serial))) for code, cs in doors.items()}))
        object.__setattr__(self, "_faults", MappingProxyType(dict(self.faults)))

    def site(self, code: str) -> SiteSpec:
        """The site with this code (KeyError if none)."""
        return self._sites[code]

    def counter(self, serial: str) -> CounterSpec:
        """The counter with this serial (KeyError if none)."""
        return self._counters[serial]

    def site_of(self, serial: str) -> SiteSpec:
        """The site a counter hangs in."""
        return self._sites[self._counters[serial].site_code]

    def doors(self, code: str) -> tuple[CounterSpec, ...]:
        """A site's counters, by door."""
        return self._doors[code]

    def faults_for(self, serial: str) -> FaultPlan:
        """The fault plan of a counter (no faults unless the fleet file asked for some)."""
        return self._faults.get(serial) or FaultPlan(seed=derived_int(self.seed, "faults", serial))


def derived_int(*parts: object, bits: int = 64) -> int:
    """A stable integer from the parts (blake2b: unlike hash(), the same in every process)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> (64 - bits)


# (time zone, towns) for generated sites: a spread of offsets, DST rules and hemispheres.
_PLACES = (
    ("Europe/London", ("London", "Leeds", "Bristol")), ("America/New_York", ("New York", "Boston")),
    ("Asia/Kuala_Lumpur", ("Kuala Lumpur", "Petaling Jaya")), ("Australia/Sydney", ("Sydney", "Parramatta")),
    ("Europe/Berlin", ("Berlin", "Hamburg")), ("America/Los_Angeles", ("Los Angeles", "San Diego")),
    ("Asia/Tokyo", ("Tokyo", "Osaka")), ("Europe/Madrid", ("Madrid", "Valencia")),
)
_H = 60
# Opening templates (Mon..Sun): high street, mall, supermarket, boutique, round-the-clock.
_TEMPLATES: tuple[Opening, ...] = (
    ((9 * _H, 17 * _H + 30),) * 6 + ((10 * _H, 16 * _H),),
    ((10 * _H, 21 * _H),) * 6 + ((11 * _H, 18 * _H),),
    ((7 * _H, 22 * _H),) * 7,
    (None,) + ((10 * _H, 18 * _H),) * 5 + (None,),
    ((0, 24 * _H),) * 7,
)
_TEMPLATE_WEIGHTS = (4, 3, 2, 1, 0.5)


def build_fleet(*, counters: int, sites: int, seed: int, channels: tuple[str, ...] = ("http",)) -> Fleet:
    """A varied fleet of `counters` counters spread over `sites` sites (1-4 doors each)."""
    built_sites, built_counters = generate(counters=counters, sites=sites, seed=seed, channels=channels)
    return Fleet(seed, built_sites, built_counters)


def generate(*, counters: int, sites: int, seed: int, channels: tuple[str, ...],
             taken: frozenset[str] = frozenset()) -> tuple[tuple[SiteSpec, ...], tuple[CounterSpec, ...]]:
    """Generated sites and counters avoiding the `taken` site codes, serials and company serials."""
    if not 1 <= sites <= counters <= 4 * sites:
        raise ValueError(f"cannot spread {counters} counters over {sites} sites with 1-4 doors each")
    if counters > 500_000:
        raise ValueError("at most 500000 generated counters (company serials have six digits)")
    rng = random.Random(f"{seed}:fleet")
    doors = [1] * sites
    open_slots = [i for i in range(sites) for _ in range(3)]
    for i in rng.sample(open_slots, counters - sites):
        doors[i] += 1
    codes = (code for code in (f"S{n:03d}" for n in range(1, 10**7)) if code not in taken)
    taken_tails = {t[-6:] for t in taken}
    numbers = (n for n in rng.sample(range(1, 1_000_000), counters + len(taken))
               if f"{n:06d}" not in taken_tails)
    used: set[str] = set(taken)
    built_sites: list[SiteSpec] = []
    built_counters: list[CounterSpec] = []
    for n_doors in doors:
        code = next(codes)
        zone, towns = rng.choice(_PLACES)
        base = rng.lognormvariate(math.log(900), 0.5) * (0.7 + 0.3 * n_doors)
        built_sites.append(SiteSpec(
            code=code, name=f"{rng.choice(towns)} {code}", timezone=zone,
            opening=rng.choices(_TEMPLATES, weights=_TEMPLATE_WEIGHTS)[0],
            daily_visitors=int(min(6000, max(200, base))),
            staff_share=round(rng.uniform(0.02, 0.06), 3), turn_in_rate=round(rng.uniform(0.12, 0.3), 3),
        ))
        shares = [rng.uniform(0.5, 1.5) * (2 if door == 1 else 1) for door in range(1, n_doors + 1)]
        for door, share in enumerate(shares, start=1):
            serial = _serial(seed, len(built_counters), used)
            used.add(serial)
            built_counters.append(CounterSpec(
                serial=serial, company_serial=f"FFC-{rng.randint(2019, 2025)}-{next(numbers):06d}",
                site_code=code, door=door, door_share=round(share / sum(shares), 4),
                outside_line=rng.random() < (0.5 if door == 1 else 0.15), channels=tuple(channels),
            ))
    return tuple(built_sites), tuple(built_counters)


def _serial(seed: int, index: int, used: set[str]) -> str:
    """A FootfallCam-looking serial (eight leading zeros, eight hex digits), unique in the fleet."""
    for salt in range(1000):
        serial = f"{derived_int(seed, 'serial', index, salt, bits=32):016x}"
        if serial not in used:
            return serial
    raise RuntimeError("no free serial")  # pragma: no cover - 2**32 serials
