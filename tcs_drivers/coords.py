"""Sexagesimal RA/Dec in and out: what the CLI reads and what the TCSs are sent."""

from __future__ import annotations

import math

__all__ = ["parse_ra", "parse_dec", "format_ra", "format_dec", "separation"]


def _sexagesimal(text: str) -> tuple[float, bool]:
    text = ":".join(text.split())  # "19 03 02.33" reads like "19:03:02.33"
    negative = text.startswith("-")
    parts = text.lstrip("+-").replace("h", ":").replace("m", ":").replace("d", ":").rstrip("s:").split(":")
    if not 1 <= len(parts) <= 3 or not all(p.strip() for p in parts):
        raise ValueError(f"cannot read {text!r} as an angle")
    value = 0.0
    for scale, part in zip((1.0, 60.0, 3600.0)[: len(parts)], parts, strict=True):
        value += float(part) / scale
    return value, negative


def parse_ra(text: str) -> float:
    """``"19:03:02.33"`` (hours) or ``"285.76"`` (degrees, no colon) -> degrees in [0, 360)."""
    value, negative = _sexagesimal(text)
    degrees = value * 15.0 if any(c in text.strip() for c in ": h") else value
    if negative or not 0.0 <= degrees < 360.0:
        raise ValueError(f"RA {text!r} out of range")
    return degrees


def parse_dec(text: str) -> float:
    """``"+08:31:53.8"`` or ``"-60.5"`` -> degrees in [-90, 90]."""
    value, negative = _sexagesimal(text)
    degrees = -value if negative else value
    if not -90.0 <= degrees <= 90.0:
        raise ValueError(f"Dec {text!r} out of range")
    return degrees


def _split(value: float, decimals: int) -> tuple[int, int, float]:
    scale = 10**decimals
    total = round(value * 3600.0 * scale)
    whole, frac = divmod(total, 3600 * scale)
    minutes, rest = divmod(frac, 60 * scale)
    return int(whole), int(minutes), rest / scale


def format_ra(degrees: float) -> str:
    """Degrees -> ``HH:MM:SS.ss``."""
    h, m, s = _split((degrees % 360.0) / 15.0, 2)
    return f"{h % 24:02d}:{m:02d}:{s:05.2f}"


def format_dec(degrees: float) -> str:
    """Degrees -> ``+DD:MM:SS.s``."""
    d, m, s = _split(abs(degrees), 1)
    return f"{'-' if degrees < 0 else '+'}{d:02d}:{m:02d}:{s:04.1f}"


def separation(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    """Great-circle distance in degrees between two (RA, Dec) points in degrees."""
    r1, d1, r2, d2 = map(math.radians, (ra1, dec1, ra2, dec2))
    cos = math.sin(d1) * math.sin(d2) + math.cos(d1) * math.cos(d2) * math.cos(r1 - r2)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))
