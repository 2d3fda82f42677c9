"""ASCOM Alpaca telescope simulator: ``/api/v1/telescope/0/...`` with JSON replies, on twisted.web.

The members and error numbers are the published ASCOM Telescope interface, written here (never taken
from the driver). ``MOUNTS`` are the kinds of mount it can be: a J2000 mount of the old interface, and
a Platform 7 mount that works in topocentric coordinates (apparent place of date), starts parked and
cannot set tracking (it tracks by itself once unparked), and one that cannot even unpark remotely.
The coordinates it is sent are recorded as received, in the mount's own system.
"""

from __future__ import annotations

import itertools
import json
import logging
from urllib.parse import parse_qs

from twisted.web import resource

from ..result import Target
from .core import SimTelescope

__all__ = ["MOUNTS", "AlpacaDevice", "make_root"]

log = logging.getLogger(__name__)

# ASCOM error numbers (Alpaca API: 0x400 + the COM error code).
NOT_IMPLEMENTED, INVALID_VALUE, VALUE_NOT_SET = 0x400, 0x401, 0x402
NOT_CONNECTED, PARKED, INVALID_OPERATION = 0x407, 0x408, 0x40B

#: ASCOM EquatorialCoordinateType values.
OTHER, TOPOCENTRIC, J2000, J2050, B1950 = 0, 1, 2, 3, 4

#: The kinds of mount (``gcnmon tcs-sim alpaca --mount NAME``).
MOUNTS = {
    "j2000": dict(equatorial_system=J2000, interface_version=3, parked=False, can_set_tracking=True,
                  can_unpark=True),
    "jnow-parked": dict(equatorial_system=TOPOCENTRIC, interface_version=4, parked=True,
                        can_set_tracking=False, can_unpark=True),
    "parked-locked": dict(equatorial_system=TOPOCENTRIC, interface_version=4, parked=True,
                          can_set_tracking=False, can_unpark=False),
    "b1950": dict(equatorial_system=B1950, interface_version=3, parked=False, can_set_tracking=True,
                  can_unpark=True),
}


class AlpacaError(Exception):
    def __init__(self, number: int, message: str):
        super().__init__(message)
        self.number, self.message = number, message


class BadRequest(Exception):
    """Alpaca answers a malformed request with HTTP 400 and a text body."""


