"""What the telescope can do with a sky map, checked against pixel centres through astropy's AltAz."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import AltAz, SkyCoord, get_body
from astropy.time import Time

from gcnmon.coverage import coverage
from gcnmon.notice import parse
from gcnmon.notice.region import Circle, healpix_from_bytes
from gcnmon.sky import SITE_PRESETS

BTA = SITE_PRESETS["BTA"]
LVK = Path(__file__).parent.parent / "data" / "lvk-userguide"
MAP = healpix_from_bytes((LVK / "bayestar.multiorder.fits").read_bytes())
LATE = datetime(2026, 12, 2, 2, 30, tzinfo=UTC)  # the map (RA 13h, Dec -18) rises before dawn
EARLY = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)  # ... and is down in the evening


def pixel_altitudes(region, when) -> tuple[np.ndarray, np.ndarray]:
    """Independent: every pixel centre of the FITS table through astropy's AltAz."""
    from astropy_healpix import healpix_to_lonlat

    order = np.floor(np.log2(region.uniq / 4) / 2).astype(int)
    ra, dec = np.empty(len(order)), np.empty(len(order))
    for o in np.unique(order):
        pick = order == o
        lon, lat = healpix_to_lonlat(region.uniq[pick] - 4 * 4**o, 2**o, order="nested")
        ra[pick], dec[pick] = lon.deg, lat.deg
    prob = region.density * 4 * np.pi / (12 * 4.0**order)
    frame = AltAz(obstime=Time(when), location=BTA.location)
    alt = SkyCoord(ra * u.deg, dec * u.deg).transform_to(frame).alt.deg
    return alt, prob / prob.sum()


def test_probability_above_the_limit_now_matches_astropy():
    plan = coverage(MAP, BTA, LATE, 1.0)
    alt, prob = pixel_altitudes(MAP, LATE)
    expected = prob[alt >= 90 - BTA.zenith_limit].sum()
    assert 0.05 < expected < 0.95  # the limit cuts through the map: a real test of the cut
    assert plan.prob_up == pytest.approx(expected, abs=0.002)


def test_observable_tonight_and_best_time():
    plan = coverage(MAP, BTA, EARLY, 1.0)
    assert plan.prob_up == pytest.approx(0.0, abs=1e-3)
    start, end = plan.night
    sun = get_body("sun", Time(end)).transform_to(AltAz(obstime=Time(end), location=BTA.location)).alt.deg
    assert abs(sun + 12) < 0.1
    alt, prob = pixel_altitudes(MAP, plan.best_time)
    assert plan.best_prob == pytest.approx(prob[alt >= 11.0].sum(), abs=0.003)
    # no other moment of the night has more up: sample the night every 10 minutes through astropy
    steps = Time(start) + np.linspace(0, (end - start).total_seconds(), 40) * u.s
    ups = [pixel_altitudes(MAP, t.datetime.replace(tzinfo=UTC)) for t in steps]
    best_sampled = max(p[a >= 11.0].sum() for a, p in ups)
    assert plan.best_prob >= best_sampled - 0.003
    ever = np.any([a >= 11.0 for a, _ in ups], axis=0)
    assert plan.prob_tonight == pytest.approx(ups[0][1][ever].sum(), abs=0.01)
    assert plan.fields and plan.fields_at == plan.best_time  # nothing up now: fields for the best time


def _held(region, ra, dec, fov):
    """Independent: the probability of the pixel centres within fov/2 of a centre (astropy separation)."""
    alt, prob = pixel_altitudes(region, LATE)
    order = np.floor(np.log2(region.uniq / 4) / 2).astype(int)
    from astropy_healpix import healpix_to_lonlat

    lon, lat = np.empty(len(order)), np.empty(len(order))
    for o in np.unique(order):
        pick = order == o
        a, b = healpix_to_lonlat(region.uniq[pick] - 4 * 4**o, 2**o, order="nested")
        lon[pick], lat[pick] = a.deg, b.deg
    sep = SkyCoord(lon * u.deg, lat * u.deg).separation(SkyCoord(ra * u.deg, dec * u.deg)).deg
    return prob[(sep <= fov / 2) & (alt >= 11.0)].sum()


def test_best_field_holds_at_least_a_field_on_the_most_probable_pixel():
    fov = 3.0
    plan = coverage(MAP, BTA, LATE, fov)
    best = plan.fields[0]
    assert _held(MAP, best.ra, best.dec, fov) == pytest.approx(best.prob, abs=1e-6)
    assert best.prob >= _held(MAP, MAP.ra, MAP.dec, fov) - 1e-9
    assert [f.prob for f in plan.fields] == sorted((f.prob for f in plan.fields), reverse=True)
    assert all(f.alt >= 11.0 for f in plan.fields)


def test_small_circle_is_one_field_on_its_centre():
    circle = Circle.of(200.0, 10.0, 0.05, 0.9)
    plan = coverage(circle, BTA, LATE, 0.5)
    assert len(plan.fields) == 1 and (plan.fields[0].ra, plan.fields[0].dec) == (200.0, 10.0)
    assert plan.prob_up == pytest.approx(1.0)


def test_lvk_notice_plan_has_the_same_numbers_as_its_map():
    notice = parse((LVK / "MS181101ab-preliminary.json").read_bytes())
    a, b = coverage(notice.region, BTA, LATE, 1.0), coverage(MAP, BTA, LATE, 1.0)
    assert a.as_dict() == b.as_dict()
