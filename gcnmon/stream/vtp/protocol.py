"""VTP wire protocols: length-prefixed frames with a cap, and the subscriber that acks once archived."""

from __future__ import annotations

import logging

from twisted.internet import defer
from twisted.protocols.basic import Int32StringReceiver
from twisted.protocols.policies import TimeoutMixin
from twisted.python.failure import Failure

from gcnmon.archive.records import ArchiveError
from gcnmon.limits import MAX_FRAME
from gcnmon.notice.model import NoticeError

from . import messages

__all__ = ["FramedProtocol", "SubscriberProtocol", "one_line"]

log = logging.getLogger(__name__)


def one_line(failure: Failure) -> str:
    """A failure as the one line that goes into a nak and a log record."""
    exc = failure.value
    text = str(exc) if isinstance(exc, NoticeError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:500]


class FramedProtocol(Int32StringReceiver):
    """4-byte big-endian length prefix, then the frame; a prefix over the cap drops the connection.

    A garbage or little-endian prefix reads as a huge length, so the cap is what catches it: nothing
    is buffered towards a 2 GiB frame.
    """

    peer_name = "?"

    def __init__(self, max_frame: int = MAX_FRAME):
        self.MAX_LENGTH = max_frame

    def connectionMade(self) -> None:
        peer = self.transport.getPeer()
        self.peer_name = f"{getattr(peer, 'host', '?')}:{getattr(peer, 'port', '?')}"

    def lengthLimitExceeded(self, length: int) -> None:
        log.warning(
            "VTP %s sent a length prefix of %d bytes (cap %d): garbage or a wrong byte order; "
            "dropping the connection",
            self.peer_name,
            length,
            self.MAX_LENGTH,
        )
        self.transport.abortConnection()

    def send_frame(self, payload: bytes) -> None:
        self.sendString(payload)

    def pending_bytes(self) -> int:
        """Bytes of an incomplete frame still buffered (non-zero if the peer vanished mid-frame)."""
        return len(getattr(self, "_unprocessed", b"")) - getattr(self, "_compatibilityOffset", 0)


