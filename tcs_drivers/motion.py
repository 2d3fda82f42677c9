"""What the mount is doing as the TCS reports it (idle, slewing, tracking or unknown), and who is told.

After an accepted slew the driver says "slewing" and asks the TCS (``_status()``) every ``poll_interval``
seconds until it reports something else, bounded by ``slew_timeout``; only then does it say
"tracking". A stop, or a new slew, ends the watch at once. Listeners (the dialog's TCS panel, the main
window's status bar) are told of every change of motion, access level or last result, so a login that
lands while a dialog is open, or a slew that fails, shows at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from twisted.internet import defer, task

__all__ = ["MOTIONS", "Motion"]

log = logging.getLogger(__name__)

#: What ``_status()`` may answer (None: the TCS cannot tell).
MOTIONS = ("unknown", "idle", "slewing", "tracking")


class Motion:
    """The motion state of one driver, its listeners and the watch that follows a slew."""

    def __init__(self, driver, poll_interval: float, slew_timeout: float):
        self.driver, self.poll_interval, self.slew_timeout = driver, float(poll_interval), float(slew_timeout)
        self.state = "unknown"
        self._listeners: list[Callable[[object], None]] = []
        self._watch: object | None = None  # a token: the running watch, None when none runs

    @property
    def slewing(self) -> bool:
        return self.state == "slewing"

    def subscribe(self, listener: Callable[[object], None]) -> Callable[[], None]:
        """Call ``listener(driver)`` on every change; returns the function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: listener in self._listeners and self._listeners.remove(listener)

    def changed(self) -> None:
        for listener in list(self._listeners):
            try:
                listener(self.driver)
            except Exception:  # a broken widget must not break the TCS session
                log.exception("TCS listener %r failed", listener)

    def set(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.changed()

    def end_watch(self) -> None:
        self._watch = None

    @defer.inlineCallbacks
    def watch(self, label: str):
        """Follow a slew that was just accepted until the TCS no longer reports slewing."""
        token = self._watch = object()
        self.set("slewing")
        driver, reactor = self.driver, self.driver.reactor
        deadline = reactor.seconds() + self.slew_timeout
        while True:
            yield task.deferLater(reactor, self.poll_interval, lambda: None)
            if self._watch is not token:
                return  # stopped, or a new slew took over
            try:
                state = yield driver._timed(driver._status())
            except Exception as exc:
                log.warning("%s: cannot read the motion after the slew to %s: %s: %s", driver.name, label,
                            type(exc).__name__, exc)
                self._watch = None
                self.set("unknown")
                return
            if self._watch is not token:
                return
            if state is not None and state != "slewing":
                log.info("%s: slew to %s ended: %s", driver.name, label, state)
                self._watch = None
                self.set(state if state in MOTIONS else "unknown")
                return
            if reactor.seconds() >= deadline:
                log.warning("%s: still slewing to %s after %g s; no longer watching", driver.name, label,
                            self.slew_timeout)
                self._watch = None
                self.set("unknown")
                return
