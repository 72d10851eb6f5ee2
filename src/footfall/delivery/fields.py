"""A delivery's fields: defaults, and the checks every field passes before it is stored.

Shared by the API and the CLI; a wrong value is an `Invalid` naming its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from footfall.delivery.model import REMOTE, Destination, Kind
from footfall.delivery.naming import PatternError, check_renders
from footfall.delivery.schedule import WEEKDAYS, Frequency, parse_clock
from footfall.domain.timegrid import zone
from footfall.estate.errors import Invalid
from footfall.export import ExportError, ExportRequest
from footfall.export.timeformats import DEFAULT_DATE, DEFAULT_TIME

# Fields a client sets (`password` is write-only: it is sealed, never read back).
EDITABLE = ("name", "kind", "active", "level", "ids", "interval", "columns", "format",
            "dateformat", "timeformat", "bom", "frequency", "at", "weekday", "timezone",
            "destination", "host", "port", "username", "password", "directory", "passive",
            "verify_tls", "recipients", "file_name", "failure_email", "retries", "retry_delay_s")
SCHEDULE_FIELDS = frozenset({"frequency", "at", "weekday", "timezone", "kind"})
DEFAULTS: dict[str, Any] = {
    "kind": "export", "active": True, "level": "site", "interval": "hour", "columns": None,
    "format": "csv", "dateformat": DEFAULT_DATE, "timeformat": DEFAULT_TIME, "bom": False,
    "frequency": "daily", "at": "06:00", "weekday": "mon", "timezone": "UTC",
    "host": None, "port": None, "username": None, "password": None, "directory": "/",
    "passive": True, "verify_tls": True, "recipients": [], "file_name": None,
    "failure_email": None, "retries": 3, "retry_delay_s": 60.0,
}
# Per-counter daily files: the seeds' "FTP directly from counter" — minute rows, after 02:30.
COUNTER_DAILY_DEFAULTS = {"level": "counter", "interval": "minute", "at": "02:30"}
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
MAX_RETRIES = 10


def with_defaults(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A new delivery's fields with the defaults filled in (per kind)."""
    values = dict(DEFAULTS)
    if fields.get("kind") == Kind.COUNTER_DAILY:
        values.update(COUNTER_DAILY_DEFAULTS)
    values.update({k: v for k, v in fields.items()})
    return values


def _choice(field: str, value: Any, valid: tuple[str, ...]) -> str:
    if value not in valid:
        raise Invalid(f"{field}: {value!r} is not one of {', '.join(valid)}", field=field)
    return str(value)


def _email(field: str, value: Any) -> str:
    if not isinstance(value, str) or not _EMAIL.match(value.strip()):
        raise Invalid(f"{field}: {value!r} is not an e-mail address", field=field)
    return value.strip()


def _check_what(values: dict[str, Any]) -> None:
    """The export parameters, checked by the export itself (with sample dates)."""
    ids = values.get("ids")
    if ids is None:
        raise Invalid("ids: give a list of ids, codes or serials, or 'all'", field="ids")
    try:
        ExportRequest(0, values["level"], ids, values["interval"], date(2024, 1, 1),
                      date(2024, 1, 1), values["format"], values["dateformat"],
                      values["timeformat"], values["columns"], bool(values["bom"]))
    except ExportError as error:
        field = {"fromdate": "schedule", "todate": "schedule"}.get(error.parameter, error.parameter)
        raise Invalid(str(error), field=field) from None


def _check_when(values: dict[str, Any]) -> None:
    _choice("frequency", values["frequency"], tuple(f.value for f in Frequency))
    try:
        parse_clock(str(values["at"]))
    except ValueError as error:
        raise Invalid(str(error), field="at") from None
    _choice("weekday", values["weekday"], WEEKDAYS)
    try:
        zone(str(values["timezone"]))
    except ValueError as error:
        raise Invalid(f"timezone: {error}", field="timezone") from None


def _check_where(values: dict[str, Any]) -> None:
    destination = Destination(_choice("destination", values.get("destination"),
                                      tuple(d.value for d in Destination)))
    if destination is Destination.EMAIL:
        recipients = values.get("recipients") or []
        if not recipients:
            raise Invalid("recipients: an e-mail delivery needs at least one address",
                          field="recipients")
        values["recipients"] = [_email("recipients", r) for r in recipients]
    elif destination in REMOTE:
        if not values.get("host"):
            raise Invalid(f"host: a {destination.value} delivery needs a host", field="host")
        port = values.get("port")
        if port is not None and not (isinstance(port, int) and 0 < port < 65536):
            raise Invalid(f"port: {port!r} is not a TCP port", field="port")


def check(values: dict[str, Any]) -> dict[str, Any]:
    """Refuse the first wrong field of a whole delivery (merged with its defaults); cleaned values."""
    _choice("kind", values.get("kind"), tuple(k.value for k in Kind))
    name = values.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
        raise Invalid("name must be a non-empty string of at most 200 characters", field="name")
    values["name"] = name.strip()
    if values["kind"] == Kind.COUNTER_DAILY:
        if values["level"] != "counter":
            raise Invalid("level: per-counter daily files are made at counter level", field="level")
        if values["interval"] not in ("minute", "15min", "hour"):
            raise Invalid("interval: per-counter daily files hold minute, 15min or hour rows",
                          field="interval")
        if values["frequency"] != "daily":
            raise Invalid("frequency: per-counter files are daily", field="frequency")
    _check_what(values)
    _check_when(values)
    _check_where(values)
    if values.get("file_name"):
        try:
            check_renders(values["file_name"])
        except PatternError as error:
            raise Invalid(str(error), field="file_name") from None
    if values.get("failure_email"):
        values["failure_email"] = _email("failure_email", values["failure_email"])
    retries = values.get("retries")
    if not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
        raise Invalid(f"retries: {retries!r} is not a whole number 0..{MAX_RETRIES}", field="retries")
    delay = values.get("retry_delay_s")
    if not isinstance(delay, int | float) or delay < 0 or delay > 3600:
        raise Invalid(f"retry_delay_s: {delay!r} is not 0..3600 seconds", field="retry_delay_s")
    return values
