"""``gcnmon listen --kafka-bootstrap`` against the mock cluster: everything once, across a crash."""

from __future__ import annotations

import json

import pytest
from listen_helpers import Listener

from gcnmon.archive import Archive
from gcnmon.notice import parse

pytestmark = pytest.mark.interop

TOPIC = "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"


def _packets(data_file, count):
    """Real observation packets with distinct IVORNs, from tests/data/MANIFEST.tsv."""
    rows = [line.split("\t") for line in data_file("MANIFEST.tsv").read_text().splitlines()[1:]]
    by_ivorn = {}
    for row in rows:
        if row[8] == "observation":
            raw = data_file(row[0]).read_bytes()
            by_ivorn.setdefault(parse(raw).ivorn, raw)
    return list(by_ivorn.values())[:count]


def _listen(tmp_path, cluster):
    return Listener(tmp_path, "listen", "--json", "--kafka-bootstrap", cluster.bootstrap,
                    "--kafka-topic", TOPIC, "--archive", str(tmp_path / "archive.sqlite"),
                    "--set", "kafka.group_id=gcnmon-listen-test", "--set", "kafka.offset_reset=earliest",
                    "--set", "kafka.session_timeout_ms=500", "--set", "kafka.poll_interval=0.05")


def test_crash_mid_stream_loses_none_and_prints_none_twice(tmp_path, cluster, data_file, wait_until):
    packets = _packets(data_file, 30)
    cluster.publish(TOPIC, packets[:20])
    first = _listen(tmp_path, cluster)
    try:
        wait_until(lambda: len(first.out) >= 5, 30)
        first.kill()  # mid-stream, no clean-up: the offset of the message in flight is not committed
    finally:
        first.close()
    cluster.publish(TOPIC, packets[20:])
    second = _listen(tmp_path, cluster)
    try:
        wait_until(lambda: len(first.out) + len(second.out) >= 30, 30)
        assert second.terminate() == 0
    finally:
        second.close()
        print("first run:", first.stderr, "second run:", second.stderr, sep="\n")  # shown on failure
    printed = [json.loads(line) for line in first.out + second.out]
    ivorns = [obj["ivorn"] for obj in printed]
    assert len(ivorns) == len(set(ivorns)) == 30  # every packet, each once
    assert {obj["source"] for obj in printed} == {f"kafka:{TOPIC}"}
    assert all(obj["received"].endswith("Z") for obj in printed)
    archive = Archive(tmp_path / "archive.sqlite")
    assert len(archive.recent(100)) == 30
    assert {r.raw for r in archive.recent(100)} == set(packets)  # byte for byte
    archive.close()
    assert second.logged("Kafka: consumer closed")
