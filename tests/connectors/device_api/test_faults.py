"""The poller survives the device API's faults: stale tokens, 500s, timeouts, a day offline, bad replies."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from footfall.connectors.device_api import DeviceApiPoller, PollerLimits, store
from footfall.connectors.device_api.windows import align_down, first_start
from footfall.estate.counters import create_counter
from footfall.ingest.core import IngestCore
from footfall.security.secrets import SecretBox
from footfall.simulator.devices.http_api import DeviceApiServer, issue_token
from footfall.simulator.faults import FaultPlan
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import counter
from footfall.storage.tables_device_api import device_api_login
from tests.connectors.device_api.bad_device import BadDevice
from tests.connectors.device_api.fleet import BACK, FLEET, FRONT, KTM, NOW, SERIALS, ZONES
from tests.connectors.device_api.harness import (
    Devices,
    SteppedClock,
    cells,
    hub_minutes,
    register,
    state,
    truth_minutes,
)

FAST = PollerLimits(retry_delay_s=0, backoff_s=1, backoff_max_s=60, timeout_s=2)
CASES = Path(__file__).parent / "cases"


class Rig:
    """The simulator's devices, a registered estate, an ingest core and a poller on a stepped clock."""

    def __init__(
        self, engine: Engine, server: DeviceApiServer, clock: SteppedClock, limits: PollerLimits
    ) -> None:
        self.engine, self.server, self.clock = engine, server, clock
        self.box = SecretBox.generate()
        self.ids = register(engine, FLEET, server, self.box)
        self.ingest = IngestCore(engine)
        self.poller = DeviceApiPoller(engine, self.ingest, self.box, limits, clock=clock)

    def poll(self) -> dict[str, str | None]:
        """One polling round: error (or None) by serial of the counters that were due."""
        return {o.serial: o.error for o in asyncio.run(self.poller.poll_due())}

    def matches_truth(self, serial: str, until: int) -> bool:
        """Whether the hub holds exactly the truth of `serial` from its first pull to `until`."""
        since = first_start(NOW, 1, 60, ZONES[serial])
        hub = {k: v for k, v in hub_minutes(self.engine, since, until).items() if k[0] == serial}
        truth = {k: v for k, v in truth_minutes(FLEET, since, until).items() if k[0] == serial}
        return hub == truth and len(truth) > 100


@pytest.fixture
def rig(sqlite_engine: Engine, request: pytest.FixtureRequest) -> Iterator[Rig]:
    """Devices with the faults the test names (`@pytest.mark.parametrize` not needed: see `faults`)."""
    faults = getattr(request, "param", {})
    clock = SteppedClock(NOW)
    with Devices(DeviceApiServer(FLEET, SERIALS, clock, faults)) as server:
        built = Rig(sqlite_engine, server, clock, FAST)
        yield built
        built.ingest.close()


def test_a_refused_token_is_renewed(rig: Rig) -> None:
    # A token the counter issued before its password changed: it now answers 401 bad_token.
    stale = issue_token(FLEET.seed, dataclasses.replace(FLEET.counter(FRONT), password="old-one"))
    with write_tx(rig.engine) as conn:
        conn.execute(
            update(device_api_login)
            .where(device_api_login.c.counter_id == rig.ids[FRONT])
            .values(token_sealed=rig.box.seal(stale))
        )
    assert rig.poll() == dict.fromkeys(SERIALS)
    with read_tx(rig.engine) as conn:
        sealed = conn.execute(
            select(device_api_login.c.token_sealed).where(device_api_login.c.counter_id == rig.ids[FRONT])
        ).scalar_one()
    assert rig.box.unseal(sealed) == issue_token(FLEET.seed, FLEET.counter(FRONT))
    assert rig.matches_truth(FRONT, NOW)


