"""The simulated counters' HTTP device API, served for real on loopback and read with httpx."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

import defusedxml.ElementTree as SafeET
import httpx
import pytest

from footfall.simulator.clock import SimClock
from footfall.simulator.devices.http_api import DeviceApiServer
from footfall.simulator.faults import FaultPlan
from footfall.simulator.fleet import CounterSpec, Fleet, SiteSpec
from footfall.simulator.traffic import tallies
from footfall.simulator.truth import truth_rows
from tests.simulator.devices_harness import Devices, SteppedClock

OPEN = ((9 * 60, 21 * 60),) * 7
LONDON, KATHMANDU = ZoneInfo("Europe/London"), ZoneInfo("Asia/Kathmandu")
MAIN, SIDE, KTM = "00000000000000a1", "00000000000000a2", "00000000000000b1"
BROKEN, FLAKY, SLOW, OFFLINE = "00000000000000c1", "00000000000000c2", "00000000000000c3", "00000000000000c4"


def _counter(serial: str, number: int, site: str, door: int, outside: bool, **login: str) -> CounterSpec:
    return CounterSpec(serial, f"FFC-2024-{number:06d}", site, door, 1.0, outside, ("http",), **login)


FLEET = Fleet(seed=11, sites=(
    SiteSpec("LDN", "London High Street", "Europe/London", OPEN, 4000),
    SiteSpec("KTM", "Kathmandu Mall", "Asia/Kathmandu", OPEN, 2000),
), counters=(
    _counter(MAIN, 101, "LDN", 1, True), _counter(SIDE, 102, "LDN", 2, False, password="s3cret"),
    _counter(KTM, 201, "KTM", 1, True), _counter(BROKEN, 103, "LDN", 3, False),
    _counter(FLAKY, 104, "LDN", 4, False), _counter(SLOW, 105, "LDN", 5, False),
    _counter(OFFLINE, 106, "LDN", 6, False),
))
NOW = int(datetime(2025, 11, 21, 6, 0, tzinfo=LONDON).timestamp())   # a Friday, 06:00 in London
FAULTS = {BROKEN: FaultPlan(http_500_rate=1.0), FLAKY: FaultPlan(http_500_rate=0.5),
          SLOW: FaultPlan(slow_response_s=1.0), OFFLINE: FaultPlan(offline=((NOW - 3600, NOW + 30 * 86400),))}


Server: TypeAlias = DeviceApiServer   # the two fixtures' types, short for signatures
Http: TypeAlias = httpx.Client


@pytest.fixture(scope="module")
def devices() -> Iterator[DeviceApiServer]:
    serials = [c.serial for c in FLEET.counters]
    with Devices(DeviceApiServer(FLEET, serials, SimClock(start=NOW), FAULTS)) as server:
        yield server


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def token(devices: Server, client: Http, serial: str, password: str = "123456") -> str:
    reply = client.get(f"{devices.endpoint(serial)}/cgi-bin/access_token.cgi",
                       params={"username": "admin", "password": password})
    assert reply.status_code == 200, reply.text
    assert reply.json()["serial"] == serial
    return str(reply.json()["access_token"])


def count(devices: Server, client: Http, serial: str, path: str = "apiCount.cgi",
          **params: str) -> httpx.Response:
    if "access_token" not in params:
        params["access_token"] = token(devices, client, serial)
    return client.get(f"{devices.endpoint(serial)}/cgi-bin/{path}", params=params)


def totals(body: dict[str, Any]) -> dict[int, list[int]]:
    """Per line: [in, out, staff_in, staff_out] summed over the reply's intervals."""
    sums = {roi: [0, 0, 0, 0] for roi in body["lines"]}
    for interval in body["intervals"]:
        for line in interval["lines"]:
            for i, name in enumerate(("in", "out", "staff_in", "staff_out")):
                sums[line["roi_id"]][i] += line[name]
    return sums


def truth(serial: str, start: datetime, end: datetime) -> dict[int, list[int]]:
    """The simulator's ground truth for a counter over [start, end), per line."""
    sums = {roi: [0, 0, 0, 0] for roi in FLEET.counter(serial).rois}
    for row in truth_rows(FLEET, int(start.timestamp()), int(end.timestamp())):
        if row.serial == serial:
            for i, value in enumerate((row.in_, row.out, row.staff_in, row.staff_out)):
                sums[row.line][i] += value
    return sums


