"""The MQTT subscriber's settings: typed, unknown keys refused, checked without the network."""

from __future__ import annotations

import os
import re
import socket
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from footfall.connectors import mqtt
from footfall.connectors.mqtt import CONFIG, CONNECTOR, KEY, KIND, MqttConfig, MqttSubscriber

FOLDER = Path(mqtt.__file__).parent


def test_defaults_follow_the_seeds() -> None:
    config = MqttConfig(company_id=1)
    assert config.topics == ("/status/+",) and config.subscriptions == ("/status/+",)
    assert (config.host, config.port, config.tls, config.v5) == ("127.0.0.1", 1883, False, False)
    assert config.client_id == f"footfall-{socket.gethostname()}-{os.getpid()}"
    assert (KEY, KIND) == ("mqtt", "push")
    assert CONFIG is MqttConfig and CONNECTOR is MqttSubscriber


def test_a_share_group_means_mqtt_v5_shared_subscriptions() -> None:
    config = MqttConfig(company_id=1, url="mqtts://broker.example.com", share_group="hub",
                        topics=("/status/+", "site/#"))
    assert config.subscriptions == ("$share/hub//status/+", "$share/hub/site/#")
    assert (config.port, config.tls, config.v5) == (8883, True, True)


def test_the_password_is_never_shown() -> None:
    config = MqttConfig.model_validate({"company_id": 1, "username": "hub", "password": "s3cret-pw"})
    shown = [repr(config), str(config), config.describe(), config.model_dump_json()]
    assert not any("s3cret-pw" in text for text in shown)
    assert config.password is not None and config.password.get_secret_value() == "s3cret-pw"
    assert "user hub" in config.describe()


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"url": "http://broker"}, "url", "mqtt://host:1883"),
    ({"url": "mqtt://"}, "url", "mqtt://host:1883"),
    ({"url": "mqtt://u:p@broker"}, "url", "not in the url"),
    ({"url": "mqtt://broker:99999"}, "url", "out of range"),
    ({"url": "mqtt://broker/path"}, "url", "no path"),
    ({"topics": ()}, "topics", "at least 1"),
    ({"topics": ("a/#/b",)}, "topics", "'#' must be a whole level"),
    ({"topics": ("a/b+",)}, "topics", "'+' must be a whole level"),
    ({"topics": ("$share/g/a",)}, "topics", "set share_group"),
    ({"share_group": "a/b"}, "share_group", "must not contain"),
    ({"share_group": "hub", "protocol": "3.1.1"}, "", "needs protocol 5"),
    ({"password": "x"}, "", "username is not"),
    ({"reconnect_min_s": 5, "reconnect_max_s": 1}, "", "must not exceed"),
    ({"tls_ca_file": "/nonexistent/ca.pem", "url": "mqtts://b"}, "tls_ca_file", "is not a file"),
    ({"keepalive_s": 0}, "keepalive_s", "greater than or equal to 5"),
    ({"company_id": 0}, "company_id", "greater than 0"),
    ({"qos": 2}, "qos", "0 or 1"),
    ({"brokr": "mqtt://x"}, "brokr", "Extra inputs are not permitted"),
])
def test_bad_settings_are_refused_naming_the_field(values: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        MqttConfig(**{"company_id": 1, **values})
    error = caught.value.errors()[0]
    assert ".".join(map(str, error["loc"])) == field
    assert words in error["msg"]


def test_the_sample_config_is_valid_and_shows_the_defaults() -> None:
    with (FOLDER / "sample.toml").open("rb") as handle:
        sample = tomllib.load(handle)["mqtt"]
    config = MqttConfig.model_validate(sample)
    defaults = MqttConfig(company_id=1)
    assert {k: getattr(config, k) for k in sample} == {k: getattr(defaults, k) for k in sample}
    commented = set(re.findall(r"^# (\w+) = ", (FOLDER / "sample.toml").read_text(), re.MULTILINE))
    assert set(sample) | commented == set(MqttConfig.model_fields)


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (FOLDER / "README.md").read_text()
    missing = [name for name in MqttConfig.model_fields if f"`{name}`" not in readme]
    assert not missing, f"README.md does not document {missing}"
