"""Numbers behind the sky map (no Qt): Hammer-Aitoff projection, altitude over the sky, Sun and Moon.

The map is in equatorial coordinates (RA grows to the left, 12h in the middle), so notices stay put
and the horizon moves with sidereal time. Altitude over the map uses the spherical-astronomy formula
with astropy's sidereal time: far below a pixel's worth of error, and cheap enough for every pixel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

__all__ = ["SkyNow", "project", "unproject", "altitude", "circle", "sky_now", "WIDTH", "HEIGHT"]

SQ2 = np.sqrt(2.0)
WIDTH, HEIGHT = 4 * SQ2, 2 * SQ2  # extent of the projection in its own units


@dataclass(frozen=True)
class SkyNow:
    """The site's sky at one instant: local sidereal time and where the Sun and Moon are (degrees)."""

    when: datetime
    latitude: float
    lst: float
    sun: tuple[float, float]
    moon: tuple[float, float]
    min_altitude: float


def project(ra, dec):
    """ICRS degrees -> map units (x to the right, y up), origin at RA 12h, Dec 0."""
    lon = np.radians(180.0 - np.asarray(ra, dtype=float))
    lon = (lon + np.pi) % (2 * np.pi) - np.pi
    lat = np.radians(np.asarray(dec, dtype=float))
    d = np.sqrt(1 + np.cos(lat) * np.cos(lon / 2))
    return 2 * SQ2 * np.cos(lat) * np.sin(lon / 2) / d, SQ2 * np.sin(lat) / d


def unproject(x, y):
    """Map units -> (ra, dec) degrees, and a mask of the points inside the map's ellipse."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    inside = (x / (2 * SQ2)) ** 2 + (y / SQ2) ** 2 <= 1.0
    z = np.sqrt(np.clip(1 - (x / 4) ** 2 - (y / 2) ** 2, 0, None))
    lon = 2 * np.arctan2(z * x, 2 * (2 * z**2 - 1))
    lat = np.arcsin(np.clip(z * y, -1, 1))
    return (180.0 - np.degrees(lon)) % 360.0, np.degrees(lat), inside


def altitude(ra, dec, lst: float, latitude: float):
    """Altitude (degrees) of ICRS ``ra, dec`` for local sidereal time ``lst`` (degrees) at ``latitude``."""
    h = np.radians(lst - np.asarray(ra))
    d, phi = np.radians(dec), np.radians(latitude)
    return np.degrees(np.arcsin(np.sin(d) * np.sin(phi) + np.cos(d) * np.cos(phi) * np.cos(h)))


def circle(ra: float, dec: float, radius: float, n: int = 72):
    """Points (ra, dec arrays) of the small circle of ``radius`` degrees around ``ra, dec``."""
    t = np.linspace(0, 2 * np.pi, n)
    r, d0, a0 = np.radians(radius), np.radians(dec), np.radians(ra)
    sin_d = np.sin(d0) * np.cos(r) + np.cos(d0) * np.sin(r) * np.cos(t)
    d = np.arcsin(np.clip(sin_d, -1, 1))
    a = a0 + np.arctan2(np.sin(t) * np.sin(r) * np.cos(d0), np.cos(r) - np.sin(d0) * sin_d)
    return np.degrees(a) % 360.0, np.degrees(d)


def sky_now(site, when: datetime) -> SkyNow:
    """Sidereal time and Sun/Moon positions for ``site`` at ``when`` (astropy, offline; ~50 ms)."""
    import astropy.units as u
    from astropy.coordinates import get_body
    from astropy.time import Time

    import gcnmon.sky  # noqa: F401  (sets astropy's IERS tables offline before any transform)

    t = Time(when)
    loc = site.location
    lst = float(t.sidereal_time("apparent", longitude=site.longitude * u.deg).deg)
    # Keep GCRS (geocentric, ICRS-aligned axes): ``.icrs`` would move the origin to the solar-system
    # barycentre, and the direction of the Sun or the Moon from there is not what the site sees.
    sun = get_body("sun", t, loc)
    moon = get_body("moon", t, loc)
    return SkyNow(
        when=when,
        latitude=site.latitude,
        lst=lst,
        sun=(float(sun.ra.deg), float(sun.dec.deg)),
        moon=(float(moon.ra.deg), float(moon.dec.deg)),
        min_altitude=site.min_altitude,
    )
