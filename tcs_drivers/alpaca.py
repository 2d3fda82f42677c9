"""ASCOM Alpaca telescopes over REST (twisted.web Agent): the standard many observatories run.

``PUT /api/v1/telescope/{device}/connected``, ``targetrightascension``, ``targetdeclination``,
``tracking`` and ``slewtocoordinatesasync`` with ``ClientID``/``ClientTransactionID``; ``GET
canslewasync``. Every reply is JSON whose ``ErrorNumber`` (0 = success) and ``ErrorMessage`` we check.
Alpaca has no login: connecting gives level 1 (set the target) or 2 when ``CanSlewAsync`` is true.
"""

from __future__ import annotations

import itertools
import json
import logging

from twisted.internet import defer

from .base import Target, TcsDriver, TcsProtocolError, TcsRefused
from .http import expect_ok, http_request

__all__ = ["AlpacaDriver"]

log = logging.getLogger(__name__)


class AlpacaDriver(TcsDriver):
    """An ASCOM Alpaca telescope device: send = set the target, slew if the mount can slew async."""

    name = "alpaca"
    title = "ASCOM Alpaca telescope"
    send_level = 1
    slew_level = 2
    DEFAULTS = {
        "path": "/api/v1/telescope",
        "device": 0,  # device number on the Alpaca server
        "client_id": 4117,  # our ClientID (any unsigned 32-bit number identifying this client)
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._transactions = itertools.count(1)

    def _call(self, method: str, member: str, **fields) -> defer.Deferred:
        url = f"{self.url}{self.options['path']}/{self.options['device']}/{member}"
        fields.update(ClientID=self.options["client_id"], ClientTransactionID=next(self._transactions))
        d = http_request(self.reactor, method, url, fields, timeout=self.timeout)
        return d.addCallback(lambda r: self._value(member, expect_ok(*r)))

    @staticmethod
    def _value(member: str, text: str):
        try:
            reply = json.loads(text)
            number, message = int(reply["ErrorNumber"]), str(reply.get("ErrorMessage", ""))
        except (ValueError, TypeError, KeyError):
            raise TcsProtocolError(f"{member}: not an Alpaca reply", text) from None
        if number:
            raise TcsRefused(f"{member}: ASCOM error 0x{number:X}: {message}")
        return reply.get("Value")

    @defer.inlineCallbacks
    def _login(self):
        yield self._call("PUT", "connected", Connected="True")
        can = yield self._call("GET", "canslewasync")
        level = self.slew_level if can is True else self.send_level
        return level, f"Connected; CanSlewAsync={can}"

    @defer.inlineCallbacks
    def _send(self, target: Target):
        yield self._call("PUT", "targetrightascension", TargetRightAscension=repr(target.ra / 15.0))
        yield self._call("PUT", "targetdeclination", TargetDeclination=repr(target.dec))
        return f"Target set: RA {target.ra / 15.0:.6f} h, Dec {target.dec:+.5f} deg ({target.name})"

    @defer.inlineCallbacks
    def _slew(self, target: Target):
        # ASCOM: SlewToCoordinatesAsync raises InvalidOperation while Tracking is false.
        yield self._call("PUT", "tracking", Tracking="True")
        ra, dec = repr(target.ra / 15.0), repr(target.dec)
        yield self._call("PUT", "slewtocoordinatesasync", RightAscension=ra, Declination=dec)
        return f"Slewing to RA {target.ra / 15.0:.6f} h, Dec {target.dec:+.5f} deg ({target.name})"
