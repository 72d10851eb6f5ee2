"""Counting line schemas."""

from __future__ import annotations

from footfall.api.schemas.common import InputModel, PublicModel
from footfall.domain.records import LineDirection, LineKind


class LineUpdate(InputModel):
    """A change to a line: its name, kind or direction (the latter two restate its data)."""

    name: str | None = None
    kind: LineKind | None = None
    direction: LineDirection | None = None


class LinePublic(PublicModel):
    """A counting line (the seeds' RoiId) as the API returns it."""

    id: int
    counter_id: int
    roi_id: int
    name: str | None
    kind: LineKind
    direction: LineDirection
