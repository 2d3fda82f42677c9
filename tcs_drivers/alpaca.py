"""ASCOM Alpaca telescopes over REST (twisted.web Agent), as the ASCOM Telescope interface and alpyca say.

Connect: ``GET interfaceversion``; Platform 7 devices (``InterfaceVersion`` >= 4) get ``PUT connect``
and ``GET connecting`` polled until false, older ones ``PUT connected``. Then, once: ``equatorialsystem``,
``canslewasync``, ``cansettracking``, ``canunpark``. Alpaca has no login: level 2 (slew) when
``CanSlewAsync``, else 1 (set the target).

Coordinates "must match the mount's EquatorialSystem" (ASCOM): our J2000/ICRS target is sent as is to a
J2000 mount and as its apparent place of date (astropy ``TETE`` at the site, now) to a topocentric one;
any other system is refused before anything is sent. Slew: ``GET atpark`` (parked: ``PUT unpark`` when
``CanUnpark``, else refused), ``PUT tracking`` only when ``CanSetTracking``, ``PUT
slewtocoordinatesasync``; the base class then polls ``GET slewing`` until false. Stop: ``PUT abortslew``.
Every request carries ``ClientID``/``ClientTransactionID``; a non-zero ``ErrorNumber`` is the mount's
refusal, shown with its ``ErrorMessage``.
"""

from __future__ import annotations

import itertools
import json
import logging

from twisted.internet import defer, task

from .base import NotSent, Target, TcsDriver, TcsProtocolError, TcsRefused
from .http import expect_ok, http_request

__all__ = ["AlpacaDriver", "EQUATORIAL_SYSTEMS", "apparent_of_date"]

log = logging.getLogger(__name__)

#: ASCOM EquatorialCoordinateType.
EQUATORIAL_SYSTEMS = {0: "other", 1: "topocentric", 2: "J2000", 3: "J2050", 4: "B1950"}
TOPOCENTRIC, J2000 = 1, 2
PLATFORM7 = 4  # the Telescope InterfaceVersion that has Connect()/Connecting
NOT_IMPLEMENTED = 0x400


def apparent_of_date(ra: float, dec: float, when, site) -> tuple[float, float]:
    """ICRS (J2000) degrees -> the apparent place of date (TETE) seen from ``site`` at ``when``, degrees."""
    import astropy.units as u
    from astropy.coordinates import ICRS, TETE, EarthLocation
    from astropy.time import Time

    location = EarthLocation.from_geodetic(site.longitude * u.deg, site.latitude * u.deg, site.height * u.m)
    place = ICRS(ra=ra * u.deg, dec=dec * u.deg).transform_to(TETE(obstime=Time(when), location=location))
    return float(place.ra.wrap_at(360 * u.deg).deg), float(place.dec.deg)


