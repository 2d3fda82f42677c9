"""`gcnmon relay --upstream kafka` against librdkafka's mock cluster: pygcn-listen and a Comet
subscriber get every VOEvent; a JSON notice is archived but not put on the VTP wire."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from listen_helpers import gcnmon_env
from relay_interop_helpers import RelayPeers

from gcnmon.archive import Archive

sys.path.insert(0, str(Path(__file__).parent.parent / "stream" / "kafka"))  # the mock cluster helper
from kafka_mock import MockCluster  # noqa: E402

pytestmark = pytest.mark.interop

DATA = Path(__file__).parent.parent / "data"
TOPIC = "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"
JSON_TOPIC = "igwn.gwalert"


@pytest.fixture
def cluster():
    mock = MockCluster()
    yield mock
    mock.close()


def test_relay_fed_by_kafka_serves_pygcn_and_comet(spawn, venv_bin, tmp_path, wait_until, cluster):
    files = sorted((DATA / "aware").glob("*.xml"))
    gw_json = (DATA / "json" / "igwn_preliminary.json").read_bytes()
    cluster.create_topic(TOPIC)
    cluster.create_topic(JSON_TOPIC)
    peers = RelayPeers(spawn, venv_bin, tmp_path, gcnmon_env(tmp_path), wait_until)
    relay = peers.start_relay(
        "--upstream", "kafka", "--kafka-bootstrap", cluster.bootstrap,
        "--set", f"kafka.topics={json.dumps([TOPIC, JSON_TOPIC])}", "--set", "kafka.group_id=relay-test",
        "--set", "kafka.offset_reset=earliest", "--set", "kafka.poll_interval=0.05")  # fmt: skip
    wait_until(lambda: f"Kafka: connected to {cluster.bootstrap}" in relay.err(), 30)
    peers.subscribe_pygcn_and_comet()
    cluster.publish(JSON_TOPIC, [gw_json])
    cluster.publish(TOPIC, [p.read_bytes() for p in files])
    peers.assert_every_notice(files)
    wait_until(lambda: "not a VOEvent: archived, not rebroadcast" in relay.err(), 20)
    assert peers.stop_relay() == 0
    assert f"relay stopped: {len(files)} relayed, 0 duplicate(s), 1 not VOEvent" in relay.err()
    archive = Archive(tmp_path / "relay.sqlite")
    try:
        assert len(archive.recent(100)) == len(files) + 1
    finally:
        archive.close()
