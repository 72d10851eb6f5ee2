"""What every export writer does: a header, rows of values, a flush per chunk, a close."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from footfall.export.cells import CellMaker
from footfall.export.columns import Column


@dataclass(frozen=True, slots=True)
class Context:
    """What a writer knows about the file: columns, cell rules, BOM, and a title."""

    columns: tuple[Column, ...]
    cells: CellMaker
    bom: bool
    attributes: dict[str, str]  # level, interval, from, to: the XML root carries them


class Writer(Protocol):
    """Streams rows into a binary sink; holds at most one chunk of rows in memory."""

    def row(self, values: Sequence[Any]) -> None:
        """Add one row of column values (raw: numbers, text, datetimes, lists, None)."""

    def flush(self) -> None:
        """Push buffered bytes to the sink (called after each chunk of rows)."""

    def close(self) -> None:
        """Finish the file (footer, zip directory) and flush."""


@dataclass(frozen=True, slots=True)
class WriterSpec:
    """One export format: key, file extension, media type and writer factory."""

    key: str
    extension: str
    media_type: str
    open: Callable[[BinaryIO, Context], Writer]
    seekable: bool = False  # True: needs a real file (xlsx is a zip written at close)
