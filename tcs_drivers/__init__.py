"""Telescope control drivers for gcnmon: a safe base class, Zeiss-1000, BTA, ASCOM Alpaca and a dummy."""

from .base import (
    NotSent,
    Outcome,
    Target,
    TcsDriver,
    TcsProtocolError,
    TcsRefused,
    TcsResult,
    TcsUnreachable,
    Visibility,
)

__all__ = [
    "NotSent", "Outcome", "Target", "TcsDriver", "TcsProtocolError", "TcsRefused", "TcsResult",
    "TcsUnreachable", "Visibility",
]
