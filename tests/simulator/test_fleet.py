"""The simulated fleet: generated fleets and the TOML fleet file."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from footfall.simulator import fleet as fleet_module
from footfall.simulator.fleet import MAX_BACNET_INSTANCE, build_fleet
from footfall.simulator.fleet_file import FleetConfigError, load_fleet, parse_fleet

SAMPLE = Path(fleet_module.__file__).with_name("sample_fleet.toml")
SITE = {"code": "A", "timezone": "Europe/London", "daily_visitors": 500}
COUNTER = {"serial": "00000000000000a1", "site": "A"}


def test_build_fleet_gives_unique_serials_and_company_serials() -> None:
    fleet = build_fleet(counters=1000, sites=300, seed=11, channels=("http", "mqtt"))
    serials = [c.serial for c in fleet.counters]
    companies = [c.company_serial for c in fleet.counters]
    assert len(fleet.counters) == 1000 and len(fleet.sites) == 300
    assert len(set(serials)) == 1000 and len(set(companies)) == 1000
    assert len({c[-6:] for c in companies}) == 1000  # BACnet instances are unique too
    assert all(re.fullmatch(r"[0-9a-f]{16}", s) for s in serials)
    assert all(1 <= c.bacnet_instance <= MAX_BACNET_INSTANCE for c in fleet.counters)
    assert all(c.channels == ("http", "mqtt") for c in fleet.counters)


def test_build_fleet_spreads_doors_and_varies_sites() -> None:
    fleet = build_fleet(counters=120, sites=40, seed=5)
    doors = Counter(c.site_code for c in fleet.counters)
    assert set(doors) == {s.code for s in fleet.sites}
    assert all(1 <= n <= 4 for n in doors.values())
    assert fleet.sites[0].code == "S001"
    for site in fleet.sites:
        counters = fleet.doors(site.code)
        assert [c.door for c in counters] == list(range(1, len(counters) + 1))
        assert sum(c.door_share for c in counters) == pytest.approx(1, abs=0.001)
        assert 200 <= site.daily_visitors <= 6000
    assert len({s.timezone for s in fleet.sites}) >= 4
    assert any(c.outside_line for c in fleet.counters)
    assert not all(c.outside_line for c in fleet.counters)


def test_build_fleet_is_deterministic() -> None:
    assert build_fleet(counters=30, sites=10, seed=1) == build_fleet(counters=30, sites=10, seed=1)
    assert build_fleet(counters=30, sites=10, seed=1) != build_fleet(counters=30, sites=10, seed=2)


@pytest.mark.parametrize(("counters", "sites"), [(3, 4), (17, 4), (0, 0)])
def test_build_fleet_refuses_an_impossible_spread(counters: int, sites: int) -> None:
    with pytest.raises(ValueError, match="cannot spread"):
        build_fleet(counters=counters, sites=sites, seed=1)


def test_fleet_lookups() -> None:
    fleet = build_fleet(counters=6, sites=2, seed=3)
    counter = fleet.counters[-1]
    assert fleet.counter(counter.serial) is counter
    assert fleet.site_of(counter.serial) == fleet.site(counter.site_code)
    assert not fleet.faults_for(counter.serial).active
    with pytest.raises(KeyError):
        fleet.counter("ffffffffffffffff")


def test_sample_fleet_loads() -> None:
    fleet = load_fleet(SAMPLE)
    london = fleet.site("LON1")
    assert london.timezone == "Europe/London"
    assert london.opening[0] == (9 * 60, 20 * 60) and london.opening[6] == (11 * 60, 17 * 60)
    assert fleet.site("NYC1").opening[0] is None
    first = fleet.counter("000000006afce315")
    assert first.bacnet_instance == 123 and first.outside_line and len(first.channels) == 5
    assert fleet.counter("000000006afce316").password == "s3cret"
    assert len(fleet.counters) == 23 and {"S001", "S006"} <= {s.code for s in fleet.sites}
    skewed = fleet.faults_for("000000006afce316")
    assert skewed.clock_skew_s == 90 and skewed.duplicate_rate == 0.01 and skewed.offline
    assert fleet.faults_for("000000006afce315").duplicate_rate == 0.01


@pytest.mark.parametrize(("data", "named"), [
    ({"seed": 1, "colour": "red"}, "colour: unknown key"),
    ({"site": [SITE | {"shape": "round"}]}, r"site\[0\].shape: unknown key"),
    ({"site": [SITE | {"opening": {"default": "09:00-17:00", "holiday": "closed"}}]},
     r"site\[0\].opening.holiday: unknown key"),
    ({"site": [SITE], "counter": [COUNTER | {"ip": "10.0.0.1"}]}, r"counter\[0\].ip: unknown key"),
    ({"site": [SITE], "counter": [COUNTER | {"faults": {"explode_rate": 1}}]},
     r"counter\[0\].faults.explode_rate: unknown key"),
    ({"generate": {"counters": 3, "sites": 1, "doors": 3}}, "generate.doors: unknown key"),
])
def test_load_fleet_rejects_unknown_keys_naming_them(data: dict, named: str) -> None:
    with pytest.raises(FleetConfigError, match=named):
        parse_fleet(data)


@pytest.mark.parametrize(("data", "named"), [
    ({"site": [SITE | {"timezone": "Mars/Olympus"}]}, r"site\[0\].timezone: .*Mars/Olympus"),
    ({"site": [SITE | {"opening": "18:00-09:00"}]}, r"site\[0\].opening.default: .*open before it closes"),
    ({"site": [SITE | {"opening": {"mon": "9am"}}]}, r"site\[0\].opening.mon: .*'9am' is not HH:MM"),
    ({"site": [SITE | {"turn_in_rate": 0}]}, r"site\[0\].turn_in_rate"),
    ({"site": [SITE], "counter": [COUNTER | {"site": "B"}]}, r"counter\[0\].site: unknown site 'B'"),
    ({"site": [SITE], "counter": [COUNTER | {"serial": "XYZ"}]}, r"counter\[0\].serial"),
    ({"site": [SITE], "counter": [COUNTER | {"channels": ["smtp"]}]}, r"counter\[0\].channels\[0\]"),
    ({"site": [SITE], "counter": [COUNTER, COUNTER | {"serial": "00000000000000a2"}]},
     r"counter\[1\].door: site A already has a door 1"),
    ({"site": [SITE], "counter": [COUNTER | {"faults": {"drop_ok_rate": 2}}]},
     r"counter\[0\].faults.drop_ok_rate"),
])
def test_load_fleet_names_the_bad_field(data: dict, named: str) -> None:
    with pytest.raises(FleetConfigError, match=named):
        parse_fleet(data)


def test_load_fleet_reports_the_file_on_bad_toml(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_text("seed = = 3\n")
    with pytest.raises(FleetConfigError, match=r"fleet\.toml"):
        load_fleet(path)


def test_mixed_fleet_generated_part_avoids_explicit_names() -> None:
    data = {"seed": 9, "site": [SITE | {"code": "S001"}],
            "counter": [COUNTER | {"site": "S001", "company_serial": "X-000001"}],
            "generate": {"counters": 8, "sites": 3, "channels": ["ws"]}}
    fleet = parse_fleet(data)
    assert [s.code for s in fleet.sites] == ["S001", "S002", "S003", "S004"]
    assert len({c.company_serial[-6:] for c in fleet.counters}) == 9
    assert fleet.counter("00000000000000a1").channels == ("http",)
    assert all(c.channels == ("ws",) for c in fleet.counters[1:])
