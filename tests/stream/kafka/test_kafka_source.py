"""KafkaSource against librdkafka's mock cluster: commit after archive, restart, outage, faults."""

from __future__ import annotations

import json

import confluent_kafka
import pytest
from twisted.internet import task

from gcnmon.archive import Archive
from gcnmon.backlog import Backlog
from gcnmon.intake import Intake
from gcnmon.stream.kafka import HEARTBEAT_TOPIC, KafkaSource
from gcnmon.stream.link import LinkState

TOPIC = "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"
FILES = ["aware/bat_alert_grb230228a.xml", "aware/xrt_alert_1165948.xml", "aware/gbm_alert.xml",
         "aware/maxi_known.xml"]


def _section(cluster, **extra):
    return {"bootstrap": cluster.bootstrap, "topics": [TOPIC, HEARTBEAT_TOPIC], "group_id": "gcnmon-test",
            "offset_reset": "earliest", "session_timeout_ms": 500, "poll_interval": 0.05,
            "retry_delay": 0.1, "probe_interval": 0.1,
            **extra}


def _committed(cluster, group="gcnmon-test", topic=TOPIC) -> int:
    probe = confluent_kafka.Consumer({"bootstrap.servers": cluster.bootstrap, "group.id": group})
    [tp] = probe.committed([confluent_kafka.TopicPartition(topic, 0)], timeout=10)
    probe.close()
    return tp.offset


@pytest.fixture
def pipeline(tmp_path, wait_for):
    archive = Archive(tmp_path / "archive.sqlite")
    seen: list = []
    intake = Intake(archive, on_notice=seen.append)
    started: list[KafkaSource] = []
    yield intake, seen, started
    for source in started:
        wait_for(source.stop(), 30)  # never join() here: the thread may be waiting on the reactor
    archive.close()


def _start(cluster, intake, started, **extra) -> KafkaSource:
    source = KafkaSource(_section(cluster, **extra), intake.receive, link=LinkState("kafka"))
    source.start()
    started.append(source)
    return source


def _stop(source, wait_for, wait_until) -> None:
    wait_for(source.stop(), 30)
    # stop() gives up waiting after its timeout (shutdown must not hang on a broker); the consumer thread
    # still ends by itself once librdkafka's close returns, which a rebalance on a loaded machine delays.
    wait_until(lambda: not source._thread.is_alive(), 60)


def test_delivers_commits_and_resumes_after_restart(cluster, pipeline, data_file, wait_until, wait_for):
    intake, seen, started = pipeline
    raw = [data_file(name).read_bytes() for name in FILES]
    cluster.publish(TOPIC, raw[:2])
    cluster.publish(HEARTBEAT_TOPIC, [json.dumps({"alert_datetime": "2026-04-07T00:00:00Z"}).encode()])
    source = _start(cluster, intake, started)
    # link updates reach the reactor by callFromThread, just after the notice itself
    wait_until(lambda: len(seen) == 2 and source.link.notices == 2 and source.link.last_packet, 30)
    assert source.link.connected and source.link.host == cluster.bootstrap
    wait_until(lambda: _committed(cluster) == 2, 30)
    _stop(source, wait_for, wait_until)

    cluster.publish(TOPIC, raw[2:])
    again = _start(cluster, intake, started)
    # The mock cluster may rebalance the group a few times around the restart (a commit then fails
    # with UNKNOWN_MEMBER_ID and the message is read again); on a loaded machine that takes a while.
    wait_until(lambda: len(seen) == 4, 90)
    assert [n.raw for n in seen] == raw  # each handed on once, in order
    # ... and stored once: a re-read after a rebalance only counts as a duplicate of the same row.
    assert sorted(r.raw for r in intake.archive.recent(10)) == sorted(raw)
    wait_until(lambda: _committed(cluster) == 4, 90)
    _stop(again, wait_for, wait_until)


