"""BTA TCS simulator: ``bta_send.cgi`` answering in the text the real one uses, on twisted.web."""

from __future__ import annotations

import logging

from twisted.web import resource

from ..base import Target
from ..bta import BtaDriver
from ..coords import parse_dec, parse_ra
from .core import Account, SimTelescope

__all__ = ["DEFAULT_ACCOUNTS", "BtaCgi", "make_root"]

log = logging.getLogger(__name__)

DEFAULT_ACCOUNTS = [Account("", "level2", 2), Account("", "level4", 4)]
SENT = "Coordinates were sent to BTA TCS"
SLEWING = "Start Slewing to new object - Ok"


class BtaCgi(resource.Resource):
    """The CGI program: GET or POST form with password, action, coordinates; text/plain replies."""

    isLeaf = True

    def __init__(self, telescope: SimTelescope, options=None):
        super().__init__()
        self.telescope = telescope
        self.o = {**BtaDriver.DEFAULTS, **(options or {})}

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        args = {k.decode(): v[0].decode("utf-8", "replace") for k, v in request.args.items() if v}
        return (self.answer(args) + "\n").encode("utf-8")

    render_POST = render_GET

    def answer(self, args: dict[str, str]) -> str:
        o, tel = self.o, self.telescope
        level = tel.level("", args.get(o["param_password"], ""))
        if level is None:
            return "Wrong password"
        action = args.get(o["param_action"], "")
        if action == o["action_level"]:
            return f"Access level {level}"
        if action not in (o["action_send"], o["action_slew"]):
            return f"Error: unknown action {action[:20]!r}"
        slew = action == o["action_slew"]
        try:
            target = Target(parse_ra(args.get(o["param_ra"], "")), parse_dec(args.get(o["param_dec"], "")),
                            float(args.get(o["param_epoch"]) or 2000.0), args.get(o["param_name"], ""))
        except ValueError as exc:
            return f"Error: bad coordinates: {exc}"
        need = BtaDriver.slew_level if slew else BtaDriver.send_level
        refusal = (f"Access denied: level {level} < {need}" if level < need
                   else "Remote control denied: TCS in local mode" if tel.fault == "refuse" else None)
        if refusal:
            tel.record("slew" if slew else "target", "", target, False, refusal)
            return refusal
        return self._point(target, slew)

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


def make_root(telescope: SimTelescope, options=None) -> resource.Resource:
    """``/cgi-bin/bta_send.cgi`` (or the configured path) under an empty root."""
    path = {**BtaDriver.DEFAULTS, **(options or {})}["path"].strip("/").split("/")
    root = node = resource.Resource()
    for segment in path[:-1]:
        child = resource.Resource()
        node.putChild(segment.encode(), child)
        node = child
    node.putChild(path[-1].encode(), BtaCgi(telescope, options))
    return root
