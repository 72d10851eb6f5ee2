"""Find the header row and the columns of the four required fields in it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from footfall.sales.problems import row_error
from footfall.sales.profile import FIELD_KEYS, MappingProfile

if TYPE_CHECKING:
    from footfall.sales.reader import ParsedFile

Located = tuple[list[str], tuple[int, int, int, int], tuple[str, ...]]


def locate(reader: Iterator[list[str]], profile: MappingProfile, result: ParsedFile) -> Located | None:
    """(header, column index of each field, the file's name of each field); None after errors."""
    line = 0
    for record in reader:
        line = reader.line_num  # type: ignore[attr-defined]
        if record:
            break
    else:
        result.add_error(row_error(1, "", "", "the file is empty (no header row)"))
        return None
    header = [name.lstrip("\ufeff").strip() for name in record]
    folded = [name.casefold() for name in header]
    counts = Counter(name for name in folded if name)
    for name, original in zip(folded, header, strict=True):
        if counts[name] > 1:
            result.add_error(row_error(line, original, original, "duplicate column header"))
            counts[name] = 0  # named once
    indexes = []
    for key in FIELD_KEYS:
        wanted = getattr(profile, key)
        if wanted.strip().casefold() in folded:
            indexes.append(folded.index(wanted.strip().casefold()))
        else:
            columns = ", ".join(header) or "none"
            result.add_error(row_error(line, wanted, "", f"no column named {wanted!r} for {key} "
                                       f"(the file's columns: {columns}); map it in the profile"))
    if result.errors:
        return None
    a, b, c, d = indexes
    return header, (a, b, c, d), tuple(header[i] for i in indexes)
