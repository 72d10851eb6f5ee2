"""Precedence and coverage of the pure resolver (DESIGN §3), without a database."""

from __future__ import annotations

from footfall.domain.resolve import Cell, merge_spans, resolve

HOUR = 1_700_000_000 - 1_700_000_000 % 3600


def _live(minute: int, a: int = 0, b: int = 0) -> Cell:
    return Cell(1, "live", HOUR + 60 * minute, 60, a, b)


def test_device_report_wins_over_live_minutes_it_covers() -> None:
    cells = [_live(5, a=4), _live(50, b=2), Cell(1, "device_api", HOUR, 3600, 7, 3)]
    (hour,) = resolve([HOUR, HOUR + 3600], cells, [])
    assert hour.lines == {1: (7, 3, 0, 0)}
    assert hour.complete and hour.sources == {"device_api"}


def test_manual_beats_device_and_live_fills_what_nothing_better_covers() -> None:
    cells = [Cell(1, "manual", HOUR, 1800, 10, 10)]
    cells += [Cell(1, "device_api", HOUR + 60 * m, 60, 1, 0) for m in range(30)]  # overlaps manual
    cells += [_live(45, a=2)]
    (hour,) = resolve([HOUR, HOUR + 3600], cells, [(HOUR + 1800, HOUR + 3600)])
    assert hour.lines == {1: (12, 10, 0, 0)}
    assert hour.covered_s == 3600  # manual half + alive half


def test_a_cell_that_does_not_fit_a_bucket_is_not_split() -> None:
    cells = [Cell(1, "bacnet", HOUR, 3600, 9, 9), _live(10, a=1)]
    quarters = resolve([HOUR + 900 * q for q in range(5)], cells, [])
    assert [q.lines.get(1, (0, 0, 0, 0))[0] for q in quarters] == [1, 0, 0, 0]
    assert not any(q.complete for q in quarters)  # the hourly report cannot vouch for a quarter


def test_alive_without_counts_is_complete_zero_and_silence_is_missing() -> None:
    edges = [HOUR, HOUR + 3600, HOUR + 7200]
    alive, silent = resolve(edges, [], [(HOUR - 10, HOUR + 3600)])
    assert alive.complete and alive.lines == {}
    assert silent.covered_s == 0 and not silent.complete


def test_reported_zeros_cover_like_any_count() -> None:
    (hour,) = resolve([HOUR, HOUR + 3600], [Cell(2, "ftp", HOUR + 60 * m, 60, 0, 0) for m in range(60)], [])
    assert hour.complete and hour.lines == {2: (0, 0, 0, 0)}


def test_spans_merge_across_overlaps_and_touching_edges() -> None:
    assert merge_spans([(5, 9), (0, 3), (3, 4), (8, 12), (20, 20)]) == [(0, 4), (5, 12)]
