"""The integration tool against a real simulated device-API counter: the hub builds and sends the
query, shows the answer, refuses bad and forbidden addresses, follows no redirect, reads no more
than its limit, never echoes a password; staff only."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from footfall.connectors.device_api import store
from footfall.estate.counters import create_counter
from footfall.portal.integration_send import LIMITS
from footfall.security.secrets import secret_box
from footfall.settings import Settings
from footfall.simulator.devices.http_api import DeviceApiServer
from footfall.simulator.traffic import raw_crossings
from footfall.storage.engine import write_tx
from tests.connectors.device_api.fleet import BACK, FLEET, LONDON, NOW, SERIALS
from tests.portal.conftest import csrf_of, free_port, sign_in
from tests.portal.seed import Seeded
from tests.simulator.devices_harness import Devices, SteppedClock

SECRET = "s3cret"  # BACK's device password
DAY = (datetime.fromtimestamp(NOW, LONDON) - timedelta(days=1)).date()  # the counter's yesterday


@pytest.fixture(scope="module")
def devices() -> Iterator[DeviceApiServer]:
    """The simulated counters' device API on loopback, their clock at NOW."""
    with Devices(DeviceApiServer(FLEET, SERIALS, SteppedClock(NOW))) as server:
        yield server


@pytest.fixture
def pulled(engine: Engine, seeded: Seeded, devices: DeviceApiServer, tmp_path: Path) -> int:
    """BACK registered in company A as a device-API counter with its login stored (sealed)."""
    address = urlsplit(devices.endpoint(BACK))
    with write_tx(engine) as conn:
        row = create_counter(conn, seeded.a.id, BACK, "Back door", channel="device_api",
                             host=address.hostname, port=address.port)
        sealed = secret_box(Settings(data_dir=tmp_path)).seal(SECRET)
        store.save_login(conn, row["id"], {"username": "admin", "password_sealed": sealed})
    return int(row["id"])


def staff(client: TestClient, seeded: Seeded, role: str = "manager", company: str = "a") -> str:
    """Sign in; the CSRF token of the integration page."""
    sign_in(client, getattr(seeded, company).users[role])
    page = client.get("/portal/integration")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


def send(client: TestClient, csrf: str, **fields: str) -> dict:  # type: ignore[type-arg]
    answer = client.post("/portal/integration/send.json", data={"csrf_token": csrf, **fields})
    assert answer.status_code == 200, answer.text
    return answer.json()


def window(**extra: str) -> dict[str, str]:
    return {"date_start": DAY.isoformat(), "date_end": DAY.isoformat(), "time_start": "10:00",
            "time_end": "11:00", **extra}


def test_a_minute_query_to_a_registered_counter_shows_its_answer(app_client: TestClient, seeded: Seeded,
                                                                 pulled: int) -> None:
    csrf = staff(app_client, seeded)
    built = app_client.get("/portal/integration/query.json",
                           params={"api": "minute", "counter": str(pulled), "resolution_min": "15",
                                   **window()})
    assert built.status_code == 200, built.text
    url = built.json()["url"]
    assert url.endswith(f"resolution_min=15&date_start={DAY:%Y%m%d}&date_end={DAY:%Y%m%d}&time_start=100000"
                        "&time_end=110000&access_token=[access_token]")
    answer = send(app_client, csrf, api="minute", counter=str(pulled), resolution_min="15", **window())
    assert answer["error"] is None and answer["status"] == 200 and answer["url"] == url
    assert [s["path"] for s in answer["steps"]] == ["/cgi-bin/access_token.cgi", "/cgi-bin/apiCount.cgi"]
    assert ["content-type", "application/json"] in answer["headers"]
    body = json.loads(answer["body"])
    assert answer["body"].startswith('{\n  "')  # pretty-printed
    assert body["serial"] == BACK and len(body["intervals"]) == 4
    start = int(datetime(DAY.year, DAY.month, DAY.day, 10, tzinfo=LONDON).timestamp())
    truth = sum(1 for _at, _roi, metric, people in raw_crossings(FLEET, BACK, start, start + 3600)
                if metric == 1 and people == 1)
    assert sum(line["in"] for i in body["intervals"] for line in i["lines"]) == truth > 0
    assert SECRET not in str(answer)


