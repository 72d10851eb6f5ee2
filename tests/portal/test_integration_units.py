"""The integration tool's pure parts: the query builder, the snippets per language, the counter
address, and the tap's feeds."""

from __future__ import annotations

import asyncio
import json
import shlex
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from footfall.live.tap import ANY, MAX_TEXT_CHARS, Tap, tapped, topic_in
from footfall.portal.integration_live import counter_address, is_loopback, watched_serial
from footfall.portal.integration_query import (
    ACCESS_TOKEN,
    API_TYPES,
    PASSWORD,
    QueryError,
    build_query,
    compact_date,
    compact_time,
)
from footfall.portal.snippets import LANGUAGES, snippet, snippets

LONDON = ZoneInfo("Europe/London")
# 02:00:30 London, just after BST began: the last minute started at 00:59:30 GMT.
NOW = datetime(2025, 3, 30, 1, 0, 30, 250_000, tzinfo=UTC).astimezone(LONDON)
WINDOW = {"date_start": "2018-12-31", "date_end": "2018-12-31", "time_start": "08:30", "time_end": "18:30:00"}


def test_the_seeds_five_api_types_are_offered() -> None:
    assert [t.label for t in API_TYPES] == ["Authentication", "Hourly data", "Minutes data", "Seconds data",
                                            "Most recent 60 seconds data"]


def test_authentication_url_keeps_the_password_a_placeholder() -> None:
    query = build_query({"api": "auth", "username": "Admin", "password": "hunter2"}, NOW)
    url = query.url("192.168.2.123", 80)
    assert url == "http://192.168.2.123/cgi-bin/access_token.cgi?username=Admin&password=[password]"
    assert "hunter2" not in url


@pytest.mark.parametrize(("api", "expected"), [
    ("hour", "data_type=json&data_format=hour&date_start=20181231&date_end=20181231&time_start=083000"
             "&time_end=183000&access_token=[access_token]"),
    ("minute", "data_type=json&data_format=minute&resolution_min=15&date_start=20181231&date_end=20181231"
               "&time_start=083000&time_end=183000&access_token=[access_token]"),
    ("second", "data_type=json&data_format=second&resolution_sec=30&date_start=20181231&date_end=20181231"
               "&time_start=083000&time_end=183000&access_token=[access_token]"),
])
def test_data_queries_match_the_seeds_samples(api: str, expected: str) -> None:
    fields = {"api": api, "resolution_min": "15", "resolution_sec": "30", **WINDOW}
    assert build_query(fields, NOW).url("192.168.2.123", 80) == f"http://192.168.2.123/cgi-bin/apiCount.cgi?{expected}"


def test_most_recent_60_seconds_is_the_last_minute_on_the_counters_clock() -> None:
    query = build_query({"api": "recent", "data_type": "xml", **WINDOW}, NOW)
    params = dict(query.params)
    assert params == {"data_type": "xml", "data_format": "second", "resolution_sec": "1",
                      "date_start": "20250330", "date_end": "20250330", "time_start": "005930",
                      "time_end": "020030", "access_token": ACCESS_TOKEN}
    assert "access_token" not in query.count_params()  # the device client adds the real one


