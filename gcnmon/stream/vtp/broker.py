"""The broker side of VTP: serve many subscribers, each behind its own bounded queue.

A slow subscriber never delays another: every frame is written once per subscriber without
waiting, the transport tells us (as its producer) when its buffer is full, and from then on that
subscriber's frames wait in its own queue; a queue that overflows drops that subscriber alone.
"""

from __future__ import annotations

import logging
import struct
from collections import deque
from collections.abc import Callable

from twisted.internet import defer
from twisted.internet.interfaces import IPushProducer
from twisted.internet.protocol import ServerFactory
from twisted.internet.task import LoopingCall
from zope.interface import implementer

from gcnmon.limits import MAX_FRAME
from gcnmon.notice.model import NoticeError

from . import messages
from .protocol import FramedProtocol

__all__ = ["BrokerFactory", "BrokerProtocol", "Delivery"]

log = logging.getLogger(__name__)


class Delivery:
    """One broadcast: ``done`` fires with the number of acks once every subscriber acked or left."""

    def __init__(self, ivorn: str | None, count: int):
        self.ivorn, self.remaining, self.acks = ivorn, count, 0
        self.done: defer.Deferred[int] = defer.Deferred()
        self._check()

    def settle(self, acked: bool) -> None:
        self.acks += acked
        self.remaining -= 1
        self._check()

    def _check(self) -> None:
        if self.remaining <= 0 and not self.done.called:
            self.done.callback(self.acks)


@implementer(IPushProducer)
class BrokerProtocol(FramedProtocol):
    """One subscriber: authenticate on connect, iamalive every tick, count its acks, drop it if stuck."""

    def connectionMade(self) -> None:
        super().connectionMade()
        self.queue: deque[bytes] = deque()
        self.unacked: deque[tuple[str | None, Delivery]] = deque()
        self.paused = self.closing = False
        self.alive_missed = 0
        self.acks = self.acks_at_tick = 0
        self.unacked_at_tick = False
        self.transport.registerProducer(self, True)
        self.factory.added(self)
        self.write(self.factory.prefix(messages.authenticate(self.factory.local_ivorn)))

    def connectionLost(self, reason=None) -> None:
        self.queue.clear()
        while self.unacked:
            self.unacked.popleft()[1].settle(False)
        self.factory.removed(self, reason.getErrorMessage() if reason is not None else "closed")

    # IPushProducer: the transport's buffer is full (pause) or drained (resume).
    def pauseProducing(self) -> None:
        self.paused = True

    def resumeProducing(self) -> None:
        self.paused = False
        while self.queue and not self.paused:
            self.transport.write(self.queue.popleft())

    def stopProducing(self) -> None:
        self.queue.clear()

    def write(self, frame: bytes) -> None:
        """Send a prefixed frame now, or queue it behind a full transport buffer; overflow drops us."""
        if self.closing:
            return
        if not self.paused and not self.queue:
            self.transport.write(frame)
        elif len(self.queue) >= self.factory.queue_limit:
            self.drop(f"fell {len(self.queue)} frames behind (queue full)")
        else:
            self.queue.append(frame)

    def send_event(self, frame: bytes, delivery: Delivery) -> None:
        self.unacked.append((delivery.ivorn, delivery))
        self.write(frame)

    def drop(self, reason: str) -> None:
        if self.closing:
            return
        self.closing = True
        log.warning("VTP subscriber %s dropped: %s", self.peer_name, reason)
        self.factory.dropped += 1
        self.queue.clear()
        self.transport.abortConnection()

    def tick(self) -> None:
        """Every ``IAMALIVE_INTERVAL``: drop a peer that missed the last iamalive or acks nothing."""
        if self.alive_missed >= 1:
            self.drop("no answer to iamalive")
        elif self.unacked_at_tick and self.acks == self.acks_at_tick and self.unacked:
            self.drop(f"acknowledged nothing in {self.factory.IAMALIVE_INTERVAL} s")
        else:
            self.acks_at_tick, self.unacked_at_tick = self.acks, bool(self.unacked)
            self.alive_missed += 1
            self.write(self.factory.prefix(messages.iamalive(self.factory.local_ivorn)))

    def stringReceived(self, data: bytes) -> None:
        try:
            frame = messages.classify(data, self.MAX_LENGTH)
        except NoticeError as exc:
            log.warning("VTP subscriber %s sent an unreadable frame: %s", self.peer_name, exc)
            return
        role = frame.role if frame.kind == "transport" else None
        if role == "ack":
            self._acked(frame.origin)
        elif role == "iamalive":
            self.alive_missed = 0
        elif role == "nak":
            result = frame.root.findtext("Meta/Result") or "no reason given"
            self.drop(f"nak for {frame.origin}: {result}")
        elif role == "authenticate":
            self._authenticated(frame)
        else:
            log.warning("VTP subscriber %s sent %s (role %r); ignored",
                        self.peer_name, frame.kind, frame.role)

    def _acked(self, ivorn: str | None) -> None:
        if not self.unacked:
            log.debug("VTP subscriber %s acked %s, which was not outstanding", self.peer_name, ivorn)
            return
        self.acks += 1
        self.factory.acks += 1
        # Acks come back in order from every peer we know; fall back to the oldest if one does not.
        for index, (pending, _) in enumerate(self.unacked):
            if pending == ivorn:
                delivery = self.unacked[index][1]
                del self.unacked[index]
                break
        else:
            delivery = self.unacked.popleft()[1]
        delivery.settle(True)

    def _authenticated(self, frame: messages.Frame) -> None:
        filters = [p.get("value") for p in frame.root.findall("Meta/Param[@name='xpath-filter']")]
        if filters:
            log.info("VTP subscriber %s asks for XPath filters %s; it is sent every event",
                     self.peer_name, filters)


