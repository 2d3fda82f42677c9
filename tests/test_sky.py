"""The one sky module against astropy's own AltAz (the reference every consumer relies on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import AltAz, SkyCoord, get_body
from astropy.time import Time

from gcnmon import sky
from gcnmon.sky import SITE_PRESETS, Site

BTA = SITE_PRESETS["BTA"]
WHEN = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
RNG = np.random.default_rng(12)
RA = RNG.uniform(0, 360, 300)
DEC = np.degrees(np.arcsin(RNG.uniform(-1, 1, 300)))


def astropy_altaz(site: Site, ra, dec, when) -> tuple[np.ndarray, np.ndarray]:
    coord = SkyCoord(np.asarray(ra) * u.deg, np.asarray(dec) * u.deg)
    out = coord.transform_to(AltAz(obstime=Time(when), location=site.location))
    return out.alt.deg, out.az.deg


def az_error(a, b, alt):
    """Azimuth difference as an angle on the sky (azimuth is ill-defined at the zenith)."""
    return np.abs((np.asarray(a) - b + 180) % 360 - 180) * np.cos(np.radians(alt))


SITES = [BTA, Site("south", -29.25, -70.73, 2400.0, 70.0), Site("arctic", 78.2, 15.6, 0)]
WHENS = [WHEN, datetime(2027, 6, 21, 3, 17, 41, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)]


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("when", WHENS)
def test_altaz_of_an_instant_matches_astropy(site, when):
    ref_alt, ref_az = astropy_altaz(site, RA[:40], DEC[:40], when)
    mine = np.array([sky.altaz(site, r, d, when) for r, d in zip(RA[:40], DEC[:40], strict=True)])
    assert np.abs(mine[:, 0] - ref_alt).max() < 0.0005  # 1.8": what aberration-then-rotation leaves
    assert az_error(mine[:, 1], ref_az, ref_alt).max() < 0.0005


@pytest.mark.parametrize("offset_s", [0.0, 47.0, 91.0, 3 * 3600 + 1234.5, 7.3 * 3600, 20 * 3600])
def test_grid_altaz_between_steps_matches_astropy(offset_s):
    when = WHEN + timedelta(seconds=offset_s)
    grid = sky.grid(BTA, WHEN)
    alt, az = grid.altaz(sky.unit_vectors(RA, DEC), when.timestamp())
    ref_alt, ref_az = astropy_altaz(BTA, RA, DEC, when)
    assert np.abs(alt - ref_alt).max() < 0.003
    assert az_error(az, ref_az, ref_alt).max() < 0.003


def test_grid_altitude_curves_match_astropy_at_grid_times():
    grid = sky.grid(BTA, WHEN)
    rows = np.arange(0, len(grid.times), 37)
    curves = grid.altitudes(sky.unit_vectors(RA[:20], DEC[:20]), rows)
    assert curves.shape == (len(rows), 20)
    frame = AltAz(obstime=Time(grid.times[rows], format="unix")[:, None], location=BTA.location)
    ref = SkyCoord(RA[:20] * u.deg, DEC[:20] * u.deg)[None, :].transform_to(frame).alt.deg
    assert np.abs(curves - ref).max() < 0.003


def test_sun_and_moon_altitudes_match_astropy():
    grid = sky.grid(BTA, WHEN)
    rows = np.arange(0, len(grid.times), 29)
    t = Time(grid.times[rows], format="unix")
    frame = AltAz(obstime=t, location=BTA.location)
    sun = get_body("sun", t).transform_to(frame).alt.deg
    moon = get_body("moon", t, BTA.location).transform_to(frame).alt.deg
    assert np.abs(grid.sun_alt[rows] - sun).max() < 0.02  # interpolated from 30-min steps
    assert np.abs(grid.moon_alt[rows] - moon).max() < 0.05  # the Moon moves 0.25 deg in 30 min


def test_night_boundaries_are_where_astropy_puts_the_sun_at_minus_12():
    start, end = sky.night(BTA, WHEN.replace(hour=12))
    assert start.date() == WHEN.date() and end > start
    for edge in (start, end):
        frame = AltAz(obstime=Time(edge), location=BTA.location)
        alt = get_body("sun", Time(edge)).transform_to(frame).alt.deg
        assert abs(alt + 12.0) < 0.05
    # during the night the night in progress is returned, starting now
    inside = sky.night(BTA, start + timedelta(hours=2))
    assert inside[0] == start + timedelta(hours=2) and abs((inside[1] - end).total_seconds()) <= 1


def test_no_night_in_arctic_summer():
    assert sky.night(Site("arctic", 78.2, 15.6, 0), datetime(2027, 6, 21, 12, tzinfo=UTC)) is None


def test_sky_now_zenith_sun_moon_match_astropy():
    now = sky.sky_now(BTA, WHEN)
    up = SkyCoord(alt=90 * u.deg, az=0 * u.deg, frame=AltAz(obstime=Time(WHEN), location=BTA.location)).icrs
    assert SkyCoord(*now.zenith, unit="deg").separation(up).deg < 0.001
    assert abs(now.altitude(*now.zenith) - 90.0) < 0.001
    frame = AltAz(obstime=Time(WHEN), location=BTA.location)
    sun_alt = get_body("sun", Time(WHEN), BTA.location).transform_to(frame).alt.deg
    moon_alt = get_body("moon", Time(WHEN), BTA.location).transform_to(frame).alt.deg
    assert abs(now.altitude(*now.sun) - sun_alt) < 0.005
    assert abs(now.altitude(*now.moon) - moon_alt) < 0.005
    ref_alt, _ = astropy_altaz(BTA, RA, DEC, WHEN)
    assert np.abs(now.altitude(RA, DEC) - ref_alt).max() < 0.0005


def test_to_icrs_inverts_altaz():
    ra, dec = sky.to_icrs(BTA, WHEN, np.array([30.0, 60.0, 89.0]), np.array([10.0, 200.0, 300.0]))
    ref_alt, ref_az = astropy_altaz(BTA, ra, dec, WHEN)
    assert np.abs(ref_alt - [30.0, 60.0, 89.0]).max() < 0.0005
    assert az_error(ref_az, [10.0, 200.0, 300.0], ref_alt).max() < 0.0005
