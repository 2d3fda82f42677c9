"""The relay's receive port: the author side of VTP, for events written by local instruments.

An author (``comet-sendvo``, a follow-up telescope's pipeline) connects, sends a VOEvent and waits
for our ack or nak, as Comet's receiver expects; it may send more on the same connection. Only hosts
on the receive allow-list get a protocol at all: for anyone else the connection is closed unread.
"""

from __future__ import annotations

import logging
from typing import Callable

from twisted.internet import defer
from twisted.internet.protocol import ServerFactory
from twisted.protocols.policies import TimeoutMixin
from twisted.python.failure import Failure

from gcnmon.notice.model import NoticeError
from gcnmon.stream.vtp import messages
from gcnmon.stream.vtp.protocol import FramedProtocol, one_line

__all__ = ["AuthorProtocol", "ReceiverFactory"]

log = logging.getLogger(__name__)


class AuthorProtocol(FramedProtocol, TimeoutMixin):
    """One author connection: each VOEvent goes to ``factory.on_event``; ack if it returned, else nak."""

    def connectionMade(self) -> None:
        super().connectionMade()
        self.callLater = self.factory.clock.callLater  # TimeoutMixin's clock, injectable
        self.setTimeout(self.factory.idle_timeout)
        log.info("VTP author %s connected", self.peer_name)

    def connectionLost(self, reason: Failure = None) -> None:
        self.setTimeout(None)

    def timeoutConnection(self) -> None:
        log.info("VTP author %s idle for %.0f s; closing", self.peer_name, self.factory.idle_timeout)
        self.transport.abortConnection()

    def stringReceived(self, data: bytes) -> None:
        self.resetTimeout()
        try:
            frame = messages.classify(data, self.MAX_LENGTH)
        except NoticeError as exc:
            self._refuse(messages.guess_ivorn(data), str(exc))
            return
        if frame.kind == "voevent":
            d = defer.maybeDeferred(self.factory.on_event, data, f"vtp-author:{self.peer_name}")
            d.addCallbacks(self._accepted, self._failed, callbackArgs=(frame.ivorn,), errbackArgs=(frame.ivorn,))
        elif frame.kind == "transport":
            log.info("VTP author %s sent a transport message (role %r); ignored", self.peer_name, frame.role)
        else:
            self._refuse("", f"not a VOEvent (root element {frame.root.tag!r})")

    def _accepted(self, _result: object, ivorn: str) -> None:
        self.send_frame(messages.ack(self.factory.local_ivorn, ivorn))

    def _failed(self, failure: Failure, ivorn: str) -> None:
        if not failure.check(NoticeError):
            log.error("relay could not take %s from %s", ivorn, self.peer_name, exc_info=failure.value)
        self._refuse(ivorn, one_line(failure))

    def _refuse(self, ivorn: str, reason: str) -> None:
        log.warning("VTP author %s: refused %s: %s", self.peer_name, ivorn or "a frame", reason)
        self.send_frame(messages.nak(self.factory.local_ivorn, ivorn, reason))


class ReceiverFactory(ServerFactory):
    """Accepts authors on the allow-list; ``on_event(payload, source)`` raises to nak the event."""

    protocol = AuthorProtocol
    noisy = False

    def __init__(
        self,
        on_event: Callable[[bytes, str], object],
        *,
        allow: Callable[[str], bool],
        local_ivorn: str = "ivo://gcnmon/relay",
        max_frame: int = 1 << 20,
        idle_timeout: float = 20.0,
        clock=None,
    ):
        if clock is None:
            from twisted.internet import reactor as clock
        self.on_event, self.allow, self.local_ivorn = on_event, allow, local_ivorn
        self.max_frame, self.idle_timeout, self.clock = max_frame, idle_timeout, clock
        self.refused = 0

    def buildProtocol(self, addr):
        host = getattr(addr, "host", "?")
        if not self.allow(host):
            log.warning("VTP: refused author from %s: not on the receive allow-list", host)
            self.refused += 1
            return None
        proto = self.protocol(self.max_frame)
        proto.factory = self
        return proto
