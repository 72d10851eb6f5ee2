"""File-name patterns and retry backoff (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from footfall.delivery.naming import PatternError, check_pattern, render
from footfall.delivery.runner import backoff

VALUES = {"site": "LDN01", "counter": "000000006afce315", "date": date(2024, 3, 31),
          "start": datetime(2024, 3, 31, 2, 0, tzinfo=UTC), "ext": "csv", "name": "daily"}


def test_pattern_renders_dates_with_strftime() -> None:
    assert render("footfall_{site}_{date:%Y%m%d}.{ext}", VALUES) == "footfall_LDN01_20240331.csv"
    assert render("{counter}_{start:%Y%m%d_%H%M}.{ext}", VALUES) == "000000006afce315_20240331_0200.csv"


@pytest.mark.parametrize(("pattern", "words"), [
    ("", "empty"), ("{site", "file_name"), ("{nope}.csv", "unknown field {nope}"),
    ("{date.__class__}", "unknown field"), ("{site!r}", "conversions"), ("{ext[0]}", "unknown field"),
])
def test_bad_patterns_are_named(pattern: str, words: str) -> None:
    with pytest.raises(PatternError, match=words.replace("{", r"\{").replace("}", r"\}")):
        check_pattern(pattern)


def test_values_cannot_climb_out_of_the_folder() -> None:
    assert render("{site}_{ext}", {**VALUES, "site": "../../etc/passwd"}) == ".._.._etc_passwd_csv"
    with pytest.raises(PatternError, match="unusable"):
        render("{site}", {**VALUES, "site": ".."})
    assert "/" not in render("a/{site}", VALUES)


def test_backoff_doubles_up_to_a_cap() -> None:
    assert [backoff(60, n) for n in range(1, 7)] == [60, 120, 240, 480, 900, 900]
    assert backoff(0.01, 3) == pytest.approx(0.04)
