"""The VTP subscriber service: several servers with failover, capped backoff, a silence watchdog."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence

from twisted.application.internet import ClientService
from twisted.application.service import Service
from twisted.internet import defer
from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.internet.interfaces import IStreamClientEndpoint
from twisted.internet.protocol import Factory
from twisted.python.failure import Failure
from zope.interface import implementer

from gcnmon.limits import MAX_FRAME
from gcnmon.stream.link import LinkState

from .protocol import SubscriberProtocol

__all__ = ["Backoff", "FailoverEndpoint", "SubscriberFactory", "make_subscriber_service"]

log = logging.getLogger(__name__)

#: Seconds one TCP connect may take before the next server is tried.
CONNECT_TIMEOUT = 10.0


class Backoff:
    """Capped exponential retry delays for ``ClientService``, reset only by a link that carried a frame.

    ``ClientService`` resets its own attempt count on every accepted TCP connection, so a server that
    accepts and hangs up at once would be hammered every ``initial`` seconds; we count ourselves.
    A little downward jitter keeps hundreds of workstations from reconnecting to a relay in step.
    """

    def __init__(self, initial: float = 1.0, maximum: float = 60.0, rng: Callable[[], float] = random.random):
        self.initial, self.maximum, self.rng = initial, maximum, rng
        self.failures = 0

    def __call__(self, _attempt: int) -> float:
        self.failures += 1
        delay = min(self.maximum, self.initial * 2 ** (self.failures - 1))
        delay *= 1.0 - 0.1 * self.rng()
        log.info("VTP: reconnecting in %.1f s (attempt %d)", delay, self.failures)
        return delay

    def reset(self) -> None:
        self.failures = 0


@implementer(IStreamClientEndpoint)
class FailoverEndpoint:
    """An ``IStreamClientEndpoint`` over several (host, port): one ``connect`` sweeps them in turn.

    A sweep starts at the server after the last one we were connected to, so a server that keeps
    dropping us or going silent is not retried first forever. Only a failed sweep (every server
    refused) costs a backoff delay.
    """

    def __init__(self, reactor, servers: Sequence[tuple[str, int]], timeout: float = CONNECT_TIMEOUT):
        if not servers:
            raise ValueError("no VTP servers given")
        self.reactor, self.servers, self.timeout = reactor, [(h, int(p)) for h, p in servers], timeout
        self.next_index = 0
        self.current: tuple[str, int] | None = None

    def __repr__(self) -> str:
        return "FailoverEndpoint(" + ", ".join(f"{h}:{p}" for h, p in self.servers) + ")"

    @defer.inlineCallbacks
    def connect(self, factory):
        failure: Failure | None = None
        start = self.next_index
        for step in range(len(self.servers)):
            index = (start + step) % len(self.servers)
            self.current = host, port = self.servers[index]
            endpoint = TCP4ClientEndpoint(self.reactor, host, port, timeout=self.timeout)
            try:
                protocol = yield endpoint.connect(factory)
            except defer.CancelledError:
                raise
            except Exception:
                failure = Failure()
                log.warning("VTP: cannot connect to vtp://%s:%d: %s", host, port, failure.getErrorMessage())
                continue
            self.next_index = (index + 1) % len(self.servers)
            return protocol
        log.warning("VTP: all %d server(s) unreachable", len(self.servers))
        failure.raiseException()


class SubscriberFactory(Factory):
    """Holds what every ``SubscriberProtocol`` needs; one factory for all servers of one service."""

    protocol = SubscriberProtocol
    noisy = False

    def __init__(
        self,
        on_packet: Callable[[bytes, str], object],
        *,
        link: LinkState,
        local_ivorn: str,
        watchdog: float,
        max_frame: int,
        clock,
        backoff: Backoff,
        endpoint: FailoverEndpoint | None = None,
        filters: tuple[str, ...] = (),
    ):
        self.on_packet, self.link, self.local_ivorn = on_packet, link, local_ivorn
        self.watchdog, self.max_frame, self.clock = watchdog, max_frame, clock
        self.backoff, self.endpoint, self.filters = backoff, endpoint, filters

    def buildProtocol(self, addr):
        proto = self.protocol(self.max_frame)
        proto.factory = self
        return proto

    def source_for(self, peer) -> str:
        """``vtp://host:port`` as configured (a host name, not the address it resolved to)."""
        if self.endpoint is not None and self.endpoint.current is not None:
            host, port = self.endpoint.current
        else:
            host, port = getattr(peer, "host", "?"), getattr(peer, "port", 0)
        return f"vtp://{host}:{port}"

    def healthy(self) -> None:
        self.backoff.reset()


def make_subscriber_service(
    servers: Sequence[tuple[str, int]],
    on_packet: Callable[[bytes, str], object],
    *,
    link: LinkState,
    local_ivorn: str,
    watchdog: float = 150.0,
    max_frame: int = MAX_FRAME,
    backoff_initial: float = 1.0,
    backoff_max: float = 60.0,
    reactor=None,
) -> Service:
    """A service that stays subscribed to one of ``servers`` and calls ``on_packet(payload, source)``.

    Each VOEvent is acked only once ``on_packet`` returned (or its Deferred fired); if it raises or
    fails, see ``SubscriberProtocol``: unreadable packets kept as rejects are acked, never nak'ed.
    ``reactor`` must provide ``connectTCP`` and ``callLater`` (a ``MemoryReactorClock`` in tests).
    """
    if reactor is None:
        from twisted.internet import reactor
    endpoint = FailoverEndpoint(reactor, servers)
    backoff = Backoff(backoff_initial, backoff_max)
    factory = SubscriberFactory(
        on_packet,
        link=link,
        local_ivorn=local_ivorn,
        watchdog=watchdog,
        max_frame=max_frame,
        clock=reactor,
        backoff=backoff,
        endpoint=endpoint,
    )
    service = ClientService(endpoint, factory, retryPolicy=backoff, clock=reactor)
    service.setName("vtp:" + ",".join(f"{h}:{p}" for h, p in endpoint.servers))
    service.vtp_factory = factory  # for tests and the status bar
    return service
