"""Where the telescope is and where a target stands in its sky, with astropy, offline.

Shared by the policy (visibility verdicts) and the TCS drivers (the altitude check before a slew).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from astropy.utils import iers

# An observatory workstation may have no internet: never download IERS tables; the data that
# astropy-iers-data ships is enough for pointing (errors far below a degree).
iers.conf.auto_download = False
iers.conf.auto_max_age = None

import astropy.units as u  # noqa: E402
from astropy.coordinates import AltAz, EarthLocation, SkyCoord  # noqa: E402
from astropy.time import Time  # noqa: E402

__all__ = ["Site", "SITE_PRESETS", "altaz"]


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


def altaz(site: Site, ra: float, dec: float, when: datetime) -> tuple[float, float]:
    """Altitude and azimuth (degrees, azimuth from north through east) of ICRS ``ra, dec`` at ``when``."""
    frame = AltAz(obstime=Time(when), location=site.location)
    coord = SkyCoord(ra * u.deg, dec * u.deg, frame="icrs").transform_to(frame)
    return float(coord.alt.deg), float(coord.az.deg)
