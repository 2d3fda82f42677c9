"""The relay assembled: intake (archive, de-duplication) -> rebroadcast of each NEW notice, raw bytes.

VTP carries VOEvent XML only: a JSON notice (Kafka's newer streams) goes out inside a VOEvent 2.0
envelope (``gcnmon.notice.envelope``) that workstations unwrap into the original JSON.

Upstream sources (GCN Kafka, a VTP subscriber) and the receive port all call ``Relay.on_packet``.
A packet counts as taken only once the archive holds it (the upstream acks or commits only then),
but a new notice is rebroadcast at once, written or not (the alert before the archive); duplicates
from a second path or a replay are archived as such and never sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from twisted.internet import defer
from twisted.internet.task import LoopingCall

from ..backlog import ArchiveFull
from ..limits import MAX_FRAME
from ..notice.envelope import wrap_json
from .access import split_address
from .fanout import RelayBroker
from .receiver import ReceiverFactory

__all__ = ["Relay", "split_address"]

log = logging.getLogger(__name__)


class Relay:
    """Archive and rebroadcast; serves subscribers (``broker``) and, optionally, local authors.

    Parameters
    ----------
    intake : gcnmon.intake.Intake
        Archives every packet and says whether it is new.
    allow : callable
        ``allow(host) -> bool`` for subscribers (an ``AllowList``).
    receive_allow : callable, optional
        The same for authors on the receive port; None: no receive port.
    max_subscribers, queue_limit, max_frame, local_ivorn, receive_timeout
        Passed to the ``RelayBroker`` and ``ReceiverFactory``.
    """

    def __init__(self, intake, *, allow: Callable[[str], bool],
                 receive_allow: Callable[[str], bool] | None = None,
                 max_subscribers: int | None = None, queue_limit: int = 1000, max_frame: int = MAX_FRAME,
                 local_ivorn: str = "ivo://gcnmon/relay", receive_timeout: float = 20.0, reactor=None):
        if reactor is None:
            from twisted.internet import reactor
        self.intake, self.reactor = intake, reactor
        self.broker = RelayBroker(local_ivorn, allow=allow, max_subscribers=max_subscribers,
                                  queue_limit=queue_limit, max_frame=max_frame, clock=reactor)
        self.receiver = None
        if receive_allow is not None:
            self.receiver = ReceiverFactory(self.on_packet, allow=receive_allow, local_ivorn=local_ivorn,
                                            max_frame=max_frame, idle_timeout=receive_timeout, clock=reactor)
        self.ports: list = []
        self.relayed = self.duplicates = self.wrapped = self.held_back = 0
        self._stats = LoopingCall(lambda: log.info("relay: %s", self.summary()))
        self._stats.clock = reactor

    def on_packet(self, data: bytes, source: str):
        """Archive ``data``; if it is new, send it on to every subscriber: a VOEvent byte for byte, a
        JSON notice in its envelope.

        The workstations get a new notice at once, even when the relay's archive cannot take it yet;
        then the return value is the intake's Deferred, and the upstream acks (VTP) or commits (Kafka)
        only when it fires, once written. Raises what ``Intake.take`` raises (``NoticeError``,
        ``ArchiveFull``): the caller naks or does not commit, exactly as a workstation would.
        """
        try:
            taken = self.intake.take(data, source)
        except ArchiveFull as exc:  # not kept here, but the workstations still get a new notice
            if exc.notice is not None:
                self._send(exc.notice, data, source)
            raise
        notice = taken.notice
        if notice is None:
            self.duplicates += 1
        else:
            self._send(notice, data, source)
        if taken.written is not None:
            return taken.written.addCallback(lambda _: notice)
        return notice

    def _send(self, notice, data: bytes, source: str) -> None:
        payload = self._payload(notice, data, source)
        if payload is not None:
            self.relayed += 1
            self.broker.broadcast(payload, ivorn=notice.ivorn)

    def _payload(self, notice, data: bytes, source: str) -> bytes | None:
        """What goes on the VTP wire: XML as received (a VOEvent, or an envelope from a relay upstream),
        a bare JSON notice wrapped; None if it cannot be (it stays archived, and is logged)."""
        if notice.format != "json" or bytes(data[:64]).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return data
        try:
            payload = wrap_json(notice)
            cap = self.broker.max_frame
            if len(payload) > cap:  # workstations would drop the connection on it ([vtp] max_frame: same cap)
                raise ValueError(f"its envelope of {len(payload)} bytes exceeds max_frame ({cap})")
        except ValueError as exc:
            self.held_back += 1
            log.error("relay: %s from %s archived but not rebroadcast: %s", notice.ivorn, source, exc)
            return None
        self.wrapped += 1
        return payload

    def listen(self, host: str, port: int) -> int:
        """Serve subscribers on ``host:port``; returns the port (useful with 0)."""
        return self._listen(self.broker, host, port)

    def listen_receive(self, host: str, port: int) -> int:
        """Take events from local authors on ``host:port``; returns the port."""
        if self.receiver is None:
            raise ValueError("no receive allow-list given: the receive port is off")
        return self._listen(self.receiver, host, port)

    def _listen(self, factory, host: str, port: int) -> int:
        listening = self.reactor.listenTCP(port, factory, interface=host)
        self.ports.append(listening)
        return listening.getHost().port

    def start_stats(self, interval: float) -> None:
        """Log ``summary()`` every ``interval`` seconds (0: never)."""
        if interval > 0 and not self._stats.running:
            self._stats.start(interval, now=False)

    def summary(self) -> str:
        return (f"{self.relayed} relayed, {self.duplicates} duplicate(s), {self.wrapped} JSON in envelopes, "
                f"{self.held_back} held back; {self.broker.summary()}")

    def stop(self) -> defer.Deferred:
        """Stop listening and close every subscriber; fires when the ports are closed."""
        if self._stats.running:
            self._stats.stop()
        for proto in list(self.broker.protocols):
            proto.transport.loseConnection()
        ports, self.ports = self.ports, []
        return defer.DeferredList([defer.maybeDeferred(p.stopListening) for p in ports], consumeErrors=True)
