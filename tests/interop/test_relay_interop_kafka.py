"""`gcnmon relay --upstream kafka` against librdkafka's mock cluster: pygcn-listen and a Comet
subscriber get every VOEvent, and the JSON notice in its VOEvent 2.0 envelope."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from listen_helpers import gcnmon_env
from relay_interop_helpers import RelayPeers

from gcnmon.archive import Archive
from gcnmon.notice import parse, wrap_json

sys.path.insert(0, str(Path(__file__).parent.parent / "stream" / "kafka"))  # the mock cluster helper
from kafka_mock import MockCluster  # noqa: E402

pytestmark = pytest.mark.interop

DATA = Path(__file__).parent.parent / "data"
TOPIC = "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"
JSON_TOPIC = "igwn.gwalert"
_COMPLAINTS = ("error", "traceback", "fail", "invalid", "warn")


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
    envelope = wrap_json(parse(gw_json))
    peers.assert_every_notice(files, extra={parse(gw_json).ivorn: envelope})  # pygcn: these very bytes
    # Neither peer choked on the envelope, and what pygcn saved unwraps to the original JSON.
    saved = peers.pygcn_inbox / quote_plus(parse(gw_json).ivorn)
    assert parse(saved.read_bytes()).raw == gw_json
    for name in ("pygcn", "comet-subscriber"):
        log = (tmp_path / f"{name}.err").read_text() + (tmp_path / f"{name}.out").read_text()
        assert f"{parse(gw_json).ivorn}" in log  # each logged the envelope's arrival...
        complaints = [line for line in log.splitlines() if any(w in line.lower() for w in _COMPLAINTS)
                      and "unrecognized role: authenticate" not in line]  # pygcn's harmless one  # fmt: skip
        assert complaints == [], name  # ...and nothing else
    assert peers.stop_relay() == 0
    assert f"relay stopped: {len(files) + 1} relayed, 0 duplicate(s), 1 JSON in envelopes" in relay.err()
    archive = Archive(tmp_path / "relay.sqlite")
    try:
        assert len(archive.recent(100)) == len(files) + 1
    finally:
        archive.close()
