"""Localisation regions: a circle, an ellipse, a polygon or a HEALPix multi-order sky map.

Every region answers the same questions: its 90 % credible area, a representative direction (a map's
most probable pixel), whether directions are inside its p-credible region, and a ``sample``: unit
vectors with probabilities, what the plan (probability above the limit, best fields) integrates over.
Pixel geometry is astropy-healpix's (C, NESTED indexing); FITS is read by astropy.io.fits.

Circles and ellipses are 2-D Gaussians whose ``containment`` contour is the given radius or ellipse
(so a 68 % GBM circle has a 90 % area 2.3 times its own). Where a notice does not say the
containment, it is the mission's documented one (``MISSION_CONTAINMENT``) or unknown (``None``: the
circle is then taken as the 90 % region for the plan, and its ``area90`` is reported as unknown).
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

__all__ = [
    "Region", "Circle", "Ellipse", "Polygon", "HealpixMap", "RegionError", "Sample",
    "MISSION_CONTAINMENT", "SQDEG", "circle_for", "warm_up", "position_size", "better_position", "from_json",
    "healpix_from_bytes", "healpix_from_base64", "region_dict",
]  # fmt: skip

SQDEG = (180.0 / math.pi) ** 2  # square degrees per steradian
SAMPLE_SHARE = 0.999  # a map's sample: its most probable pixels holding this much (the rest: its tail)
MAX_SAMPLE_ORDER = 11  # HEALPix order of the finest sampling of an analytic region (1.7' pixels)

#: Containment of a notice's circle when the notice itself does not say (VOEvent ``Error2Radius``).
#: Swift BAT/XRT/UVOT: "90% containment" (GCN Swift notice docs); Fermi GBM: 1-sigma statistical
#: only (GCN GBM docs), i.e. 68 % of a 2-D Gaussian is 1.51 sigma, taken as 0.68 here as GCN writes it;
#: INTEGRAL IBAS: 90 %. gcn-schema JSON: ``containment_probability``, default 0.9 (Localization schema).
MISSION_CONTAINMENT = {
    ("Swift", "BAT"): 0.9, ("Swift", "XRT"): 0.9, ("Swift", "UVOT"): 0.9,
    ("Fermi", "GBM"): 0.68, ("INTEGRAL", None): 0.9,
}  # fmt: skip
JSON_DEFAULT_CONTAINMENT = 0.9


class RegionError(ValueError):
    """A localisation could not be read (one line): the notice goes on without a region."""


@dataclass(frozen=True, eq=False)
class Sample:
    """A region as pixels: ICRS unit ``vectors`` (N, 3), ``prob`` (N,) summing to 1, ``area`` (N,) sr."""

    vectors: np.ndarray
    prob: np.ndarray
    area: np.ndarray


def _unit(ra, dec) -> np.ndarray:
    ra, dec = np.radians(ra), np.radians(dec)
    return np.stack([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)], axis=-1)


def _angles(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon = np.degrees(np.arctan2(v[..., 1], v[..., 0])) % 360.0
    return lon, np.degrees(np.arctan2(v[..., 2], np.hypot(v[..., 0], v[..., 1])))


def _separation(ra1, dec1, ra2, dec2) -> np.ndarray:
    """Angular distance in degrees (haversine: exact at arcsecond scales)."""
    a1, d1, a2, d2 = (np.radians(x) for x in (ra1, dec1, ra2, dec2))
    h = np.sin((d2 - d1) / 2) ** 2 + np.cos(d1) * np.cos(d2) * np.sin((a2 - a1) / 2) ** 2
    return np.degrees(2 * np.arcsin(np.sqrt(np.clip(h, 0, 1))))


def _offsets(ra0: float, dec0: float, ra, dec) -> tuple[np.ndarray, np.ndarray]:
    """Gnomonic (tangent-plane) offsets in degrees of ``ra, dec`` around ``ra0, dec0``: east, north."""
    a, d, a0, d0 = np.radians(ra), np.radians(dec), math.radians(ra0), math.radians(dec0)
    cos_c = np.sin(d0) * np.sin(d) + np.cos(d0) * np.cos(d) * np.cos(a - a0)
    cos_c = np.where(cos_c > 1e-6, cos_c, np.nan)  # the far hemisphere has no tangent-plane image
    x = np.cos(d) * np.sin(a - a0) / cos_c
    y = (np.cos(d0) * np.sin(d) - np.sin(d0) * np.cos(d) * np.cos(a - a0)) / cos_c
    return np.degrees(x), np.degrees(y)


def _chi2_radius(p: float) -> float:
    """k with P(r < k sigma) = p for a 2-D Gaussian (Rayleigh): sqrt(-2 ln(1 - p))."""
    return math.sqrt(-2.0 * math.log1p(-min(max(p, 1e-9), 1 - 1e-12)))


class Region:
    """Common interface; see the module docstring."""

    kind: str = "?"
    containment: float | None = None

    @property
    def ra(self) -> float:
        raise NotImplementedError

    @property
    def dec(self) -> float:
        raise NotImplementedError

    @property
    def area90(self) -> float | None:
        """The 90 % credible area in square degrees (None when the containment is unknown)."""
        raise NotImplementedError

    def level(self, ra, dec) -> np.ndarray:
        """The credible level of each direction: the smallest p whose p-region holds it (0..1)."""
        raise NotImplementedError

    def contains(self, ra, dec, p: float = 0.9) -> np.ndarray:
        """Whether each direction lies in the ``p`` credible region."""
        return np.asarray(self.level(ra, dec)) <= p

    @property
    def sample(self) -> Sample:
        raise NotImplementedError

    @property
    def size(self) -> float:
        """A rough radius in degrees (for choosing the sampling and whether a field covers it all)."""
        area = self.area90 or 0.0
        return math.sqrt(max(area, 1e-12) / math.pi)

    def extent(self, p: float = 0.9) -> float:
        """The largest distance (deg) from the representative direction to the ``p`` region's edge."""
        return self.size

    def better_than(self, other: Region | None) -> bool:
        """Whether this localisation improves on ``other``: a 90 % area at least 10 % smaller.

        For the arbiter: a refinement whose area shrinks is a better position. A region of known
        area beats one of unknown area or none; unknown never beats known.
        """
        if other is None:
            return True
        mine, theirs = self.area90, other.area90
        if mine is None:
            return False
        return theirs is None or mine < 0.9 * theirs

    def as_dict(self) -> dict:
        """The ``region`` object of ``gcnmon parse --json``."""
        return {
            "kind": self.kind,
            "area90": None if self.area90 is None else round(self.area90, 6),
            "containment": self.containment,
        }


