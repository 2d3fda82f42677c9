"""Telescope control drivers for gcnmon: a safe base class, Zeiss-1000, BTA, ASCOM Alpaca and a dummy."""

from .base import Target, TcsDriver, TcsProtocolError, TcsRefused, TcsResult, TcsUnreachable, Visibility

__all__ = [
    "Target", "TcsDriver", "TcsProtocolError", "TcsRefused", "TcsResult", "TcsUnreachable", "Visibility",
]
