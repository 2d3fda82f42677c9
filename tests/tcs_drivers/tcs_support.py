"""Targets and accounts shared by the TCS driver tests (a plain module: conftest names are not unique)."""

from __future__ import annotations

from tcs_drivers.alpaca import AlpacaDriver
from tcs_drivers.bta import BtaDriver
from tcs_drivers.zeiss import ZeissDriver

__all__ = ["DRIVERS", "HIGH", "LOW", "SENDER", "SLEWER"]

# At the BTA (latitude 43.6 N) Dec +89 is always at zenith distance 45-48 deg (inside the 79 deg limit)
# and Dec -60 never rises: both hold at any time of day, so no clock needs faking for the limit.
HIGH = dict(ra=285.75970833, dec=89.0, name="GRB HIGH")
LOW = dict(ra=285.75970833, dec=-60.0, name="GRB LOW")

DRIVERS = {"zeiss": ZeissDriver, "bta": BtaDriver, "alpaca": AlpacaDriver}
# (user, password) allowed to send only, and allowed to slew too; Alpaca is open.
SENDER = {"zeiss": ("observer", "observer"), "bta": ("", "level2"), "alpaca": ("", None)}
SLEWER = {"zeiss": ("astronomer", "astronomer"), "bta": ("", "level4"), "alpaca": ("", None)}
