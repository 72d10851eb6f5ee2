"""Local sales hours → UTC hour starts: DST nights in London, half-hour zones, merging."""

from __future__ import annotations

from datetime import UTC, date, datetime

from footfall.domain.timegrid import zone
from footfall.sales.hours import hour_start_ts, utc_hours
from footfall.sales.runs import HourSums

LONDON = zone("Europe/London")


def _ts(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def _hour(day: date, h: int) -> int:
    return day.toordinal() * 24 + h


def test_the_hour_start_is_the_local_hour_in_utc() -> None:
    assert hour_start_ts(_hour(date(2024, 7, 1), 10), LONDON) == _ts(2024, 7, 1, 9)  # BST
    assert hour_start_ts(_hour(date(2024, 1, 1), 10), LONDON) == _ts(2024, 1, 1, 10)  # GMT
    kolkata = zone("Asia/Kolkata")
    assert hour_start_ts(_hour(date(2024, 1, 1), 10), kolkata) == _ts(2024, 1, 1, 4) + 1800


def test_dst_nights_keep_every_row() -> None:
    spring, fall = date(2024, 3, 31), date(2024, 10, 27)
    hourly = {  # site index 0: the key is the local hour
        _hour(spring, 1): (1, 100),   # 01:xx does not exist: lands in 02:00 BST
        _hour(spring, 2): (2, 200),
        _hour(fall, 1): (4, 400),     # the repeated hour: its first occurrence
    }
    hours = utc_hours(HourSums.from_dict(hourly), ["LDN"], {"LDN": (7, LONDON)})
    assert hours.as_dict() == {(7, _ts(2024, 3, 31, 1)): (3, 300), (7, _ts(2024, 10, 27, 0)): (4, 400)}
    assert hours.spans == {7: (_ts(2024, 3, 31, 1), _ts(2024, 10, 27, 0))}