def test_login_gives_a_long_lived_token_of_that_counter(devices: Server, client: Http) -> None:
    first, second = token(devices, client, MAIN), token(devices, client, MAIN)
    assert first == second
    assert token(devices, client, SIDE, password="s3cret") != first
    assert count(devices, client, MAIN, access_token=first).status_code == 200


@pytest.mark.parametrize(("params", "status", "parameter"), [
    ({"username": "admin", "password": "wrong"}, 401, "password"),
    ({"username": "Admin", "password": "123456"}, 401, "username"),
    ({"username": "admin"}, 400, "password"),
    ({"username": "admin", "password": "123456", "remember": "1"}, 400, "remember"),
])
def test_bad_logins(devices: Server, client: Http, params: dict[str, str], status: int,
                    parameter: str) -> None:
    reply = client.get(f"{devices.endpoint(MAIN)}/cgi-bin/access_token.cgi", params=params)
    assert reply.status_code == status
    assert reply.json()["error"]["parameter"] == parameter


@pytest.mark.parametrize(("make_token", "code"), [
    (lambda d, c: "", "missing_token"),
    (lambda d, c: "not-a-token", "bad_token"),
    (lambda d, c: token(d, c, MAIN)[:-2] + "xx", "bad_token"),
    (lambda d, c: token(d, c, SIDE, password="s3cret"), "wrong_counter"),
])
def test_bad_tokens_get_401(devices: Server, client: Http, make_token: Any, code: str) -> None:
    reply = count(devices, client, MAIN, access_token=make_token(devices, client))
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == code


def test_defaults_are_yesterday_hourly_json_with_zeros(devices: Server, client: Http) -> None:
    reply = count(devices, client, MAIN)
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    body = reply.json()
    assert (body["serial"], body["timezone"], body["data_format"]) == (MAIN, "Europe/London", "hour")
    assert (body["resolution"], body["lines"]) == (3600, [1, 2])
    assert (body["start"], body["end"]) == ("2025-11-20T00:00:00+00:00", "2025-11-21T00:00:00+00:00")
    assert len(body["intervals"]) == 24
    assert [len(i["lines"]) for i in body["intervals"]] == [2] * 24
    assert body["intervals"][3]["lines"][0] == {"roi_id": 1, "in": 0, "out": 0, "staff_in": 0, "staff_out": 0}
    day = datetime(2025, 11, 20, tzinfo=LONDON), datetime(2025, 11, 21, tzinfo=LONDON)
    assert totals(body) == truth(MAIN, *day)
    assert totals(body)[1][0] > 100


def test_resolutions_agree_with_each_other_and_the_truth(devices: Server, client: Http) -> None:
    window = {"date_start": "20251120", "time_start": "083000", "time_end": "211500"}
    hour = count(devices, client, MAIN, **window).json()
    minute = count(devices, client, MAIN, data_format="minute", resolution_min="15", **window).json()
    second = count(devices, client, MAIN, data_format="second", resolution_sec="30", **window).json()
    assert (minute["resolution"], second["resolution"]) == (900, 30)
    assert (len(minute["intervals"]), len(second["intervals"])) == (51, 1530)
    window_start = datetime(2025, 11, 20, 8, 30, tzinfo=LONDON)
    window_end = datetime(2025, 11, 20, 21, 15, tzinfo=LONDON)
    expected = truth(MAIN, window_start, window_end)
    assert totals(hour) == totals(minute) == totals(second) == expected
    # Each 15-minute interval is the traffic model's own tally of it.
    start = int(window_start.timestamp())
    model = {(t.start, t.roi): [t.in_, t.out, t.staff_in, t.staff_out]
             for t in tallies(FLEET, MAIN, start, start + 51 * 900, 900)}
    for i, interval in enumerate(minute["intervals"]):
        for line in interval["lines"]:
            got = [line["in"], line["out"], line["staff_in"], line["staff_out"]]
            assert got == model[start + i * 900, line["roi_id"]]


def test_hours_follow_a_quarter_hour_offset(devices: Server, client: Http) -> None:
    body = count(devices, client, KTM, date_start="20251120").json()
    assert body["timezone"] == "Asia/Kathmandu" and len(body["intervals"]) == 24
    assert {i["utc_offset"] for i in body["intervals"]} == {"+05:45"}
    assert body["intervals"][10]["start"] == "2025-11-20T10:00:00+05:45"
    day = datetime(2025, 11, 20, tzinfo=KATHMANDU), datetime(2025, 11, 21, tzinfo=KATHMANDU)
    assert totals(body) == truth(KTM, *day)


