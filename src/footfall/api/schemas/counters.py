"""Counter schemas."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, StringConstraints, computed_field

from footfall.api.schemas.common import InputModel, PublicModel, UtcDatetime

Serial = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Port = Annotated[int, Field(ge=1, le=65535)]
Step = Literal[1, 5, 10, 15, 30, 60]
Login = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class CounterFields(InputModel):
    """The optional fields of a counter; `channel: "device_api"` with host, port and login pulls it."""

    company_serial: str | None = None
    host: str | None = None
    port: Port | None = None
    channel: str | None = None
    active: bool | None = None
    username: Login | None = Field(default=None, description="device API login (case-sensitive)")
    password: Annotated[SecretStr, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="device API password: stored sealed, never returned (see password_set)")
    data_type: Literal["json", "xml"] | None = None
    resolution: Literal["hour", "minute", "second"] | None = None
    resolution_step: Step | None = Field(default=None, description="minutes or seconds per interval")
    poll_interval_s: Annotated[int, Field(ge=60, le=86400)] | None = None


class CounterCreate(CounterFields):
    """A new counter; a serial that already sent data exists unassigned: assign that one."""

    serial: Serial
    name: str | None = None
    site_id: int | None = None


class CounterUpdate(CounterFields):
    """A change to a counter; `{"site_id": …}` assigns it to a site, null unassigns it."""

    name: str | None = None
    site_id: int | None = None


class PullHealth(PublicModel):
    """How pulling one channel of a counter goes: watermark, last success, last error."""

    channel: str
    watermark_ts: int | None = Field(description="epoch seconds pulled and stored so far")
    last_attempt_at: UtcDatetime | None
    last_success_at: UtcDatetime | None
    last_error: str | None
    last_error_at: UtcDatetime | None
    failures: int = Field(description="failed pulls in a row")


class CounterPublic(PublicModel):
    """A counter as the API returns it, with its health timestamps and pull health."""

    id: int
    serial: str
    company_serial: str | None
    name: str | None
    host: str | None
    port: int | None
    channel: str | None
    site_id: int | None
    active: bool
    first_seen_at: UtcDatetime | None
    last_seen_at: UtcDatetime | None
    last_check_at: UtcDatetime | None
    created_at: UtcDatetime
    username: str | None = None
    password_set: bool = False
    data_type: str | None = None
    resolution: str | None = None
    resolution_step: int | None = None
    poll_interval_s: int | None = None
    pulls: list[PullHealth] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def assigned(self) -> bool:
        """Whether the counter is placed at a site (its data counts for that site)."""
        return self.site_id is not None
