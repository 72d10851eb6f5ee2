"""A simulated counter's daily file push over FTP, FTPS (explicit) or SFTP, once 02:30 local has passed."""

from __future__ import annotations

import asyncio
import contextlib
import ftplib
import io
import logging
import posixpath
import ssl
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

import asyncssh
from pydantic import BaseModel, ConfigDict, Field, field_validator

from footfall.simulator.devices.daily_file import (
    DEFAULT_DATE_FORMAT,
    DEFAULT_FILE_NAME,
    check_date_format,
    check_file_name,
    daily_file_name,
    day_bounds,
    render_daily_file,
)
from footfall.simulator.fleet import CounterSpec, Fleet, SiteSpec

log = logging.getLogger(__name__)

UPLOAD_AFTER = timedelta(hours=2, minutes=30)  # local time after which yesterday's file is sent
UPLOAD_ERRORS: tuple[type[BaseException], ...] = (*ftplib.all_errors, asyncssh.Error)


class Clock(Protocol):
    def now(self) -> float: ...


class Faults(Protocol):
    def is_offline(self, t: float) -> bool: ...


class FtpPushConfig(BaseModel):
    """The counter's "Direct Export from Counter" settings: where to push and what the file looks like."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(min_length=1, description="server name or address")
    port: int | None = Field(default=None, ge=1, le=65535, description="unset: 21 (ftp, ftps), 22 (sftp)")
    protocol: Literal["ftp", "ftps", "sftp"] = Field(default="ftp", description="ftps = explicit TLS")
    username: str = Field(default="anonymous", description="login name")
    password: str = Field(default="", description="login password")
    remote_dir: str = Field(default="", description="server folder, created if missing; '' = login folder")
    passive: bool = Field(default=True, description="FTP passive mode (off = active)")
    file_name: str = Field(default=DEFAULT_FILE_NAME,
                           description="{serial} {company_serial} {site} {door} {date:...} {ext}")
    date_format: str = Field(default=DEFAULT_DATE_FORMAT, description="strftime format of the Date column")
    file_format: Literal["csv", "txt"] = Field(default="csv", description="csv (comma) or txt (tab)")
    timeout_s: float = Field(default=30.0, gt=0, description="connect and transfer timeout, seconds")
    tls_verify: bool = Field(default=True, description="FTPS: check the server certificate")
    known_hosts: str | None = Field(default=None, description="SFTP known_hosts file; unset = any host key")

    @field_validator("file_name")
    @classmethod
    def _valid_file_name(cls, value: str) -> str:
        return check_file_name(value)

    @field_validator("date_format")
    @classmethod
    def _valid_date_format(cls, value: str) -> str:
        return check_date_format(value)

    @property
    def effective_port(self) -> int:
        """The port to connect to: the configured one or the protocol's default."""
        return self.port or (22 if self.protocol == "sftp" else 21)


def latest_due_day(now: float, timezone: str) -> date:
    """The newest local day whose file is due at `now`: yesterday after 02:30, else the day before."""
    local = datetime.fromtimestamp(now, ZoneInfo(timezone))
    return (local - UPLOAD_AFTER).date() - timedelta(days=1)


