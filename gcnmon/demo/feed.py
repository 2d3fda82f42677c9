"""The demo's stream: a VTP broker on loopback telling the story step by step, paced on a clock."""

from __future__ import annotations

import logging
from collections.abc import Callable

from twisted.internet import defer, task

__all__ = ["DemoFeed"]

log = logging.getLogger(__name__)


class DemoFeed:
    """Sends each round's packets over VTP to the subscriber, one every ``interval`` seconds.

    It reuses ``gcnmon replay``'s broker (`Replayer`) for listening, iamalive and acks, and adds what a
    story needs: a round prepared just before it is told (positions moved for the sky of that moment),
    a caption per step, and a pacing ``clock`` apart from the network reactor (tests pass a
    ``task.Clock`` and advance it; the network still runs on the real reactor).

    Parameters
    ----------
    prepare : callable
        ``prepare(round_no) -> [(step, payload), ...]``.
    interval : seconds between two steps (and between two rounds with ``loop``).
    ready : callable, optional
        ``ready() -> Deferred``: what must be true before the first packet (the TCS logged in).
    on_step : callable, optional
        ``on_step(round_no, index, step)`` just before a packet is sent.
    """

    def __init__(self, prepare: Callable, *, interval: float = 10.0, loop: bool = False, clock=None,
                 reactor=None, ready: Callable[[], defer.Deferred] | None = None,
                 on_step: Callable | None = None, ack_timeout: float = 30.0):
        from ..commands.replay import Replayer

        if reactor is None:
            from twisted.internet import reactor
        self.prepare, self.interval, self.loop = prepare, float(interval), loop
        self.reactor, self.clock = reactor, clock or reactor
        self.ready, self.on_step, self.ack_timeout = ready, on_step, ack_timeout
        self.replayer = Replayer([], host="127.0.0.1", port=0, local_ivorn="ivo://gcnmon/demo",
                                 reactor=reactor)
        self.sent = 0
        self.done: defer.Deferred | None = None

    @property
    def port(self) -> int:
        return self.replayer.port

    def listen(self) -> int:
        """Listen on a free loopback port; returns it."""
        return self.replayer.listen()

    def start(self) -> defer.Deferred:
        """Tell the story (after a subscriber connects and ``ready`` fires); fires with the packets sent."""
        self.done = defer.ensureDeferred(self._run())
        self.done.addErrback(self._failed)
        return self.done

    def stop(self) -> defer.Deferred:
        if self.done is not None and not self.done.called:
            self.done.cancel()
        return self.replayer.stop()

    async def _run(self) -> int:
        await self.replayer.factory.wait_for_subscribers(1)
        if self.ready is not None:
            await self.ready()
        round_no = 1
        while True:
            for index, (step, payload) in enumerate(self.prepare(round_no)):
                if index:
                    await task.deferLater(self.clock, self.interval, lambda: None)
                if self.on_step is not None:
                    self.on_step(round_no, index, step)
                await self._send(payload, step)
            if not self.loop:
                return self.sent
            await task.deferLater(self.clock, self.interval, lambda: None)
            round_no += 1

    async def _send(self, payload: bytes, step) -> None:
        self.sent += 1
        try:
            acks = await self.replayer.factory.broadcast(payload).addTimeout(self.ack_timeout, self.reactor)
        except defer.TimeoutError:
            log.warning("demo: %s not acknowledged within %.0f s", step.file, self.ack_timeout)
            return
        log.info("demo: %s acknowledged by %d subscriber(s)", step.file, acks)

    def _failed(self, failure):
        if not failure.check(defer.CancelledError):
            log.error("demo: the story stopped: %s", failure.getErrorMessage())
        return None