@pytest.mark.parametrize(
    "rig", [{FRONT: FaultPlan(http_500_rate=1.0), BACK: FaultPlan(http_500_rate=0.6, seed=3)}], indirect=True
)
def test_http_500s_are_retried_recorded_and_isolated(rig: Rig) -> None:
    errors = rig.poll()
    assert errors[KTM] is None and rig.matches_truth(KTM, NOW)
    assert "HTTP 500 (internal_error" in (errors[FRONT] or "")
    front = state(rig.engine, rig.ids[FRONT])
    assert front["failures"] == 1 and front["watermark_ts"] is None and "HTTP 500" in str(front["last_error"])
    # The flaky counter gets there within a few rounds (each resumes from its watermark).
    failed_rounds = int(errors[BACK] is not None)
    for _ in range(20):
        if state(rig.engine, rig.ids[BACK]).get("watermark_ts") == NOW:
            break
        rig.clock.value += 120  # past the backoff
        failed_rounds += int(rig.poll().get(BACK) is not None)
    assert failed_rounds >= 1 and rig.matches_truth(BACK, NOW)
    assert state(rig.engine, rig.ids[FRONT])["failures"] > 1  # still failing, still recorded


@pytest.mark.parametrize("rig", [{BACK: FaultPlan(slow_response_s=120.0)}], indirect=True)
def test_a_counter_that_does_not_answer_in_time(rig: Rig) -> None:
    # Generous against a busy machine: the slow counter answers after two minutes, the rest at once.
    rig.poller.limits = FAST.model_copy(update={"timeout_s": 4, "attempts": 2})
    errors = rig.poll()
    assert (
        errors[BACK] == f"no answer from 127.0.0.1:{rig.server.endpoint(BACK).rsplit(':', 1)[1]} within 4 s"
    )
    assert errors[FRONT] is None and errors[KTM] is None
    assert state(rig.engine, rig.ids[BACK])["failures"] == 1
    rig.server.faults[BACK] = FaultPlan()  # it answers again
    rig.clock.value += 120
    assert rig.poll() == {BACK: None}
    assert rig.matches_truth(BACK, NOW) and state(rig.engine, rig.ids[BACK])["failures"] == 0


@pytest.mark.parametrize(
    "rig", [{KTM: FaultPlan(offline=((NOW + 1800, NOW + 1800 + 86400),))}], indirect=True
)
def test_a_counter_down_for_a_day_catches_up_from_its_watermark(rig: Rig) -> None:
    assert rig.poll() == dict.fromkeys(SERIALS)
    for hours in (2, 8, 20):
        rig.clock.value = NOW + hours * 3600
        errors = rig.poll()
        assert errors[FRONT] is None and errors[BACK] is None
        assert errors[KTM] is not None and errors[KTM].startswith("cannot connect to 127.0.0.1:")
    down = state(rig.engine, rig.ids[KTM])
    assert down["failures"] == 3 and down["watermark_ts"] == NOW
    rig.clock.value = NOW + 26 * 3600 + 30
    assert rig.poll()[KTM] is None
    back = state(rig.engine, rig.ids[KTM])
    assert back["failures"] == 0 and back["watermark_ts"] == NOW + 26 * 3600
    assert back["last_error"] == down["last_error"]  # the last error stays on record, with its time
    assert rig.matches_truth(KTM, NOW + 26 * 3600)


def hourly(rig: Rig) -> int:
    """Pull the simulated counters by the hour (cheap: the bad device is the point); their cells due."""
    cells_due = 0
    with write_tx(rig.engine) as conn:
        for serial in SERIALS:
            store.save_login(conn, rig.ids[serial], {"resolution": "hour"})
            since = first_start(NOW, 1, 3600, ZONES[serial])
            cells_due += (
                (align_down(NOW, 3600, ZONES[serial]) - since) // 3600 * len(FLEET.counter(serial).rois)
            )
    return cells_due


def bad_counter(rig: Rig, device: BadDevice, serial: str = "00000000000000ff") -> int:
    """A registered device_api counter at the misbehaving device's address."""
    with write_tx(rig.engine) as conn:
        company_id = conn.execute(
            select(counter.c.company_id).where(counter.c.id == rig.ids[FRONT])
        ).scalar_one()
        row = create_counter(
            conn, company_id, serial, channel="device_api", host="127.0.0.1", port=device.port
        )
        store.save_login(conn, row["id"], {"password_sealed": rig.box.seal("123456")})
    return int(row["id"])