class _AscomError(TcsRefused):
    def __init__(self, member: str, number: int, message: str):
        super().__init__(f"{member}: ASCOM error 0x{number:X}: {message}")
        self.number = number


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
        self.mount: dict[str, object] = {}  # what the mount said at connect

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
            raise _AscomError(member, number, message)
        return reply.get("Value")

    def _get(self, member: str) -> defer.Deferred:
        return self._call("GET", member)

    # -- connect ------------------------------------------------------------------------------
    @defer.inlineCallbacks
    def _interface_version(self):
        try:
            return int((yield self._get("interfaceversion")))
        except _AscomError as exc:  # InterfaceVersion 1 devices do not implement it
            if exc.number == NOT_IMPLEMENTED:
                return 1
            raise

    @defer.inlineCallbacks
    def _login(self):
        version = yield self._interface_version()
        if version >= PLATFORM7:
            yield self._call("PUT", "connect")
            deadline = self.reactor.seconds() + self.timeout
            while (yield self._get("connecting")) is True:
                if self.reactor.seconds() >= deadline:
                    raise defer.TimeoutError()
                yield task.deferLater(self.reactor, self.motion.poll_interval, lambda: None)
        else:
            yield self._call("PUT", "connected", Connected="True")
        system = int((yield self._get("equatorialsystem")))
        flags = {}
        for member in ("canslewasync", "cansettracking", "canunpark"):
            flags[member] = (yield self._get(member)) is True
        self.mount = {"interfaceversion": version, "equatorialsystem": system, **flags}
        level = self.slew_level if flags["canslewasync"] else self.send_level
        how = "Connect()" if version >= PLATFORM7 else "Connected=True"
        reply = (f"Connected ({how}, InterfaceVersion {version}); EquatorialSystem {system} "
                 f"({EQUATORIAL_SYSTEMS.get(system, 'unknown')}); CanSlewAsync={flags['canslewasync']}, "
                 f"CanSetTracking={flags['cansettracking']}, CanUnpark={flags['canunpark']}")
        return level, reply

    # -- coordinates --------------------------------------------------------------------------
    def _in_mount_system(self, target: Target) -> tuple[float, float, str]:
        """``(ra_hours, dec_deg, how)`` in the mount's EquatorialSystem; `NotSent` for one we cannot make."""
        system = self.mount.get("equatorialsystem")
        if system == J2000:
            return target.ra / 15.0, target.dec, "J2000 as the mount works in J2000"
        if system == TOPOCENTRIC:
            ra, dec = apparent_of_date(target.ra, target.dec, self.now(), self.site)
            return ra / 15.0, dec, "apparent place of date (the mount works in topocentric coordinates)"
        name = EQUATORIAL_SYSTEMS.get(system, "unknown")
        raise NotSent("coordinate system", f"the mount works in EquatorialSystem {system} ({name}); gcnmon "
                      "converts only to J2000 or topocentric (apparent place of date): nothing sent")

    def _where(self, ra_hours: float, dec: float, how: str, target: Target) -> str:
        return f"RA {ra_hours:.6f} h, Dec {dec:+.5f} deg, {how} ({target.name or 'target'})"

    @defer.inlineCallbacks
    def _set_target(self, ra: float, dec: float):
        yield self._call("PUT", "targetrightascension", TargetRightAscension=repr(ra))
        yield self._call("PUT", "targetdeclination", TargetDeclination=repr(dec))

    @defer.inlineCallbacks
    def _send(self, target: Target):
        ra, dec, how = self._in_mount_system(target)
        yield self._set_target(ra, dec)
        return "Target set: " + self._where(ra, dec, how, target)

    # -- slew ---------------------------------------------------------------------------------
    @defer.inlineCallbacks
    def _ready(self):
        """Unpark and start tracking as the mount allows; the lines saying what was done.

        Checked before any coordinates go out, so a refusal here means nothing was sent.
        """
        notes = []
        if (yield self._get("atpark")) is True:
            if not self.mount.get("canunpark"):
                raise NotSent("mount state", "the mount is parked and cannot be unparked remotely "
                              "(CanUnpark false): nothing sent")
            yield self._call("PUT", "unpark")
            notes.append("The mount was parked: unparked it (CanUnpark true)")
        if self.mount.get("cansettracking"):
            if (yield self._get("tracking")) is not True:
                yield self._call("PUT", "tracking", Tracking="True")
                notes.append("Tracking switched on")
        else:
            notes.append("Tracking left to the mount (CanSetTracking false)")
        return notes

    @defer.inlineCallbacks
    def _send_and_slew(self, target: Target):
        ra, dec, how = self._in_mount_system(target)  # an unknown system: refused before the mount is touched
        notes = yield self._ready()
        yield self._set_target(ra, dec)
        yield self._call("PUT", "slewtocoordinatesasync", RightAscension=repr(ra), Declination=repr(dec))
        return "\n".join([*notes, "Slewing to " + self._where(ra, dec, how, target)])

    def _slew(self, target: Target) -> defer.Deferred:
        return self._send_and_slew(target)

    def _stop(self) -> defer.Deferred:
        return self._call("PUT", "abortslew").addCallback(lambda _: "AbortSlew: motion stopped")

    @defer.inlineCallbacks
    def _status(self):
        if (yield self._get("slewing")) is True:
            return "slewing"
        return "tracking" if (yield self._get("tracking")) is True else "idle"