def _disc_sample(ra: float, dec: float, radius: float, weight) -> Sample:
    """HEALPix pixels within ``radius`` deg of ``ra, dec``, probability ∝ ``weight(ra, dec)`` * area."""
    from astropy import units as u
    from astropy_healpix import HEALPix

    # about 2,000 pixels across the disc: fine enough for fields, cheap enough for every alert
    pixel = max(radius * math.sqrt(math.pi / 2000.0), 0.0)
    order = int(np.clip(math.floor(math.log2(58.6 / max(pixel, 1e-6))), 0, MAX_SAMPLE_ORDER))
    hp = HEALPix(nside=2**order, order="nested")
    ipix = hp.cone_search_lonlat(ra * u.deg, dec * u.deg, radius=min(radius, 180.0) * u.deg)
    if len(ipix) == 0:
        ipix = hp.lonlat_to_healpix(ra * u.deg, dec * u.deg).reshape(1)
    lon, lat = hp.healpix_to_lonlat(ipix)
    pra, pdec = lon.to_value(u.deg), lat.to_value(u.deg)
    w = np.nan_to_num(np.asarray(weight(pra, pdec), dtype=float))
    if not w.sum() > 0:  # a region smaller than one pixel: all of it in the pixel it falls in
        pra, pdec, w = np.array([ra]), np.array([dec]), np.ones(1)
    area = np.full(len(w), hp.pixel_area.to_value(u.sr))
    return Sample(_unit(pra, pdec), w / w.sum(), area)