def reply_case(name: str) -> tuple[str, bytes]:
    """A malformed reply from the parser cases: its data type and body."""
    folder = CASES / name
    path = next(folder.glob("input.*"))
    return path.suffix.lstrip("."), path.read_bytes()


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("json_truncated", "the reply is not JSON"),
        ("json_negative_count", "'in' must be a whole number >= 0"),
        ("xml_billion_laughs", "DTDs and entities are not accepted"),
        ("xml_not_well_formed", "not well-formed XML"),
    ],
)
def test_malformed_replies_are_refused_whole_and_the_rest_goes_on(rig: Rig, case: str, error: str) -> None:
    data_type, body = reply_case(case)
    cells_due = hourly(rig)
    with BadDevice() as device:
        device.count_reply = (200, {"Content-Type": f"application/{data_type}"}, body)
        bad = bad_counter(rig, device)
        with write_tx(rig.engine) as conn:
            store.save_login(conn, bad, {"data_type": data_type})
        errors = rig.poll()
    assert errors.pop("00000000000000ff") is not None
    assert errors == dict.fromkeys(SERIALS)
    recorded = state(rig.engine, bad)
    assert error in str(recorded["last_error"]) and recorded["watermark_ts"] is None
    with read_tx(rig.engine) as conn:
        serials = set(conn.execute(select(counter.c.serial)).scalars())
    assert serials == {*SERIALS, "00000000000000ff"}  # nothing stored under a stranger's serial
    assert cells(rig.engine) == cells_due  # the others' hours, not one cell from the refused replies


def test_redirects_are_not_followed_and_metadata_hosts_never_dialled(rig: Rig) -> None:
    hourly(rig)
    with BadDevice() as device, BadDevice() as elsewhere:
        device.count_reply = (
            302,
            {"Location": f"http://127.0.0.1:{elsewhere.port}/cgi-bin/apiCount.cgi"},
            b"",
        )
        bad_counter(rig, device)
        with write_tx(rig.engine) as conn:  # written past the API's check, as an old row might be
            company_id = conn.execute(select(counter.c.company_id)).scalars().first()
            row = create_counter(conn, company_id, "00000000000000ee", channel="device_api", host="10.0.0.1")
            conn.execute(update(counter).where(counter.c.id == row["id"]).values(host="169.254.169.254"))
            store.save_login(conn, row["id"], {"password_sealed": rig.box.seal("123456")})
        errors = rig.poll()
    assert "redirects are not followed" in str(errors["00000000000000ff"])
    assert elsewhere.hits == []
    assert "00000000000000ee" not in errors  # refused before any connection is tried
    assert "169.254.169.254" in str(state(rig.engine, row["id"])["last_error"])
    assert "link-local" in str(state(rig.engine, row["id"])["last_error"])


def test_a_wrong_login_is_named_and_no_secret_is_logged(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    hourly(rig)
    with write_tx(rig.engine) as conn:
        store.save_login(conn, rig.ids[BACK], {"password_sealed": rig.box.seal("n0t-the-Password")})
    caplog.set_level(logging.DEBUG)  # httpx, httpcore and ours: everything
    errors = rig.poll()
    assert errors[FRONT] is None and errors[KTM] is None
    assert "refused the login of user 'admin' (bad_credentials" in str(errors[BACK])
    assert "check username and password" in str(errors[BACK])
    # Everything logged in the process, the simulated devices' web server included.
    hub_log = "\n".join(r.getMessage() for r in caplog.records)
    assert "failing" in hub_log and BACK in hub_log
    for secret in ("n0t-the-Password", "s3cret", "123456", issue_token(FLEET.seed, FLEET.counter(FRONT))):
        assert secret not in hub_log and secret not in str(errors)
    # The right password, saved: tried at once (no backoff), and it works.
    with write_tx(rig.engine) as conn:
        store.save_login(conn, rig.ids[BACK], {"password_sealed": rig.box.seal("s3cret")})
    assert rig.poll() == {BACK: None}
