"""What the telescope can do with a localisation: probability up now, tonight, when, and which fields.

All at the station's site with its zenith limit and night (``night_sun_altitude``), on the one sky
module's grid (``gcnmon.sky.Grid``), over the region's ``sample`` (a map's own pixels; analytic
regions as HEALPix pixels of their Gaussian or uniform probability):

- ``prob_up``: the probability above the zenith limit at ``when`` (whatever the Sun does);
- ``prob_tonight``: above the limit at some moment of tonight's night (from ``when`` if it is night);
- ``best_time``: the moment of tonight's night with the most probability above the limit;
- ``fields``: circles of diameter ``fov`` ranked greedily: the first holds the most probability of all
  candidate centres, each next one the most of what the earlier ones left (so stepping through them
  never re-observes the same sky). Centres above the limit now, or at ``best_time`` when nothing is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from . import sky
from .notice.region import Region

__all__ = ["Field", "Coverage", "coverage", "prob_above", "fov_for", "PRESET_FOV"]

#: Field of view (diameter, degrees) of each preset's main instrument when ``[tcs] fov`` is 0:
#: BTA's SCORPIO-2 (6.1 arcmin), the Zeiss-1000's CCD photometer (~12 arcmin).
PRESET_FOV = {"BTA": 0.1, "Zeiss-1000": 0.2}

CANDIDATES = 200  # centres tried: the most probable pixels (a map's best pixel always among them)
NIGHT_STRIDE = 3  # grid steps between the moments of the night tried for "tonight" and the best time
KEEP = 0.999  # the fields are sought among the pixels holding this much of the probability up
SAMPLING_NOISE = 0.02  # an analytic region's ~2,000 sample pixels decide a field's share to ~2 %
NOTHING_UP = 0.01  # less than this much probability above the limit now: the fields are for best_time


@dataclass(frozen=True)
class Field:
    """One pointing: centre (ICRS deg), the probability it adds, its altitude at the plan's time."""

    ra: float
    dec: float
    prob: float
    alt: float


@dataclass(frozen=True)
class Coverage:
    when: datetime
    area90: float | None
    prob_up: float
    prob_tonight: float
    best_time: datetime | None
    best_prob: float
    night: tuple[datetime, datetime] | None
    fov: float
    fields: tuple[Field, ...]
    fields_at: datetime | None  # when the fields' altitudes hold: ``when``, or ``best_time``

    @property
    def fields_now(self) -> bool:
        return self.fields_at == self.when

    def as_dict(self) -> dict:
        """``gcnmon plan --json``'s figures."""
        iso = lambda t: t.astimezone(UTC).isoformat().replace("+00:00", "Z") if t else None  # noqa: E731
        return {
            "area90": None if self.area90 is None else round(self.area90, 3),
            "prob_above_limit": round(self.prob_up, 4),
            "prob_observable_tonight": round(self.prob_tonight, 4),
            "best_time": iso(self.best_time),
            "best_prob": round(self.best_prob, 4),
            "night": [iso(t) for t in self.night] if self.night else None,
            "fov": self.fov,
            "fields_at": iso(self.fields_at),
            "fields": [{"ra": round(f.ra, 5), "dec": round(f.dec, 5), "prob": round(f.prob, 4),
                        "alt": round(f.alt, 2)} for f in self.fields],  # fmt: skip
        }


def prob_above(region: Region, site: sky.Site, when: datetime) -> float:
    """The probability of ``region`` above the zenith limit of ``site`` at ``when`` (Sun aside)."""
    sample = region.sample
    alt, _ = sky.grid(site, when).altaz(sample.vectors, when.timestamp())
    return float(sample.prob[alt >= site.min_altitude].sum())


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(round(ts), tz=UTC)


