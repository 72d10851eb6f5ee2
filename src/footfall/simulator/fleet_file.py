"""The fleet file (TOML): mixed fleets of sites and counters, validated with every error named."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from footfall.simulator.faults import FaultsConfig, validation_message
from footfall.simulator.fleet import (
    WEEKDAYS,
    CounterSpec,
    Fleet,
    Opening,
    SiteSpec,
    derived_int,
    generate,
)

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
