"""Bases shared by every schema: strict inputs, UTC datetimes out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict


def _as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored as UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


class InputModel(BaseModel):
    """A request body: unknown keys are refused with the key named."""

    model_config = ConfigDict(extra="forbid")

    def changes(self) -> dict[str, Any]:
        """Only the fields the client sent (for PATCH), as plain JSON-able values."""
        return self.model_dump(mode="json", exclude_unset=True)


class PublicModel(BaseModel):
    """A response body built from an estate row."""

    model_config = ConfigDict(from_attributes=True)
