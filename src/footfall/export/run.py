"""Run an export: rows of the report through a format writer into a file or an HTTP stream."""

from __future__ import annotations

import io
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import count
from operator import methodcaller
from typing import Any, BinaryIO

from sqlalchemy.engine import Engine

from footfall.domain.verification import Policy
from footfall.export.cells import CellMaker
from footfall.export.columns import Column, resolve_columns
from footfall.export.formats import WRITERS
from footfall.export.formats.base import Context
from footfall.export.items import Item, ItemNotFound
from footfall.export.request import ExportRequest
from footfall.export.rows import Plan, iter_chunks, plan, refresh_rollups
from footfall.export.timeformats import parse

ExportNotFound = ItemNotFound
# progress(steps done, steps in all, rows so far); one step is one item's chunk of dates.
Progress = Callable[[int, int, int], None]
STREAM_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class ExportStats:
    """What an export wrote."""

    rows: int
    bytes: int


class _Counting:
    """A binary sink that counts the bytes it passes on (and lets a zip seek when it can)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.written = out, 0
        try:
            self.start: int | None = out.tell() if out.seekable() else None
        except (AttributeError, OSError):
            self.start = None

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return self.out.write(data)

    def seekable(self) -> bool:
        return self.start is not None

    def tell(self) -> int:
        if self.start is None:  # zipfile then writes data descriptors instead of seeking
            raise OSError("the export target cannot seek")
        return self.out.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.out.seek(offset, whence)

    def flush(self) -> None:
        self.out.flush()

    @property
    def bytes(self) -> int:
        """Bytes of the file (a seeking writer may rewrite some: then the end position)."""
        return self.written if self.start is None else self.out.tell() - self.start


def export_filename(request: ExportRequest) -> str:
    """A file name that says what is inside: level, items, interval, dates."""
    if request.ids == "all":
        items = "all"
    else:
        items = "+".join(request.ids[:3]) + (f"+{len(request.ids) - 3}more" if len(request.ids) > 3 else "")
    items = re.sub(r"[^A-Za-z0-9._+-]+", "_", items).strip("._") or "items"
    return (f"footfall-{request.level}-{items[:80]}-{request.interval}-"
            f"{request.first:%Y%m%d}-{request.last:%Y%m%d}.{WRITERS[request.format].extension}")


def _context(request: ExportRequest) -> Context:
    cells = CellMaker(parse(request.dateformat, "date"), parse(request.timeformat, "time"))
    attributes = {"level": request.level, "interval": request.interval,
                  "from": request.first.isoformat(), "to": request.last.isoformat()}
    return Context(resolve_columns(request.columns), cells, request.bom, attributes)


def _getters(columns: tuple[Column, ...], item: Item) -> list[Callable[[dict[str, Any]], Any]]:
    """One value reader per column for this item (report keys read by a C-level `row.get`)."""
    return [methodcaller("get", c.row_key) if c.row_key is not None else partial(c.value, item)
            for c in columns]


def _produce(engine: Engine, request: ExportRequest, export_plan: Plan, sink: Any,
             policy: Policy, now_ts: int | None, progress: Progress | None) -> Iterator[int]:
    """Write the file into `sink`, yielding the row count after each flushed chunk."""
    context = _context(request)
    writer = WRITERS[request.format].open(sink, context)
    refresh_rollups(engine, request, export_plan)
    now = int(time.time()) if now_ts is None else now_ts
    rows = 0
    chunks = iter_chunks(engine, request, export_plan, now, policy)
    steps = count(1)  # not enumerate(): it keeps the last chunk alive while the next is built
    for item, chunk in chunks:
        step = next(steps)
        getters = _getters(context.columns, item)
        for row in chunk:
            writer.row([get(row) for get in getters])
        rows += len(chunk)
        del chunk  # released before the next chunk is built
        writer.flush()
        if progress is not None:
            progress(step, export_plan.steps, rows)
        yield rows
    writer.close()
    yield rows


def write_export(engine: Engine, request: ExportRequest, out: BinaryIO, policy: Policy,
                 now_ts: int | None = None, progress: Progress | None = None) -> ExportStats:
    """Write the whole export into a binary file object; ExportNotFound for foreign ids."""
    export_plan = plan(engine, request)
    sink = _Counting(out)
    rows = 0
    for produced in _produce(engine, request, export_plan, sink, policy, now_ts, progress):
        rows = produced
    sink.flush()
    return ExportStats(rows, sink.bytes)


def stream_export(engine: Engine, request: ExportRequest, policy: Policy) -> Iterator[bytes]:
    """The export as byte chunks; ids are resolved now, so ExportNotFound comes before any byte."""
    export_plan = plan(engine, request)
    if WRITERS[request.format].seekable:
        return _stream_spooled(engine, request, export_plan, policy)
    return _stream_direct(engine, request, export_plan, policy)


def _stream_direct(engine: Engine, request: ExportRequest, export_plan: Plan,
                   policy: Policy) -> Iterator[bytes]:
    buffer = io.BytesIO()
    for _rows in _produce(engine, request, export_plan, buffer, policy, None, None):
        if buffer.tell():
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _stream_spooled(engine: Engine, request: ExportRequest, export_plan: Plan,
                    policy: Policy) -> Iterator[bytes]:
    # A zip is complete only at close: build it in a temporary file, then send that file.
    with tempfile.TemporaryFile(prefix="footfall-export-") as spool:
        for _rows in _produce(engine, request, export_plan, spool, policy, None, None):
            pass
        spool.seek(0)
        while data := spool.read(STREAM_CHUNK):
            yield data
