"""Targets and accounts shared by the TCS driver tests (a plain module: conftest names are not unique)."""

from __future__ import annotations

from twisted.internet import defer

from tcs_drivers.alpaca import AlpacaDriver
from tcs_drivers.base import TcsDriver
from tcs_drivers.bta import BtaDriver
from tcs_drivers.zeiss import ZeissDriver

__all__ = ["DRIVERS", "HIGH", "LOW", "SENDER", "SLEWER", "MemoryDriver"]

# At the BTA (latitude 43.6 N) Dec +89 is always at zenith distance 45-48 deg (inside the 79 deg limit)
# and Dec -60 never rises: both hold at any time of day, so no clock needs faking for the limit.
HIGH = dict(ra=285.75970833, dec=89.0, name="GRB HIGH")
LOW = dict(ra=285.75970833, dec=-60.0, name="GRB LOW")

DRIVERS = {"zeiss": ZeissDriver, "bta": BtaDriver, "alpaca": AlpacaDriver}
# (user, password) allowed to send only, and allowed to slew too; Alpaca is open.
SENDER = {"zeiss": ("observer", "observer"), "bta": ("", "level2"), "alpaca": ("", None)}
SLEWER = {"zeiss": ("astronomer", "astronomer"), "bta": ("", "level4"), "alpaca": ("", None)}


class MemoryDriver(TcsDriver):
    """A TCS that is only memory, for the base class's own rules (every wire is tested against its
    simulator); it grants ``options["level"]`` and notes what it was asked in ``sent``."""

    name = "memory"
    title = "Memory TCS"
    send_level = 2
    slew_level = 3
    DEFAULTS = {"level": 4}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: list[tuple[str, object]] = []

    def _login(self):
        level = int(self.options["level"])
        return defer.succeed((level, f"Memory TCS: access level {level}"))

    def _send(self, target):
        self.sent.append(("send", target))
        return defer.succeed(f"Memory TCS: coordinates of {target.label} noted")

    def _slew(self, target):
        self.sent.append(("slew", target))
        return defer.succeed(f"Memory TCS: slew to {target.label} noted")

    def _stop(self):
        self.sent.append(("stop", None))
        return defer.succeed("Memory TCS: stopped")
