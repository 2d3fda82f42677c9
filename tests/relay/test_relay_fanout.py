"""The relay's broker without sockets (StringTransport, task.Clock): acks, drops, what subscribers send."""

from __future__ import annotations

import logging
import struct
import sys
from pathlib import Path

import pytest
from gcn.voeventclient import _form_response
from twisted.internet import task
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport

from gcnmon.notice import parse, wrap_json
from gcnmon.relay.access import AllowList
from gcnmon.relay.fanout import quick_ack_origin
from gcnmon.relay.service import Relay
from gcnmon.stream.vtp import messages

sys.path.insert(0, str(Path(__file__).parents[1] / "stream" / "vtp"))  # the VTP tests' frame decoder
from vtp_helpers import sent_frames as frames  # noqa: E402

IVORN = "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1156572-727"


class Wired:
    """A Relay on a task.Clock with subscribers on StringTransports."""

    def __init__(self, intake, **kw):
        self.clock = task.Clock()
        self.relay = Relay(intake, allow=AllowList("127.0.0.1/32"), reactor=self.clock, **kw)
        self.relay.broker.startFactory()

    def connect(self, port: int = 40000):
        addr = IPv4Address("TCP", "127.0.0.1", port)
        proto = self.relay.broker.buildProtocol(addr)
        transport = StringTransport(peerAddress=addr)
        proto.makeConnection(transport)
        assert [f.role for f in frames(transport)] == ["authenticate"]
        return proto, transport

    def send(self, proto, payload: bytes) -> None:
        proto.dataReceived(struct.pack("!I", len(payload)) + payload)


@pytest.fixture
def wired(intake):
    w = Wired(intake)
    yield w
    w.relay.broker.stopFactory()


@pytest.mark.parametrize("ack", [
    messages.ack("ivo://gcnmon/workstation", IVORN),  # gcnmon
    _form_response("ack", IVORN, "ivo://pygcn", "2024-01-01T00:00:00"),  # pygcn
    b"<?xml version='1.0' encoding='UTF-8'?>\n<trn:Transport xmlns:trn=\"http://www.telescope-networks"
    b".org/xml/Transport/v1.1\" version=\"1.0\" role=\"ack\">\n  <Origin>" + IVORN.encode()
    + b"</Origin>\n</trn:Transport>",
])  # fmt: skip
def test_quick_ack_reads_the_acks_real_peers_write(ack):
    assert quick_ack_origin(ack) == IVORN


@pytest.mark.parametrize("frame", [
    messages.nak("ivo://me", IVORN, "no"), messages.iamalive_response("ivo://me", "ivo://relay"),
    messages.ack("ivo://me", "ivo://a/b#x&amp;y"),  # an entity: the full parse decodes it
    messages.ack("ivo://me", IVORN) + b" " * 3000,
    b"<VOEvent role='ack'><Origin>x</Origin></VOEvent>"])  # fmt: skip
def test_quick_ack_leaves_everything_else_to_the_full_parse(frame):
    assert quick_ack_origin(frame) is None


def test_new_notice_goes_to_every_subscriber_byte_for_byte_and_acks_settle_it(wired, voevents):
    (a, ta), (b, tb) = wired.connect(1), wired.connect(2)
    notice = wired.relay.on_packet(voevents[0], "vtp://upstream:8099")
    sent_a, sent_b = ta.value(), tb.value()
    assert sent_a == sent_b == struct.pack("!I", len(voevents[0])) + voevents[0]
    done = wired.relay.broker.protocols[0].unacked[0][1].done
    wired.send(a, messages.ack("ivo://ws/a", notice.ivorn))
    wired.send(b, _form_response("ack", notice.ivorn, "ivo://ws/b", "2024-01-01T00:00:00"))
    assert done.called and done.result == 2 and wired.relay.broker.acks == 2


def test_duplicates_are_not_sent_and_json_goes_in_its_envelope(wired, voevents, data_file, archive):
    _, transport = wired.connect()
    wired.relay.on_packet(voevents[0], "kafka:a")
    transport.clear()
    assert wired.relay.on_packet(voevents[0], "vtp://b:8099") is None
    assert transport.value() == b""
    gw_json = data_file("json/igwn_preliminary.json").read_bytes()
    notice = wired.relay.on_packet(gw_json, "kafka:igwn.gwalert")
    sent = transport.value()
    [frame] = frames(transport)
    assert frame.kind == "voevent" and frame.ivorn == notice.ivorn
    assert sent[4:] == wrap_json(notice) and parse(sent[4:]) == notice
    relay = wired.relay
    assert (relay.relayed, relay.duplicates, relay.wrapped, relay.held_back) == (2, 1, 1, 0)
    assert len(archive.recent(10)) == 2 and archive.recent(1)[0].raw == gw_json
    assert wired.relay.summary().startswith("2 relayed, 1 duplicate(s), 1 JSON in envelopes, 0 held back; ")


