"""The careful path: every record checked field by field, every problem named."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from footfall.sales.fields import FieldProblem, HourKeys, cents, quantity, site_key
from footfall.sales.problems import RowError, row_error


class RowChecker:
    """Checks one record at a time and sums the good ones (site key + hour → totals)."""

    def __init__(self, header: list[str], indexes: tuple[int, int, int, int], names: tuple[str, ...],
                 hours: HourKeys, sites: Mapping[str, int]) -> None:
        self.header = header
        self.width = len(header)
        self.indexes = indexes
        self.names = names  # the file's header names of the four fields, for the log
        self.hours = hours
        self.sites = sites
        self.totals: dict[int, list[int]] = {}  # site key + hour → [transactions, cents]
        self.checks: tuple[Callable[[str], int], ...] = (
            lambda text: site_key(sites, text), hours.__getitem__, quantity, cents)

    def check(self, line: int, record: list[str]) -> list[RowError]:
        """The record's errors; a record without any is added to the totals."""
        if record == self.header:
            return [row_error(line, "", self.header[0], "the header row again (files joined together?)")]
        if len(record) != self.width:
            shown = ",".join(record)
            return [row_error(line, "", shown, f"{len(record)} fields where the header has {self.width}")]
        errors: list[RowError] = []
        parsed: list[int] = []
        for index, name, check in zip(self.indexes, self.names, self.checks, strict=True):
            text = record[index]
            try:
                parsed.append(check(text))
            except FieldProblem as problem:
                errors.append(row_error(line, name, text, str(problem)))
        if not errors:
            site, hour, count, value = parsed
            cell = self.totals.setdefault(hour + site, [0, 0])
            cell[0] += count
            cell[1] += value
        return errors