@dataclass(frozen=True)
class Ellipse(Region):
    """A 2-D Gaussian whose ``containment`` contour has semi-axes ``a >= b`` (deg), PA east of north."""

    ra_: float
    dec_: float
    a: float
    b: float
    pa: float = 0.0
    containment: float | None = None
    url: str | None = None  # a map only linked (``healpix_url``): recorded, not fetched
    kind: str = field(default="ellipse", init=False)

    @property
    def ra(self) -> float:
        return self.ra_

    @property
    def dec(self) -> float:
        return self.dec_

    @property
    def _p(self) -> float:
        return self.containment if self.containment is not None else 0.9

    def _sigmas(self) -> tuple[float, float]:
        k = _chi2_radius(self._p)
        return self.a / k, self.b / k

    @property
    def area90(self) -> float | None:
        if self.containment is None:
            return None
        sa, sb = self._sigmas()
        k90 = _chi2_radius(0.9)
        if self.a != self.b and max(sa, sb) * k90 < 5.0:  # flat sky: pi a b
            return math.pi * sa * sb * k90**2
        # large: the spherical cap of the same flat area's radius (a circle's exact area when a == b)
        r = math.radians(math.sqrt(sa * sb) * k90)
        return 2 * math.pi * (1 - math.cos(min(r, math.pi))) * SQDEG

    def _mahalanobis(self, ra, dec) -> np.ndarray:
        sa, sb = self._sigmas()
        if self.a == self.b:  # a circle: exact great-circle distance at any size
            return _separation(self.ra_, self.dec_, ra, dec) / sa
        east, north = _offsets(self.ra_, self.dec_, ra, dec)
        t = math.radians(self.pa)  # position angle: from north through east
        major = north * math.cos(t) + east * math.sin(t)
        minor = -north * math.sin(t) + east * math.cos(t)
        return np.nan_to_num(np.hypot(major / sa, minor / sb), nan=np.inf)

    def level(self, ra, dec) -> np.ndarray:
        m = self._mahalanobis(ra, dec)
        return 1.0 - np.exp(-0.5 * m**2)

    @property
    def size(self) -> float:
        return self.a * _chi2_radius(0.9) / _chi2_radius(self._p)

    def extent(self, p: float = 0.9) -> float:
        return self.a * _chi2_radius(p) / _chi2_radius(self._p)

    @cached_property
    def sample(self) -> Sample:
        radius = self.size * _chi2_radius(0.999) / _chi2_radius(0.9)  # out to 99.9 %
        return _disc_sample(self.ra_, self.dec_, radius, lambda r, d: np.exp(-0.5 * self._mahalanobis(r, d) ** 2))  # noqa: E501

    def as_dict(self) -> dict:
        out = {**super().as_dict(), "semi_major": self.a, "semi_minor": self.b, "pa": self.pa}
        return out | ({"healpix_url": self.url} if self.url else {})


@dataclass(frozen=True)
class Circle(Ellipse):
    """A circle of ``radius`` (deg) holding ``containment`` of a 2-D Gaussian."""

    kind: str = field(default="circle", init=False)

    @classmethod
    def of(cls, ra: float, dec: float, radius: float, containment: float | None, url=None) -> Circle:
        return cls(ra % 360.0, dec, radius, radius, 0.0, containment, url)

    @property
    def radius(self) -> float:
        return self.a

    def as_dict(self) -> dict:
        return {**Region.as_dict(self), "radius": self.a} | ({"healpix_url": self.url} if self.url else {})


