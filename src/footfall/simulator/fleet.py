"""The simulated fleet: sites (time zone, opening hours, traffic) and their door counters."""

from __future__ import annotations

import hashlib
import math
import random
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from footfall.simulator.faults import FaultPlan, FaultsConfig, validation_message

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


# ---- the fleet file (TOML) -------------------------------------------------------------------

Channel = Literal["http", "ws", "mqtt", "ftp", "bacnet"]
_HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


class FleetConfigError(ValueError):
    """A fleet file that cannot be used; the message names the file and the field."""


def _hours(text: str) -> tuple[int, int] | None:
    """`"09:00-17:30"` → (540, 1050); `"closed"` → None."""
    if text.strip().lower() == "closed":
        return None
    match = _HOURS.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not HH:MM-HH:MM or 'closed'")
    h1, m1, h2, m2 = map(int, match.groups())
    hours = (h1 * 60 + m1, h2 * 60 + m2)
    if m1 > 59 or m2 > 59 or not 0 <= hours[0] < hours[1] <= 1440:
        raise ValueError(f"{text!r} must open before it closes, within 00:00-24:00")
    return hours


class OpeningConfig(BaseModel):
    """Opening hours per weekday; days not given take `default` (closed if no default)."""

    model_config = ConfigDict(extra="forbid")
    default: str = "closed"
    mon: str | None = None
    tue: str | None = None
    wed: str | None = None
    thu: str | None = None
    fri: str | None = None
    sat: str | None = None
    sun: str | None = None

    @field_validator("*")
    @classmethod
    def _valid(cls, text: str | None) -> str | None:
        if text is not None:
            _hours(text)
        return text

    def opening(self) -> Opening:
        """The seven days, Monday first."""
        days = (getattr(self, day) for day in WEEKDAYS)
        return tuple(_hours(self.default if text is None else text) for text in days)


class SiteConfig(BaseModel):
    """A `[[site]]` table."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64)
    name: str | None = None
    timezone: str
    opening: OpeningConfig = Field(default_factory=lambda: OpeningConfig(default="09:00-18:00"))
    daily_visitors: int = Field(1000, ge=0)
    staff_share: float = Field(0.04, ge=0, lt=1)
    turn_in_rate: float = Field(0.2, gt=0, le=1)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {name!r}") from None
        return name

    @field_validator("opening", mode="before")
    @classmethod
    def _same_every_day(cls, value: Any) -> Any:
        return {"default": value} if isinstance(value, str) else value

    def spec(self) -> SiteSpec:
        """The site this table describes."""
        return SiteSpec(self.code, self.name or self.code, self.timezone, self.opening.opening(),
                        self.daily_visitors, self.staff_share, self.turn_in_rate)


class CounterConfig(BaseModel):
    """A `[[counter]]` table (with an optional `[counter.faults]`)."""

    model_config = ConfigDict(extra="forbid")
    serial: str = Field(pattern=r"^[0-9a-f]{16}$")
    company_serial: str | None = Field(None, pattern=r"\d{6}$")
    site: str
    door: int = Field(1, ge=1)
    door_share: float | None = Field(None, gt=0)
    outside_line: bool = False
    channels: list[Channel] = Field(default_factory=lambda: list[Channel](["http"]))
    username: str = "admin"
    password: str = "123456"
    faults: FaultsConfig | None = None


class GenerateConfig(BaseModel):
    """The `[generate]` table: add a generated fleet part."""

    model_config = ConfigDict(extra="forbid")
    counters: int = Field(ge=1)
    sites: int = Field(ge=1)
    channels: list[Channel] = Field(default_factory=lambda: list[Channel](["http"]))


class FleetConfig(BaseModel):
    """A whole fleet file."""

    model_config = ConfigDict(extra="forbid")
    seed: int = 0
    site: list[SiteConfig] = Field(default_factory=list)
    counter: list[CounterConfig] = Field(default_factory=list)
    generate: GenerateConfig | None = None
    faults: FaultsConfig | None = None


def load_fleet(path: str | Path) -> Fleet:
    """Read and validate a TOML fleet file; a bad one raises FleetConfigError naming the field."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise FleetConfigError(f"{path}: {error}") from None
    return parse_fleet(data, where=str(path))


def parse_fleet(data: Mapping[str, Any], where: str = "fleet") -> Fleet:
    """Validate a fleet config (the parsed TOML) into a Fleet."""
    try:
        config = FleetConfig.model_validate(dict(data))
    except ValidationError as error:
        raise FleetConfigError(validation_message(error, f"{where}: ")) from None
    try:
        return _assemble(config)
    except ValueError as error:
        raise FleetConfigError(f"{where}: {error}") from None


def _assemble(config: FleetConfig) -> Fleet:
    """Turn a validated config into sites, counters and fault plans, checking cross-references."""
    sites = [site.spec() for site in config.site]
    codes = [s.code for s in sites]
    per_site = {code: sum(1 for c in config.counter if c.site == code) for code in codes}
    counters: list[CounterSpec] = []
    doors: set[tuple[str, int]] = set()
    taken_tails: set[str] = set()
    for i, c in enumerate(config.counter):
        if c.site not in per_site:
            known = ", ".join(codes) or "none"
            raise ValueError(f"counter[{i}].site: unknown site {c.site!r} (sites: {known})")
        if (c.site, c.door) in doors:
            raise ValueError(f"counter[{i}].door: site {c.site} already has a door {c.door}")
        doors.add((c.site, c.door))
        company = c.company_serial or _company_serial(config.seed, c.serial, taken_tails)
        if company[-6:] in taken_tails:
            raise ValueError(f"counter[{i}].company_serial: {company!r} repeats another's last six digits")
        taken_tails.add(company[-6:])
        counters.append(CounterSpec(c.serial, company, c.site, c.door, c.door_share or 1 / per_site[c.site],
                                    c.outside_line, tuple(c.channels), c.username, c.password))
    if config.generate:
        taken = frozenset(codes) | {c.serial for c in counters} | {c.company_serial for c in counters}
        more_sites, more_counters = generate(counters=config.generate.counters, sites=config.generate.sites,
                                             seed=config.seed, channels=tuple(config.generate.channels),
                                             taken=taken)
        sites += more_sites
        counters += more_counters
    fleet_faults = config.faults.model_dump(exclude_unset=True) if config.faults else {}
    plans = []
    explicit = {c.serial: c.faults for c in config.counter}
    for spec in counters:
        own = explicit.get(spec.serial)
        table = fleet_faults | (own.model_dump(exclude_unset=True) if own else {})
        if table:
            seed = derived_int(config.seed, "faults", spec.serial)
            plans.append((spec.serial, FaultsConfig(**table).plan(seed)))
    return Fleet(config.seed, tuple(sites), tuple(counters), tuple(plans))


def _company_serial(seed: int, serial: str, taken_tails: set[str]) -> str:
    """A company serial for a counter that gave none: FFC-SIM- and six digits no one else ends in."""
    number = derived_int(seed, "company", serial) % 1_000_000
    while f"{number:06d}" in taken_tails:
        number = (number + 1) % 1_000_000
    return f"FFC-SIM-{number:06d}"
