"""The relay's receive port: the author side of VTP, for events written by local instruments.

An author (``comet-sendvo``, a follow-up telescope's pipeline) connects, sends a VOEvent and waits
for our ack or nak, as Comet's receiver expects; it may send more on the same connection. That is the
subscriber protocol's own job (hand the event on, ack once archived, nak with the reason), so the
author protocol reuses it and changes only the connection's life. Only hosts on the receive
allow-list get a protocol at all: for anyone else the connection is closed unread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from twisted.internet.protocol import ServerFactory
from twisted.python.failure import Failure

from gcnmon.limits import MAX_FRAME
from gcnmon.stream.link import LinkState
from gcnmon.stream.vtp.protocol import FramedProtocol, SubscriberProtocol

__all__ = ["AuthorProtocol", "ReceiverFactory"]

log = logging.getLogger(__name__)


class AuthorProtocol(SubscriberProtocol):
    """One author connection: each VOEvent goes to ``factory.on_packet``; ack if it returned, else nak."""

    NAK_REFUSED = True  # an author is told why its event was refused

    def connectionMade(self) -> None:
        FramedProtocol.connectionMade(self)
        self.source = f"vtp-author:{self.peer_name}"
        self.callLater = self.factory.clock.callLater  # TimeoutMixin's clock, injectable
        self.setTimeout(self.factory.watchdog)
        log.info("VTP author %s connected", self.peer_name)

    def connectionLost(self, reason: Failure = None) -> None:
        self.setTimeout(None)

    def timeoutConnection(self) -> None:
        log.info("VTP author %s idle for %.0f s; closing", self.peer_name, self.factory.watchdog)
        self.transport.abortConnection()


class ReceiverFactory(ServerFactory):
    """Accepts authors on the allow-list; ``on_event(payload, source)`` raises to nak the event.

    ``link`` counts the events taken (``link.notices``) and when the last frame came.
    """

    protocol = AuthorProtocol
    noisy = False
    filters: tuple[str, ...] = ()  # an author never asks us to filter

    def __init__(
        self,
        on_event: Callable[[bytes, str], object],
        *,
        allow: Callable[[str], bool],
        local_ivorn: str = "ivo://gcnmon/relay",
        max_frame: int = MAX_FRAME,
        idle_timeout: float = 20.0,
        clock=None,
    ):
        if clock is None:
            from twisted.internet import reactor as clock
        self.on_packet, self.allow, self.local_ivorn = on_event, allow, local_ivorn
        self.max_frame, self.watchdog, self.clock = max_frame, idle_timeout, clock
        self.link = LinkState("receive")
        self.refused = 0

    def healthy(self) -> None:
        """Called on every frame by the protocol (a subscriber's backoff reset): nothing to do here."""

    def buildProtocol(self, addr):
        host = getattr(addr, "host", "?")
        if not self.allow(host):
            log.warning("VTP: refused author from %s: not on the receive allow-list", host)
            self.refused += 1
            return None
        proto = self.protocol(self.max_frame)
        proto.factory = self
        return proto