@dataclass(frozen=True)
class Polygon(Region):
    """A region bounded by great-circle edges through ``vertices`` ((ra, dec) deg), uniform inside.

    MAXI's rectangles and corner lists. The polygon is taken as the ``containment`` (90 % when not
    said) region: its area is the 90 % area, its centroid the representative direction.
    """

    vertices: tuple[tuple[float, float], ...]
    containment: float | None = None
    kind: str = field(default="polygon", init=False)

    def __post_init__(self):
        if len(self.vertices) < 3:
            raise RegionError(f"a polygon needs 3 corners or more, not {len(self.vertices)}")

    @cached_property
    def _centre(self) -> tuple[float, float]:
        v = _unit(*np.array(self.vertices, dtype=float).T).sum(axis=0)
        ra, dec = _angles(v / np.linalg.norm(v))
        return float(ra), float(dec)

    @property
    def ra(self) -> float:
        return self._centre[0]

    @property
    def dec(self) -> float:
        return self._centre[1]

    @cached_property
    def _plane(self) -> tuple[np.ndarray, np.ndarray]:
        ra, dec = np.array(self.vertices, dtype=float).T
        x, y = _offsets(*self._centre, ra, dec)
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise RegionError("polygon wider than a hemisphere")
        return x, y

    def _inside(self, ra, dec) -> np.ndarray:
        """Even-odd rule in the tangent plane (great circles are straight lines there)."""
        px, py = _offsets(*self._centre, np.asarray(ra, dtype=float), np.asarray(dec, dtype=float))
        x, y = self._plane
        inside = np.zeros(np.shape(px), dtype=bool)
        for i in range(len(x)):
            x1, y1, x2, y2 = x[i - 1], y[i - 1], x[i], y[i]
            with np.errstate(invalid="ignore", divide="ignore"):
                cross = ((y1 > py) != (y2 > py)) & (px < (x2 - x1) * (py - y1) / (y2 - y1) + x1)
            inside ^= np.nan_to_num(cross, nan=0).astype(bool)
        return inside

    def level(self, ra, dec) -> np.ndarray:
        return np.where(self._inside(ra, dec), self.containment or 0.9, 1.0)

    @cached_property
    def _area(self) -> float:
        """Spherical polygon area (sr) from the tangent-plane shape: exact for great-circle edges."""
        # Girard: the sum of the spherical angles minus (n - 2) pi, via the unit vectors of the corners
        v = _unit(*np.array(self.vertices, dtype=float).T)
        n = len(v)
        total = 0.0
        for i in range(n):
            a, b, c = v[i - 1], v[i], v[(i + 1) % n]
            t1, t2 = np.cross(b, a), np.cross(b, c)
            angle = math.atan2(float(np.dot(np.cross(t1, t2), b)), float(np.dot(t1, t2)))
            total += angle % (2 * math.pi)
        excess = total - (n - 2) * math.pi
        return min(abs(excess), 4 * math.pi - abs(excess))

    @property
    def area90(self) -> float | None:
        return self._area * SQDEG

    @property
    def size(self) -> float:
        ra, dec = np.array(self.vertices, dtype=float).T
        return float(_separation(self.ra, self.dec, ra, dec).max())

    @cached_property
    def sample(self) -> Sample:
        return _disc_sample(self.ra, self.dec, self.size, lambda r, d: self._inside(r, d).astype(float))

    def as_dict(self) -> dict:
        return {**super().as_dict(), "vertices": [list(v) for v in self.vertices]}


