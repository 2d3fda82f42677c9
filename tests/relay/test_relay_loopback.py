"""The relay on real loopback sockets (port 0), in process: who gets in, what reaches the archive."""

from __future__ import annotations

import logging
import socket
import struct

import pytest

from gcnmon.relay.access import AllowList
from gcnmon.relay.service import Relay
from gcnmon.stream.link import LinkState
from gcnmon.stream.vtp import messages
from gcnmon.stream.vtp.subscriber import make_subscriber_service


class Peer:
    """A raw non-blocking client socket, bound to ``source`` (127.0.0.2 is loopback too, on Linux)."""

    def __init__(self, port: int, source: str = "127.0.0.1", rcvbuf: int | None = None):
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.bind((source, 0))
        self.sock.connect(("127.0.0.1", port))
        self.sock.setblocking(False)
        self.data, self.eof = b"", False

    def send(self, payload: bytes) -> None:
        self.sock.sendall(struct.pack("!I", len(payload)) + payload)

    def poll(self) -> bool:
        """Read what is there; True once the relay closed the connection."""
        try:
            while chunk := self.sock.recv(65536):
                self.data += chunk
            self.eof = True
        except BlockingIOError:
            pass
        except ConnectionResetError:
            self.eof = True
        return self.eof

    def frames(self) -> list[messages.Frame]:
        data, out = self.data, []
        while len(data) >= 4 and len(data) >= 4 + struct.unpack("!I", data[:4])[0]:
            (n,) = struct.unpack("!I", data[:4])
            out.append(messages.classify(data[4 : 4 + n], 1 << 22))
            data = data[4 + n :]
        return out


@pytest.fixture
def relay(intake, wait_for):
    made = Relay(intake, allow=AllowList("127.0.0.1/32"), receive_allow=AllowList("127.0.0.1"),
                 max_subscribers=3)
    made.port = made.listen("127.0.0.1", 0)
    made.receive_port = made.listen_receive("127.0.0.1", 0)
    peers: list[Peer] = []
    made.peer = lambda *a, **kw: peers.append(Peer(*a, **kw)) or peers[-1]
    yield made
    for peer in peers:
        peer.sock.close()
    wait_for(made.stop(), 5)


def test_foreign_address_is_refused_and_logged(relay, wait_until, caplog):
    with caplog.at_level(logging.WARNING):
        outsider = relay.peer(relay.port, source="127.0.0.2")
        wait_until(outsider.poll, 5)
    assert outsider.data == b""  # not even the authenticate message
    assert "VTP: refused subscriber from 127.0.0.2: not on the allow-list" in caplog.text
    insider = relay.peer(relay.port)
    wait_until(lambda: insider.poll() or insider.frames(), 5)
    assert [f.role for f in insider.frames()] == ["authenticate"] and relay.broker.subscribers == 1


def test_subscribers_beyond_the_maximum_are_refused(relay, wait_until, caplog):
    admitted = [relay.peer(relay.port) for _ in range(3)]
    wait_until(lambda: relay.broker.subscribers == 3, 5)
    with caplog.at_level(logging.WARNING):
        late = relay.peer(relay.port)
        wait_until(late.poll, 5)
    assert "already 3 subscribers (the maximum)" in caplog.text
    assert not any(p.poll() for p in admitted)


def test_length_prefix_over_the_frame_cap_drops_the_peer(relay, wait_until, caplog):
    peer = relay.peer(relay.port)
    wait_until(lambda: relay.broker.subscribers == 1, 5)
    with caplog.at_level(logging.WARNING):
        peer.sock.sendall(struct.pack("!I", 0x7FFFFFF0) + b"<VOEvent")
        wait_until(peer.poll, 5)
    assert "sent a length prefix of 2147483632 bytes (cap 6291456)" in caplog.text  # the 6 MiB default
    wait_until(lambda: relay.broker.subscribers == 0, 5)


def test_outsiders_reach_no_archive(relay, voevents, archive, wait_until, caplog):
    subscriber = relay.peer(relay.port)
    author_outside = relay.peer(relay.receive_port, source="127.0.0.2")
    with caplog.at_level(logging.WARNING):
        subscriber.send(voevents[0])  # the broadcast port is not a way in
        wait_until(lambda: "sent voevent (role 'observation'); ignored" in caplog.text, 5)
        wait_until(author_outside.poll, 5)
    assert "refused author from 127.0.0.2: not on the receive allow-list" in caplog.text
    assert archive.recent(10) == [] and archive.rejects(10) == []
    assert relay.relayed == 0


def test_receive_port_acks_archives_and_rebroadcasts_once(relay, voevents, archive, wait_until):
    subscriber = relay.peer(relay.port)
    author = relay.peer(relay.receive_port)
    wait_until(lambda: relay.broker.subscribers == 1, 5)
    for payload in (voevents[2], voevents[2], b"<VOEvent role='observation'/>"):
        author.send(payload)
    wait_until(lambda: author.poll() or len(author.frames()) == 3, 5)
    ivorn = messages.classify(voevents[2], 1 << 20).ivorn
    assert [(f.role, f.origin) for f in author.frames()] == [("ack", ivorn), ("ack", ivorn), ("nak", "")]
    assert "VOEvent has no ivorn" in author.frames()[2].root.findtext("Meta/Result")
    wait_until(lambda: subscriber.poll() or len(subscriber.frames()) == 2, 5)
    assert [f.kind for f in subscriber.frames()] == ["transport", "voevent"]  # authenticate, then once
    assert subscriber.data.endswith(voevents[2])
    assert [r.ivorn for r in archive.recent(10)] == [ivorn] and relay.duplicates == 1


def test_stalled_subscriber_is_dropped_and_delays_no_other(relay, wait_until, caplog):
    relay.broker.queue_limit = 10
    received = []
    service = make_subscriber_service([("127.0.0.1", relay.port)], lambda p, s: received.append(p),
                                      link=LinkState("vtp"), local_ivorn="ivo://t/reader")  # fmt: skip
    service.startService()
    try:
        relay.peer(relay.port, rcvbuf=4096)  # connects, never reads
        wait_until(lambda: relay.broker.subscribers == 2, 5)
        pad = b"x" * (1 << 16)
        payloads = [b"<VOEvent ivorn='ivo://t/big#%d' role='test'><Why>%s</Why></VOEvent>" % (i, pad)
                    for i in range(150)]  # fmt: skip
        with caplog.at_level(logging.WARNING):
            for count, payload in enumerate(payloads, 1):
                relay.broker.broadcast(payload)
                # The reader has each notice before the next is sent, stalled peer or not.
                wait_until(lambda count=count: len(received) == count, 5, interval=0.001)
        assert received == payloads and relay.broker.dropped == 1
        assert "fell 10 frames behind (queue full)" in caplog.text
    finally:
        service.stopService()


def test_broadcast_hands_the_frame_to_the_socket_at_once(relay, voevents, wait_until):
    peer = relay.peer(relay.port)
    wait_until(lambda: relay.broker.subscribers == 1 and peer.poll() is False and peer.frames(), 5)
    relay.broker.broadcast(voevents[3])  # no reactor turn between this and the read below
    peer.sock.setblocking(True)
    peer.sock.settimeout(5)
    want = len(peer.data) + 4 + len(voevents[3])
    while len(peer.data) < want:
        peer.data += peer.sock.recv(65536)
    assert peer.data.endswith(voevents[3]) and [f.kind for f in peer.frames()] == ["transport", "voevent"]
