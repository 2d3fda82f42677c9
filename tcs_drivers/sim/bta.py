"""BTA TCS simulator: ``bta_send.cgi`` answering in the text the real one uses, on twisted.web.

Every field name, action, phrase and level is written here from README's "Wire assumptions" table and
never imported from the driver: a test of the driver against this simulator can then catch a wire
mistake on either side.
"""

from __future__ import annotations

import logging

from twisted.web import resource

from ..coords import parse_dec, parse_ra
from ..result import Target
from .core import Account, SimTelescope

__all__ = ["DEFAULT_ACCOUNTS", "PATH", "BtaCgi", "make_root"]

log = logging.getLogger(__name__)

DEFAULT_ACCOUNTS = [Account("", "level2", 2), Account("", "level4", 4)]

# The wire (README, Wire assumptions).
PATH = "/cgi-bin/bta_send.cgi"
PASSWORD, ACTION, RA, DEC, EPOCH, NAME = "passwd", "action", "ra", "dec", "epoch", "object"
LEVEL, SEND, SLEW, STOP, STATUS = "level", "send", "slew", "stop", "status"
SEND_LEVEL, SLEW_LEVEL, STOP_LEVEL = 2, 4, 1  # anyone with a password may stop the telescope
SENT = "Coordinates were sent to BTA TCS"
SLEWING = "Start Slewing to new object - Ok"
STOPPED = "Telescope stopped - Ok"


class BtaCgi(resource.Resource):
    """The CGI program: GET or POST form with password, action, coordinates; text/plain replies."""

    isLeaf = True

    def __init__(self, telescope: SimTelescope):
        super().__init__()
        self.telescope = telescope

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        args = {k.decode(): v[0].decode("utf-8", "replace") for k, v in request.args.items() if v}
        return (self.answer(args) + "\n").encode("utf-8")

    render_POST = render_GET

    def answer(self, args: dict[str, str]) -> str:
        tel = self.telescope
        level = tel.level("", args.get(PASSWORD, ""))
        if level is None:
            return "Wrong password"
        action = args.get(ACTION, "")
        if action == LEVEL:
            return f"Access level {level}"
        if action == STATUS:
            return f"Status: {tel.state().capitalize()}"
        if action == STOP:
            return self._stop(level)
        if action not in (SEND, SLEW):
            return f"Error: unknown action {action[:20]!r}"
        slew = action == SLEW
        try:
            target = Target(parse_ra(args.get(RA, "")), parse_dec(args.get(DEC, "")),
                            float(args.get(EPOCH) or 2000.0), args.get(NAME, ""))
        except ValueError as exc:
            return f"Error: bad coordinates: {exc}"
        need = SLEW_LEVEL if slew else SEND_LEVEL
        refusal = (f"Access denied: level {level} < {need}" if level < need
                   else "Remote control denied: TCS in local mode" if tel.fault == "refuse" else None)
        if refusal:
            tel.record("slew" if slew else "target", "", target, False, refusal)
            return refusal
        return self._point(target, slew)

    def _stop(self, level: int) -> str:
        tel = self.telescope
        if tel.fault == "refuse" or level < STOP_LEVEL:
            refusal = "Remote control denied: TCS in local mode"
            tel.record("stop", "", tel.target, False, refusal)
            return refusal
        tel.stop()
        tel.record("stop", "", tel.target, True, STOPPED)
        return STOPPED

    def _point(self, target: Target, slew: bool) -> str:
        tel = self.telescope
        tel.set_target(target)
        low = tel.zenith_distance(target) > tel.site.zenith_limit
        lines = [SENT] + ([f"Warning! Object Z > {tel.site.zenith_limit:g}degr!"] if low else [])
        tel.record("target", "", target, True, "\n".join(lines))
        if slew:
            if not low:
                tel.start_slew()
                lines.append(SLEWING)
            tel.record("slew", "", target, not low, "\n".join(lines))
        return "\n".join(lines)


def make_root(telescope: SimTelescope) -> resource.Resource:
    """``/cgi-bin/bta_send.cgi`` under an empty root."""
    *parents, leaf = PATH.strip("/").split("/")
    root = node = resource.Resource()
    for segment in parents:
        child = resource.Resource()
        node.putChild(segment.encode(), child)
        node = child
    node.putChild(leaf.encode(), BtaCgi(telescope))
    return root