class SubscriberProtocol(FramedProtocol, TimeoutMixin):
    """The subscriber end: answer transport messages, hand every other frame to ``on_packet``, then ack.

    ``on_packet`` keeps what it is given (the app archives unreadable packets as rejects and then raises
    ``NoticeError``), so every frame that is not a transport message goes to it, readable or not, and
    is acked once kept. When the archive cannot take it yet, ``on_packet`` returns a Deferred (the
    notice is shown already, the packet waits in memory) and the ack goes out when that fires, i.e.
    once the packet is written. A subscriber never naks (``NAK_REFUSED``): Comet's own subscriber does
    not, and a Comet broker drops a subscriber that does, losing every event until it reconnects.

    No broker re-sends an event that was not acked: Comet only counts them (10 outstanding at its
    60 s iamalive drop the connection) and gcnmon's relay drops a subscriber that acked nothing in a
    60 s tick. A missing ack is the truth told to the broker (not written yet), not a request to resend.

    Collaborators live on the factory: ``local_ivorn``, ``on_packet``, ``link``, ``watchdog``,
    ``source`` (set per connection) and ``healthy()`` (resets the reconnection backoff).
    """

    #: Nak what ``on_packet`` could not read or keep. True on the author side (the relay's receive
    #: port), where VTP expects a nak with the reason; never towards a broker.
    NAK_REFUSED = False

    def connectionMade(self) -> None:
        super().connectionMade()
        self.source = self.factory.source_for(self.transport.getPeer())
        self.callLater = self.factory.clock.callLater  # TimeoutMixin's clock, injectable
        self.setTimeout(self.factory.watchdog)
        log.info("VTP connected to %s", self.source)
        self.factory.link.up(self.source.removeprefix("vtp://"))

    def connectionLost(self, reason: Failure = None) -> None:
        self.setTimeout(None)
        partial = self.pending_bytes()
        why = reason.getErrorMessage() if reason is not None else "closed"
        if partial > 0:
            log.warning("VTP %s closed mid-frame (%d bytes of a frame discarded): %s",
                        self.source, partial, why)
        else:
            log.info("VTP connection to %s lost: %s", self.source, why)
        self.factory.link.down(f"{self.source}: {why}")

    def timeoutConnection(self) -> None:
        log.warning(
            "VTP %s silent for %.0f s (not even iamalive); reconnecting", self.source, self.factory.watchdog
        )
        self.factory.link.down(f"{self.source}: silent for {self.factory.watchdog:.0f} s")
        self.transport.abortConnection()

    def stringReceived(self, data: bytes) -> None:
        self.resetTimeout()
        self.factory.link.alive()
        self.factory.healthy()
        try:
            frame = messages.classify(data, self.MAX_LENGTH)
        except NoticeError:
            frame = None  # not even XML, or hostile XML: on_packet keeps it as a reject and says why
        if frame is not None and frame.kind == "transport":
            self._handle_transport(frame)
        else:
            ivorn = frame.ivorn if frame is not None and frame.ivorn else messages.guess_ivorn(data)
            self._handle_event(data, ivorn)

    def _handle_transport(self, frame: messages.Frame) -> None:
        local, origin = self.factory.local_ivorn, frame.origin or ""
        if frame.role == "iamalive":
            log.debug("VTP iamalive from %s", self.source)
            self.send_frame(messages.iamalive_response(local, origin))
        elif frame.role == "authenticate":
            log.debug("VTP authenticate from %s", self.source)
            self.send_frame(messages.authenticate_response(local, origin, self.factory.filters))
        else:
            # A subscriber is never sent acks or naks; log and go on, as Comet does.
            log.warning("VTP %s sent a transport message with role %r; ignored", self.source, frame.role)

    def _handle_event(self, payload: bytes, ivorn: str) -> None:
        log.debug("VTP VOEvent %s from %s", ivorn, self.source)
        d = defer.maybeDeferred(self.factory.on_packet, payload, self.source)
        d.addCallbacks(self._acknowledge, self._failed, callbackArgs=(ivorn,), errbackArgs=(ivorn,))

    def _acknowledge(self, _result: object, ivorn: str) -> None:
        # Sent only now: the archive holds the packet (written in on_packet, or later from the hold).
        if not self.transport.connected:
            log.info("VTP %s: %s archived after its connection closed; no ack to send", self.source, ivorn)
        else:
            self.send_frame(messages.ack(self.factory.local_ivorn, ivorn))
        self.factory.link.notice()

    def _failed(self, failure: Failure, ivorn: str) -> None:
        if self.NAK_REFUSED:
            if not failure.check(NoticeError, ArchiveError):
                log.error("VTP handler failed on %s from %s", ivorn, self.source, exc_info=failure.value)
            self._refuse(ivorn, one_line(failure))
        elif failure.check(NoticeError):
            # Unreadable but kept (as a reject): acknowledged like any packet we hold.
            log.warning("VTP %s: unreadable packet %s kept as a reject: %s",
                        self.source, ivorn or "(no ivorn)",
                        one_line(failure))
            if ivorn:
                self.send_frame(messages.ack(self.factory.local_ivorn, ivorn))
        elif failure.check(ArchiveError):  # the intake said it in one line already (and shown the notice)
            log.debug("VTP %s: %s not acknowledged: %s", self.source, ivorn or "a frame", one_line(failure))
        else:
            log.error("VTP %s: %s NOT acknowledged, it could not be kept: %s",
                      self.source, ivorn or "a frame",
                      one_line(failure), exc_info=failure.value)

    def _refuse(self, ivorn: str, reason: str) -> None:
        log.warning("VTP %s: refused %s: %s", self.source, ivorn or "a frame", reason)
        self.send_frame(messages.nak(self.factory.local_ivorn, ivorn, reason))
