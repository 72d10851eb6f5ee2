"""JSON (one streamed array of objects) and XML (streamed `<row>` elements, escaped)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

import orjson

from footfall.export.cells import LIST_SEPARATOR, decimal
from footfall.export.formats.base import Context, WriterSpec
from footfall.export.request import MEDIA_TYPES

# Characters XML 1.0 cannot carry at all; CR is kept as a reference so it survives parsing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ENTITIES = {"\r": "&#13;", "\t": "&#9;"}


class JsonWriter:
    """`[` + one object per line + `]`: valid JSON at every flush boundary once closed."""

    def __init__(self, sink: BinaryIO, context: Context) -> None:
        self.sink, self.context = sink, context
        self.keys = [c.key for c in context.columns]
        self.formats = [context.cells.plain(c) for c in context.columns]
        self.buffer = io.BytesIO()
        self.first = True
        sink.write(b"[")

    def row(self, values: Sequence[Any]) -> None:
        """Add one object."""
        record = {k: f(v) for k, f, v in zip(self.keys, self.formats, values, strict=True)}
        self.buffer.write(b"\n" if self.first else b",\n")
        self.buffer.write(orjson.dumps(record))
        self.first = False

    def flush(self) -> None:
        """Write the buffered objects."""
        self.sink.write(self.buffer.getvalue())
        self.buffer.seek(0)
        self.buffer.truncate()

    def close(self) -> None:
        """Close the array."""
        self.flush()
        self.sink.write(b"\n]\n")


def xml_text(value: Any) -> str:
    """A value as escaped XML character data (lists joined, floats with a point)."""
    if isinstance(value, float):
        return decimal(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    text = _NOT_XML.sub("\ufffd", str(value))
    return escape(text, _XML_ENTITIES)


class XmlWriter:
    """`<export …>` with one `<row>` per bucket; empty values are empty elements."""

    def __init__(self, sink: BinaryIO, context: Context) -> None:
        self.sink, self.context = sink, context
        self.formats = [(c.key, context.cells.plain(c)) for c in context.columns]
        self.buffer = io.StringIO()
        attributes = " ".join(f"{k}={quoteattr(v)}" for k, v in context.attributes.items())
        sink.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<export {attributes}>\n'.encode())

    def row(self, values: Sequence[Any]) -> None:
        """Add one `<row>`."""
        parts = ["<row>"]
        for (key, format_), value in zip(self.formats, values, strict=True):
            shown = format_(value)
            parts.append(f"<{key}/>" if shown is None else f"<{key}>{xml_text(shown)}</{key}>")
        parts.append("</row>\n")
        self.buffer.write("".join(parts))

    def flush(self) -> None:
        """Write the buffered rows."""
        data = self.buffer.getvalue()
        if data:
            self.sink.write(data.encode("utf-8"))
            self.buffer.seek(0)
            self.buffer.truncate()

    def close(self) -> None:
        """Close the root element."""
        self.flush()
        self.sink.write(b"</export>\n")


JSON = WriterSpec("json", "json", MEDIA_TYPES["json"], JsonWriter)
XML = WriterSpec("xml", "xml", MEDIA_TYPES["xml"], XmlWriter)