def test_authentication_with_a_typed_login_shows_the_token_but_never_the_password(
        app_client: TestClient, seeded: Seeded, devices: DeviceApiServer,
        caplog: pytest.LogCaptureFixture) -> None:
    csrf = staff(app_client, seeded)
    address = urlsplit(devices.endpoint(BACK))
    caplog.set_level(logging.DEBUG)
    raw = app_client.post("/portal/integration/send.json", data={
        "csrf_token": csrf, "api": "auth", "counter": "address", "host": address.hostname,
        "port": str(address.port), "username": "admin", "password": SECRET})
    assert raw.status_code == 200 and SECRET not in raw.text
    answer = raw.json()
    assert answer["status"] == 200 and answer["url"].endswith("username=admin&password=[password]")
    assert '"access_token": "ey' in answer["body"]  # the integrator's own login: the token is theirs
    assert SECRET not in caplog.text


def test_a_stored_login_token_is_not_shown(app_client: TestClient, seeded: Seeded, pulled: int) -> None:
    answer = send(app_client, staff(app_client, seeded), api="auth", counter=str(pulled))
    assert answer["status"] == 200 and '"access_token": "[access_token]"' in answer["body"]
    assert "ey" not in answer["body"].split('"access_token"')[1][:10]


def test_a_wrong_password_shows_the_devices_refusal(app_client: TestClient, seeded: Seeded,
                                                    devices: DeviceApiServer) -> None:
    address = urlsplit(devices.endpoint(BACK))
    answer = send(app_client, staff(app_client, seeded), api="hour", counter="address",
                  host=str(address.hostname), port=str(address.port), password="Wr0ng-guess", **window())
    assert answer["status"] == 401 and "refused the login of user 'admin'" in answer["error"]
    assert '"code": "bad_credentials"' in answer["body"]
    assert "Wr0ng-guess" not in str(answer)


def test_an_unreachable_counter_is_reported(app_client: TestClient, seeded: Seeded) -> None:
    answer = send(app_client, staff(app_client, seeded), api="auth", counter="address", host="127.0.0.1",
                  port=str(free_port()), password="whatever1")
    assert answer["status"] is None and answer["steps"] == []
    assert answer["error"].startswith("cannot connect to 127.0.0.1:")


@pytest.mark.parametrize(("host", "words"), [
    ("169.254.169.254", "cloud metadata address 169.254.169.254) addresses are refused"),
    ("100.100.100.200", "Alibaba Cloud metadata"),
    ("[fd00:ec2::254]", "AWS IPv6 metadata"),
    ("http://192.168.2.123/", "give the bare address"),
    ("", "at least 1 character"),
])
def test_forbidden_and_bad_addresses_are_refused_before_any_request(app_client: TestClient, seeded: Seeded,
                                                                     host: str, words: str) -> None:
    csrf = staff(app_client, seeded)
    answer = app_client.post("/portal/integration/send.json", data={
        "csrf_token": csrf, "api": "auth", "counter": "address", "host": host, "password": "p4ssword"})
    assert answer.status_code == 422 and answer.json()["field"] == "host"
    assert words in answer.json()["detail"] and "p4ssword" not in answer.text


def test_a_typed_login_needs_a_password(app_client: TestClient, seeded: Seeded) -> None:
    answer = app_client.post("/portal/integration/send.json", data={
        "csrf_token": staff(app_client, seeded), "api": "auth", "counter": "address", "host": "10.0.0.9"})
    assert answer.status_code == 422 and answer.json()["field"] == "password"


def test_another_companys_counter_cannot_be_asked(app_client: TestClient, seeded: Seeded,
                                                   pulled: int) -> None:
    csrf = staff(app_client, seeded, "admin", "b")
    answer = app_client.post("/portal/integration/send.json",
                             data={"csrf_token": csrf, "api": "auth", "counter": str(pulled)})
    assert answer.status_code == 422 and f"no device-API counter {pulled} in your company" in answer.text
    built = app_client.get("/portal/integration/query.json", params={"counter": str(pulled)})
    assert built.status_code == 422
    assert BACK not in app_client.get("/portal/integration").text


