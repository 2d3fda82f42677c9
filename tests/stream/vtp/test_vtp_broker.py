"""The broker side on StringTransport and task.Clock: authenticate, iamalive, acks, bounded queues."""

from __future__ import annotations

import pytest
from twisted.internet import task
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from vtp_helpers import LOCAL, sent_frames

from gcnmon.stream.vtp import messages
from gcnmon.stream.vtp.broker import BrokerFactory

IVORN = "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1156572-727"


class Peer:
    def __init__(self, factory, host="127.0.0.1", port=50000):
        addr = IPv4Address("TCP", host, port)
        self.proto = factory.buildProtocol(addr)
        if self.proto is not None:
            self.tr = StringTransport(peerAddress=addr)
            self.proto.makeConnection(self.tr)

    def got(self):
        return sent_frames(self.tr)

    def say(self, payload: bytes):
        self.proto.stringReceived(payload)

    def close(self):
        self.proto.connectionLost(None)


@pytest.fixture
def factory():
    f = BrokerFactory("ivo://test/broker", clock=task.Clock(), queue_limit=3)
    f.startFactory()
    yield f
    f.stopFactory()


def test_new_subscriber_is_sent_authenticate_and_announced(factory):
    seen = []
    factory.subscriber_added.append(seen.append)
    peer = Peer(factory)
    (auth,) = peer.got()
    assert (auth.role, auth.origin) == ("authenticate", "ivo://test/broker")
    assert seen == ["127.0.0.1:50000"] and factory.subscribers == 1
    peer.say(messages.authenticate_response(LOCAL, "ivo://test/broker", ("//Param",)))
    assert not peer.tr.disconnecting


def test_broadcast_sends_raw_bytes_and_fires_when_all_acked(factory, voevent):
    a, b = Peer(factory, port=1), Peer(factory, port=2)
    a.tr.clear(), b.tr.clear()
    done = factory.broadcast(voevent)
    assert a.tr.value()[4:] == voevent == b.tr.value()[4:]  # not re-serialised
    a.say(messages.ack(LOCAL, IVORN))
    assert not done.called
    b.say(messages.ack(LOCAL, IVORN))
    assert done.result == 2 and factory.acks == 2


def test_subscriber_leaving_settles_its_deliveries(factory, voevent):
    a, b = Peer(factory, port=1), Peer(factory, port=2)
    done = factory.broadcast(voevent)
    a.say(messages.ack(LOCAL, IVORN))
    b.close()
    assert done.result == 1 and factory.subscribers == 1


def test_wait_for_subscribers(factory):
    d = factory.wait_for_subscribers(2)
    Peer(factory, port=1)
    assert not d.called
    Peer(factory, port=2)
    assert d.result == 2 and factory.subscriber_added == []


def test_iamalive_every_60_s_and_a_silent_peer_is_dropped(factory, caplog):
    good, dead = Peer(factory, port=1), Peer(factory, port=2)
    good.got(), dead.got()
    factory.clock.advance(BrokerFactory.IAMALIVE_INTERVAL)
    assert [f.role for f in good.got()] == ["iamalive"] == [f.role for f in dead.got()]
    good.say(messages.iamalive_response(LOCAL, "ivo://test/broker"))
    factory.clock.advance(60)
    assert dead.tr.disconnecting and not good.tr.disconnecting
    assert "subscriber 127.0.0.1:2 dropped: no answer to iamalive" in caplog.text


def test_nak_drops_the_subscriber(factory, voevent, caplog):
    peer = Peer(factory)
    factory.broadcast(voevent)
    peer.say(messages.nak(LOCAL, IVORN, "bad packet"))
    assert peer.tr.disconnecting and f"dropped: nak for {IVORN}: bad packet" in caplog.text


def test_a_stalled_subscriber_is_queued_then_dropped_and_delays_no_other(factory, voevent, caplog):
    stalled, fast = Peer(factory, port=1), Peer(factory, port=2)
    stalled.proto.pauseProducing()  # what the transport does when its buffer is full
    stalled.tr.clear(), fast.tr.clear()
    for _ in range(3):
        factory.broadcast(voevent)
    assert stalled.tr.value() == b"" and len(stalled.proto.queue) == 3
    assert len(fast.got()) == 3  # the fast one got everything at once
    factory.broadcast(voevent)
    assert stalled.tr.disconnecting and "127.0.0.1:1 dropped: fell 3 frames behind" in caplog.text
    assert len(fast.got()) == 1 and factory.dropped == 1


def test_queue_drains_on_resume(factory, voevent):
    peer = Peer(factory)
    peer.proto.pauseProducing()
    peer.tr.clear()
    factory.broadcast(voevent), factory.broadcast(voevent)
    peer.proto.resumeProducing()
    assert [f.ivorn for f in peer.got()] == [IVORN, IVORN] and not peer.proto.queue


def test_subscriber_that_acks_nothing_is_dropped(factory, voevent, caplog):
    peer = Peer(factory)
    factory.broadcast(voevent)
    for _ in range(2):
        factory.clock.advance(60)
        peer.say(messages.iamalive_response(LOCAL, "ivo://test/broker"))
    assert peer.tr.disconnecting and "acknowledged nothing in 60.0 s" in caplog.text


def test_allow_list_and_max_subscribers_refuse_with_a_log_line(voevent, caplog):
    f = BrokerFactory(allow=lambda host: host == "127.0.0.1", max_subscribers=1, clock=task.Clock())
    assert Peer(f, host="127.0.0.2").proto is None
    assert "refused subscriber from 127.0.0.2: not on the allow-list" in caplog.text
    assert Peer(f).proto is not None and Peer(f).proto is None
    assert "already 1 subscribers (the maximum)" in caplog.text and f.refused == 2 and f.subscribers == 1
