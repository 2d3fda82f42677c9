"""Kafka that loses nothing and never stops by itself, against librdkafka's mock cluster.

A new group with the shipped [kafka] settings reads what was published before it existed; a callback
that raises, a consumer that throws and a fatal error never end the consumer thread.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import confluent_kafka
import pytest

from gcnmon.config import load_config
from gcnmon.intake import Intake
from gcnmon.policy import Arbiter, policy_from_config
from gcnmon.stream.kafka import KafkaSource
from gcnmon.stream.link import LinkState

# Real packets on real GCN topics (each a stream of the shipped [kafka] topics).
PUBLISHED = {
    "igwn.gwalert": "lvk-userguide/MS181101ab-ext-update.json",
    "gcn.notices.einstein_probe.wxt.alert": "gcn-schema/einstein_probe_wxt_alert.example.json",
    "gcn.notices.swift.bat.guano": "gcn-schema/swift_bat_guano.loc_arc_min.example.json",
    "gcn.notices.icecube.gold_bronze_track_alerts":
        "gcn-schema/icecube_single_neutrino_alerts.gold_bronze_track_alerts.example.json",
    "gcn.notices.chime.frb": "gcn-schema/chime_frb.detection.example.json",
    "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK": "aware/bat_alert_grb230228a.xml",
}  # fmt: skip
FAST = {"poll_interval": 0.05, "probe_interval": 0.1, "retry_delay": 0.05, "session_timeout_ms": 500}


@pytest.fixture
def sources(wait_for, wait_until):
    started: list[KafkaSource] = []
    yield started
    for source in started:
        wait_for(source.stop(), 30)
        wait_until(lambda s=source: not s._thread.is_alive(), 60)


def shipped_section(cluster, **extra) -> dict:
    """The shipped [kafka] table (topics, offset_reset, group id from station and host) on the mock."""
    section = dict(load_config(None, []).section("kafka"))
    return {**section, "bootstrap": cluster.bootstrap, **FAST, **extra}


def publish(cluster, data_file) -> dict[str, bytes]:
    raw = {topic: data_file(name).read_bytes() for topic, name in PUBLISHED.items()}
    producer = confluent_kafka.Producer({"bootstrap.servers": cluster.bootstrap,
                                         "message.max.bytes": 8 << 20})  # GCN's ~4 MiB, not 1 MB
    for topic, payload in raw.items():
        cluster.create_topic(topic)
        producer.produce(topic, payload)
    assert producer.flush(30) == 0
    return raw


def test_a_new_group_with_the_shipped_defaults_archives_what_was_published_before(
    cluster, archive, sources, data_file, wait_until, caplog
):
    raw = publish(cluster, data_file)  # before the group exists: "latest" would skip all of these
    section = shipped_section(cluster)
    assert section["offset_reset"] == "earliest" and not section["group_id"]
    assert set(PUBLISHED) <= set(section["topics"])
    source = KafkaSource(section, Intake(archive).receive, link=LinkState("kafka"), station="BTA")
    source.start()
    sources.append(source)
    wait_until(lambda: len(archive.recent(50)) == len(raw), 90)
    assert sorted(r.raw for r in archive.recent(50)) == sorted(raw.values())
    assert {r.source for r in archive.recent(50)} == {f"kafka:{topic}" for topic in PUBLISHED}
    # the shipped topics the mock does not have (KM3NeT, SVOM VT, ...) cost one warning each, no more
    assert "gcn.notices.km3net.alert does not exist (yet)" in caplog.text
    assert source.rebuilds == 0


def test_a_callback_that_raises_keeps_the_consumer_going(cluster, archive, sources, data_file, wait_until):
    raw = publish(cluster, data_file)
    intake, calls = Intake(archive), []

    def flaky(data: bytes, source: str):
        calls.append(source)
        if len(calls) <= 3:  # the first three calls fail: those messages are not kept, so read again
            raise RuntimeError("disk on fire")
        return intake.receive(data, source)

    link = LinkState("kafka")
    problems: list = []
    link.subscribe(lambda state: problems.append(state.problem))
    source = KafkaSource(shipped_section(cluster), flaky, link=link)
    source.start()
    sources.append(source)
    wait_until(lambda: len(archive.recent(50)) == len(raw), 90)
    assert sorted(r.raw for r in archive.recent(50)) == sorted(raw.values())
    assert all(calls.count(topic) >= 2 for topic in calls[:3])  # each failed one was retried until kept
    assert any(p and "not kept, retrying: disk on fire" in p for p in problems)  # shown on the badge
    wait_until(lambda: link.problem is None, 10)  # and cleared once it went through
    assert source._thread.is_alive()


class _Throwing:
    """A real consumer whose ``poll`` raises on its first calls: a librdkafka surprise or our own bug."""

    def __init__(self, consumer, failures: int):
        self._consumer, self.failures = consumer, failures

    def poll(self, timeout):
        if self.failures:
            self.failures -= 1
            raise RuntimeError("poll blew up")
        return self._consumer.poll(timeout)

    def __getattr__(self, name):
        return getattr(self._consumer, name)


def test_an_exception_inside_the_loop_is_survived_then_the_consumer_rebuilt(
    cluster, archive, sources, data_file, wait_until, caplog
):
    raw = publish(cluster, data_file)
    made: list = []

    def factory(config, **kwargs):  # the first consumer throws 3 times in a row: rebuilt; the next twice
        made.append(_Throwing(confluent_kafka.Consumer(config), 3 if not made else 2))
        return made[-1]

    source = KafkaSource(shipped_section(cluster), Intake(archive).receive, link=LinkState("kafka"),
                         consumer_factory=factory)  # fmt: skip
    source.start()
    sources.append(source)
    wait_until(lambda: len(archive.recent(50)) == len(raw), 90)
    assert len(made) == 2 and source.rebuilds == 1
    assert "consumer rebuilt in 0 s: 3 errors in a row, the last: poll blew up" in caplog.text
    assert caplog.text.count("Traceback") == 2  # once per consumer, not once per error
    assert source._thread.is_alive()


def test_a_fatal_error_rebuilds_the_consumer(cluster, archive, sources, data_file, wait_until, caplog):
    raw = publish(cluster, data_file)
    made: list = []

    def factory(config, **kwargs):
        consumer = confluent_kafka.Consumer(config)
        if not made:  # librdkafka reports a fatal error (an expired OIDC token, gcn-kafka issue #49)
            fatal = confluent_kafka.KafkaError(confluent_kafka.KafkaError._AUTHENTICATION,
                                               "SASL OAUTHBEARER token expired", fatal=True)  # fmt: skip
            config["error_cb"](fatal)
        made.append(consumer)
        return consumer

    link = LinkState("kafka")
    source = KafkaSource(shipped_section(cluster), Intake(archive).receive, link=link,
                         consumer_factory=factory)
    source.start()
    sources.append(source)
    wait_until(lambda: len(archive.recent(50)) == len(raw), 90)
    assert len(made) == 2 and source.rebuilds == 1
    assert "consumer rebuilt in 0 s: fatal error: SASL OAUTHBEARER token expired" in caplog.text
    wait_until(lambda: link.connected, 10)


def test_a_new_groups_backlog_is_archived_and_listed_but_never_rings(
    cluster, archive, sources, data_file, wait_until
):
    """The catch-up of a fresh group against [policy] max_message_age / max_trigger_age: the old
    notices (2018-2024) are archived and listed; one written ten minutes ago opens its dialog."""
    raw = publish(cluster, data_file)
    now = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    fresh = json.loads(data_file("gcn-schema/einstein_probe_wxt_alert.example.json").read_bytes())
    fresh.update(trigger_time="2026-12-01T19:48:00Z", alert_datetime="2026-12-01T19:50:00Z")
    cluster.publish("gcn.notices.einstein_probe.wxt.alert", [json.dumps(fresh).encode()])
    arbiter = Arbiter(policy_from_config(load_config(None, [])), clock=lambda: now)
    events: list = []
    intake = Intake(archive, on_notice=lambda notice: events.append(arbiter.offer(notice)))
    source = KafkaSource(shipped_section(cluster), intake.receive, link=LinkState("kafka"))
    source.start()
    sources.append(source)
    wait_until(lambda: len(archive.recent(50)) == len(raw) + 1, 90)
    shown = [e for e in events if e.kind == "Show"]
    assert [e.alert.notice.trigger_id for e in shown] == ["01708973486"]  # the fresh EP notice only
    assert shown[0].alert.action == "act"
    old = [e for e in events if e.kind == "Listed"]
    # the LVK mock (MS...) is a test alert and is ignored before any age is asked
    assert len(old) == len(raw) - 1 and all("not offered" in e.reason for e in old)
    assert any(e.reason.startswith("old notice, not offered") for e in old)
