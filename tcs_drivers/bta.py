"""The BTA 6-m over HTTP to its CGI program ``bta_send.cgi`` (twisted.web Agent), reading its text replies.

Assumed wire (the real one is not public; every name is configurable in ``[tcs.bta]``): one form (POST
by default, GET allowed) with the password, an action (``level``, ``send``, ``slew``, ``stop`` or
``status``), RA as ``HH:MM:SS.ss``, Dec as ``+DD:MM:SS.s``, the epoch and the object's name. The reply
is text/plain: "Access level 4", "Coordinates were sent to BTA TCS", "Warning! Object Z > 79degr!",
"Start Slewing to new object - Ok", "Telescope stopped - Ok", "Status: Slewing" / "Status: Tracking" /
"Status: Idle", or a refusal ("Wrong password", "... denied ...").
"""

from __future__ import annotations

import logging
import re

from twisted.internet import defer

from .base import Target, TcsDriver, TcsProtocolError, TcsRefused
from .coords import format_dec, format_ra
from .http import expect_ok, http_request, join_url

__all__ = ["BtaDriver"]

log = logging.getLogger(__name__)


class BtaDriver(TcsDriver):
    """The SAO BTA TCS: a password sets the access level; >= 2 sends coordinates, >= 4 slews."""

    name = "bta"
    title = "BTA 6-m (HTTP/CGI)"
    send_level = 2
    slew_level = 4
    needs_password = True
    DEFAULTS = {
        "path": "/cgi-bin/bta_send.cgi",  # appended when the URL has no path
        "http_method": "POST",  # POST keeps the password out of the server's access log
        "param_password": "passwd",
        "param_action": "action",
        "param_ra": "ra",
        "param_dec": "dec",
        "param_epoch": "epoch",
        "param_name": "object",
        "action_level": "level",
        "action_send": "send",
        "action_slew": "slew",
        "action_stop": "stop",
        "action_status": "status",
        "reply_level": r"Access level\s*(\d+)",  # regex; group 1 is the level
        "reply_sent": "Coordinates were sent",
        "reply_slewing": "Start Slewing",
        "reply_stopped": "stopped",
        "reply_status": r"Status:\s*(\w+)",  # regex; group 1 is Slewing, Tracking or Idle
        "reply_refused": ["Wrong password", "denied", "refused", "Error"],
    }

    def _post(self, action: str, target: Target | None = None) -> defer.Deferred:
        o = self.options
        fields = {o["param_password"]: self._reveal_password(), o["param_action"]: o[action]}
        if target is not None:
            fields.update({
                o["param_ra"]: format_ra(target.ra),
                o["param_dec"]: format_dec(target.dec),
                o["param_epoch"]: f"{target.epoch:.1f}",
                o["param_name"]: target.name,
            })
        url = join_url(self.url, o["path"])
        d = http_request(self.reactor, o["http_method"], url, fields, timeout=self.timeout)
        return d.addCallback(lambda r: expect_ok(*r))

    def _check(self, text: str) -> str:
        """The reply, stripped; a refusal raises `TcsRefused`, an empty one `TcsProtocolError`."""
        text = text.strip()
        if not text:
            raise TcsProtocolError("empty reply")
        if any(word.lower() in text.lower() for word in self.options["reply_refused"]):
            raise TcsRefused(text)
        return text

    @defer.inlineCallbacks
    def _login(self):
        text = self._check((yield self._post("action_level")))
        found = re.search(self.options["reply_level"], text)
        if not found:
            raise TcsProtocolError("no access level in the reply", text)
        return int(found.group(1)), text

    @defer.inlineCallbacks
    def _send(self, target: Target):
        text = self._check((yield self._post("action_send", target)))
        if self.options["reply_sent"] not in text:
            raise TcsProtocolError("the reply does not confirm the coordinates", text)
        return text

    @defer.inlineCallbacks
    def _send_and_slew(self, target: Target):
        # One request: the CGI sends the coordinates and slews when asked to.
        text = self._check((yield self._post("action_slew", target)))
        if self.options["reply_slewing"] in text:
            return text
        if self.options["reply_sent"] in text:
            raise TcsRefused(text)  # coordinates taken but no slew: the TCS's warning says why
        raise TcsProtocolError("the reply confirms neither coordinates nor slewing", text)

    def _slew(self, target: Target) -> defer.Deferred:
        return self._send_and_slew(target)

    @defer.inlineCallbacks
    def _stop(self):
        text = self._check((yield self._post("action_stop")))
        if self.options["reply_stopped"].lower() not in text.lower():
            raise TcsProtocolError("the reply does not confirm the stop", text)
        return text

    @defer.inlineCallbacks
    def _status(self):
        text = self._check((yield self._post("action_status")))
        found = re.search(self.options["reply_status"], text)
        state = found.group(1).lower() if found else None
        if state not in ("idle", "slewing", "tracking"):
            raise TcsProtocolError("no status in the reply", text)
        return state
