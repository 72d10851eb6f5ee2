"""What every connector folder declares in its `__init__.py` as `SPEC`.

`footfall connectors list` (and later the portal) reads these; `probe` is the "test
connection" add-on: given a validated config, it talks to the source once and returns a
short human answer, or raises `ProbeFailed` with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

Kind = Literal["push", "poll", "drop"]


class ProbeFailed(Exception):
    """The test connection failed; the message says why, with no secret in it."""


@dataclass(frozen=True)
class ConnectorSpec:
    """One channel: its key, how it gets data, its config model and its probe."""

    key: str
    kind: Kind
    title: str
    source: str
    config: type[BaseModel] | None = None
    probe: Callable[[Any], Awaitable[str]] | None = None
