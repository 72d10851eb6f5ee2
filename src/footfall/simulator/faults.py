"""Faults on demand: a pure, seeded plan of what goes wrong with one simulated counter."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# The fault kinds `FaultPlan.roll` decides; each has a `<kind>_rate` field.
ROLL_KINDS = ("drop_ok", "duplicate", "malformed", "http_500")


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What goes wrong with one counter: offline windows, skew, reboots and per-message odds."""

    offline: tuple[tuple[int, int], ...] = ()
    drop_ok_rate: float = 0.0
    duplicate_rate: float = 0.0
    clock_skew_s: int = 0
    reboot_at: tuple[int, ...] = ()
    malformed_rate: float = 0.0
    slow_response_s: float = 0.0
    http_500_rate: float = 0.0
    seed: int = 0

    def is_offline(self, t: float) -> bool:
        """Whether the counter is unreachable at simulated epoch second `t`."""
        return any(start <= t < end for start, end in self.offline)

    def roll(self, kind: str, key: str) -> bool:
        """Whether fault `kind` hits the message or request `key`: the same answer every time."""
        if kind not in ROLL_KINDS:
            raise ValueError(f"unknown fault kind {kind!r} (expected one of {', '.join(ROLL_KINDS)})")
        rate: float = getattr(self, f"{kind}_rate")
        if rate <= 0:
            return False
        digest = hashlib.blake2b(f"{self.seed}:{kind}:{key}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64 < rate

    def skewed(self, t: float) -> float:
        """The counter's own (skewed) clock reading at true simulated time `t`."""
        return t + self.clock_skew_s

    def reboots_in(self, start: float, end: float) -> tuple[int, ...]:
        """Reboot instants in [start, end)."""
        return tuple(t for t in self.reboot_at if start <= t < end)

    @property
    def active(self) -> bool:
        """Whether this plan injects any fault at all."""
        return self != FaultPlan(seed=self.seed)


class FaultsConfig(BaseModel):
    """The `[faults]` / `[counter.faults]` table of a fleet file."""

    model_config = ConfigDict(extra="forbid")

    offline: list[tuple[int | datetime, int | datetime]] = Field(default_factory=list)
    drop_ok_rate: float = Field(0.0, ge=0, le=1)
    duplicate_rate: float = Field(0.0, ge=0, le=1)
    clock_skew_s: int = 0
    reboot_at: list[int | datetime] = Field(default_factory=list)
    malformed_rate: float = Field(0.0, ge=0, le=1)
    slow_response_s: float = Field(0.0, ge=0)
    http_500_rate: float = Field(0.0, ge=0, le=1)

    @field_validator("offline")
    @classmethod
    def _windows_ordered(cls, windows: list[tuple[int | datetime, int | datetime]]) -> list:
        for start, end in windows:
            if _epoch(end) <= _epoch(start):
                raise ValueError(f"offline window {start} .. {end} ends before it starts")
        return windows

    @field_validator("reboot_at")
    @classmethod
    def _aware(cls, instants: list[int | datetime]) -> list[int | datetime]:
        for t in instants:
            _epoch(t)
        return instants

    def plan(self, seed: int) -> FaultPlan:
        """The frozen plan this table describes."""
        return FaultPlan(
            offline=tuple((_epoch(a), _epoch(b)) for a, b in self.offline),
            drop_ok_rate=self.drop_ok_rate, duplicate_rate=self.duplicate_rate,
            clock_skew_s=self.clock_skew_s, reboot_at=tuple(sorted(_epoch(t) for t in self.reboot_at)),
            malformed_rate=self.malformed_rate, slow_response_s=self.slow_response_s,
            http_500_rate=self.http_500_rate, seed=seed,
        )


def _epoch(value: int | datetime) -> int:
    """Epoch seconds of an int or an aware datetime (TOML offset date-times parse to those)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no UTC offset (write e.g. 2026-11-20T10:00:00Z)")
        return int(value.timestamp())
    return int(value)


def parse_faults(table: Mapping[str, Any], seed: int = 0, where: str = "faults") -> FaultPlan:
    """Validate a faults table into a `FaultPlan`; errors name the offending field."""
    try:
        return FaultsConfig.model_validate(dict(table)).plan(seed)
    except ValidationError as error:
        raise ValueError(validation_message(error, f"{where}.")) from None


def validation_message(error: ValidationError, prefix: str) -> str:
    """One line per problem, naming the field like `counter[0].faults.drop_ok_rate`."""
    lines = []
    for e in error.errors():
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]).lstrip(".")
        why = "unknown key" if e["type"] == "extra_forbidden" else e["msg"].removeprefix("Value error, ")
        lines.append(f"{prefix}{field}: {why}")
    return "\n".join(lines)