def test_fall_back_day_is_25_hours_in_one_request(devices: Server, client: Http) -> None:
    body = count(devices, client, MAIN, date_start="20251026").json()
    assert len(body["intervals"]) == 25
    assert [i["start"][11:] for i in body["intervals"][1:3]] == ["01:00:00+01:00", "01:00:00+00:00"]
    day = datetime(2025, 10, 26, tzinfo=LONDON), datetime(2025, 10, 27, tzinfo=LONDON)
    assert totals(body) == truth(MAIN, *day)


def test_xml_carries_the_same_numbers(devices: Server, client: Http) -> None:
    window = {"data_format": "minute", "resolution_min": "60", "date_start": "20251120"}
    as_json = count(devices, client, MAIN, **window).json()
    reply = count(devices, client, MAIN, path="apiCount_cgi", data_type="xml", **window)
    assert reply.headers["content-type"] == "application/xml"
    root = SafeET.fromstring(reply.content)
    assert (root.get("serial"), root.get("resolution"), root.get("lines")) == (MAIN, "3600", "1 2")
    elements = root.findall("interval")
    assert [e.get("start") for e in elements] == [i["start"] for i in as_json["intervals"]]
    for element, interval in zip(elements, as_json["intervals"], strict=True):
        lines = [{k: int(v) for k, v in e.attrib.items()} for e in element.findall("line")]
        assert lines == interval["lines"]


def test_both_spellings_of_the_path_answer_the_same(devices: Server, client: Http) -> None:
    side_token = token(devices, client, SIDE, "s3cret")
    dotted = count(devices, client, SIDE, access_token=side_token)
    underscored = count(devices, client, SIDE, path="apiCount_cgi", access_token=side_token)
    assert dotted.status_code == underscored.status_code == 200
    assert dotted.content == underscored.content


@pytest.mark.parametrize(("params", "code", "parameter"), [
    ({"data_type": "csv"}, "bad_parameter", "data_type"),
    ({"data_format": "week"}, "bad_parameter", "data_format"),
    ({"data_format": "minute", "resolution_min": "20"}, "bad_parameter", "resolution_min"),
    ({"data_format": "second", "resolution_min": "15"}, "bad_parameter", "resolution_min"),
    ({"data_format": "hour", "resolution_sec": "30"}, "bad_parameter", "resolution_sec"),
    ({"date_start": "2025-11-20"}, "bad_parameter", "date_start"),
    ({"date_end": "20251131"}, "bad_parameter", "date_end"),
    ({"time_start": "2500"}, "bad_parameter", "time_start"),
    ({"time_end": "236100"}, "bad_parameter", "time_end"),
    ({"date_start": "20251120", "date_end": "20251119"}, "bad_window", "time_end"),
    ({"date_start": "20251119", "date_end": "20251120"}, "window_too_long", "date_end"),
    ({"date_start": "20181231", "date_end": "20190131", "time_start": "083000", "time_end": "183000"},
     "window_too_long", "date_end"),
    ({"branch": "S001"}, "unknown_parameter", "branch"),
])
def test_bad_parameters_get_400(devices: Server, client: Http, params: dict[str, str], code: str,
                                parameter: str) -> None:
    reply = count(devices, client, MAIN, **params)
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == code and reply.json()["error"]["parameter"] == parameter
    as_xml = count(devices, client, MAIN, data_type="xml", **params) if "data_type" not in params else None
    if as_xml is not None:   # an XML request gets its error in XML
        assert as_xml.status_code == 400
        assert SafeET.fromstring(as_xml.content).get("code") == code


def test_the_device_only_knows_the_past(devices: Server, client: Http) -> None:
    today = count(devices, client, MAIN, date_start="20251121").json()
    assert [i["start"][11:16] for i in today["intervals"]] == [f"{h:02d}:00" for h in range(6)]
    assert today["device_time"].startswith("2025-11-21T06:0")
    tomorrow = count(devices, client, MAIN, date_start="20251122").json()
    assert tomorrow["intervals"] == [] and tomorrow["start"] == "2025-11-22T00:00:00+00:00"