@dataclass(frozen=True, eq=False)
class HealpixMap(Region):
    """A multi-order HEALPix map: ``uniq`` pixels with ``density`` (probability per steradian).

    ``source`` names where it came from (``event.skymap``, ``external_coinc.combined_skymap``,
    ``healpix_file`` or a file name); ``also`` keeps another map of the notice (the GW-only map when
    the combined one is used).
    """

    uniq: np.ndarray = field(repr=False)
    density: np.ndarray = field(repr=False)
    source: str = ""
    also: HealpixMap | None = field(default=None, repr=False)
    kind: str = field(default="healpix", init=False)
    containment: float | None = field(default=None, init=False)

    def __eq__(self, other) -> bool:  # the same map read twice is the same map
        if not isinstance(other, HealpixMap) or (self.source, self.also) != (other.source, other.also):
            return False
        return np.array_equal(self.uniq, other.uniq) and np.array_equal(self.density, other.density)

    def __hash__(self) -> int:
        return hash((self.source, len(self.uniq), float(self.density[0]) if len(self.density) else 0.0))

    def __post_init__(self):
        total = float(np.sum(self.prob_raw)) if len(self.uniq) else 0.0
        if not (math.isfinite(total) and total > 0):
            raise RegionError(f"sky map has no probability (total {total:g})")
        if np.any(self.density < 0) or not np.all(np.isfinite(self.density)):
            raise RegionError("sky map has negative or non-finite probability densities")

    @cached_property
    def order(self) -> np.ndarray:
        return (np.floor(np.log2(self.uniq // 4) / 2)).astype(np.int64)

    @cached_property
    def ipix(self) -> np.ndarray:
        return self.uniq - 4 * (np.int64(4) ** self.order)

    @cached_property
    def pixel_area(self) -> np.ndarray:
        return 4 * math.pi / (12.0 * 4.0**self.order)

    @cached_property
    def prob_raw(self) -> np.ndarray:
        return self.density * (4 * math.pi / (12.0 * 4.0 ** (np.floor(np.log2(self.uniq // 4) / 2))))

    @cached_property
    def prob(self) -> np.ndarray:
        return self.prob_raw / self.prob_raw.sum()

    @cached_property
    def _levels(self) -> np.ndarray:
        """Each pixel's credible level: the probability of all pixels at least as dense, itself included."""
        rank = np.argsort(-self.density, kind="stable")
        levels = np.empty(len(rank))
        levels[rank] = np.cumsum(self.prob[rank])
        return levels

    @cached_property
    def _centres(self) -> tuple[np.ndarray, np.ndarray]:
        from astropy_healpix import healpix_to_lonlat

        ra, dec = np.empty(len(self.uniq)), np.empty(len(self.uniq))
        for order in np.unique(self.order):
            pick = self.order == order
            lon, lat = healpix_to_lonlat(self.ipix[pick], 2 ** int(order), order="nested")
            ra[pick], dec[pick] = lon.deg, lat.deg
        return ra, dec

    @cached_property
    def _best(self) -> int:
        return int(np.argmax(self.density))

    @cached_property
    def _best_direction(self) -> tuple[float, float]:
        from astropy_healpix import healpix_to_lonlat

        k = self._best  # one pixel: the parser asks for it, the whole map's centres can wait
        lon, lat = healpix_to_lonlat(self.ipix[k : k + 1], 2 ** int(self.order[k]), order="nested")
        return float(lon.deg[0]), float(lat.deg[0])

    @property
    def ra(self) -> float:
        return self._best_direction[0]

    @property
    def dec(self) -> float:
        return self._best_direction[1]

    def area(self, p: float) -> float:
        """The ``p`` credible area in square degrees (pixels of level <= p, the greedy way)."""
        return float(np.sum(self.pixel_area[self._levels <= p]) * SQDEG)

    @cached_property
    def area90(self) -> float:
        return self.area(0.9)

    def pixel_of(self, ra, dec) -> np.ndarray:
        """Index into the map's pixels of each direction (-1 where the map has no pixel there)."""
        from astropy import units as u
        from astropy_healpix import lonlat_to_healpix

        ra, dec = np.broadcast_arrays(np.asarray(ra, dtype=float), np.asarray(dec, dtype=float))
        lon, lat = np.asarray(ra).ravel() * u.deg, np.asarray(dec).ravel() * u.deg
        order_sorted = np.argsort(self.uniq)
        uniq_sorted = self.uniq[order_sorted]
        found = np.full(lon.shape, -1, dtype=np.int64)
        for order in np.unique(self.order):
            ipix = lonlat_to_healpix(lon, lat, 2 ** int(order), order="nested")
            want = 4 * np.int64(4) ** int(order) + ipix.astype(np.int64)
            at = np.clip(np.searchsorted(uniq_sorted, want), 0, len(uniq_sorted) - 1)
            hit = uniq_sorted[at] == want
            found[hit] = order_sorted[at[hit]]
        return found.reshape(ra.shape)

    def extent(self, p: float = 0.9) -> float:
        ra, dec = self._centres
        pick = self._levels <= p
        pick[self._best] = True
        pixel = np.degrees(np.sqrt(self.pixel_area[pick]))  # a pixel's own size, as a margin
        return float(np.max(_separation(self.ra, self.dec, ra[pick], dec[pick]) + pixel))

    def level(self, ra, dec) -> np.ndarray:
        idx = self.pixel_of(ra, dec)
        return np.where(idx >= 0, self._levels[np.maximum(idx, 0)], 1.0)

    @cached_property
    def sample(self) -> Sample:
        """The pixels holding 99.9 % of the probability (an LVK map: about half of them), as unit vectors."""
        from astropy_healpix import healpix_to_xyz

        rank = np.argsort(-self.prob, kind="stable")
        keep = np.sort(rank[: int(np.searchsorted(np.cumsum(self.prob[rank]), SAMPLE_SHARE)) + 1])
        vectors = np.empty((len(keep), 3))
        orders = self.order[keep]
        for order in np.unique(orders):
            pick = orders == order
            xyz = healpix_to_xyz(self.ipix[keep][pick], 2 ** int(order), order="nested")
            vectors[pick] = np.stack(xyz, axis=-1)
        return Sample(vectors, self.prob[keep], np.asarray(self.pixel_area, dtype=float)[keep])

    def as_dict(self) -> dict:
        return {**super().as_dict(), "max_ra": round(self.ra, 6), "max_dec": round(self.dec, 6),
                "source": self.source, "pixels": len(self.uniq),
                "also": None if self.also is None else {"source": self.also.source,
                                                        "area90": round(self.also.area90, 6)}}  # fmt: skip


def healpix_from_bytes(data: bytes, source: str = "") -> HealpixMap:
    """A multi-order map from FITS bytes (columns UNIQ and PROBDENSITY); RegionError if unusable.

    A flat (single-order) map with a PROB column in NESTED or RING order is read too (IceCube,
    GUANO files): it is turned into UNIQ pixels of its one order.
    """
    import warnings

    from astropy.io import fits

    if len(data) < 2880 or not data.startswith(b"SIMPLE  ="):
        raise RegionError(f"sky map {source or ''} is not FITS ({len(data)} bytes)".replace("  ", " "))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # astropy warns on odd headers; the checks below decide
            with fits.open(io.BytesIO(data), memmap=False, lazy_load_hdus=False) as hdus:
                table = next((h for h in hdus[1:] if isinstance(h, fits.BinTableHDU)), None)
                if table is None:
                    raise RegionError("sky map FITS has no table")
                names = {n.upper(): n for n in table.columns.names}
                header = table.header
                if "UNIQ" in names and "PROBDENSITY" in names:
                    uniq = np.asarray(table.data[names["UNIQ"]], dtype=np.int64).ravel()
                    density = np.asarray(table.data[names["PROBDENSITY"]], dtype=float).ravel()
                elif "PROB" in names or "PROBABILITY" in names:
                    uniq, density = _flat_map(table, names, header)
                else:
                    raise RegionError(f"sky map FITS has no UNIQ/PROBDENSITY columns ({', '.join(names)})")
    except RegionError:
        raise
    except (OSError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise RegionError(f"sky map FITS unreadable: {' '.join(str(exc).split())[:120]}") from None
    if len(uniq) == 0 or np.any(uniq < 4):
        raise RegionError("sky map has no valid UNIQ pixels")
    return HealpixMap(uniq, density, source)


def _flat_map(table, names, header) -> tuple[np.ndarray, np.ndarray]:
    from astropy_healpix import npix_to_nside

    prob = np.asarray(table.data[names.get("PROB") or names["PROBABILITY"]], dtype=float).ravel()
    nside = npix_to_nside(len(prob))
    order = int(round(math.log2(nside)))
    ipix = np.arange(len(prob), dtype=np.int64)
    if str(header.get("ORDERING", "NESTED")).upper().startswith("RING"):
        from astropy_healpix import HEALPix

        ipix = HEALPix(nside=nside, order="ring").ring_to_nested(ipix)
    area = 4 * math.pi / len(prob)
    return 4 * np.int64(4) ** order + ipix, prob / area


def healpix_from_base64(text, source: str) -> HealpixMap:
    """A map from the inline base64 FITS of a JSON notice; RegionError if truncated, not FITS or empty."""
    if not isinstance(text, str) or not text.strip():
        raise RegionError(f"{source}: empty")
    try:
        data = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise RegionError(f"{source}: bad base64 ({exc})") from None
    try:
        return healpix_from_bytes(data, source)
    except RegionError as exc:
        raise RegionError(f"{source}: {exc}".replace(f"sky map {source} ", "sky map ")) from None


def warm_up() -> None:
    """Import what reading a sky map needs (astropy.io.fits, astropy-healpix: ~0.3 s the first time)."""
    import astropy.io.fits  # noqa: F401
    import astropy_healpix  # noqa: F401


def circle_for(mission: str | None, instrument: str | None, ra, dec, radius) -> Circle | None:
    """The circle of a notice's ``Error2Radius`` with its mission's documented containment."""
    if ra is None or dec is None or radius is None or not radius > 0:
        return None
    containment = MISSION_CONTAINMENT.get((mission, instrument), MISSION_CONTAINMENT.get((mission, None)))
    return Circle.of(ra, dec, radius, containment)


def position_size(notice) -> float:
    """How big a notice's localisation is, for ranking positions (deg2): a map's, ellipse's or polygon's
    90 % area; else its error circle's own area (as circles were always compared: by radius); else inf."""
    region = notice.region
    if region is not None and region.kind != "circle" and region.area90 is not None:
        return region.area90
    if notice.error_radius:
        return math.pi * notice.error_radius**2
    return math.inf


def better_position(new, old) -> bool:
    """Whether notice ``new`` localises better than ``old``: for the arbiter's refinements.

    Where a map, ellipse or polygon is involved: ``Region.better_than`` (a 90 % area at least 10 %
    smaller: a refinement whose area shrinks). Two circles: the smaller radius, as before.
    """
    a, b = new.region, old.region
    if a is None:
        return False
    if b is None:
        return True
    if a.kind != "circle" or b.kind != "circle":
        return a.better_than(b) if a.area90 is not None else position_size(new) < position_size(old)
    return position_size(new) < position_size(old)


def region_dict(region: Region | None) -> dict | None:
    """``gcnmon parse --json``'s ``region``: kind, area90, containment (+ max_ra/max_dec for maps)."""
    return None if region is None else region.as_dict()


def _num(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def from_json(doc: dict, warnings: list[str]) -> Region | None:
    """The region of a GCN JSON notice (gcn-schema Localization, or LVK ``igwn.gwalert``).

    Maps first (LVK ``external_coinc.combined_skymap`` over ``event.skymap``, the other one kept;
    GUANO ``healpix_file``), then ``ra_dec_error`` as a circle (a number) or an ellipse (a list).
    An unusable map adds one warning and falls back to the circle, or to no region.
    """
    maps = []
    event = doc.get("event") if isinstance(doc.get("event"), dict) else {}
    coinc = doc.get("external_coinc") if isinstance(doc.get("external_coinc"), dict) else {}
    for source, text in (("external_coinc.combined_skymap", coinc.get("combined_skymap")),
                         ("event.skymap", event.get("skymap")), ("healpix_file", doc.get("healpix_file"))):
        if text is None:
            continue
        try:
            maps.append(healpix_from_base64(text, source))
        except RegionError as exc:
            warnings.append(f"sky map not used: {exc}")
    if maps:
        first = maps[0]
        if len(maps) > 1:
            first = HealpixMap(first.uniq, first.density, first.source, maps[1])
        return first
    source = doc if "ra" in doc else doc.get("most_probable_direction")
    if not isinstance(source, dict):
        return None
    ra, dec = _num(source.get("ra")), _num(source.get("dec"))
    if ra is None or dec is None or not -90 <= dec <= 90:
        return None
    error = source.get("ra_dec_error", doc.get("ra_dec_error"))
    p = _num(doc.get("containment_probability", source.get("containment_probability")))
    p = p if p is not None and 0 < p < 1 else JSON_DEFAULT_CONTAINMENT
    url = doc.get("healpix_url") if isinstance(doc.get("healpix_url"), str) else None
    if isinstance(error, list) and 1 <= len(error) <= 3 and all(_num(x) is not None for x in error):
        a = float(error[0])
        b = float(error[1]) if len(error) > 1 else a
        pa = float(error[2]) if len(error) > 2 else 0.0
        if a > 0 and b > 0:
            a, b, pa = (a, b, pa) if a >= b else (b, a, pa + 90.0)
            if a == b:
                return Circle.of(ra, dec, a, p, url)
            return Ellipse(ra % 360.0, dec, a, b, pa % 180.0, p, url)
    radius = _num(error)
    if radius is not None and 0 < radius < 180:
        return Circle.of(ra, dec, radius, p, url)
    return None