def test_blank_window_fields_are_left_to_the_device_and_other_ports_and_ipv6_shown() -> None:
    query = build_query({"api": "hour", "date_start": "20250101"}, NOW)
    assert query.url("fd00::7", 8080) == ("http://[fd00::7]:8080/cgi-bin/apiCount.cgi?data_type=json&data_format=hour"
                                          "&date_start=20250101&access_token=[access_token]")


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"api": "weekly"}, "api", "'weekly' is not one of auth, hour"),
    ({"api": "auth", "username": " "}, "username", "user name is required"),
    ({"api": "minute", "resolution_min": "7"}, "resolution_min", "'7' is not one of 1, 5, 10, 15, 30, 60"),
    ({"api": "hour", "data_type": "csv"}, "data_type", "'csv' is not one of json, xml"),
    ({"api": "hour", "date_start": "2025-02-30"}, "date_start", "not a date"),
    ({"api": "hour", "time_start": "24:00"}, "time_start", "not a time of day"),
    ({"api": "hour", "time_end": "12:61"}, "time_end", "not a time of day"),
])
def test_bad_fields_are_named(fields: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(QueryError) as refused:
        build_query(fields, NOW)
    assert refused.value.field == field and words in str(refused.value)


def test_dates_and_times_as_inputs_give_them_or_as_the_device_takes_them() -> None:
    assert compact_date("2024-02-29", "date_start") == compact_date("20240229", "date_start") == "20240229"
    assert compact_time("07:05", "time_start") == compact_time("070500", "time_start") == "070500"
    assert compact_time("24:00:00", "time_end") == "240000"


URL = "http://192.168.2.123/cgi-bin/apiCount.cgi?data_type=json&access_token=[access_token]"
ODD = "http://h/cgi-bin/x?name=it's \"quoted\" \\ $HOME"


def test_every_language_requests_the_url() -> None:
    made = snippets(URL)
    assert list(made) == ["curl", "python", "javascript", "csharp", "powershell"]
    assert [lang.label for lang in LANGUAGES] == ["curl", "Python", "JavaScript", "C#", "PowerShell"]
    assert made["curl"].startswith("curl --globoff ")  # [placeholders] are not curl ranges
    assert "urlopen(url, timeout=10)" in made["python"]
    assert "await fetch(url" in made["javascript"]
    assert "client.GetAsync(" in made["csharp"]
    assert "Invoke-WebRequest -Uri '" in made["powershell"]


def test_curl_quotes_the_url_as_one_shell_word() -> None:
    words = shlex.split(snippet("curl", ODD))
    assert words[-1] == ODD


@pytest.mark.parametrize("language", ["python", "javascript", "csharp"])
def test_double_quoted_languages_escape_quotes_and_backslashes(language: str) -> None:
    text = snippet(language, ODD)
    literal, _end = json.JSONDecoder().raw_decode(text, text.index('"http'))  # same escapes as JSON
    assert literal == ODD


def test_powershell_doubles_single_quotes_and_keeps_dollars_literal() -> None:
    assert "-Uri 'http://h/cgi-bin/x?name=it''s \"quoted\" \\ $HOME' " in snippet("powershell", ODD)


def test_a_typed_password_reaches_no_snippet() -> None:
    query = build_query({"api": "auth", "username": "admin", "password": "hunter2"}, NOW)
    for text in snippets(query.url("10.0.0.9", 80)).values():
        assert "hunter2" not in text and PASSWORD in text


@pytest.mark.parametrize(("scheme", "host", "port", "dedicated", "expected"), [
    ("http", "192.168.1.20", 8000, None, "ws://192.168.1.20:8000/ws"),
    ("http", "hub.local", 80, None, "ws://hub.local/ws"),
    ("https", "hub.example.com", None, None, "wss://hub.example.com/ws"),
    ("https", "hub.example.com", 443, 9443, "wss://hub.example.com:9443/ws"),
    ("http", "fd00::2", 8000, 8765, "ws://[fd00::2]:8765/ws"),
])
def test_counter_address_follows_how_the_portal_was_reached(scheme: str, host: str, port: int | None,
                                                            dedicated: int | None, expected: str) -> None:
    assert counter_address(scheme, host, port, "/ws", dedicated) == expected
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and not is_loopback("192.168.1.20")


def test_watched_serial_is_normalised_or_any() -> None:
    assert watched_serial("  ") == ANY
    assert watched_serial("000000006AFCE315") == "000000006afce315"
    with pytest.raises(QueryError, match="not a counter serial"):
        watched_serial("<script>")


def test_tapped_messages_are_cut_and_name_their_topic() -> None:
    text = "{'Topic': 'generic-test-topic', 'Data': {'Message': '" + "x" * 3000 + "'}}"
    message = tapped("websocket", None, text, 1_700_000_000.5)
    assert message["topic"] == topic_in(text) == "generic-test-topic"
    assert message["truncated"] is True and message["bytes"] == len(text)
    assert len(str(message["text"])) == MAX_TEXT_CHARS
    assert message["at"] == "2023-11-14T22:13:20.500+00:00"
    assert tapped("mqtt", "a1", b"\xff{}", 0)["text"] == "\ufffd{}"


def test_the_tap_feeds_watchers_of_the_serial_and_of_any_counter_of_the_company() -> None:
    async def scenario() -> None:
        tap = Tap(limit=3)
        assert not tap.watched  # nobody watches: the connectors' check is false
        one, every, other = tap.subscribe(1, "a1"), tap.subscribe(1), tap.subscribe(2)
        tap.publish(1, "a1", '{"Topic": "generic-test-topic"}', "websocket")
        tap.publish(1, "b2", "from b2", "mqtt")
        tap.publish(1, None, "no serial", "websocket")
        tap.publish(3, "a1", "another company", "websocket")
        feeds = {"one": one, "every": every, "other": other}
        got = {name: await feed.get(0.01) for name, feed in feeds.items()}
        texts = {name: [m[1]["text"] for m in got[name] if m[0] == "message"] for name in got}
        assert texts == {"one": ['{"Topic": "generic-test-topic"}'],
                         "every": ['{"Topic": "generic-test-topic"}', "from b2", "no serial"],
                         "other": []}
        assert got["one"][0] == ("watching", {"serial": "a1", "since": got["one"][0][1]["since"]})
        for _ in range(5):  # a slow watcher loses the oldest messages and is told
            tap.publish(1, "a1", "flood", "websocket")
        kinds = [m[0] for m in await one.get(0.01)]
        assert kinds == ["lagged", "message", "message", "message"]
        for feed in (one, every, other):
            tap.unsubscribe(feed)
        assert not tap.watched and one.closed

    asyncio.run(scenario())


def test_a_watcher_on_another_loop_gets_messages_from_this_one() -> None:
    tap = Tap()

    async def watcher() -> list[str]:
        feed = tap.subscribe(7, ANY)
        await asyncio.to_thread(lambda: asyncio.run(_publish(tap)))
        messages = await feed.get(1.0)
        tap.unsubscribe(feed)
        return [m[1]["text"] for m in messages if m[0] == "message"]

    assert asyncio.run(watcher()) == ["from another loop"]


async def _publish(tap: Tap) -> None:
    tap.publish(7, "c3", "from another loop", "websocket")