def coverage(region: Region, site: sky.Site, when: datetime, fov: float, *, night_sun_altitude: float = -12.0,
             n_fields: int = 5) -> Coverage:  # fmt: skip
    """The plan of ``region`` for ``site`` at ``when`` with fields of diameter ``fov`` degrees."""
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    ts = when.timestamp()
    sample = region.sample
    grid = sky.grid(site, ts)
    limit = site.min_altitude
    alt_now, _ = grid.altaz(sample.vectors, ts)
    prob_up = float(sample.prob[alt_now >= limit].sum())
    span = grid.night(ts, night_sun_altitude)
    prob_tonight, best_ts, best_prob = 0.0, None, 0.0
    if span is not None:
        start, end = span
        # every third step (9 min) and the night's last: a pixel's altitude changes by < 2.3 deg in
        # between, so only a brief graze of the limit at the night's edge could be missed
        rows = np.nonzero((grid.times >= start) & (grid.times <= end))[0]
        rows = np.unique(np.concatenate([rows[::NIGHT_STRIDE], rows[-1:]])) if len(rows) else rows
        up = grid.above(sample.vectors, limit, rows)
        times = grid.times[rows]
        if start == ts:  # night already: now counts too
            up = np.vstack([alt_now[None, :] >= limit, up])
            times = np.concatenate([[ts], times])
        if len(times):
            per_time = up.astype(float) @ sample.prob
            k = int(np.argmax(per_time))
            prob_tonight = float(sample.prob[up.any(axis=0)].sum())
            if per_time[k] > 0:  # a best time only when something rises
                best_ts, best_prob = float(times[k]), float(per_time[k])
    if prob_up >= NOTHING_UP or (prob_up > 0 and best_prob < NOTHING_UP):
        at, alts = ts, alt_now
    elif best_ts is not None and best_prob > 0:
        at, alts = best_ts, grid.altaz(sample.vectors, best_ts)[0]
    else:
        at, alts = None, None
    fields = _fields(region, sample, grid, at, alts, limit, fov, n_fields) if alts is not None else ()
    return Coverage(
        when, region.area90, prob_up, prob_tonight, _utc(best_ts) if best_ts is not None else None, best_prob,
        (_utc(span[0]), _utc(span[1])) if span else None, fov, fields, _utc(at) if at is not None else None,
    )  # fmt: skip


def _fields(region: Region, sample, grid, at: float, alts: np.ndarray, limit: float, fov: float,
            n: int) -> tuple[Field, ...]:  # fmt: skip
    """Greedy fields of radius fov/2 among the most probable pixels above ``limit`` at ``at``."""
    radius = math.radians(fov / 2.0)
    field_area = 2 * math.pi * (1 - math.cos(radius))  # sr
    prob = np.where(alts >= limit, sample.prob, 0.0)  # only what is up can be observed
    if region.size <= fov / 2.0:  # a small region: the field is its centre, as always
        alt = float(grid.altaz(sky.unit_vectors(region.ra, region.dec), at)[0])
        return (Field(region.ra, region.dec, float(prob.sum()), alt),) if alt >= limit else ()
    # work on the pixels holding 99.9 % of what is up, most probable first (a 19,200-pixel LVK map keeps
    # a few thousand): the candidates are the first of them
    rank = np.argsort(-prob, kind="stable")
    total = np.cumsum(prob[rank])
    if total[-1] <= 0:
        return ()
    keep = rank[: max(int(np.searchsorted(total, KEEP * total[-1])) + 1, min(CANDIDATES, len(rank)))]
    keep = keep[prob[keep] > 0]
    kv, kp, karea = sample.vectors[keep], prob[keep], sample.area[keep]
    order = np.arange(min(CANDIDATES, len(keep)))
    centre = sky.unit_vectors(region.ra, region.dec)
    at_centre = int(np.argmax(kv @ centre))
    analytic = region.kind != "healpix"
    # a circle's or ellipse's own centre is a candidate too (first: it wins ties), not only pixel centres
    vectors = np.vstack([centre, kv[order]]) if analytic else kv[order]
    pix = np.concatenate([[at_centre], order]) if analytic else order
    cand_alt = grid.altaz(vectors, at)[0]
    inside = (vectors @ kv.T) >= math.cos(radius)  # (candidates, pixels)
    weights = inside.astype(np.float32)  # once: the products below run in float32 (ranking, not sums)
    # a field smaller than the pixels holds the density at its centre times its own area
    small = np.sqrt(karea[pix] / math.pi) > radius / 2
    chosen: list[Field] = []
    left, exact = kp.astype(np.float32), kp.copy()
    for _ in range(n):
        held = (weights @ left).astype(float)
        held = np.where(small, np.minimum(exact[pix], exact[pix] / karea[pix] * field_area), held)
        k = int(np.argmax(held))
        if analytic and not chosen and held[0] >= (1 - SAMPLING_NOISE) * held[k]:
            k = 0  # within the sample's pixel noise of the best: the centre itself, as observers expect
        if held[k] <= 1e-6:
            break
        # what the field adds, summed in float64 (the float32 products only rank the candidates)
        prob_k = float(held[k]) if small[k] else float(exact[inside[k]].sum())
        ra, dec = sky.to_angles(vectors[k])
        chosen.append(Field(float(ra), float(dec), prob_k, float(cand_alt[k])))
        for arr in (left, exact):
            arr[inside[k]] = 0.0
            if small[k]:
                arr[pix[k]] = max(float(arr[pix[k]]) - prob_k, 0.0)
    return tuple(chosen)


def fov_for(cfg, site: sky.Site) -> float:
    """``[tcs] fov`` (degrees), else the site preset's, else 1 degree."""
    value = cfg.get("tcs.fov", 0.0) if hasattr(cfg, "get") else 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 60:
        from .config import ConfigError

        raise ConfigError(f"[tcs] fov must be a number of degrees (0..60), not {value!r}")
    return float(value) or PRESET_FOV.get(site.name, 1.0)
