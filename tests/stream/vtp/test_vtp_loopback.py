"""Our subscriber against our replay broker over real loopback sockets (port 0), in process."""

from __future__ import annotations

import socket

import pytest

from gcnmon.commands.replay import Replayer, read_payloads
from gcnmon.notice.model import NoticeError
from gcnmon.stream.link import LinkState
from gcnmon.stream.vtp.subscriber import make_subscriber_service


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def payloads(data_file):
    return read_payloads([data_file("aware")])


@pytest.fixture
def services():
    started = []
    yield started
    for service in started:
        service.stopService()


def subscribe(services, port, received, reject=()):
    def on_packet(payload, source):
        if payload in reject:
            raise NoticeError("rejected by test")
        received.append((payload, source))

    link = LinkState("vtp")
    service = make_subscriber_service(
        [("127.0.0.1", closed_port()), ("127.0.0.1", port)], on_packet, link=link, local_ivorn="ivo://t/sub"
    )
    service.startService()
    services.append(service)
    return link


def test_replay_serves_two_subscribers_every_packet_acked(payloads, services, wait_for):
    replayer = Replayer(payloads, port=0, interval=0, wait_subscribers=2)
    port = replayer.listen()
    first, second = [], []
    link = subscribe(services, port, first)  # its first server is down: fails over
    subscribe(services, port, second)
    try:
        acks = wait_for(replayer.run(), 15)
    finally:
        wait_for(replayer.stop(), 5)
    assert acks == 2 * len(payloads) == 2 * 8
    assert [p for p, _ in first] == payloads == [p for p, _ in second]
    assert {s for _, s in first} == {f"vtp://127.0.0.1:{port}"}
    assert link.notices == len(payloads)


def test_a_packet_the_app_rejects_is_still_acked_and_costs_no_connection(
    payloads, services, wait_for, caplog
):
    replayer = Replayer(payloads[:3], port=0, interval=0, wait_subscribers=2, ack_timeout=5)
    port = replayer.listen()
    picky, easy = [], []
    subscribe(services, port, picky, reject=(payloads[1],))
    subscribe(services, port, easy)
    try:
        acks = wait_for(replayer.run(), 15)
    finally:
        wait_for(replayer.stop(), 5)
    assert [p for p, _ in easy] == payloads[:3] and [p for p, _ in picky] == [payloads[0], payloads[2]]
    assert acks == 6  # kept as a reject, so acked: a nak would have cost the picky one packets 2 and 3
    assert "kept as a reject: rejected by test" in caplog.text and "dropped: nak" not in caplog.text


def test_a_socket_that_never_reads_is_dropped_and_delays_no_other(services, wait_for, wait_until, caplog):
    from twisted.internet import reactor

    from gcnmon.stream.vtp.broker import BrokerFactory

    factory = BrokerFactory(queue_limit=4)
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills fast; we never read it
    try:
        stalled.connect(("127.0.0.1", port.getHost().port))
        received = []
        subscribe(services, port.getHost().port, received)
        wait_until(lambda: factory.subscribers == 2, 5)
        body = b"x" * 200_000
        packets = [
            b'<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="test" version="2.0" '
            b'ivorn="ivo://test/big#%d"><Why>%s</Why></voe:VOEvent>' % (i, body)
            for i in range(60)
        ]
        # Paced as an upstream delivers: each packet reaches the reader before the next is sent, while
        # the stalled socket's buffers and then its queue of 4 fill, and it alone is dropped.
        for i, packet in enumerate(packets):
            last = factory.broadcast(packet)
            wait_until(lambda i=i: len(received) > i, 5)
        assert wait_for(last, 5) == 1
        assert [p for p, _ in received] == packets and factory.dropped == 1 and factory.subscribers == 1
        assert "dropped: fell 4 frames behind (queue full)" in caplog.text
    finally:
        stalled.close()
        wait_for(port.stopListening(), 5)
