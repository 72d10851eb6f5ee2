"""The reader's fast path and its careful row-by-row path both equal a plain model of the file."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sales.helpers import HEADER, SITES, hour, parse

BAD_LAST_ROW = "KUL01,01-03-2024 10:00,1,1.234"  # 3 decimals: the file goes the careful way


@st.composite
def sales_row(draw: st.DrawFn) -> tuple[str, str, int, int, int]:
    """(row text, site, local hour ordinal, quantity, cents) of one valid row in the seeds' format."""
    site = draw(st.sampled_from(SITES))
    day = draw(st.dates(date(2023, 1, 1), date(2025, 12, 31)))
    h, m = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    quantity = draw(st.integers(0, 10**6))
    decimals = draw(st.sampled_from((0, 1, 2)))  # at most 2, as the seeds allow
    units = draw(st.integers(0, 10**7))
    fraction = draw(st.integers(0, 10**decimals - 1))
    value = f"{units}.{fraction:0{decimals}d}" if decimals else str(units)
    cents = units * 100 + fraction * 10 ** (2 - decimals)
    zeros = "0" * draw(st.integers(0, 2))  # leading zeros are still whole numbers
    fields = [site, f"{day:%d-%m-%Y} {h:02d}:{m:02d}", zeros + str(quantity), value]
    quoted = draw(st.lists(st.booleans(), min_size=4, max_size=4))
    text = ",".join(f'"{f}"' if q else f for f, q in zip(fields, quoted, strict=True))
    return text, site, hour(day, h), quantity, cents


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(sales_row(), min_size=1, max_size=300), newline=st.sampled_from(("\r\n", "\n")))
def test_both_paths_sum_every_row_into_its_site_hour(rows: list[tuple[str, str, int, int, int]],
                                                     newline: str) -> None:
    model: dict[tuple[str, int], tuple[int, int]] = {}
    for _text, site, local_hour, quantity, cents in rows:
        q, c = model.get((site, local_hour), (0, 0))
        model[(site, local_hour)] = (q + quantity, c + cents)
    body = newline.join([HEADER, *(text for text, *_ in rows)]) + newline
    fast = parse(body)
    assert (fast.error_count, fast.totals) == (0, model)
    careful = parse(body + BAD_LAST_ROW + newline)
    assert careful.error_count == 1 and careful.errors[0].line == len(rows) + 2
    assert careful.totals == model
