"""Fault plans: pure, seeded decisions and a validated TOML table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from footfall.simulator.faults import ROLL_KINDS, FaultPlan, parse_faults


def test_roll_is_deterministic_and_follows_the_rate() -> None:
    plan = FaultPlan(duplicate_rate=0.1, drop_ok_rate=0.5, seed=3)
    hits = [plan.roll("duplicate", f"msg-{i}") for i in range(10_000)]
    assert hits == [plan.roll("duplicate", f"msg-{i}") for i in range(10_000)]
    assert 800 < sum(hits) < 1200
    assert 4500 < sum(plan.roll("drop_ok", f"msg-{i}") for i in range(10_000)) < 5500
    other = FaultPlan(duplicate_rate=0.1, seed=4)
    assert hits != [other.roll("duplicate", f"msg-{i}") for i in range(10_000)]


@pytest.mark.parametrize("kind", ROLL_KINDS)
def test_roll_never_at_zero_always_at_one(kind: str) -> None:
    assert not any(FaultPlan().roll(kind, str(i)) for i in range(1000))
    assert all(FaultPlan(**{f"{kind}_rate": 1.0}).roll(kind, str(i)) for i in range(1000))


def test_roll_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown fault kind 'explode'"):
        FaultPlan().roll("explode", "x")


def test_offline_windows_are_half_open_and_reboots_are_listed() -> None:
    plan = FaultPlan(offline=((100, 200), (500, 600)), reboot_at=(150, 900), clock_skew_s=-30)
    offline = [plan.is_offline(t) for t in (99, 100, 199, 200, 550, 600)]
    assert offline == [False, True, True, False, True, False]
    assert plan.reboots_in(0, 900) == (150,) and plan.skewed(1000) == 970
    assert plan.active and not FaultPlan(seed=5).active


def test_parse_faults_accepts_epochs_and_aware_datetimes() -> None:
    at = datetime(2026, 11, 20, 10, tzinfo=UTC)
    plan = parse_faults({"offline": [[at, 1795171000]], "reboot_at": [at, 5], "http_500_rate": 0.2,
                         "slow_response_s": 1.5}, seed=9)
    assert plan.offline == ((int(at.timestamp()), 1795171000),)
    assert plan.reboot_at == (5, int(at.timestamp())) and plan.http_500_rate == 0.2 and plan.seed == 9


@pytest.mark.parametrize(("table", "named"), [
    ({"explode_rate": 0.5}, "faults.explode_rate: unknown key"),
    ({"duplicate_rate": 1.5}, "faults.duplicate_rate: .*less than or equal to 1"),
    ({"offline": [[200, 100]]}, "faults.offline: .*ends before it starts"),
    ({"reboot_at": [datetime(2026, 1, 1)]}, "faults.reboot_at.*no UTC offset"),  # noqa: DTZ001
    ({"slow_response_s": -1}, "faults.slow_response_s"),
])
def test_parse_faults_names_the_bad_field(table: dict, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        parse_faults(table)
