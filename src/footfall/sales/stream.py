"""A byte stream that counts what is read and refuses to go past the size limit."""

from __future__ import annotations

import io
from typing import BinaryIO

from footfall.sales.problems import FileRefused, row_error


class Meter(io.BufferedIOBase):
    """Reads through to `source`, counting bytes; FileRefused past `limit` bytes."""

    def __init__(self, source: BinaryIO, limit: int) -> None:
        super().__init__()
        self.source = source
        self.limit = limit
        self.position = 0

    def readable(self) -> bool:
        """Always readable."""
        return True

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes (all when negative)."""
        return self._count(self.source.read(-1 if size is None else size))

    def read1(self, size: int = -1) -> bytes:
        """Up to `size` bytes with at most one read of the source."""
        reader = getattr(self.source, "read1", self.source.read)
        return self._count(reader(size))

    def _count(self, data: bytes) -> bytes:
        self.position += len(data)
        if self.position > self.limit:
            raise FileRefused(row_error(0, "", "", f"the file is larger than {self.limit:,} bytes: "
                                        "the limit per file; split the file"))
        return data
