"""Health of one upstream link (a VTP server, the Kafka cluster), as the app and the relay see it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["LinkState"]


@dataclass
class LinkState:
    """What the status bar shows per source: where we are connected and when we last heard from it.

    ``last_packet`` counts any traffic that proves the link alive (a VOEvent, iamalive, a Kafka message
    or ``gcn.heartbeat``); ``last_notice`` only real notices. Times are ``clock()`` seconds.
    """

    name: str
    clock: Callable[[], float] = time.time
    host: str | None = None
    connected: bool = False
    last_packet: float | None = None
    last_notice: float | None = None
    last_error: str | None = None
    problem: str | None = None  # trouble while connected (a notice that cannot be kept, a consumer error)
    notices: int = 0
    _listeners: list[Callable[[LinkState], None]] = field(default_factory=list, repr=False)

    def subscribe(self, listener: Callable[[LinkState], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def up(self, host: str) -> None:
        self.host, self.connected, self.last_error, self.problem = host, True, None, None
        self._changed()

    def trouble(self, problem: str | None) -> None:
        """Say what goes wrong while the link itself is up (``None``: it went right again)."""
        if problem != self.problem:
            self.problem = problem
            self._changed()

    def down(self, error: str | None = None) -> None:
        self.connected = False
        if error:
            self.last_error = error
        self._changed()

    def alive(self) -> None:
        self.last_packet = self.clock()
        self._changed()

    def notice(self) -> None:
        self.last_notice = self.last_packet = self.clock()
        self.notices += 1
        self._changed()

    def age(self) -> float | None:
        """Seconds since the last sign of life, or None if there never was one."""
        return None if self.last_packet is None else self.clock() - self.last_packet

    def is_stale(self, limit: float) -> bool:
        age = self.age()
        return not self.connected or age is None or age > limit
