"""The scheduled-delivery form: posted values → the fields the delivery layer stores.

The posted text is checked by the API's own schemas (`DeliveryCreate` / `DeliveryUpdate`)
and then by `footfall.delivery.store`, so the portal refuses exactly what the API refuses.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from footfall.api.schemas.deliveries import DeliveryCreate, DeliveryUpdate
from footfall.delivery.fields import DEFAULTS
from footfall.delivery.model import Destination, Kind
from footfall.delivery.schedule import WEEKDAYS, Frequency
from footfall.estate.errors import Invalid
from footfall.portal.export_form import ExportChoice, Values

# Text fields sent as typed; blank means "not set" (None).
_OPTIONAL_TEXT = ("host", "port", "username", "directory", "file_name", "failure_email")
_FLAGS = ("active", "passive", "verify_tls")
OPTIONS = {"kinds": tuple(k.value for k in Kind), "frequencies": tuple(f.value for f in Frequency),
           "weekdays": WEEKDAYS, "destinations": tuple(d.value for d in Destination)}


def blank_delivery(timezone: str) -> dict[str, Any]:
    """A new delivery's values for the form: the delivery layer's defaults, in `timezone`."""
    return {**DEFAULTS, "name": "", "ids": "all", "destination": "email", "timezone": timezone,
            "password_set": False}


def posted_fields(values: Values, choice: ExportChoice) -> dict[str, Any]:
    """Every field of the form as the API would receive it (the password only when typed)."""
    fields: dict[str, Any] = {
        "name": values.get("name", ""), "kind": values.get("kind", "export"),
        "level": choice.level, "ids": list(choice.ids) or "all", "interval": choice.interval,
        "columns": list(choice.columns), "format": choice.format,
        "dateformat": choice.dateformat, "timeformat": choice.timeformat, "bom": choice.bom,
        "frequency": values.get("frequency", ""), "at": values.get("at", ""),
        "weekday": values.get("weekday", ""), "timezone": values.get("timezone", "").strip(),
        "destination": values.get("destination", ""),
        "recipients": [r for r in re.split(r"[\s,;]+", values.get("recipients", "")) if r],
        "retries": values.get("retries", "").strip(),
        "retry_delay_s": values.get("retry_delay_s", "").strip(),
    }
    for key in _OPTIONAL_TEXT:
        fields[key] = values.get(key, "").strip() or None
    for key in _FLAGS:
        fields[key] = values.get(key) == "true"
    if values.get("password"):
        fields["password"] = values["password"]
    return fields


def _checked(model: type[DeliveryCreate] | type[DeliveryUpdate], fields: dict[str, Any]) -> dict[str, Any]:
    try:
        return model.model_validate(fields).changes()
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "form"
        raise Invalid(f"{where}: {first['msg']}", field=where) from None


def create_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A new delivery's fields, checked as `POST /api/v1/deliveries` checks them."""
    return _checked(DeliveryCreate, fields)


def update_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A changed delivery's fields, checked as `PATCH /api/v1/deliveries/{id}` checks them."""
    return _checked(DeliveryUpdate, fields)


def shown(fields: dict[str, Any], delivery_id: int | None, password_set: bool) -> dict[str, Any]:
    """Posted fields as the form shows them again after a refusal (never the password)."""
    values = {k: v for k, v in fields.items() if k != "password"}
    return {**values, "id": delivery_id, "password_set": password_set}
