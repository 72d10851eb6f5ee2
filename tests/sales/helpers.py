"""Helpers of the sales tests: the seeds-format sample, its bad-row variants, expected sums."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from footfall.sales.profile import SEEDS, MappingProfile
from footfall.sales.reader import ParsedFile, read_sales

SAMPLE = Path(__file__).parent / "data" / "seeds_format.csv"
SITES = ("KUL01", "LDN01")
HEADER = "StoreCode,DateTime,TotalTransactionQty,TotalTransactionValue"


def hour(day: date, h: int) -> int:
    """A local hour ordinal, as the reader keys its totals."""
    return day.toordinal() * 24 + h


# The sample summed per site and local hour: (transactions, cents).
SAMPLE_TOTALS = {
    ("KUL01", hour(date(2024, 3, 1), 10)): (6, 4550 + 1999 + 500),
    ("KUL01", hour(date(2024, 3, 1), 11)): (6, 12000 + 3010),
    ("LDN01", hour(date(2024, 3, 1), 10)): (6, 25000 + 999),
    ("LDN01", hour(date(2024, 3, 2), 9)): (0, 0),
}

# One bad row of each kind: (row text, field named in the log, reason fragment).
BAD_ROWS: tuple[tuple[str, str, str], ...] = (
    ("XXX99,01-03-2024 12:00,1,1.00", "StoreCode", "unknown store code"),
    ("KUL01,31-02-2024 12:00,1,1.00", "DateTime", "no such date"),
    ("KUL01,2024-03-01 12:00,1,1.00", "DateTime", "date format"),
    ("KUL01,01-03-2024 25:00,1,1.00", "DateTime", "no such date"),
    ("KUL01,01-03-2024 12:00,-2,1.00", "TotalTransactionQty", "negative quantity"),
    ("KUL01,01-03-2024 12:00,2.5,1.00", "TotalTransactionQty", "fractional quantity"),
    ("KUL01,01-03-2024 12:00,#3,1.00", "TotalTransactionQty", "not a whole number"),
    ("KUL01,01-03-2024 12:00,,1.00", "TotalTransactionQty", "empty"),
    ("KUL01,01-03-2024 12:00,1,1.234", "TotalTransactionValue", "3 decimals"),
    ("KUL01,01-03-2024 12:00,1,-4.00", "TotalTransactionValue", "negative value"),
    ("KUL01,01-03-2024 12:00,1,$4.00", "TotalTransactionValue", "not a number"),
    ('KUL01,01-03-2024 12:00,1,"1,000.00"', "TotalTransactionValue", "not a number"),
    ("KUL01,01-03-2024 12:00,1", "", "3 fields where the header has 4"),
    (HEADER, "", "the header row again"),
)


def sample_text() -> str:
    """The sample file's text."""
    return SAMPLE.read_bytes().decode("utf-8")


def with_bad_row(bad: str, after_line: int = 3) -> tuple[bytes, int]:
    """The sample with `bad` inserted after line `after_line`; (bytes, the bad row's line)."""
    lines = sample_text().split("\r\n")
    lines.insert(after_line, bad)
    return "\r\n".join(lines).encode("utf-8"), after_line + 1


def parse(data: bytes | str, profile: MappingProfile = SEEDS, sites: tuple[str, ...] = SITES,
          **kwargs: object) -> ParsedFile:
    """read_sales over bytes (text is UTF-8 encoded)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return read_sales(io.BytesIO(raw), profile, sites, **kwargs)  # type: ignore[arg-type]
