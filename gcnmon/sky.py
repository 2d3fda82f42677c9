"""THE sky module: where the telescope is and where anything stands in its sky, with astropy, offline.

Everyone who needs an altitude asks here: the TCS drivers' altitude check before a slew, the policy's
visibility verdict, the sky map's shading and horizon, the plan of a sky map (probability above the
limit now and tonight) and the night curve. One answer for all, so the dialog never says "observable"
for a slew the driver then refuses, and the map's horizon is the one the verdict used.

How: astropy is slow per call (~9 ms for one AltAz transform) but fast per element. ``frame`` turns
the three ICRS axes into AltAz once for an instant; any number of directions then take the annual
aberration and a matrix product (precession, nutation, polar motion: within 0.001 deg of astropy's
AltAz, no refraction). ``Grid`` does
that for a whole day at 3-minute steps, cached per site and day, and rotates about the pole for the
seconds in between, so a verdict or 100,000 HEALPix pixels cost microseconds to milliseconds, not an
astropy transform each (README, "The GUI inside"). tests/test_sky.py checks all of it against
astropy's own AltAz.
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime

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
    "Grid",
    "SkyNow",
    "grid",
    "Frame",
    "frame",
    "apparent",
    "night",
    "Tonight",
    "tonight",
    "sky_now",
    "to_icrs",
    "Site",
    "SITE_PRESETS",
    "site_from_config",
    "site_number",
    "altaz",
    "to_angles",
    "crossings",
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
SITE_KEYS = frozenset(
    {"preset", "name", "latitude", "longitude", "height", "zenith_limit", "night_sun_altitude"}
)


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
    from .config import section_defaults

    height = site_number("height", section.get("height", section_defaults("site")["height"]))
    return Site(str(section.get("name") or "site"), lat, lon, height, limit)


log = logging.getLogger(__name__)

DAY = 86400.0
STEP = 180.0  # grid step (seconds): 0.75 deg of Earth rotation; the rotation in between is exact
COARSE = 1800.0  # the Sun and the Moon move slowly: computed every 30 min and interpolated
SIDEREAL = np.radians(360.98564736629 / DAY)  # Earth's rotation, radians per (UT) second


def unit_vectors(ra, dec) -> np.ndarray:
    """Cartesian unit vectors (..., 3) of directions ``ra, dec`` in degrees."""
    ra, dec = np.radians(ra), np.radians(dec)
    return np.stack([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)], axis=-1)


def to_angles(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(longitude 0..360, latitude) in degrees of unit vectors (..., 3): the inverse of ``unit_vectors``."""
    v = np.asarray(vectors, dtype=float)
    lon = np.degrees(np.arctan2(v[..., 1], v[..., 0])) % 360.0
    return lon, np.degrees(np.arctan2(v[..., 2], np.hypot(v[..., 0], v[..., 1])))


def earth_velocity(times: Time) -> np.ndarray:
    """The Earth's barycentric velocity in units of c (..., 3): what annual aberration is made of."""
    from astropy.constants import c
    from astropy.coordinates import get_body_barycentric_posvel

    _, vel = get_body_barycentric_posvel("earth", times)
    return np.moveaxis((vel.xyz / c).to_value(u.one), 0, -1)


