"""Property: whatever the row order, quoting, blank lines and line ends, the reader's totals
equal a plain model that sums each row into its site and local hour."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sales.helpers import HEADER, SITES, hour, parse

ROW = st.tuples(st.sampled_from(SITES), st.integers(1, 28), st.integers(0, 23), st.integers(0, 59),
                st.integers(0, 10**6), st.integers(0, 10**9), st.sampled_from([0, 1, 2]))


def _value(cents: int, decimals: int) -> str:
    if decimals == 0:
        return str(cents // 100)
    text = f"{cents // 100}.{cents % 100:02d}"
    return text if decimals == 2 else text[:-1]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=60), quote=st.booleans(), crlf=st.booleans(),
       blanks=st.integers(0, 3))
def test_totals_match_a_plain_model(rows: list[tuple], quote: bool, crlf: bool, blanks: int) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n",
                        quoting=csv.QUOTE_ALL if quote else csv.QUOTE_MINIMAL)
    writer.writerow(HEADER.split(","))
    model: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for code, day, h, minute, qty, cents, decimals in rows:
        value = _value(cents, decimals)
        writer.writerow([code, f"{day:02d}-03-2024 {h:02d}:{minute:02d}", qty, value])
        stored = round(float(value) * 100)
        cell = model[(code, hour(date(2024, 3, day), h))]
        cell[0] += qty
        cell[1] += stored
    text = buffer.getvalue() + ("\r\n" if crlf else "\n") * blanks
    result = parse(text)
    assert result.error_count == 0
    assert result.rows == len(rows)
    assert result.totals == {k: tuple(v) for k, v in model.items()}