def test_each_counter_answers_on_its_own_port(devices: Server, client: Http) -> None:
    serials = (MAIN, KTM, BROKEN, FLAKY, SLOW, OFFLINE)
    ports = {httpx.URL(devices.endpoint(s)).port for s in (*serials, SIDE)}
    assert len(ports) == 7
    for serial in (MAIN, KTM):
        assert count(devices, client, serial).json()["serial"] == serial


def test_unknown_path_is_a_json_404(devices: Server, client: Http) -> None:
    reply = client.get(f"{devices.endpoint(MAIN)}/cgi-bin/apiCount.php")
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "not_found"


def test_http_500_fault(devices: Server, client: Http) -> None:
    broken = client.get(f"{devices.endpoint(BROKEN)}/cgi-bin/access_token.cgi",
                        params={"username": "admin", "password": "123456"})
    assert broken.status_code == 500 and broken.json()["error"]["code"] == "internal_error"
    statuses = [client.get(f"{devices.endpoint(FLAKY)}/cgi-bin/access_token.cgi",
                           params={"username": "admin", "password": "123456"}).status_code for _ in range(24)]
    assert set(statuses) == {200, 500}


def test_slow_fault(devices: Server, client: Http) -> None:
    url = f"{devices.endpoint(SLOW)}/cgi-bin/access_token.cgi?username=admin&password=123456"
    # Patient to connect, impatient to read: a busy machine may connect slowly, the reply is what's late.
    with httpx.Client(timeout=httpx.Timeout(10, read=0.2)) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.get(url)
    assert client.get(url).status_code == 200


def test_offline_counter_drops_the_connection(devices: Server, client: Http) -> None:
    with pytest.raises(httpx.TransportError):
        client.get(f"{devices.endpoint(OFFLINE)}/cgi-bin/access_token.cgi?username=admin&password=123456")
    assert count(devices, client, MAIN).status_code == 200   # the others carry on


def test_going_offline_mid_connection_and_back() -> None:
    clock = SteppedClock(NOW)
    plan = FaultPlan(offline=((NOW + 600, NOW + 1200),))
    with Devices(DeviceApiServer(FLEET, [MAIN], clock, {MAIN: plan})) as server, httpx.Client() as http:
        url = f"{server.endpoint(MAIN)}/cgi-bin/access_token.cgi?username=admin&password=123456"
        assert http.get(url).status_code == 200
        clock.value = NOW + 700   # the kept-alive connection gets a 503 and is closed
        reply = http.get(url)
        assert reply.status_code == 503 and reply.headers["connection"] == "close"
        with pytest.raises(httpx.TransportError):   # a new connection is dropped
            http.get(url)
        clock.value = NOW + 1200
        assert http.get(url).status_code == 200


def test_clock_skew_shifts_what_the_device_reports() -> None:
    """A counter whose clock runs an hour fast labels each crossing an hour late."""
    plan = FaultPlan(clock_skew_s=3600)
    with Devices(DeviceApiServer(FLEET, [MAIN], SimClock(start=NOW), {MAIN: plan})) as server, \
            httpx.Client() as http:
        body = count(server, http, MAIN, date_start="20251120", time_start="100000", time_end="140000").json()
    assert body["device_time"].startswith("2025-11-21T07:0")
    true_window = datetime(2025, 11, 20, 9, tzinfo=LONDON), datetime(2025, 11, 20, 13, tzinfo=LONDON)
    assert totals(body) == truth(MAIN, *true_window)


def test_async_use_and_a_taken_port() -> None:
    """`async with` serves from an asyncio program; a port already in use refuses to start, named."""

    async def scenario() -> None:
        async with DeviceApiServer(FLEET, [MAIN, KTM], SimClock(start=NOW)) as server, \
                httpx.AsyncClient() as http:
            assert set(server.endpoints) == {MAIN, KTM}
            login = {"username": "admin", "password": "123456"}
            reply = await http.get(f"{server.endpoint(KTM)}/cgi-bin/access_token.cgi", params=login)
            assert reply.json()["serial"] == KTM
            taken = httpx.URL(server.endpoint(MAIN)).port
            with pytest.raises(OSError, match=f"cannot bind the device API to 127.0.0.1:{taken}"):
                await DeviceApiServer(FLEET, [SIDE], SimClock(start=NOW), base_port=taken).start()

    asyncio.run(scenario())
