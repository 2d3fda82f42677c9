"""No telescope: the driver of a station with no TCS configured. It sends nothing and says so.

Every command it is given ends "refused by gcnmon (no telescope): no telescope: nothing sent", so no
result, log line or archive row can ever suggest that something moved. The GUI shows no TCS buttons
for it (``has_telescope`` is false); ``gcnmon tcs --tel dummy`` exits 2.
"""

from __future__ import annotations

from twisted.internet import defer

from .base import NotSent, Target, TcsDriver

__all__ = ["DummyDriver", "NO_TELESCOPE"]

NO_TELESCOPE = "no telescope: nothing sent"


class DummyDriver(TcsDriver):
    """Refuses everything (the safety rules are still applied first): there is nothing to command."""

    name = "dummy"
    title = "No TCS"
    has_telescope = False
    send_level = 2
    slew_level = 3

    def _nothing(self, *_):
        return defer.fail(NotSent("no telescope", NO_TELESCOPE))

    def _login(self):
        return self._nothing()

    def _send(self, target: Target):
        return self._nothing()

    def _slew(self, target: Target):
        return self._nothing()

    def _stop(self):
        return self._nothing()
