"""GCN Circulars: read (gcn-schema's example), archived, tied to the events of real notices, searchable."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from gcnmon.archive import Archive
from gcnmon.archive.circulars import CircularStore
from gcnmon.intake import Intake
from gcnmon.story.circulars import CircularError, parse_circular, terms_in
from gcnmon.story.intake import with_circulars
from gcnmon.story.timeline import event_story
from gcnmon.stream.kafka import HEARTBEAT_TOPIC, KafkaSource
from gcnmon.stream.link import LinkState

sys.path.insert(0, str(Path(__file__).parents[1] / "stream" / "kafka"))  # the mock cluster helper
from kafka_mock import MockCluster  # noqa: E402

DATA = Path(__file__).parents[1] / "data"
NOTICE_TOPIC = "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"
NOTICES = ["aware/bat_alert_grb230228a.xml", "gcn-notice-parser/eclairs_296.xml",
           "gcn-notice-parser/fermi_gbm_flt_pos_8126.xml", "json/igwn_preliminary.json"]
CIRCULARS = ["circulars/gcn-schema.circulars.example.json", "circulars/swift_grb230228a.json",
             "circulars/svom_sb26021102.json", "circulars/fermi_gbm_792135758.json",
             "circulars/lvk_ms181101ab.json", "circulars/unmatched_grb991231z.json"]


def test_gcn_schema_example_reads():
    raw = (DATA / "circulars/gcn-schema.circulars.example.json").read_bytes()
    circular = parse_circular(raw)
    expected = json.loads(raw)
    assert circular.circular_id == 33603 == expected["circularId"]
    assert circular.subject == "GRB 230410A: Fermi GBM Final Real-time Localization"
    assert circular.event_id == "GRB 230410A"
    assert circular.created == pytest.approx(1718212589.034)
    assert circular.url == "https://gcn.nasa.gov/circulars/33603"
    assert {"grb230410a", "702818765", "230410476"} <= terms_in(circular)
    assert circular.raw == raw


@pytest.mark.parametrize("raw, why", [
    (b"not json", "not JSON"), (b"[1, 2]", "not a JSON object"),
    (b'{"subject": "x", "body": "y"}', "lacks circularId"),
    (b'{"circularId": "12", "subject": "x", "body": "y"}', "not a whole number"),
])
def test_malformed_circulars_say_why(raw, why):
    with pytest.raises(CircularError, match=why):
        parse_circular(raw)


@pytest.fixture
def cluster():
    mock = MockCluster()
    yield mock
    mock.close()


def _packets():
    notices = [(DATA / name).read_bytes() for name in NOTICES]
    circulars = [(DATA / name).read_bytes() for name in CIRCULARS]
    return notices, circulars + [b'{"circularId": 1, "subject": 5}', circulars[1]]


@pytest.fixture
def through_kafka(tmp_path, cluster, wait_until, wait_for):
    """Real notices and circulars (and a broken one, and a repeat) through the mock Kafka cluster."""
    archive = Archive(tmp_path / "archive.sqlite")
    seen, new = [], []
    intake = Intake(archive, on_notice=seen.append)
    on_packet = with_circulars(intake.receive, archive, on_circular=new.append)
    section = {"bootstrap": cluster.bootstrap, "topics": [NOTICE_TOPIC, "gcn.circulars", HEARTBEAT_TOPIC],
               "group_id": "gcnmon-circulars", "offset_reset": "earliest", "session_timeout_ms": 500,
               "poll_interval": 0.05, "retry_delay": 0.1, "probe_interval": 0.1}
    notices, circulars = _packets()
    cluster.publish(NOTICE_TOPIC, notices)
    cluster.publish("gcn.circulars", circulars)
    source = KafkaSource(section, on_packet, link=LinkState("kafka"))
    source.start()
    try:
        # patience for a machine shared with other suites: a group join there has taken tens of seconds
        wait_until(lambda: len(seen) == 4 and len(new) == 6 and archive.rejects(), 120)
        wait_until(lambda: source.link.notices == 12, 60)  # the repeat too: read, archived once, committed
    finally:
        wait_for(source.stop(), 30)
    yield archive, new
    archive.close()


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """The same packets handed straight to the sources' ``on_packet`` (the routing Kafka uses), once for
    the module's read-only tests."""
    archive = Archive(tmp_path_factory.mktemp("circulars") / "archive.sqlite")
    on_packet = with_circulars(Intake(archive).receive, archive)
    notices, circulars = _packets()
    for data in notices:
        on_packet(data, f"kafka:{NOTICE_TOPIC}")
    for data in circulars:
        try:
            on_packet(data, "kafka:gcn.circulars")
        except CircularError:
            pass
    yield archive, None
    archive.close()


def test_circulars_arrive_through_kafka_and_are_kept_once(through_kafka):
    archive, new = through_kafka
    store = CircularStore(archive)
    assert [c.circular_id for c in new] == [33603, 99901, 99902, 99903, 99904, 99905]
    assert store.count() == 6  # the repeat of 99901 was archived once
    [reject] = archive.rejects()
    assert reject.source == "kafka:gcn.circulars" and "lacks body" in reject.reason
    assert store.get(33603).raw == (DATA / "circulars/gcn-schema.circulars.example.json").read_bytes()


@pytest.mark.parametrize("key, circular", [
    (("Swift", "1156572"), 99901),  # "trigger=1156572"
    (("SVOM", "sb26021102"), 99902),  # the burst id
    (("Fermi", "792135758"), 99903),  # "trigger 792135758.650 / 260207237": MET seconds and the bn number
    (("LVK", "MS181101ab"), 99904),  # the superevent
])
def test_each_event_gets_its_circular(archived, key, circular):
    archive, _ = archived
    story = event_story(archive, key)
    found = [e for e in story.entries if e.kind == "circular"]
    assert [e.ref for e in found] == [str(circular)]
    assert found[0].text.startswith(f"GCN {circular}: ")
    assert "test circular written for gcnmon" in found[0].text
    assert "written for the gcnmon test suite" in found[0].detail  # the body, for the click
    notices = [e for e in story.entries if e.kind == "notice"]
    assert len(notices) == 1
    assert story.entries == tuple(sorted(story.entries, key=lambda e: e.when))


def test_unmatched_circulars_are_kept_and_searchable(archived):
    archive, _ = archived
    store = CircularStore(archive)
    assert [c.circular_id for c in store.search(unmatched=True)] == [33603, 99905]  # no notice of theirs here
    assert [c.circular_id for c in store.search("991231Z")] == [99905]
    assert [c.circular_id for c in store.search("GBM")] == [33603, 99903]


def test_story_links(archived):
    archive, _ = archived
    lvk = event_story(archive, ("LVK", "MS181101ab"))
    # GraceDB from the alert's urls
    assert lvk.links[0].url == "https://example.org/superevents/MS181101ab/view/"
    assert lvk.links[-1].url == "https://gcn.nasa.gov/circulars?query=MS181101ab"
    swift = event_story(archive, ("Swift", "1156572"))
    assert [link.url for link in swift.links] == ["https://gcn.gsfc.nasa.gov/other/1156572.swift",
                                                  "https://gcn.nasa.gov/circulars?query=1156572"]
    fermi = event_story(archive, ("Fermi", "792135758"))
    assert fermi.links[0].url == "https://heasarc.gsfc.nasa.gov/FTP/fermi/data/gbm/triggers/2026/bn260207237/"