class AlpacaDevice(resource.Resource):
    """Telescope device 0: GET reads a property, PUT sets one or runs a method."""

    isLeaf = True

    def __init__(self, telescope: SimTelescope, can_slew_async: bool = True, mount: str = "j2000"):
        super().__init__()
        self.telescope, self.can_slew_async = telescope, can_slew_async
        spec = MOUNTS[mount]
        self.equatorial_system, self.interface_version = spec["equatorial_system"], spec["interface_version"]
        self.can_set_tracking, self.can_unpark = spec["can_set_tracking"], spec["can_unpark"]
        self.parked = spec["parked"]
        self.connected = self.connecting = False
        self.target_ra: float | None = None  # hours
        self.target_dec: float | None = None
        self._server_ids = itertools.count(1)

    def render_GET(self, request):
        return self._reply(request, {k.decode().lower(): v[0].decode() for k, v in request.args.items()})

    def render_PUT(self, request):
        form = parse_qs(request.content.read().decode("utf-8", "replace"))
        return self._reply(request, {k.lower(): v[0] for k, v in form.items()})

    def _reply(self, request, args):
        put = request.method == b"PUT"
        if len(request.postpath) != 2 or request.postpath[0] != b"0":
            request.setResponseCode(400)
            return b"Unknown device or member\n"
        member = request.postpath[1].decode().lower()
        body = {"ClientTransactionID": int(args.get("clienttransactionid", "0") or 0),
                "ServerTransactionID": next(self._server_ids), "ErrorNumber": 0, "ErrorMessage": ""}
        try:
            value = self._put(member, args) if put else self._get(member)
            if not put:
                body["Value"] = value
        except AlpacaError as exc:
            body.update(ErrorNumber=exc.number, ErrorMessage=exc.message)
        except (BadRequest, ValueError) as exc:
            request.setResponseCode(400)
            return f"Bad request: {exc}\n".encode()
        request.setHeader(b"content-type", b"application/json")
        return json.dumps(body).encode()

    def _get(self, member: str):
        tel = self.telescope
        if member == "connecting" and self.interface_version >= 4:
            # Connect() completes between two reads: the first one still says True.
            connecting, self.connecting = self.connecting, False
            self.connected = self.connected or connecting
            return connecting
        simple = {"connected": self.connected, "canslewasync": self.can_slew_async,
                  "cansettracking": self.can_set_tracking, "canunpark": self.can_unpark, "canpark": True,
                  "name": "gcnmon Alpaca simulator", "interfaceversion": self.interface_version}
        if member in simple:
            return simple[member]
        self._need_connected()
        values = {"tracking": tel.tracking, "slewing": tel.slewing, "rightascension": tel.ra / 15.0,
                  "declination": tel.dec, "targetrightascension": self.target_ra,
                  "targetdeclination": self.target_dec, "atpark": self.parked,
                  "equatorialsystem": self.equatorial_system}
        if member not in values:
            raise AlpacaError(NOT_IMPLEMENTED, f"{member} is not implemented")
        if values[member] is None:
            raise AlpacaError(VALUE_NOT_SET, f"{member} has not been set")
        return values[member]

    def _need_connected(self):
        if not self.connected:
            raise AlpacaError(NOT_CONNECTED, "Telescope is not connected")

    @staticmethod
    def _arg(args, name: str) -> str:
        if name.lower() not in args:
            raise BadRequest(f"missing parameter {name}")
        return args[name.lower()]

    def _put(self, member: str, args):
        if member == "connected":
            self.connected = self._arg(args, "Connected").lower() == "true"
            return None
        if member == "connect":
            if self.interface_version < 4:
                raise AlpacaError(NOT_IMPLEMENTED, "Connect is a Platform 7 method (InterfaceVersion 4)")
            self.connecting = not self.connected
            return None
        self._need_connected()
        if self.telescope.fault == "refuse":
            raise AlpacaError(INVALID_OPERATION, "Telescope is under local control")
        handlers = {"tracking": self._tracking, "targetrightascension": self._target_ra,
                    "targetdeclination": self._target_dec, "slewtocoordinatesasync": self._slew,
                    "abortslew": self._abort, "unpark": self._unpark}
        if member not in handlers:
            raise AlpacaError(NOT_IMPLEMENTED, f"{member} is not implemented")
        return handlers[member](args)

    def _tracking(self, args):
        if not self.can_set_tracking:
            raise AlpacaError(NOT_IMPLEMENTED, "Tracking cannot be set (CanSetTracking is False)")
        self.telescope.tracking = self._arg(args, "Tracking").lower() == "true"

    def _unpark(self, args):
        if not self.can_unpark:
            raise AlpacaError(NOT_IMPLEMENTED, "Unpark is not implemented (CanUnpark is False)")
        if self.parked:
            self.parked = False
            # A mount whose tracking cannot be set tracks by itself once it is out of park.
            self.telescope.tracking = not self.can_set_tracking
            self.telescope.record("unpark", "", None, True, "unparked")

    def _abort(self, args):
        tel = self.telescope
        if self.parked:
            tel.record("stop", "", tel.target, False, "AbortSlew while parked")
            raise AlpacaError(PARKED, "AbortSlew: the mount is parked")
        tel.stop()
        tel.tracking = not self.can_set_tracking  # the mount's own tracking goes on
        tel.record("stop", "", tel.target, True, "slew aborted")

    def _target_ra(self, args):
        value = float(self._arg(args, "TargetRightAscension"))
        if not 0.0 <= value < 24.0:
            raise AlpacaError(INVALID_VALUE, f"TargetRightAscension {value} out of range")
        self.target_ra = value
        self._record_target()

    def _target_dec(self, args):
        value = float(self._arg(args, "TargetDeclination"))
        if not -90.0 <= value <= 90.0:
            raise AlpacaError(INVALID_VALUE, f"TargetDeclination {value} out of range")
        self.target_dec = value
        self._record_target()

    def _record_target(self):
        target = None
        if self.target_ra is not None and self.target_dec is not None:
            target = Target(self.target_ra * 15.0, self.target_dec)
            self.telescope.set_target(target)
        self.telescope.record("target", "", target, True, "target set")

    def _slew(self, args):
        tel = self.telescope
        ra, dec = float(self._arg(args, "RightAscension")), float(self._arg(args, "Declination"))
        if not (0.0 <= ra < 24.0 and -90.0 <= dec <= 90.0):
            raise AlpacaError(INVALID_VALUE, f"coordinates out of range: {ra} {dec}")
        target = Target(ra * 15.0, dec)
        try:
            if self.parked:
                raise AlpacaError(PARKED, "SlewToCoordinatesAsync: the mount is parked")
            if not tel.tracking:
                raise AlpacaError(INVALID_OPERATION, "SlewToCoordinatesAsync while Tracking is false")
            zd = tel.zenith_distance(target)
            if zd > tel.site.zenith_limit:
                limit = tel.site.zenith_limit
                raise AlpacaError(INVALID_VALUE, f"Target zenith distance {zd:.1f} > {limit:g} deg")
        except AlpacaError as exc:
            tel.record("slew", "", target, False, exc.message)
            raise
        self.target_ra, self.target_dec = ra, dec
        tel.set_target(target)
        tel.record("slew", "", target, True, f"slewing, {tel.start_slew():.0f} s")


def make_root(telescope: SimTelescope, can_slew_async: bool = True, mount: str = "j2000"
              ) -> resource.Resource:
    root = resource.Resource()
    node = root
    for segment in (b"api", b"v1"):
        child = resource.Resource()
        node.putChild(segment, child)
        node = child
    node.putChild(b"telescope", AlpacaDevice(telescope, can_slew_async, mount))
    return root
