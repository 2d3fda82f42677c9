"""GCN Kafka credentials: environment, then config file, then the system keyring; never in a log."""

from __future__ import annotations

import logging
import socket

import keyring
import pytest
from keyring.backend import KeyringBackend

from gcnmon.stream.credentials import ENV_ID, ENV_SECRET, KEYRING_SERVICE, kafka_credentials
from gcnmon.stream.kafka import consumer_config

SECRET = "kafka-s3cret-value"


class MemoryKeyring(KeyringBackend):
    """A real keyring backend (the keyring API's own extension point) that keeps passwords in memory."""

    priority = 1

    def __init__(self, fail: bool = False):
        super().__init__()
        self.store, self.fail = {}, fail

    def get_password(self, service, username):
        if self.fail:
            raise keyring.errors.KeyringLocked("wallet locked")
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring(monkeypatch):
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv(ENV_ID, raising=False)
    monkeypatch.delenv(ENV_SECRET, raising=False)
    yield backend
    keyring.set_keyring(previous)


def test_environment_wins_then_file_then_keyring(memory_keyring, monkeypatch):
    keyring.set_password(KEYRING_SERVICE, "file-id", "from-keyring")
    assert kafka_credentials({"client_id": "file-id"}) == ("file-id", "from-keyring")
    assert kafka_credentials({"client_id": "file-id", "client_secret": "from-file"}) == (
        "file-id", "from-file"
    )
    monkeypatch.setenv(ENV_ID, "env-id")
    monkeypatch.setenv(ENV_SECRET, "from-env")
    assert kafka_credentials({"client_id": "file-id", "client_secret": "from-file"}) == ("env-id", "from-env")


def test_locked_keyring_means_no_secret_and_says_so_without_it(memory_keyring, caplog):
    memory_keyring.fail = True
    with caplog.at_level(logging.DEBUG):
        assert kafka_credentials({"client_id": "abc"}) == ("abc", None)
    assert "no Kafka secret from the system keyring (KeyringLocked)" in caplog.text


def test_consumer_config_carries_the_secret_but_no_log_line_does(memory_keyring, caplog):
    keyring.set_password(KEYRING_SERVICE, "my-client", SECRET)
    with caplog.at_level(logging.DEBUG):
        config, kwargs = consumer_config({"client_id": "my-client"}, station="BTA")
    assert kwargs == {"client_id": "my-client", "client_secret": SECRET, "domain": "gcn.nasa.gov"}
    # the host name too: two workstations of one telescope never share a group (issue 11)
    host = socket.gethostname().partition(".")[0]
    assert config["group.id"] == f"my-client-gcnmon-BTA-{host}" and config["enable.auto.commit"] is False
    assert config["auto.offset.reset"] == "earliest"  # a group that never committed reads what it missed
    assert "bootstrap.servers" not in config  # gcn-kafka derives NASA's cluster from the domain
    assert SECRET not in caplog.text and SECRET not in repr(config)


def test_a_self_hosted_broker_is_plaintext_without_credentials(memory_keyring):
    config, kwargs = consumer_config({"bootstrap": "mirror.example.org:9092", "client_id": "x"})
    assert (config["bootstrap.servers"], config["security.protocol"], kwargs) == (
        "mirror.example.org:9092", "plaintext", {})
