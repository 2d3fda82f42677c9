"""Zeiss-1000 over XML-RPC, asynchronous on the reactor: user and password, RA in hours, Dec in degrees.

Assumed wire (the real one is not public; every method name is configurable in ``[tcs.zeiss]``):
``login(user, password) -> int`` access level; ``send_coordinates(user, password, ra_hours, dec_deg,
epoch, name) -> str``; ``slew(user, password) -> str`` slews to the coordinates sent; ``stop(user,
password) -> str`` stops any motion; ``status() -> struct`` whose ``state`` is ``idle``, ``slewing`` or
``tracking``. A refusal is an XML-RPC Fault whose faultString is the TCS's text.

The calls are POSTed with twisted.web's Agent (shared with the HTTP drivers) and (de)serialised by the
standard library: twisted.web.xmlrpc.Proxy rests on the deprecated ``HTTPClient``, whose deprecation
warning fires on every closed connection.
"""

from __future__ import annotations

import logging
import xmlrpc.client
from xml.parsers.expat import ExpatError

from twisted.internet import defer

from .base import Target, TcsDriver, TcsProtocolError, TcsRefused
from .http import expect_ok, http_request, join_url

__all__ = ["ZeissDriver"]

log = logging.getLogger(__name__)


def parse_response(text: str):
    """The value of an XML-RPC methodResponse; a Fault becomes `TcsRefused`, anything else unreadable."""
    try:
        (value,), _ = xmlrpc.client.loads(text)
    except xmlrpc.client.Fault as fault:
        raise TcsRefused(str(fault.faultString)) from None
    except (ExpatError, xmlrpc.client.ResponseError, ValueError, TypeError) as exc:
        raise TcsProtocolError(f"not an XML-RPC reply ({type(exc).__name__})", text) from None
    return value


class ZeissDriver(TcsDriver):
    """The SAO Zeiss-1000 TCS: level >= 2 sends coordinates, >= 3 slews."""

    name = "zeiss"
    title = "Zeiss-1000 (XML-RPC)"
    send_level = 2
    slew_level = 3
    needs_user = True
    needs_password = True
    DEFAULTS = {
        "path": "/RPC2",  # appended when the URL has no path
        "login_method": "login",
        "send_method": "send_coordinates",
        "slew_method": "slew",
        "stop_method": "stop",
        "status_method": "status",  # called without credentials: a read
    }

    def _call(self, option: str, *args, credentials: bool = True) -> defer.Deferred:
        params = (self.user, self._reveal_password(), *args) if credentials else args
        payload = xmlrpc.client.dumps(params, self.options[option])
        url = join_url(self.url, self.options["path"])
        d = http_request(self.reactor, "POST", url, body=payload.encode("utf-8"), content_type="text/xml",
                         timeout=self.timeout)
        return d.addCallback(lambda r: parse_response(expect_ok(*r)))

    @staticmethod
    def _text(value) -> str:
        if not isinstance(value, str):
            raise TcsProtocolError("expected a text reply", repr(value))
        return value

    @defer.inlineCallbacks
    def _login(self):
        level = yield self._call("login_method")
        if isinstance(level, bool) or not isinstance(level, int):
            raise TcsProtocolError("expected an integer access level", repr(level))
        return level, f"access level {level}"

    @defer.inlineCallbacks
    def _send(self, target: Target):
        reply = yield self._call("send_method", target.ra / 15.0, target.dec, target.epoch, target.name)
        return self._text(reply)

    @defer.inlineCallbacks
    def _slew(self, target: Target):
        reply = yield self._call("slew_method")
        return self._text(reply)

    @defer.inlineCallbacks
    def _stop(self):
        reply = yield self._call("stop_method")
        return self._text(reply)

    @defer.inlineCallbacks
    def _status(self):
        reply = yield self._call("status_method", credentials=False)
        state = reply.get("state") if isinstance(reply, dict) else None
        if state not in ("idle", "slewing", "tracking"):
            raise TcsProtocolError("status: expected a struct with state idle/slewing/tracking", repr(reply))
        return state