def test_broker_down_then_back(cluster, pipeline, data_file, wait_until, caplog):
    intake, seen, started = pipeline
    cluster.publish(TOPIC, [data_file(FILES[0]).read_bytes()])
    source = _start(cluster, intake, started)
    wait_until(lambda: len(seen) == 1, 30)
    wait_until(lambda: _committed(cluster) == 1, 30)  # not inside the synchronous commit any more
    cluster.broker_down()
    wait_until(lambda: not source.link.connected, 30)
    assert f"Kafka: link to {cluster.bootstrap} down" in caplog.text
    assert caplog.text.count("down:") == 1  # one line per outage, not one per retry
    cluster.broker_up()
    cluster.publish(TOPIC, [data_file(FILES[1]).read_bytes()])
    wait_until(lambda: len(seen) == 2 and source.link.connected, 30)


def _blocked(tmp_path, **backlog):
    """An intake whose archive folder is a file (every write fails for real), its retries on a fake clock."""
    blocker = tmp_path / "data"
    blocker.write_text("a file where the archive folder should be")
    retry_clock = task.Clock()
    seen: list = []
    intake = Intake(Archive(blocker / "archive.sqlite"), on_notice=seen.append,
                    backlog=Backlog("archive", scheduler=retry_clock, clock=retry_clock.seconds, **backlog))
    return blocker, retry_clock, seen, intake


def test_unwritable_archive_shows_at_once_commits_only_once_written(cluster, tmp_path, data_file, wait_until,
                                                                    wait_for):
    blocker, retry_clock, seen, intake = _blocked(tmp_path)
    raw = [data_file(name).read_bytes() for name in FILES[:2]]
    cluster.publish(TOPIC, raw)
    source = KafkaSource(_section(cluster), intake.receive, link=LinkState("kafka"))
    source.start()
    try:
        wait_until(lambda: len(seen) == 2, 30)  # both shown while the archive cannot take them
        assert [n.raw for n in seen] == raw and len(intake.backlog) == 2
        assert _committed(cluster) < 0  # nothing committed: OFFSET_INVALID
        blocker.unlink()
        retry_clock.advance(intake.backlog.retry)
        wait_until(lambda: _committed(cluster) == 2, 30)
        assert [r.raw for r in intake.archive.recent(10)[::-1]] == raw
    finally:
        wait_for(source.stop(), 30)
        intake.archive.close()


def test_a_full_hold_is_not_committed_and_retried(cluster, tmp_path, data_file, wait_until, wait_for, caplog):
    blocker, retry_clock, seen, intake = _blocked(tmp_path, max_packets=1)
    raw = [data_file(name).read_bytes() for name in FILES[:2]]
    cluster.publish(TOPIC, raw)
    offered = []

    def on_packet(data, source):
        offered.append(data)
        return intake.receive(data, source)

    source = KafkaSource(_section(cluster), on_packet, link=LinkState("kafka"))
    source.start()
    try:
        wait_until(lambda: len(seen) == 2 and offered.count(raw[1]) >= 3, 30)  # offered again and again...
        assert caplog.text.count("offset 1 not kept, will retry") == 1  # ... and said once
        assert sum("NOT KEPT" in r.getMessage() for r in caplog.records if r.name == "gcnmon.intake") == 1
        assert [n.raw for n in seen] == raw  # each shown once, kept or not
        assert _committed(cluster) < 0
        blocker.unlink()
        retry_clock.advance(intake.backlog.retry)
        wait_until(lambda: _committed(cluster) == 2, 30)  # the second, read again, now written too
        assert [r.raw for r in intake.archive.recent(10)[::-1]] == raw and len(seen) == 2
    finally:
        wait_for(source.stop(), 30)
        intake.archive.close()


def test_malformed_message_kept_committed_and_skipped(cluster, pipeline, data_file, wait_until, caplog):
    intake, seen, started = pipeline
    cluster.publish(TOPIC, [b"<VOEvent broken", data_file(FILES[0]).read_bytes()])
    _start(cluster, intake, started)
    wait_until(lambda: len(seen) == 1, 30)
    assert [r.raw for r in intake.archive.rejects()] == [b"<VOEvent broken"]
    assert "rejected packet from kafka:" + TOPIC in caplog.text
    wait_until(lambda: _committed(cluster) == 2, 30)
