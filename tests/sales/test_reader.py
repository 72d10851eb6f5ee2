"""The pure reader: the seeds' format, every kind of bad row, robust CSV, limits, profiles."""

from __future__ import annotations

import pytest

from footfall.sales.problems import ImportLimits
from footfall.sales.profile import MappingProfile
from footfall.sales.reader import CHUNK_ROWS
from tests.sales.helpers import BAD_ROWS, HEADER, SAMPLE_TOTALS, hour, parse, sample_text, with_bad_row


def test_the_seeds_format_sums_rows_per_local_hour() -> None:
    result = parse(sample_text())
    assert result.error_count == 0 and not result.refused
    assert result.rows == result.rows_valid == 8
    assert result.totals == SAMPLE_TOTALS


@pytest.mark.parametrize(("bad", "field", "reason"), BAD_ROWS)
def test_each_bad_row_is_named_with_line_field_value_and_reason(bad: str, field: str, reason: str) -> None:
    data, line = with_bad_row(bad)
    result = parse(data)
    assert result.error_count >= 1, bad
    first = result.errors[0]
    assert (first.line, first.field) == (line, field)
    assert reason in first.reason
    assert result.rows == 9 and result.rows_valid == 8
    assert result.totals == SAMPLE_TOTALS  # only valid rows are summed


def test_every_bad_row_of_a_file_is_listed() -> None:
    lines = sample_text().split("\r\n")
    bad_lines = []
    for bad, _field, _reason in BAD_ROWS:
        lines.append(bad)
        bad_lines.append(len(lines))
    result = parse("\r\n".join(lines))
    assert sorted({e.line for e in result.errors}) == bad_lines
    assert result.rows_valid == 8


def test_bom_crlf_quoted_fields_and_trailing_blank_lines() -> None:
    text = ("\ufeff" + HEADER + "\r\n"
            '"KUL01","01-03-2024 10:00","3","45.50"\r\n'
            'KUL01,01-03-2024 10:15,2,19.99\r\n\r\n'
            'KUL01 , 01-03-2024 10:45 , 1 , 5 \r\n'
            "\r\n\r\n\n")
    result = parse(text.encode("utf-8"))
    assert result.error_count == 0
    assert result.totals == {("KUL01", hour_of(10)): (6, 7049)}


def hour_of(h: int) -> int:
    from datetime import date
    return hour(date(2024, 3, 1), h)


def test_a_quoted_field_with_a_line_break_keeps_line_numbers_right() -> None:
    text = (HEADER + ",Note\r\n"
            'KUL01,01-03-2024 10:00,3,45.50,"two\r\nlines"\r\n'
            "KUL01,01-03-2024 10:15,x,19.99,ok\r\n")
    result = parse(text)
    assert [(e.line, e.field) for e in result.errors] == [(4, "TotalTransactionQty")]


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("", 1, "the file is empty"),
    ("\r\n\r\n", 1, "the file is empty"),
    (HEADER + "\r\n", 2, "no sales rows"),
    ("StoreCode,DateTime,TotalTransactionQty,TotalTransactionValue,DateTime\r\n", 1, "duplicate column"),
    ("StoreCode,Date,TotalTransactionQty,TotalTransactionValue\r\n", 1, "no column named 'DateTime'"),
])
def test_file_level_problems(text: str, line: int, reason: str) -> None:
    result = parse(text)
    assert result.error_count == 1
    assert result.errors[0].line == line and reason in result.errors[0].reason


def test_limits_refuse_the_whole_file_with_a_clear_error() -> None:
    data = sample_text().encode()
    too_big = parse(data, limits=ImportLimits(max_bytes=100))
    assert too_big.refused and "larger than 100 bytes" in too_big.errors[0].reason
    too_long = parse(data, limits=ImportLimits(max_rows=5))
    assert too_long.refused and "more than 5 rows" in too_long.errors[0].reason
    assert too_long.totals == {}


def test_undecodable_text_names_the_encoding() -> None:
    data = (HEADER + "\r\nKUL01,01-03-2024 10:00,3,4\xe9\r\n").encode("latin-1")
    result = parse(data)
    assert result.refused and "not utf-8 text" in result.errors[0].reason


def test_a_profile_maps_other_headers_order_delimiter_encoding_and_date_format() -> None:
    profile = MappingProfile(name="pos", store_code="Filiale", date_time="Zeit", quantity="Bons",
                             value="Umsatz", delimiter=";", encoding="cp1252", date_format="%Y/%m/%d %H.%M")
    text = ("Umsatz;Zeit;Kassierer;Bons;Filiale\r\n"
            "45.50;2024/03/01 10.00;Jürgen;3;KUL01\r\n"
            "19.99;2024/03/01 10.15;Jürgen;2;KUL01\r\n")
    result = parse(text.encode("cp1252"), profile)
    assert result.error_count == 0
    assert result.totals == {("KUL01", hour_of(10)): (5, 6549)}


def test_the_fast_path_and_the_careful_path_give_the_same_totals() -> None:
    rows = [f"{'KUL01' if i % 3 else 'LDN01'},0{1 + i % 9}-03-2024 {i % 24:02d}:{i % 60:02d},"
            f"{i % 7},{i % 1000}.{i % 100:02d}" for i in range(CHUNK_ROWS * 2 + 5)]
    clean = HEADER + "\r\n" + "\r\n".join(rows) + "\r\n"
    fast = parse(clean)
    careful = parse(clean + "KUL01,01-03-2024 10:00,1,1.234\r\n")  # the last row sends it careful
    assert fast.error_count == 0 and careful.error_count == 1
    assert fast.totals == careful.totals
    assert careful.errors[0].line == len(rows) + 2
