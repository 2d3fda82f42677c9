"""The subscriber service on MemoryReactorClock: failover, capped backoff, all servers down then back."""

from __future__ import annotations

import pytest
from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.testing import MemoryReactorClock, StringTransport
from twisted.python.failure import Failure
from vtp_helpers import BROKER, LOCAL, Recorder, frame

from gcnmon.stream.link import LinkState
from gcnmon.stream.vtp import messages
from gcnmon.stream.vtp.subscriber import Backoff, make_subscriber_service

SERVERS = [("primary.example", 8099), ("127.0.0.1", 8100)]


class Harness:
    def __init__(self, servers=SERVERS, **kw):
        self.reactor = MemoryReactorClock()
        self.link = LinkState("vtp", clock=self.reactor.seconds)
        self.on_packet = Recorder()
        self.service = make_subscriber_service(
            servers, self.on_packet, link=self.link, local_ivorn=LOCAL, reactor=self.reactor, **kw
        )
        self.service.vtp_factory.backoff.rng = lambda: 0.0  # no jitter: exact delays
        self.attempts = 0

    def last_attempt(self):
        return self.reactor.tcpClients[-1][:2]

    def refuse(self):
        host, port, factory = self.reactor.tcpClients[self.attempts][:3]
        self.attempts += 1
        factory.clientConnectionFailed(self.reactor.connectors[-1], Failure(ConnectionRefusedError()))

    def accept(self):
        host, port, factory = self.reactor.tcpClients[self.attempts][:3]
        self.attempts += 1
        proto = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", port))
        tr = StringTransport(peerAddress=IPv4Address("TCP", "127.0.0.1", port))
        proto.makeConnection(tr)
        return proto, tr

    def pending_delay(self):
        (call,) = self.reactor.getDelayedCalls()
        return call.getTime() - self.reactor.seconds()


@pytest.fixture
def harness():
    h = Harness()
    yield h
    h.service.stopService()


def test_backoff_doubles_and_is_capped():
    backoff = Backoff(1.0, 60.0, rng=lambda: 0.0)
    assert [backoff(0) for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    backoff.reset()
    assert backoff(0) == 1
    jittered = Backoff(10.0, 60.0, rng=lambda: 1.0)
    assert jittered(0) == pytest.approx(9.0)  # jitter only shortens: the cap holds


def test_failover_to_the_second_server_at_once(harness, voevent):
    harness.service.startService()
    assert harness.last_attempt() == ("primary.example", 8099)
    harness.refuse()
    assert harness.last_attempt() == ("127.0.0.1", 8100)  # no backoff between servers of one sweep
    proto, tr = harness.accept()
    assert harness.link.connected and harness.link.host == "127.0.0.1:8100"
    proto.dataReceived(frame(voevent))
    assert harness.on_packet.calls == [(voevent, "vtp://127.0.0.1:8100")]
    assert messages.classify(tr.value()[4:], 1 << 20).role == "ack"


def test_all_servers_down_backs_off_capped_then_one_returns(harness, caplog):
    harness.service.startService()
    delays = []
    for _ in range(8):
        harness.refuse()
        harness.refuse()
        delays.append(harness.pending_delay())
        harness.reactor.advance(delays[-1])
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60]
    assert "all 2 server(s) unreachable" in caplog.text
    assert "cannot connect to vtp://primary.example:8099" in caplog.text
    harness.refuse()
    proto, tr = harness.accept()  # the second one is back
    assert harness.link.connected
    proto.dataReceived(frame(messages.iamalive(BROKER)))
    # A frame proves the link: after a drop the backoff starts again from the first delay.
    tr.loseConnection()
    proto.connectionLost(Failure(ConnectionRefusedError()))
    assert not harness.link.connected and harness.pending_delay() == 1


def test_silent_server_is_dropped_and_the_next_one_tried(harness, caplog):
    harness.service.startService()
    proto, tr = harness.accept()
    harness.reactor.advance(150)
    assert tr.disconnecting and "silent for 150 s" in caplog.text
    proto.connectionLost(Failure(ConnectionRefusedError()))
    harness.reactor.advance(harness.pending_delay())
    assert harness.last_attempt() == ("127.0.0.1", 8100)  # the silent one is not retried first