def test_the_page_offers_the_stored_counter_and_its_query(app_client: TestClient, seeded: Seeded,
                                                          pulled: int) -> None:
    staff(app_client, seeded)
    page = app_client.get("/portal/integration").text
    assert f'<option value="{pulled}" selected>{BACK} · Back door' in page
    assert "/cgi-bin/apiCount.cgi?data_type=json&amp;data_format=minute&amp;resolution_min=1" in page
    assert 'id="ws-address">ws://testserver/ws<' in page
    data = app_client.get("/portal/integration.json").json()
    assert [t["key"] for t in data["api_types"]] == ["auth", "hour", "minute", "second", "recent"]
    assert data["websocket"]["address"] == "ws://testserver/ws"
    assert any(c["serial"] == BACK and c["channel"] == "device_api" for c in data["counters"])
    assert app_client.get("/portal/integration.csv").text.startswith("key,label,path,")


def test_a_viewer_is_refused_everywhere(app_client: TestClient, seeded: Seeded, pulled: int) -> None:
    sign_in(app_client, seeded.a.users["viewer"])
    csrf = csrf_of(app_client.get("/portal/dashboard").text)
    assert app_client.get("/portal/integration").status_code == 403
    assert app_client.get("/portal/integration.json").status_code == 403
    assert app_client.get("/portal/integration/query.json").status_code == 403
    assert app_client.get("/portal/integration/live").status_code == 403
    refused = app_client.post("/portal/integration/send.json",
                              data={"csrf_token": csrf, "api": "auth", "counter": str(pulled)})
    assert refused.status_code == 403 and "may not open the Integration tool page" in refused.json()["detail"]


def test_a_send_without_the_csrf_token_is_refused(app_client: TestClient, seeded: Seeded,
                                                   pulled: int) -> None:
    staff(app_client, seeded)
    refused = app_client.post("/portal/integration/send.json", data={"api": "auth", "counter": str(pulled)})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    forged = app_client.post("/portal/integration/send.json",
                             data={"csrf_token": "forged", "api": "auth", "counter": str(pulled)})
    assert forged.status_code == 403


def test_signed_out_data_routes_answer_401(app_client: TestClient) -> None:
    assert app_client.get("/portal/integration/query.json").status_code == 401
    assert app_client.post("/portal/integration/send.json", data={}).status_code == 401


class OddDevice(BaseHTTPRequestHandler):
    """A device answering its login with a redirect (user `redirect`) or a reply too large (`huge`)."""

    def do_GET(self) -> None:
        user = parse_qs(urlsplit(self.path).query).get("username", [""])[0]
        if user == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b'{"access_token": "' + b"x" * (LIMITS.max_reply_bytes + 1) + b'"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the hub hangs up past its limit
            self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def odd_device() -> Iterator[int]:
    """OddDevice on a loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), OddDevice)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    thread.join(10)
    server.server_close()


@pytest.mark.parametrize(("user", "status", "words"), [
    ("redirect", 302, "answered with a redirect (HTTP 302) to 'http://169.254.169.254/latest/meta-data/'; "
                      "redirects are not followed"),
    ("huge", 200, f"the reply is larger than {LIMITS.max_reply_bytes} bytes"),
])
def test_redirects_are_not_followed_and_replies_are_size_limited(app_client: TestClient, seeded: Seeded,
                                                                 odd_device: int, user: str, status: int,
                                                                 words: str) -> None:
    answer = send(app_client, staff(app_client, seeded), api="auth", counter="address", host="127.0.0.1",
                  port=str(odd_device), username=user, password="pa55word")
    assert answer["status"] == status and words in answer["error"]
    assert [s["path"] for s in answer["steps"]] == ["/cgi-bin/access_token.cgi"]  # nothing followed
    assert len(answer["body"]) <= LIMITS.max_reply_bytes


def test_a_query_for_an_address_not_typed_yet_shows_where_it_goes(app_client: TestClient,
                                                                   seeded: Seeded) -> None:
    staff(app_client, seeded)
    built = app_client.get("/portal/integration/query.json", params={"api": "auth", "counter": "address"})
    assert built.status_code == 200, built.text
    assert built.json()["url"] == "http://[internal-IP]/cgi-bin/access_token.cgi?username=admin&password=[password]"
    typed = app_client.get("/portal/integration/query.json", params={
        "api": "recent", "counter": "address", "host": "shop-door.lan", "port": "8080",
        "timezone": "Mars/Olympus"})
    assert typed.status_code == 422 and typed.json()["field"] == "timezone"
