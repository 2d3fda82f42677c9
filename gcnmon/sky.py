"""Where the telescope is and where a target stands in its sky, with astropy, offline.

Shared by the policy (visibility verdicts) and the TCS drivers (the altitude check before a slew).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from astropy.utils import iers

# An observatory workstation may have no internet: never download IERS tables; the data that
# astropy-iers-data ships is enough for pointing (errors far below a degree).
iers.conf.auto_download = False
iers.conf.auto_max_age = None

import astropy.units as u  # noqa: E402
from astropy.coordinates import AltAz, EarthLocation, SkyCoord  # noqa: E402
from astropy.time import Time  # noqa: E402

__all__ = [
    "Site",
    "SITE_PRESETS",
    "site_from_config",
    "site_number",
    "altaz",
    "unit_vectors",
    "altaz_matrices",
    "sun_moon_directions",
    "hour_angle",
    "airmass",
]


@dataclass(frozen=True)
class Site:
    """A telescope site: geodetic position and the lowest altitude the telescope may point at."""

    name: str
    latitude: float  # degrees, north positive
    longitude: float  # degrees, east positive
    height: float  # metres
    zenith_limit: float = 90.0  # degrees from zenith the telescope can reach

    @property
    def min_altitude(self) -> float:
        return 90.0 - self.zenith_limit

    @property
    def location(self) -> EarthLocation:
        return EarthLocation.from_geodetic(self.longitude * u.deg, self.latitude * u.deg, self.height * u.m)


#: SAO RAS telescopes. BTA: the 6-m alt-az, zenith distance limit 79 deg (its TCS warns
#: "Object Z > 79degr!"). Zeiss-1000: the 1-m, a few hundred metres away.
SITE_PRESETS = {
    "BTA": Site("BTA", 43.6468, 41.4405, 2070.0, 79.0),
    "Zeiss-1000": Site("Zeiss-1000", 43.6535, 41.4323, 2112.0, 75.0),
}


#: Keys of ``[site]``; ``night_sun_altitude`` is read by the visibility verdicts.
SITE_KEYS = frozenset({"preset", "name", "latitude", "longitude", "height", "zenith_limit", "night_sun_altitude"})


def site_number(key: str, value) -> float:
    from .config import ConfigError

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"[site]: {key} must be a number, not {value!r}")
    return float(value)


def site_from_config(section) -> Site:
    """``[site]``: a preset ("BTA", "Zeiss-1000"; "Zeiss" too, as the SAO monitor's Tel=) or explicit keys.

    The one site of a workstation: the dialog's visibility verdict and the TCS driver's altitude check
    both use it, so the observer is never told "observable" for a slew the driver then refuses.
    """
    from .config import ConfigError

    unknown = set(section) - SITE_KEYS
    if unknown:
        raise ConfigError(f"[site]: unknown key(s) {', '.join(sorted(unknown))}")
    preset = str(section.get("preset", "") or "")
    if preset:
        names = {name.lower(): name for name in SITE_PRESETS} | {"zeiss": "Zeiss-1000"}
        if preset.lower() not in names:
            raise ConfigError(f"[site]: preset {preset!r} is not one of {', '.join(SITE_PRESETS)}")
        return SITE_PRESETS[names[preset.lower()]]
    missing = [k for k in ("latitude", "longitude") if k not in section]
    if missing:
        raise ConfigError(f"[site]: preset is empty, so {' and '.join(missing)} must be given")
    lat, lon = (site_number(k, section[k]) for k in ("latitude", "longitude"))
    limit = site_number("zenith_limit", section.get("zenith_limit", 90.0))
    if not (-90 <= lat <= 90 and -180 <= lon <= 360 and 0 < limit <= 90):
        raise ConfigError(f"[site]: latitude {lat}, longitude {lon} or zenith_limit {limit} out of range")
    height = site_number("height", section.get("height", 0.0))
    return Site(str(section.get("name") or "site"), lat, lon, height, limit)


def altaz(site: Site, ra: float, dec: float, when: datetime) -> tuple[float, float]:
    """Altitude and azimuth (degrees, azimuth from north through east) of ICRS ``ra, dec`` at ``when``."""
    frame = AltAz(obstime=Time(when), location=site.location)
    coord = SkyCoord(ra * u.deg, dec * u.deg, frame="icrs").transform_to(frame)
    return float(coord.alt.deg), float(coord.az.deg)


def unit_vectors(ra, dec) -> np.ndarray:
    """Cartesian unit vectors (..., 3) of directions ``ra, dec`` in degrees."""
    ra, dec = np.radians(ra), np.radians(dec)
    return np.stack([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)], axis=-1)


def altaz_matrices(site: Site, times: Time) -> np.ndarray:
    """Matrices (N, 3, 3) turning an ICRS unit vector into an AltAz one at each of ``times``.

    astropy is slow per call but fast per element: ONE vectorised transform of the three ICRS axes
    gives the whole night; a target's altitude curve is then a matrix product. Aberration makes the
    true transform differ from a linear map by under 0.01 degree.
    """
    frame = AltAz(obstime=times[:, None], location=site.location)
    axes = SkyCoord(ra=[0.0, 90.0, 0.0] * u.deg, dec=[0.0, 0.0, 90.0] * u.deg)[None, :].transform_to(frame)
    # columns: where each ICRS axis lands, as (x north, y east, z up) with azimuth from north to east
    return np.swapaxes(unit_vectors(axes.az.deg, axes.alt.deg), 1, 2)


def sun_moon_directions(site: Site, times: Time) -> tuple[np.ndarray, np.ndarray]:
    """Apparent unit vectors (N, 3) of the Sun (geocentric) and the Moon (topocentric) at ``times``."""
    from astropy.coordinates import get_body

    sun = get_body("sun", times)
    moon = get_body("moon", times, site.location)
    return unit_vectors(sun.ra.deg, sun.dec.deg), unit_vectors(moon.ra.deg, moon.dec.deg)


def hour_angle(site: Site, alt: float, az: float) -> float:
    """Hour angle in hours (-12..12, west positive) of the direction ``alt, az`` seen from ``site``."""
    h, a, phi = np.radians(alt), np.radians(az), np.radians(site.latitude)
    ha = np.arctan2(-np.sin(a) * np.cos(h), np.sin(h) * np.cos(phi) - np.cos(h) * np.cos(a) * np.sin(phi))
    return float(np.degrees(ha) / 15.0)


def airmass(alt: float) -> float | None:
    """Kasten & Young (1989) relative air mass at altitude ``alt`` degrees; None below the horizon."""
    if alt <= 0:
        return None
    z = 90.0 - alt
    return float(1.0 / (np.cos(np.radians(z)) + 0.50572 * (96.07995 - z) ** -1.6364))
