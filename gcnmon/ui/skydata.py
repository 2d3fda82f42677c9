"""Numbers behind the sky map (no Qt): the Hammer-Aitoff projection centred on the local meridian.

The map is in equatorial coordinates (RA grows to the left) with the local meridian in the middle, so
tonight's sky is never cut by the seam; it turns with sidereal time. Altitudes, the zenith, the Sun
and the Moon come from the one sky module (``gcnmon.sky.sky_now``), never from a formula of our own.
"""

from __future__ import annotations

import numpy as np

from ..sky import SkyNow, sky_now

__all__ = ["SkyNow", "project", "unproject", "circle", "sky_now", "WIDTH", "HEIGHT"]

SQ2 = np.sqrt(2.0)
WIDTH, HEIGHT = 4 * SQ2, 2 * SQ2  # extent of the projection in its own units


def project(ra, dec, centre: float = 180.0):
    """ICRS degrees -> map units (x to the right, y up), origin at RA ``centre``, Dec 0."""
    lon = np.radians(centre - np.asarray(ra, dtype=float))
    lon = (lon + np.pi) % (2 * np.pi) - np.pi
    lat = np.radians(np.asarray(dec, dtype=float))
    d = np.sqrt(1 + np.cos(lat) * np.cos(lon / 2))
    return 2 * SQ2 * np.cos(lat) * np.sin(lon / 2) / d, SQ2 * np.sin(lat) / d


def unproject(x, y, centre: float = 180.0):
    """Map units -> (ra, dec) degrees, and a mask of the points inside the map's ellipse."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    inside = (x / (2 * SQ2)) ** 2 + (y / SQ2) ** 2 <= 1.0
    z = np.sqrt(np.clip(1 - (x / 4) ** 2 - (y / 2) ** 2, 0, None))
    lon = 2 * np.arctan2(z * x, 2 * (2 * z**2 - 1))
    lat = np.arcsin(np.clip(z * y, -1, 1))
    return (centre - np.degrees(lon)) % 360.0, np.degrees(lat), inside


def circle(ra: float, dec: float, radius: float, n: int = 72):
    """Points (ra, dec arrays) of the small circle of ``radius`` degrees around ``ra, dec``."""
    t = np.linspace(0, 2 * np.pi, n)
    r, d0, a0 = np.radians(radius), np.radians(dec), np.radians(ra)
    sin_d = np.sin(d0) * np.cos(r) + np.cos(d0) * np.sin(r) * np.cos(t)
    d = np.arcsin(np.clip(sin_d, -1, 1))
    a = a0 + np.arctan2(np.sin(t) * np.sin(r) * np.cos(d0), np.cos(r) - np.sin(d0) * sin_d)
    return np.degrees(a) % 360.0, np.degrees(d)