def days_between(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def upload(config: FtpPushConfig, name: str, data: bytes) -> None:
    """Put `data` as `name` in the configured folder (written as `name.part`, then renamed)."""
    if config.protocol == "sftp":
        await _sftp_upload(config, name, data)
    else:
        await asyncio.to_thread(_ftp_upload, config, name, data)


def _ftp_upload(config: FtpPushConfig, name: str, data: bytes) -> None:
    ftp = ftplib.FTP_TLS(context=_tls_context(config)) if config.protocol == "ftps" else ftplib.FTP()
    with ftp:
        ftp.connect(config.host, config.effective_port, timeout=config.timeout_s)
        ftp.login(config.username, config.password)
        if isinstance(ftp, ftplib.FTP_TLS):
            ftp.prot_p()
        ftp.set_pasv(config.passive)
        if config.remote_dir.startswith("/"):
            ftp.cwd("/")
        for part in filter(None, config.remote_dir.split("/")):
            try:
                ftp.cwd(part)
            except ftplib.error_perm:
                ftp.mkd(part)
                ftp.cwd(part)
        ftp.storbinary(f"STOR {name}.part", io.BytesIO(data))
        try:
            ftp.rename(f"{name}.part", name)
        except ftplib.error_perm:  # servers that refuse to rename over an existing file
            ftp.delete(name)
            ftp.rename(f"{name}.part", name)


def _tls_context(config: FtpPushConfig) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not config.tls_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


async def _sftp_upload(config: FtpPushConfig, name: str, data: bytes) -> None:
    async with asyncssh.connect(
        config.host, config.effective_port, username=config.username, password=config.password,
        known_hosts=config.known_hosts, client_keys=None, connect_timeout=config.timeout_s,
    ) as connection, connection.start_sftp_client() as sftp:
        if config.remote_dir:
            await sftp.makedirs(config.remote_dir, exist_ok=True)
        path = posixpath.join(config.remote_dir, name)
        async with sftp.open(f"{path}.part", "wb") as remote:
            await remote.write(data)
        try:
            await sftp.posix_rename(f"{path}.part", path)
        except asyncssh.SFTPOpUnsupported:  # servers without the OpenSSH extension
            if await sftp.exists(path):
                await sftp.remove(path)
            await sftp.rename(f"{path}.part", path)


@dataclass
class PushStats:
    """What a device has pushed: counts, the last error and when (sim time) each day's file landed."""

    files_sent: int = 0
    failures: int = 0
    last_error: str | None = None
    sent: dict[date, float] = field(default_factory=dict)


class FtpPushDevice:
    """One counter pushing yesterday's minute file after 02:30 local; retries with backoff, catches up."""

    def __init__(self, counter: CounterSpec, site: SiteSpec, fleet: Fleet, config: FtpPushConfig,
                 clock: Clock, faults: Faults | None = None, *, poll_s: float = 0.2,
                 retry_s: float = 1.0, retry_max_s: float = 60.0) -> None:
        self.counter, self.site, self.fleet, self.config, self.clock = counter, site, fleet, config, clock
        self.faults = faults if faults is not None else fleet.faults_for(counter.serial)
        self.stats = PushStats()
        self._poll_s, self._retry_s, self._retry_max_s = poll_s, retry_s, retry_max_s
        self._since: date | None = None  # first day this device owes a file for
        self._failing = 0  # consecutive failures
        self._retry_at = 0.0  # monotonic (real) time before which no retry happens
        self._stopping = asyncio.Event()

    @property
    def uploaded(self) -> frozenset[date]:
        """The local days whose file has landed."""
        return frozenset(self.stats.sent)

    def pending(self, now: float | None = None) -> list[date]:
        """Days owed at `now` (default: the sim clock) whose file has not landed yet, oldest first."""
        now = self.clock.now() if now is None else now
        since = self._first_owed(now)
        latest = latest_due_day(now, self.site.timezone)
        return [day for day in days_between(since, latest) if day not in self.stats.sent]

    def backlog(self, days: int) -> None:
        """Owe the last `days` complete days too (history); `run()` sends those not yet sent."""
        now = self.clock.now()
        first = latest_due_day(now, self.site.timezone) - timedelta(days=days - 1)
        self._since = min(self._first_owed(now), first)

    def _first_owed(self, now: float) -> date:
        # A fresh device owes the day before the one it starts on: sent at once if 02:30 has passed.
        if self._since is None:
            self._since = datetime.fromtimestamp(now, ZoneInfo(self.site.timezone)).date() - timedelta(days=1)
        return self._since

    async def upload_day(self, local_date: date) -> str:
        """Render and push one local day's file now; returns its name, raises if the push fails."""
        _, end = day_bounds(local_date, self.site.timezone)
        if end > self.clock.now():
            raise ValueError(f"{local_date} has not ended yet at the simulated now")
        data = await asyncio.to_thread(render_daily_file, self.fleet, self.counter.serial, local_date,
                                       date_format=self.config.date_format,
                                       file_format=self.config.file_format)
        name = daily_file_name(self.config.file_name, self.counter, local_date, self.config.file_format)
        try:
            await upload(self.config, name, data)
        except UPLOAD_ERRORS as error:
            self.stats.failures += 1
            self.stats.last_error = f"{type(error).__name__}: {error}"
            raise
        self.stats.files_sent += 1
        self.stats.sent[local_date] = self.clock.now()
        return name

    async def tick(self) -> None:
        """One pass of the schedule: push every owed day unless offline or waiting to retry."""
        if time.monotonic() < self._retry_at:
            return
        for day in self.pending():
            if self._stopping.is_set() or self.faults.is_offline(self.clock.now()):
                return
            try:
                await self.upload_day(day)
            except UPLOAD_ERRORS:
                self._failing += 1
                if self._failing == 1:
                    log.warning("counter %s: FTP push failing: %s", self.counter.serial,
                                self.stats.last_error)
                delay = min(self._retry_s * 2 ** (self._failing - 1), self._retry_max_s)
                self._retry_at = time.monotonic() + delay
                return
            if self._failing:
                log.info("counter %s: FTP push recovered after %d failures", self.counter.serial,
                         self._failing)
                self._failing = 0

    async def run(self) -> None:
        """Check the schedule every `poll_s` real seconds until `stop()`."""
        while not self._stopping.is_set():
            await self.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._poll_s)

    async def stop(self) -> None:
        """Make `run()` return after the push in progress, if any; a stopped device stays stopped."""
        self._stopping.set()