def apparent(vectors: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """ICRS unit vectors moved by annual aberration (first order in ``beta``: error ~1e-8 rad)."""
    v = np.asarray(vectors, dtype=float) + beta
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def altaz_matrices(site: Site, times: Time, beta: np.ndarray) -> np.ndarray:
    """Rotations (N, 3, 3) turning ``apparent(v, beta)`` into AltAz unit vectors at each of ``times``.

    ONE vectorised astropy transform of the three ICRS axes gives all the instants; any direction is
    then a matrix product. Aberration (20") is not a rotation, so it is taken out first: the matrix
    maps the aberrated axes onto where astropy puts them. AltAz vectors are (x north, y east, z up),
    so azimuth runs from north through east. Diurnal aberration (0.3") and light bending are left out.
    """
    frame = AltAz(obstime=times[:, None], location=site.location)
    axes = SkyCoord(ra=[0.0, 90.0, 0.0] * u.deg, dec=[0.0, 0.0, 90.0] * u.deg)[None, :].transform_to(frame)
    seen = np.swapaxes(unit_vectors(axes.az.deg, axes.alt.deg), 1, 2)  # columns: images of the axes
    moved = np.swapaxes(apparent(np.eye(3), beta), 0, 1)  # columns: the aberrated axes
    # the nearest true rotation (polar decomposition): what is left is ~1e-7, light bending and
    # rounding, but a non-unit "up" of 1 - 1e-7 would read as an altitude of 89.97 at the zenith
    left, _, right = np.linalg.svd(seen @ np.linalg.inv(moved))
    return left @ right


@dataclass(frozen=True, eq=False)
class Frame:
    """ICRS -> AltAz of a site at one instant: ``beta`` (aberration) then ``matrix`` (a rotation)."""

    matrix: np.ndarray
    beta: np.ndarray

    def up(self, vectors: np.ndarray) -> np.ndarray:
        """AltAz unit vectors (..., 3) of ICRS unit ``vectors`` (..., 3)."""
        return apparent(vectors, self.beta) @ self.matrix.T

    def altaz(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(altitude, azimuth) in degrees of ICRS unit ``vectors`` (..., 3)."""
        az, alt = to_angles(self.up(vectors))
        return alt, az

    def to_icrs(self, up: np.ndarray) -> np.ndarray:
        """ICRS unit vectors of AltAz unit vectors ``up`` (the inverse, to first order in beta)."""
        return apparent(np.asarray(up) @ np.linalg.inv(self.matrix).T, -self.beta)


def frame(site: Site, when: datetime) -> Frame:
    """The ``Frame`` of ``site`` at the instant ``when`` (two astropy calls, ~15 ms)."""
    t = Time([_aware(when)])
    beta = earth_velocity(t)[0]
    return Frame(altaz_matrices(site, t, beta)[0], beta)


def altaz(site: Site, ra: float, dec: float, when: datetime) -> tuple[float, float]:
    """Altitude and azimuth (degrees, azimuth from north through east) of ICRS ``ra, dec`` at ``when``.

    The TCS drivers' altitude check: exact at the instant (no grid), the same transform as ``Grid``.
    """
    alt, az = frame(site, when).altaz(unit_vectors(ra, dec))
    return float(alt), float(az)


def to_icrs(site: Site, when: datetime, alt, az) -> tuple[np.ndarray, np.ndarray]:
    """ICRS (ra, dec) degrees of the directions ``alt, az`` seen from ``site`` at ``when`` (the zenith...)."""
    return to_angles(frame(site, when).to_icrs(unit_vectors(az, alt)))


def sun_moon_directions(site: Site, times: Time) -> tuple[np.ndarray, np.ndarray]:
    """Apparent unit vectors (N, 3) of the Sun (geocentric) and the Moon (topocentric) at ``times``."""
    from astropy.coordinates import get_body

    sun = get_body("sun", times)
    moon = get_body("moon", times, site.location)
    return unit_vectors(sun.ra.deg, sun.dec.deg), unit_vectors(moon.ra.deg, moon.dec.deg)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _interp_vectors(t, tp: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    out = np.stack([np.interp(t, tp, vectors[:, k]) for k in range(3)], axis=-1)
    return out / np.linalg.norm(out, axis=-1, keepdims=True)


def _altitude(z: np.ndarray) -> np.ndarray:
    return np.degrees(np.arcsin(np.clip(z, -1.0, 1.0)))


@dataclass(frozen=True, eq=False)
class Grid:
    """Two days of a site's sky from the local mean noon before an instant, at ``STEP`` seconds.

    ``times`` (unix s), ``matrices`` (rotations after aberration, as in ``Frame``), ``beta`` (the
    Earth's velocity of each day, its change over a day moves a star by < 0.5"), ``sun_alt``
    (degrees), ``sun`` and ``moon`` (apparent unit vectors). Covers the whole coming night of any
    instant in its first day.
    """

    site: Site
    times: np.ndarray
    matrices: np.ndarray
    betas: tuple[np.ndarray, np.ndarray]
    sun_alt: np.ndarray
    sun: np.ndarray
    moon: np.ndarray

    @property
    def _split(self) -> int:
        return len(self.times) // 2

    def frame(self, ts: float) -> Frame:
        """The ``Frame`` at ``ts`` (unix seconds inside the grid), from the nearest grid step.

        At ``ts`` the sky stands as it did at grid time ``ti`` for a target ``SIDEREAL * (ts - ti)``
        further east, so the turn is applied to the target instead of a new astropy call. Turning about
        the ICRS pole instead of the pole of date (~0.4 deg apart) errs by that angle times the
        <= 0.38 deg turn: under 0.003 deg.
        """
        times = self.times
        i = int(np.clip(np.searchsorted(times, ts), 1, len(times) - 1))
        i -= ts - times[i - 1] < times[i] - ts
        turn = -SIDEREAL * (ts - times[i])
        c, s = np.cos(turn), np.sin(turn)
        rotation = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        return Frame(self.matrices[i] @ rotation, self.betas[int(i >= self._split)])

    def altaz(self, vectors: np.ndarray, ts: float) -> tuple[np.ndarray, np.ndarray]:
        """(altitude, azimuth) degrees of ICRS unit ``vectors`` (..., 3) at ``ts``."""
        return self.frame(ts).altaz(vectors)

    def altitudes(self, vectors: np.ndarray, index=slice(None)) -> np.ndarray:
        """Altitude curves (len(times[index]), ...) in degrees of ICRS unit ``vectors`` (..., 3)."""
        rows = np.arange(len(self.times))[index]
        out = np.empty((len(rows),) + np.shape(vectors)[:-1])
        for half, beta in enumerate(self.betas):
            pick = (rows >= self._split) == bool(half)
            if pick.any():
                up_z = self.matrices[rows[pick], 2, :]  # only the "up" row matters for an altitude
                out[pick] = _altitude(np.tensordot(up_z, apparent(vectors, beta), axes=([1], [-1])))
        return out

    def above(self, vectors: np.ndarray, altitude: float, index=slice(None)) -> np.ndarray:
        """Booleans (len(times[index]), ...): ICRS unit ``vectors`` above ``altitude`` deg at each time.

        The cheap form of ``altitudes(...) >= altitude`` (no arcsine) for many pixels at many times.
        """
        rows = np.arange(len(self.times))[index]
        out = np.empty((len(rows),) + np.shape(vectors)[:-1], dtype=bool)
        limit = math.sin(math.radians(altitude))
        for half, beta in enumerate(self.betas):
            pick = (rows >= self._split) == bool(half)
            if pick.any():
                up_z = self.matrices[rows[pick], 2, :]
                out[pick] = np.tensordot(up_z, apparent(vectors, beta), axes=([1], [-1])) >= limit
        return out

    def sun_altitude(self, ts: float) -> float:
        return float(np.interp(ts, self.times, self.sun_alt))

    def sun_vector(self, ts: float) -> np.ndarray:
        return _interp_vectors(ts, self.times, self.sun)

    def moon_vector(self, ts: float) -> np.ndarray:
        return _interp_vectors(ts, self.times, self.moon)

    @property
    def moon_alt(self) -> np.ndarray:
        """The Moon's (topocentric, apparent) altitude at each grid time, degrees."""
        return _altitude(np.einsum("nj,nj->n", self.matrices[:, 2, :], self.moon))

    def night(self, ts: float, sun_altitude: float = -12.0) -> tuple[float, float] | None:
        """(start, end) unix s of the night in progress at ``ts`` or, by day, of the next one; None if none.

        Night: the Sun below ``sun_altitude`` (the site's ``night_sun_altitude``). Started at ``ts``
        when it is night already; ends at the grid's end if the Sun never rises (polar night).
        """
        later = self.times > ts
        t = np.concatenate([[ts], self.times[later]])
        dark = sun_altitude - np.concatenate([[self.sun_altitude(ts)], self.sun_alt[later]])
        edges = crossings(t, dark)
        if dark[0] >= 0:
            return ts, next((c for c, up in edges if not up), float(t[-1]))
        start = next((c for c, up in edges if up), None)
        if start is None:
            return None
        return start, next((c for c, up in edges if not up and c > start), float(t[-1]))


def crossings(t: np.ndarray, f: np.ndarray) -> list[tuple[float, bool]]:
    """Times where ``f`` changes sign, linearly interpolated, with True for upward (to >= 0)."""
    ok = f >= 0
    idx = np.nonzero(ok[1:] != ok[:-1])[0]
    frac = f[idx] / (f[idx] - f[idx + 1])
    return [(float(t[i] + (t[i + 1] - t[i]) * x), bool(ok[i + 1])) for i, x in zip(idx, frac, strict=True)]


@functools.lru_cache(maxsize=8)
def _day(site: Site, start: float) -> tuple[np.ndarray, ...]:
    """One day from ``start`` (unix s): times, AltAz matrices, Sun altitude, Sun and Moon vectors."""
    times = start + np.arange(0.0, DAY, STEP)
    coarse = start + np.arange(0.0, DAY + COARSE / 2, COARSE)
    beta = earth_velocity(Time(start + DAY / 2, format="unix", scale="utc"))
    matrices = altaz_matrices(site, Time(times, format="unix", scale="utc"), beta)
    sun_c, moon_c = sun_moon_directions(site, Time(coarse, format="unix", scale="utc"))
    sun = _interp_vectors(times, coarse, sun_c)
    moon = _interp_vectors(times, coarse, moon_c)
    # Sun and Moon vectors are apparent already (astropy's get_body): the rotation alone places them
    sun_alt = _altitude(np.einsum("nj,nj->n", matrices[:, 2, :], sun))
    log.debug("sky grid for %s from %s computed", site.name, start)
    return times, matrices, beta, sun_alt, sun, moon


@functools.lru_cache(maxsize=8)
def _grid(site: Site, first: float) -> Grid:
    days = [_day(site, first), _day(site, first + DAY)]
    times, matrices, sun_alt, sun, moon = (np.concatenate([d[k] for d in days]) for k in (0, 1, 3, 4, 5))
    return Grid(site, times, matrices, (days[0][2], days[1][2]), sun_alt, sun, moon)


def grid(site: Site, when: datetime | float) -> Grid:
    """The cached ``Grid`` that covers ``when`` and the night after it (~0.3 s the first time per day)."""
    ts = when if isinstance(when, (int, float)) else _aware(when).timestamp()
    offset = DAY / 2 - site.longitude * 240.0  # local mean noon
    return _grid(site, float(np.floor((ts - offset) / DAY) * DAY + offset))


def night(site: Site, when: datetime, sun_altitude: float = -12.0) -> tuple[datetime, datetime] | None:
    """(start, end) as UTC datetimes of the night in progress at ``when`` or the next one; None if none."""
    span = grid(site, when).night(_aware(when).timestamp(), sun_altitude)
    if span is None:
        return None
    return tuple(datetime.fromtimestamp(round(x), tz=UTC) for x in span)


@dataclass(frozen=True, eq=False)
class SkyNow:
    """The site's sky at one instant (for the sky map): where things are, all ICRS degrees.

    ``zenith`` is the ICRS direction straight up (its RA is the local meridian's, where the map is
    centred); ``frame`` is the very transform of the verdicts, used for the map's shading.
    """

    when: datetime
    latitude: float
    zenith: tuple[float, float]
    sun: tuple[float, float]
    moon: tuple[float, float]
    min_altitude: float
    frame: Frame

    @property
    def lst(self) -> float:
        """The local meridian's ICRS right ascension (degrees)."""
        return self.zenith[0]

    def altitude(self, ra, dec) -> np.ndarray:
        """Altitude (degrees) of ICRS ``ra, dec`` (arrays welcome) now."""
        return self.frame.altaz(unit_vectors(ra, dec))[0]


def sky_now(site: Site, when: datetime) -> SkyNow:
    """The sky of ``site`` at ``when``: zenith, Sun, Moon, transform (~50 ms: astropy's Sun and Moon)."""
    when = _aware(when)
    f = frame(site, when)
    zra, zdec = to_angles(f.to_icrs(np.array([0.0, 0.0, 1.0])))
    sun, moon = sun_moon_directions(site, Time([when]))
    # apparent vectors: place them by the rotation alone, back to "ICRS" through the same frame
    (sra, sdec), (mra, mdec) = (to_angles(f.to_icrs(v[0] @ f.matrix.T)) for v in (sun, moon))
    return SkyNow(
        when, site.latitude, (float(zra), float(zdec)), (float(sra), float(sdec)), (float(mra), float(mdec)),
        site.min_altitude, f,
    )  # fmt: skip


@dataclass(frozen=True, eq=False)
class Tonight:
    """A target's night at a site, for the night curve: one row per grid step (``STEP`` seconds).

    ``times`` (unix s) span the night from an hour before sunset to an hour after sunrise (a whole day
    when the Sun never sets); ``alt``, ``moon_alt`` and ``sun_alt`` are degrees at those times;
    ``night`` is (start, end) unix s of the Sun below ``sun_altitude`` (None: no such night).
    """

    site: Site
    times: np.ndarray
    alt: np.ndarray
    moon_alt: np.ndarray
    sun_alt: np.ndarray
    night: tuple[float, float] | None
    sun_altitude: float

    def at(self, ts: float) -> tuple[float, float | None]:
        """(altitude, air mass or None) of the target at ``ts``, interpolated between the steps."""
        alt = float(np.interp(ts, self.times, self.alt))
        return alt, airmass(alt)


def tonight(site: Site, ra: float, dec: float, when: datetime | float,
            sun_altitude: float = -12.0) -> Tonight:
    """The night in progress at ``when`` or, by day, the coming one, for ICRS ``ra, dec`` (~1 ms once the
    day's ``Grid`` is cached): the very altitudes of the verdict, every ``STEP`` seconds."""
    ts = when if isinstance(when, (int, float)) else _aware(when).timestamp()
    g = grid(site, ts)
    half = len(g.times) // 2  # the grid is two noon-to-noon days: pick the one whose night it is
    rows = _night_rows(g, 0, half)
    if ts > g.times[rows.stop - 1]:  # this morning's night is over: tonight is in the second day
        rows = _night_rows(g, half, len(g.times))
    alt = g.altitudes(unit_vectors(ra, dec), rows)
    span = g.night(float(g.times[rows.start]), sun_altitude)
    if span is not None and span[0] > g.times[rows.stop - 1]:
        span = None
    return Tonight(site, g.times[rows], alt, g.moon_alt[rows], g.sun_alt[rows], span, sun_altitude)


def _night_rows(g: Grid, first: int, last: int) -> slice:
    """Rows ``first:last`` of a grid day cut to an hour either side of the Sun below the horizon."""
    dark = np.nonzero(g.sun_alt[first:last] < 0.0)[0]
    if not len(dark):
        return slice(first, last)
    pad = int(3600 / STEP)
    return slice(first + max(0, dark[0] - pad), first + min(last - first, dark[-1] + 1 + pad))


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
