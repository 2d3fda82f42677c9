"""A TCS that is only memory: for tests, the demo, and stations with no TCS configured."""

from __future__ import annotations

import logging

from twisted.internet import defer

from .base import Target, TcsDriver

__all__ = ["DummyDriver"]

log = logging.getLogger(__name__)


class DummyDriver(TcsDriver):
    """Accepts everything the safety rules allow and remembers it in ``sent``; nothing moves."""

    name = "dummy"
    title = "No TCS (dummy)"
    send_level = 2
    slew_level = 3
    DEFAULTS = {"level": 4}  # the access level it grants

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: list[tuple[str, Target]] = []

    def _login(self):
        level = int(self.options["level"])
        return defer.succeed((level, f"Dummy TCS: access level {level}"))

    def _send(self, target: Target):
        self.sent.append(("send", target))
        return defer.succeed(f"Dummy TCS: coordinates of {target.label} noted (no telescope)")

    def _slew(self, target: Target):
        self.sent.append(("slew", target))
        return defer.succeed(f"Dummy TCS: slew to {target.label} noted (no telescope)")