def test_an_envelope_over_max_frame_is_held_back_and_logged(intake, data_file, caplog):
    wired = Wired(intake, max_frame=2000)  # the LVK envelope is ~2.9 kB
    _, transport = wired.connect()
    with caplog.at_level(logging.ERROR):
        assert wired.relay.on_packet(data_file("json/igwn_preliminary.json").read_bytes(), "kafka:igwn")
    assert transport.value() == b"" and (wired.relay.relayed, wired.relay.held_back) == (0, 1)
    assert "archived but not rebroadcast: its envelope of 2920 bytes exceeds max_frame (2000)" in caplog.text
    wired.relay.broker.stopFactory()


def test_an_envelope_from_a_relay_upstream_passes_byte_for_byte(wired, data_file):
    _, transport = wired.connect()
    envelope = wrap_json(parse(data_file("json/ep_wxt_alert.json").read_bytes()))
    wired.relay.on_packet(envelope, "vtp://relay-a:8099")
    assert transport.value() == struct.pack("!I", len(envelope)) + envelope and wired.relay.wrapped == 0


def test_a_voevent_sent_by_a_subscriber_is_ignored_and_never_archived(wired, voevents, archive, caplog):
    proto, transport = wired.connect()
    with caplog.at_level(logging.WARNING):
        wired.send(proto, voevents[1])
        wired.send(proto, b"<not-xml")
    assert archive.recent(10) == [] and wired.relay.relayed == 0
    assert "sent voevent (role 'observation'); ignored" in caplog.text
    assert "sent an unreadable frame" in caplog.text
    assert transport.value() == b"" and transport.connected  # no answer; an odd peer, not yet a dropped one


def test_subscriber_that_misses_iamalive_is_dropped_and_logged(wired, caplog):
    quiet, tq = wired.connect(1)
    lively, tl = wired.connect(2)
    interval = wired.relay.broker.IAMALIVE_INTERVAL
    wired.clock.advance(interval)
    assert [f.role for f in frames(tq)] == ["iamalive"] == [f.role for f in frames(tl)]
    wired.send(lively, messages.iamalive_response("ivo://ws/lively", "ivo://gcnmon/relay"))
    with caplog.at_level(logging.WARNING):
        wired.clock.advance(interval)
    assert tq.disconnecting or tq.disconnected
    assert "dropped: no answer to iamalive" in caplog.text and "127.0.0.1:1" in caplog.text
    assert not (tl.disconnecting or tl.disconnected) and wired.relay.broker.dropped == 1


def test_subscriber_that_naks_is_dropped(wired, voevents, caplog):
    proto, transport = wired.connect()
    notice = wired.relay.on_packet(voevents[0], "kafka:t")
    with caplog.at_level(logging.WARNING):
        wired.send(proto, messages.nak("ivo://ws", notice.ivorn, "schema says no"))
    assert transport.disconnecting or transport.disconnected
    assert f"nak for {notice.ivorn}: schema says no" in caplog.text


def test_subscriber_behind_its_bounded_queue_is_dropped_alone(intake, voevents, caplog):
    wired = Wired(intake, queue_limit=3)
    stuck, ts = wired.connect(1)
    _, tf = wired.connect(2)
    stuck.pauseProducing()  # what the transport does when its buffer is full
    with caplog.at_level(logging.WARNING):
        for payload in voevents[:5]:
            wired.relay.on_packet(payload, "kafka:t")
    assert ts.disconnecting or ts.disconnected
    assert "fell 3 frames behind (queue full)" in caplog.text
    assert len(frames(tf)) == 5 and not tf.disconnecting
    wired.relay.broker.stopFactory()


def test_refusals_are_logged(intake, caplog):
    wired = Wired(intake, max_subscribers=1)
    wired.connect()
    with caplog.at_level(logging.WARNING):
        assert wired.relay.broker.buildProtocol(IPv4Address("TCP", "127.0.0.2", 5)) is None
        assert wired.relay.broker.buildProtocol(IPv4Address("TCP", "127.0.0.1", 6)) is None
    assert "refused subscriber from 127.0.0.2: not on the allow-list" in caplog.text
    assert "refused subscriber from 127.0.0.1: already 1 subscribers (the maximum)" in caplog.text
    assert wired.relay.broker.refused == 2
    assert "1 subscriber(s), 0 notice(s) sent, 0 ack(s), 0 dropped, 2 refused" in wired.relay.summary()
    wired.relay.broker.stopFactory()
