"""The reader's fast path on the line structures it must not misread: each case gives what
the careful, row-by-row reading of the csv module gives."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest

from footfall.sales import reader
from footfall.sales.heads import HeadReader
from tests.sales.helpers import HEADER, SITES, hour, parse

ROWS = ("KUL01,01-03-2024 10:00,3,45.50", "KUL01,01-03-2024 10:15,2,19.99",
        "LDN01,01-03-2024 10:00,1,0.05", "LDN01,01-03-2024 11:45,4,0.00")
TOTALS = {("KUL01", hour(date(2024, 3, 1), 10)): (5, 6549), ("LDN01", hour(date(2024, 3, 1), 10)): (1, 5),
          ("LDN01", hour(date(2024, 3, 1), 11)): (4, 0)}


def _file(*lines: str, end: str = "\r\n") -> str:
    return end.join([HEADER, *lines]) + end


def test_crlf_lf_and_mixed_line_ends_read_the_same() -> None:
    for text in (_file(*ROWS), _file(*ROWS, end="\n"), HEADER + "\r\n" + "\n".join(ROWS) + "\r\n"):
        result = parse(text)
        assert (result.error_count, result.rows, result.totals) == (0, 4, TOTALS)


def test_a_lone_cr_is_a_line_end_as_in_the_csv_module() -> None:
    result = parse(_file("KUL01\r,01-03-2024 10:00,3,45.50", *ROWS))
    assert [(e.line, e.reason) for e in result.errors] == [
        (2, "1 fields where the header has 4"), (3, "empty")]
    assert result.totals == TOTALS


def test_a_bare_lf_in_a_crlf_file_is_a_line_end_as_in_the_csv_module() -> None:
    result = parse(_file("KUL01\n,01-03-2024 10:00,3,45.50", *ROWS))
    assert [(e.line, e.reason) for e in result.errors] == [
        (2, "1 fields where the header has 4"), (3, "empty")]
    assert result.totals == TOTALS
    result = parse(_file("KUL01,01-03-2024 10:00\n,3,45.50", *ROWS))
    assert [(e.line, e.reason) for e in result.errors] == [
        (2, "2 fields where the header has 4"), (3, "3 fields where the header has 4")]


def test_a_lone_cr_making_up_for_a_bare_lf_is_still_a_line_end() -> None:
    # As many CRs as LFs, yet one line ends in a bare LF (after an empty field) and a CR
    # stands alone after a code.
    result = parse(HEADER + "\r\n" + "KUL01,01-03-2024 10:00,3,45.50,\nLDN01\r,01-03-2024 10:00,1,0.05\r\n"
                   + "KUL01,01-03-2024 10:15,2,19.99\r\n")
    assert [(e.line, e.reason) for e in result.errors] == [
        (2, "5 fields where the header has 4"), (3, "1 fields where the header has 4"), (4, "empty")]
    assert result.totals == {("KUL01", hour(date(2024, 3, 1), 10)): (2, 1999)}


def test_lines_that_make_up_each_others_width_are_still_named() -> None:
    # A line of 5 fields (the last empty) ending in a bare LF, then one of 4: 8 fields in all
    # after the line ends become delimiters, as two good lines would give.
    result = parse(HEADER + "\r\n" + "KUL01,01-03-2024 10:00,3,45.50,\nLDN01,01-03-2024 10:00,1,0.05\r\n")
    assert [(e.line, e.reason) for e in result.errors] == [(2, "5 fields where the header has 4")]
    assert result.totals == {("LDN01", hour(date(2024, 3, 1), 10)): (1, 5)}
    # A line's last field moved to the start of the next: both lines keep 8 fields in all.
    result = parse(_file("KUL01,01-03-2024 10:00,3,45.50,KUL01", "01-03-2024 10:15,2,19.99"))
    assert [e.reason for e in result.errors] == ["5 fields where the header has 4",
                                                 "3 fields where the header has 4"]


def test_a_quoted_quantity_with_a_comma_or_a_line_break_is_an_error_not_a_crash() -> None:
    result = parse(_file('KUL01,01-03-2024 10:00,"1\n2",4.00', 'KUL01,01-03-2024 10:15,"1,2",4.00'))
    assert [(e.line, e.field) for e in result.errors] == [(2, "TotalTransactionQty"),
                                                          (4, "TotalTransactionQty")]
    result = parse(_file('KUL01,01-03-2024 10:15,"1,2",4.00'))
    assert [(e.line, e.field) for e in result.errors] == [(2, "TotalTransactionQty")]
    result = parse(_file('KUL01,01-03-2024 10:15,1,"4,00"'))
    assert [(e.line, e.field) for e in result.errors] == [(2, "TotalTransactionValue")]


@pytest.mark.parametrize(("quantity", "value", "expected"), [
    ("007", "000.05", (7, 5)),  # leading zeros are still whole numbers
    ("123456789", "999999999999.99", (123456789, 99999999999999)),
    ("0", "0.5", (0, 50)),
])
def test_number_forms_at_the_edges_are_read_exactly(quantity: str, value: str,
                                                    expected: tuple[int, int]) -> None:
    result = parse(_file(f"KUL01,01-03-2024 10:00,{quantity},{value}"))
    assert result.error_count == 0
    assert result.totals == {("KUL01", hour(date(2024, 3, 1), 10)): expected}


@pytest.mark.parametrize(("quantity", "value", "reason"), [
    ("1234567890", "1.00", "more than 9 digits"),
    ("1", "1234567890123.00", "more than 12 digits"),
    ("1", "1.000", "3 decimals"),
])
def test_number_forms_past_the_edges_are_errors(quantity: str, value: str, reason: str) -> None:
    result = parse(_file(*ROWS, f"KUL01,01-03-2024 10:00,{quantity},{value}"))
    assert result.error_count == 1 and reason in result.errors[0].reason


def test_one_code_written_two_ways_is_one_site() -> None:
    result = parse(_file("KUL01,01-03-2024 10:00,3,45.50", " KUL01 ,01-03-2024 10:15,2,19.99",
                         "KUL01,01-03-2024 10:30,1,5"))
    assert result.totals == {("KUL01", hour(date(2024, 3, 1), 10)): (6, 7049)}


def test_a_run_cut_by_a_block_end_is_joined_up() -> None:
    rows = [f"KUL01,01-03-2024 {10 + i // 40:02d}:{i % 60:02d},1,0.01" for i in range(200)]
    with mock.patch.object(reader, "BLOCK_CHARS", 100):
        result = parse(_file(*rows))
    assert result.totals == {("KUL01", hour(date(2024, 3, 1), 10 + h)): (40, 40) for h in range(5)}


def test_clean_lines_of_the_seeds_layout_are_read_by_their_heads() -> None:
    read = HeadReader.read
    results: list[object] = []

    def spy(self: HeadReader, block: str) -> object:
        results.append(read(self, block))
        return results[-1]

    with mock.patch.object(HeadReader, "read", spy):
        result = parse(_file(*ROWS))
    assert result.totals == TOTALS
    assert len(results) == 1 and results[0] is not None


def test_minutes_past_59_are_named() -> None:
    result = parse(_file(*ROWS, "KUL01,01-03-2024 10:75,1,1.00"))
    assert [(e.line, e.field, e.value) for e in result.errors] == [(6, "DateTime", "01-03-2024 10:75")]


def test_a_time_is_checked_whole_though_its_hour_was_read_before() -> None:
    result = parse(_file("KUL01,01-03-2024 10:15,1,1.00", "KUL01,01-03-2024 10:75,1,1.00",
                         "KUL01,01-03-2024 10:5,1,1.00"))
    assert [(e.line, e.field, e.value) for e in result.errors] == [(3, "DateTime", "01-03-2024 10:75")]
    assert "no such date or time" in result.errors[0].reason
    assert result.totals == {("KUL01", hour(date(2024, 3, 1), 10)): (2, 200)}


def test_a_time_without_its_minutes_is_named() -> None:
    result = parse(_file(*ROWS, "KUL01,01-03-2024 12,1,1.00"))
    assert [(e.line, e.field) for e in result.errors] == [(6, "DateTime")]
    result = parse(_file(*ROWS, "LDN01,01-03-2024 11"))  # as the line before up to its minutes
    assert [(e.line, e.reason) for e in result.errors] == [(6, "2 fields where the header has 4")]


def test_fields_moved_across_the_time_separator_are_named() -> None:
    # Two lines with 3 and 5 fields whose heads (the text before the minutes) hold a code and
    # a date and hour between them.
    result = parse(_file("KUL01:15,1,2.00", "01-03-2024 10,LDN01,01-03-2024 10:30,1,2.00", *ROWS))
    assert [e.reason for e in result.errors] == ["3 fields where the header has 4",
                                                 "5 fields where the header has 4"]
    assert result.totals == TOTALS


def test_large_values_are_summed_exactly() -> None:
    rows = [f"{code},01-03-2024 10:{m:02d},999999999,999999999999.99" for code in SITES for m in range(60)]
    result = parse(_file(*rows))
    assert result.totals == {(code, hour(date(2024, 3, 1), 10)): (60 * 999999999, 60 * 99999999999999)
                             for code in SITES}
