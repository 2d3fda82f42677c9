"""JSON notices through the relay in process: Kafka mock -> relay -> a workstation's VTP subscriber."""

from __future__ import annotations

import sys
from pathlib import Path

import confluent_kafka
import pytest

from gcnmon.archive import Archive
from gcnmon.intake import Intake
from gcnmon.notice import parse
from gcnmon.relay.access import AllowList
from gcnmon.relay.service import Relay
from gcnmon.stream.kafka import KafkaSource
from gcnmon.stream.link import LinkState
from gcnmon.stream.vtp.subscriber import make_subscriber_service

sys.path.insert(0, str(Path(__file__).parents[1] / "stream" / "kafka"))  # the mock cluster helper
from kafka_mock import MockCluster  # noqa: E402

JSON_TOPIC, VOEVENT_TOPIC = "igwn.gwalert", "gcn.classic.voevent.FERMI_GBM_ALERT"


@pytest.fixture
def cluster():
    mock = MockCluster()
    yield mock
    mock.close()


@pytest.fixture
def relay(intake, wait_for):
    made = Relay(intake, allow=AllowList("127.0.0.1/32"))
    made.port = made.listen("127.0.0.1", 0)
    yield made
    wait_for(made.stop(), 5)


@pytest.fixture
def workstation(tmp_path, relay, wait_until):
    """A workstation subscribed to the relay: its own archive and the notices its intake hands on."""
    archive = Archive(tmp_path / "workstation.sqlite")
    seen: list = []
    intake = Intake(archive, on_notice=seen.append)
    service = make_subscriber_service([("127.0.0.1", relay.port)], intake.receive, link=LinkState("vtp"),
                                      local_ivorn="ivo://gcnmon/test-ws")  # fmt: skip
    service.startService()
    wait_until(lambda: relay.broker.subscribers == 1, 5)
    yield archive, seen
    service.stopService()
    archive.close()


def test_lvk_json_from_kafka_reaches_the_workstation_as_the_json_notice(
    cluster, relay, workstation, data_file, wait_until, wait_for
):
    archive, seen = workstation
    gw_json = data_file("json/igwn_preliminary.json").read_bytes()
    voevent = data_file("aware/gbm_alert.xml").read_bytes()
    source = KafkaSource({"bootstrap": cluster.bootstrap, "topics": [JSON_TOPIC, VOEVENT_TOPIC],
                          "group_id": "relay-json-test", "offset_reset": "earliest", "poll_interval": 0.05},
                         relay.on_packet, link=LinkState("kafka"))  # fmt: skip
    cluster.publish(JSON_TOPIC, [gw_json])
    cluster.publish(VOEVENT_TOPIC, [voevent])
    source.start()
    try:
        wait_until(lambda: len(seen) == 2, 30)
    finally:
        wait_for(source.stop(), 30)
    gw = next(n for n in seen if n.format == "json")
    # The workstation names it as a direct reader would: its natural key, then its content digest.
    assert gw.ivorn.startswith("ivo://gcn.nasa.gov/igwn.gwalert#MS181101ab-PRELIMINARY-2018-11-01T22:34:49Z~")
    assert (gw.ivorn, gw.mission, gw.notice_type, gw.trigger_id, gw.raw, gw.warnings) == (
        parse(gw_json).ivorn, "LVK", "Preliminary", "MS181101ab", gw_json,
        # the example's map is cut: "..."
        ("sky map not used: event.skymap: bad base64 (Incorrect padding)",))
    archived = {r.ivorn: r.raw for r in archive.recent(10)}  # the original JSON, not the envelope
    assert archived[gw.ivorn] == gw_json and sorted(archived.values()) == sorted([gw_json, voevent])
    wait_until(lambda: relay.broker.acks == 2, 5)  # the workstation acked the envelope by the notice's IVORN
    assert (relay.relayed, relay.wrapped, relay.held_back) == (2, 1, 0)


def test_two_megabyte_lvk_alert_crosses_kafka_relay_and_vtp_with_the_defaults(
    relay, workstation, intake, data_file, wait_until, wait_for
):
    """The user guide's 2,074,854-byte alert (two base64 sky maps) from Kafka to a workstation's
    archive, every limit at its default; a 4 MiB + 1 message is refused and kept as a reject."""
    archive, seen = workstation
    big = data_file("lvk-userguide/MS181101ab-ext-update.json").read_bytes()
    too_big = big + b" " * ((4 << 20) + 1 - len(big))
    # One partition each: librdkafka's mock keeps only ~5 MB per partition log and would drop the first.
    cluster = MockCluster(partitions=2)
    cluster.create_topic(JSON_TOPIC)
    # GCN's brokers take messages up to ~4 MiB; librdkafka's producer default is 1 MB.
    producer = confluent_kafka.Producer({"bootstrap.servers": cluster.bootstrap,
                                         "message.max.bytes": 8 << 20})
    delivered = []
    for partition, payload in enumerate((big, too_big)):
        producer.produce(JSON_TOPIC, payload, partition=partition,
                         on_delivery=lambda err, _msg: delivered.append(err))
    assert producer.flush(30) == 0 and delivered == [None, None]
    source = KafkaSource({"bootstrap": cluster.bootstrap, "topics": [JSON_TOPIC], "group_id": "relay-2mb",
                          "offset_reset": "earliest", "poll_interval": 0.05}, relay.on_packet,
                         link=LinkState("kafka"))  # fmt: skip
    source.start()
    try:
        wait_until(lambda: len(seen) == 1 and intake.archive.rejects(), 60)
    finally:
        wait_for(source.stop(), 30)
        cluster.close()
    [notice] = seen
    assert notice.raw == big and archive.get(notice.ivorn).raw == big
    assert notice.params["external_coinc.observatory"] == "Fermi"
    [reject] = intake.archive.rejects()
    assert reject.raw == too_big and "exceeds the 4194304-byte limit" in reject.reason
