"""Zeiss-1000 TCS simulator: the XML-RPC wire of README's "Wire assumptions" table, as a twisted.web server.

Every wire name and level is written here, from that table, and never imported from the driver: a test
of the driver against this simulator can then catch a wire mistake on either side.
"""

from __future__ import annotations

import logging
from xmlrpc.client import Fault

from twisted.web import resource

from ..coords import format_dec, format_ra
from ..result import Target
from ..twxmlrpc import XMLRPC, NoSuchFunction
from .core import Account, SimTelescope

__all__ = ["DEFAULT_ACCOUNTS", "ZeissRPC", "make_root"]

log = logging.getLogger(__name__)

DEFAULT_ACCOUNTS = [Account("observer", "observer", 2), Account("astronomer", "astronomer", 4)]

# The wire (README, Wire assumptions): where it listens, its methods, the levels they need.
PATH = "/RPC2"
LOGIN, SEND, SLEW, STOP, STATUS = "login", "send_coordinates", "slew", "stop", "status"
SEND_LEVEL, SLEW_LEVEL, STOP_LEVEL = 2, 3, 1  # anyone logged in may stop the telescope

# Fault codes: what the TCS's refusals carry besides their text.
WRONG_PASSWORD, ACCESS, BELOW_LIMIT, LOCAL_MODE, BAD_REQUEST = 1, 2, 3, 4, 5


class ZeissRPC(XMLRPC):
    """``login``, ``send_coordinates``, ``slew``, ``stop`` and ``status``."""

    def __init__(self, telescope: SimTelescope):
        super().__init__(allowNone=True)
        self.telescope = telescope
        self._methods = {LOGIN: self.login, SEND: self.send_coordinates, SLEW: self.slew, STOP: self.stop,
                         STATUS: self.status}

    def lookupProcedure(self, procedurePath):
        try:
            return self._methods[procedurePath]
        except KeyError:
            raise NoSuchFunction(self.NOT_FOUND, f"procedure {procedurePath} not found") from None

    def listProcedures(self):
        return list(self._methods)

    def _level(self, user, password, need: int, what: str) -> int:
        level = self.telescope.level(str(user), str(password))
        if level is None:
            raise Fault(WRONG_PASSWORD, "Wrong user or password")
        if level < need:
            raise Fault(ACCESS, f"Access denied: level {level} may not {what} ({need} needed)")
        if self.telescope.fault == "refuse":
            raise Fault(LOCAL_MODE, "TCS is in local mode: remote commands refused")
        return level

    def login(self, user, password):
        level = self.telescope.level(str(user), str(password))
        if level is None:
            raise Fault(WRONG_PASSWORD, "Wrong user or password")
        log.info("sim zeiss: %s logged in, level %d", user, level)
        return level

    def send_coordinates(self, user, password, ra_hours, dec, epoch, name):
        tel = self.telescope
        try:
            target = Target(float(ra_hours) * 15.0, float(dec), float(epoch), str(name))
        except (TypeError, ValueError) as exc:
            raise Fault(BAD_REQUEST, f"Bad coordinates: {exc}") from None
        try:
            self._level(user, password, SEND_LEVEL, "send coordinates")
        except Fault as fault:
            tel.record("target", str(user), target, False, fault.faultString)
            raise
        tel.set_target(target)
        where = f"RA {format_ra(target.ra)} Dec {format_dec(target.dec)}"
        reply = f"Coordinates of {target.name} received: {where}"
        zd = tel.zenith_distance(target)
        if zd > tel.site.zenith_limit:
            reply += f"\nWarning! Object Z = {zd:.1f} > {tel.site.zenith_limit:g} degr"
        tel.record("target", str(user), target, True, reply)
        return reply

    def slew(self, user, password):
        tel = self.telescope
        try:
            self._level(user, password, SLEW_LEVEL, "slew")
            if tel.target is None:
                raise Fault(BAD_REQUEST, "No coordinates to slew to")
            zd = tel.zenith_distance(tel.target)
            if zd > tel.site.zenith_limit:
                limit = tel.site.zenith_limit
                raise Fault(BELOW_LIMIT, f"Object Z = {zd:.1f} > {limit:g} degr: slew refused")
        except Fault as fault:
            tel.record("slew", str(user), tel.target, False, fault.faultString)
            raise
        seconds = tel.start_slew()
        reply = f"Slewing to {tel.target.name}: about {seconds:.0f} s"
        tel.record("slew", str(user), tel.target, True, reply)
        return reply

    def stop(self, user, password):
        tel = self.telescope
        try:
            self._level(user, password, STOP_LEVEL, "stop")
        except Fault as fault:
            tel.record("stop", str(user), tel.target, False, fault.faultString)
            raise
        was = tel.state()
        tel.stop()
        reply = f"Telescope stopped (was {was})"
        tel.record("stop", str(user), tel.target, True, reply)
        return reply

    def status(self):
        tel = self.telescope
        return {"ra_hours": tel.ra / 15.0, "dec": tel.dec, "state": tel.state(),
                "target": tel.target.name if tel.target else ""}


def make_root(telescope: SimTelescope) -> resource.Resource:
    root = resource.Resource()
    root.putChild(PATH.strip("/").encode(), ZeissRPC(telescope))
    return root