class BrokerFactory(ServerFactory):
    """Serves VOEvents to subscribers: ``broadcast(payload)`` sends the raw bytes to each one.

    ``allow(peer_host) -> bool`` and ``max_subscribers`` refuse connections (logged);
    ``queue_limit`` frames may wait behind one subscriber's full socket before it is dropped.
    """

    IAMALIVE_INTERVAL = 60.0
    protocol = BrokerProtocol
    noisy = False

    def __init__(
        self,
        local_ivorn: str = "ivo://gcnmon/broker",
        *,
        allow: Callable[[str], bool] | None = None,
        max_subscribers: int | None = None,
        queue_limit: int = 1000,
        max_frame: int = MAX_FRAME,
        clock=None,
    ):
        if clock is None:
            from twisted.internet import reactor as clock
        self.local_ivorn, self.allow, self.max_subscribers = local_ivorn, allow, max_subscribers
        self.queue_limit, self.max_frame, self.clock = queue_limit, max_frame, clock
        self.protocols: list[BrokerProtocol] = []
        self.acks = self.dropped = self.refused = self.broadcasts = 0
        self.subscriber_added: list[Callable[[str], object]] = []
        self.subscriber_removed: list[Callable[[str], object]] = []
        self._alive = LoopingCall(self.tick)
        self._alive.clock = clock

    @property
    def subscribers(self) -> int:
        return len(self.protocols)

    def startFactory(self) -> None:
        self._alive.start(self.IAMALIVE_INTERVAL, now=False)

    def stopFactory(self) -> None:
        if self._alive.running:
            self._alive.stop()

    def buildProtocol(self, addr):
        host = getattr(addr, "host", "?")
        if self.allow is not None and not self.allow(host):
            return self._refuse(host, "not on the allow-list")
        if self.max_subscribers is not None and len(self.protocols) >= self.max_subscribers:
            return self._refuse(host, f"already {len(self.protocols)} subscribers (the maximum)")
        proto = self.protocol(self.max_frame)
        proto.factory = self
        return proto

    def _refuse(self, host: str, why: str) -> None:
        log.warning("VTP: refused subscriber from %s: %s", host, why)
        self.refused += 1
        return None

    def added(self, proto: BrokerProtocol) -> None:
        self.protocols.append(proto)
        log.info("VTP: subscriber %s connected (%d now)", proto.peer_name, len(self.protocols))
        for callback in list(self.subscriber_added):
            callback(proto.peer_name)

    def removed(self, proto: BrokerProtocol, why: str) -> None:
        if proto in self.protocols:
            self.protocols.remove(proto)
            log.info("VTP: subscriber %s left (%s); %d now", proto.peer_name, why, len(self.protocols))
            for callback in list(self.subscriber_removed):
                callback(proto.peer_name)

    def wait_for_subscribers(self, count: int) -> defer.Deferred:
        """A Deferred that fires (with the count) once at least ``count`` subscribers are connected."""
        d: defer.Deferred[int] = defer.Deferred()

        def check(_peer: str = "") -> None:
            if not d.called and len(self.protocols) >= count:
                self.subscriber_added.remove(check)
                d.callback(len(self.protocols))

        self.subscriber_added.append(check)
        check()
        return d

    @staticmethod
    def prefix(payload: bytes) -> bytes:
        return struct.pack("!I", len(payload)) + payload

    def broadcast(self, payload: bytes, ivorn: str | None = None) -> defer.Deferred:
        """Send ``payload`` (raw bytes, as received) to every subscriber; fires with the number of acks.

        A caller that parsed the packet already (the relay) passes its ``ivorn`` to save a second parse.
        """
        if ivorn is None:
            ivorn = self._ivorn_of(payload)
        frame = self.prefix(payload)
        targets = list(self.protocols)
        delivery = Delivery(ivorn, len(targets))
        self.broadcasts += 1
        for proto in targets:
            proto.send_event(frame, delivery)
        return delivery.done

    def _ivorn_of(self, payload: bytes) -> str | None:
        try:
            return messages.classify(payload, self.max_frame).ivorn
        except NoticeError as exc:
            ivorn = messages.guess_ivorn(payload) or None
            log.warning("VTP: broadcasting a packet that does not parse (%s): %s", ivorn, exc)
            return ivorn

    def tick(self) -> None:
        for proto in list(self.protocols):
            proto.tick()
