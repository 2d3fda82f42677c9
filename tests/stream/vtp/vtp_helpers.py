"""Helpers for the VTP tests: frames, a subscriber wired to StringTransport and task.Clock."""

from __future__ import annotations

import struct

from twisted.internet import task
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport

from gcnmon.stream.link import LinkState
from gcnmon.stream.vtp import messages
from gcnmon.stream.vtp.subscriber import Backoff, SubscriberFactory

LOCAL = "ivo://gcnmon/test-workstation"
BROKER = "ivo://test/broker"


def frame(payload: bytes) -> bytes:
    return struct.pack("!I", len(payload)) + payload


def sent_frames(transport: StringTransport) -> list[messages.Frame]:
    """Decode everything written to ``transport`` (and clear it)."""
    data, out = transport.value(), []
    transport.clear()
    while data:
        (n,) = struct.unpack("!I", data[:4])
        out.append(messages.classify(data[4 : 4 + n], 1 << 20))
        data = data[4 + n :]
    return out


class Recorder:
    """``on_packet`` that records calls; ``result`` decides what it returns or raises."""

    def __init__(self):
        self.calls: list[tuple[bytes, str]] = []
        self.result = None

    def __call__(self, payload: bytes, source: str):
        self.calls.append((payload, source))
        if isinstance(self.result, Exception):
            raise self.result
        if callable(self.result):
            return self.result()
        return self.result


class Wired:
    def __init__(self, watchdog: float = 150.0, max_frame: int = 1 << 20):
        self.clock = task.Clock()
        self.link = LinkState("vtp", clock=self.clock.seconds)
        self.on_packet = Recorder()
        self.factory = SubscriberFactory(
            self.on_packet,
            link=self.link,
            local_ivorn=LOCAL,
            watchdog=watchdog,
            max_frame=max_frame,
            clock=self.clock,
            backoff=Backoff(1.0, 60.0),
        )
        self.proto = self.factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 8099))
        self.tr = StringTransport(peerAddress=IPv4Address("TCP", "127.0.0.1", 8099))
        self.proto.makeConnection(self.tr)

    def feed(self, payload: bytes) -> None:
        self.proto.dataReceived(frame(payload))

    def replies(self) -> list[messages.Frame]:
        return sent_frames(self.tr)

