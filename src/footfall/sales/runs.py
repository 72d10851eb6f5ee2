"""Runs of rows of one site-hour: summed with prefix sums, joined up across blocks, and added
up into the sums per site-hour that are stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, islice
from operator import gt, itemgetter, ne, sub

Runs = tuple[list[int], list[int], list[int]]  # key, transactions, cents of each run, in file order


@dataclass(slots=True)
class HourSums:
    """Transactions and cents per site-hour key ((site index << HOUR_BITS) + hour), each key
    once, in key order (site by site, hour by hour: the order the table's index wants)."""

    keys: list[int] = field(default_factory=list)
    transactions: list[int] = field(default_factory=list)
    cents: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, keys: list[int], transactions: list[int], cents: list[int]) -> HourSums:
        """Sums of rows in any order whose keys may recur (then they are added up)."""
        if any(map(gt, keys, islice(keys, 1, None))):
            order = sorted(range(len(keys)), key=keys.__getitem__)
            keys, transactions, cents = (list(map(column.__getitem__, order))
                                         for column in (keys, transactions, cents))
        cut = list(map(ne, keys, islice(keys, 1, None)))
        if all(cut):
            return cls(keys, transactions, cents)
        cut.append(True)
        sums = cls()
        append_runs((sums.keys, sums.transactions, sums.cents), list(compress(keys, cut)),
                    run_sums(transactions, cut), run_sums(cents, cut))
        return sums

    @classmethod
    def from_dict(cls, sums: Mapping[int, Sequence[int]]) -> HourSums:
        """From key → (transactions, cents)."""
        values = list(sums.values())
        return cls.of(list(sums), list(map(itemgetter(0), values)), list(map(itemgetter(1), values)))

    def as_dict(self) -> dict[int, tuple[int, int]]:
        """Key → (transactions, cents)."""
        return dict(zip(self.keys, zip(self.transactions, self.cents, strict=True), strict=True))


def run_sums(values: list[int], cut: list[bool]) -> list[int]:
    """Sums of the runs of `values` that end where `cut` is true (the last value ends one):
    differences of the prefix sums taken at the cuts, every loop in C."""
    ends = list(compress(accumulate(values), cut))
    return list(map(sub, ends, chain((0,), ends)))


def append_runs(runs: Runs, keys: list[int], transactions: list[int], cents: list[int]) -> None:
    """Append one (key, transactions, cents) per run; a run cut by the end of the previous
    block is joined up with its rest."""
    if runs[0] and keys and runs[0][-1] == keys[0]:
        runs[1][-1] += transactions[0]
        runs[2][-1] += cents[0]
        keys, transactions, cents = keys[1:], transactions[1:], cents[1:]
    runs[0].extend(keys)
    runs[1].extend(transactions)
    runs[2].extend(cents)
