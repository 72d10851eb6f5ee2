"""The estate's error taxonomy; each error names the field it is about."""

from __future__ import annotations


class EstateError(Exception):
    """Base class: `message` is meant for the user, `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(EstateError):
    """No such object in this company (also said of another company's objects)."""


class Conflict(EstateError):
    """The change clashes with an existing object (duplicate code, serial, name…)."""


class Invalid(EstateError):
    """A value is wrong (unknown time zone, line of another site…)."""
