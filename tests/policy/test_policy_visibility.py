"""Visibility verdicts checked against an independent spherical-trigonometry calculation (not astropy)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from gcnmon.config import ConfigError
from gcnmon.policy import Visibility, site_from_config, visibility_from_config
from gcnmon.sky import SITE_PRESETS, Site, airmass

BTA = SITE_PRESETS["BTA"]


# --- the independent calculation: GMST (IAU 1982), IAU 1976 precession, low-precision Sun ----------


def _jd(when: datetime) -> float:
    return when.timestamp() / 86400.0 + 2440587.5


def _lst_deg(when: datetime, longitude: float) -> float:
    d = _jd(when) - 2451545.0
    t = d / 36525.0
    return (280.46061837 + 360.98564736629 * d + 0.000387933 * t * t - t**3 / 38710000.0 + longitude) % 360


def _precess(ra: float, dec: float, when: datetime) -> tuple[float, float]:
    """J2000 -> mean equator and equinox of date (IAU 1976)."""
    t = (_jd(when) - 2451545.0) / 36525.0
    arcsec = math.pi / 180 / 3600
    zeta = (2306.2181 * t + 0.30188 * t * t + 0.017998 * t**3) * arcsec
    z = (2306.2181 * t + 1.09468 * t * t + 0.018203 * t**3) * arcsec
    theta = (2004.3109 * t - 0.42665 * t * t - 0.041833 * t**3) * arcsec
    a, d = math.radians(ra) + zeta, math.radians(dec)
    x = math.cos(theta) * math.cos(d) * math.cos(a) - math.sin(theta) * math.sin(d)
    y = math.cos(d) * math.sin(a)
    s = math.sin(theta) * math.cos(d) * math.cos(a) + math.cos(theta) * math.sin(d)
    return math.degrees(math.atan2(y, x) + z) % 360, math.degrees(math.asin(s))


def _altaz_of_date(site: Site, ra: float, dec: float, when: datetime) -> tuple[float, float, float]:
    """(alt, az from north through east, hour angle in degrees) for equinox-of-date ``ra, dec``."""
    h = math.radians((_lst_deg(when, site.longitude) - ra + 180) % 360 - 180)
    phi, d = math.radians(site.latitude), math.radians(dec)
    alt = math.asin(math.sin(phi) * math.sin(d) + math.cos(phi) * math.cos(d) * math.cos(h))
    az = math.atan2(-math.cos(d) * math.sin(h),
                    math.sin(d) * math.cos(phi) - math.cos(d) * math.cos(h) * math.sin(phi))
    return math.degrees(alt), math.degrees(az) % 360, math.degrees(h)


def own_altaz(site: Site, ra: float, dec: float, when: datetime) -> tuple[float, float, float]:
    return _altaz_of_date(site, *_precess(ra, dec, when), when)


def own_sun_alt(site: Site, when: datetime) -> float:
    """The Astronomical Almanac's low-precision Sun (0.01 deg), apparent place of date."""
    n = _jd(when) - 2451545.0
    g = math.radians(357.528 + 0.9856003 * n)
    lam = math.radians(280.460 + 0.9856474 * n + 1.915 * math.sin(g) + 0.020 * math.sin(2 * g))
    eps = math.radians(23.439 - 0.0000004 * n)
    ra = math.degrees(math.atan2(math.cos(eps) * math.sin(lam), math.cos(lam))) % 360
    dec = math.degrees(math.asin(math.sin(eps) * math.sin(lam)))
    return _altaz_of_date(site, ra, dec, when)[0]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def bta():
    return Visibility(BTA)


CASES = [
    (271.7165, -24.585389, "2014-11-14T19:27:27"),  # Swift 618556, below the horizon
    (285.759708, 8.531611, "2014-11-13T08:12:00"),  # INTEGRAL 6808, daytime, rising in the east
    (83.633, 22.0145, "2014-11-13T23:30:00"),  # Crab, near the meridian
    (10.6847, 41.2687, "2014-11-14T02:00:00"),  # M31, west
    (201.365, -43.019, "2026-03-01T01:00:00"),  # Cen A, low in the south, another epoch
]


@pytest.mark.parametrize("ra, dec, when", CASES)
def test_alt_az_ha_airmass_match_spherical_trig(bta, ra, dec, when):
    verdict = bta.verdict(ra, dec, utc(when))
    alt, az, ha = own_altaz(BTA, ra, dec, utc(when))
    assert verdict.alt == pytest.approx(alt, abs=0.1)
    assert verdict.zenith_distance == pytest.approx(90 - alt, abs=0.1)
    assert (verdict.az - az + 180) % 360 - 180 == pytest.approx(0, abs=0.1)
    assert verdict.hour_angle * 15 == pytest.approx(ha, abs=0.1)
    assert verdict.sun_alt == pytest.approx(own_sun_alt(BTA, utc(when)), abs=0.1)
    if alt > 0:
        z = math.radians(90 - alt)
        expected = 1 / (math.cos(z) + 0.50572 * (96.07995 - math.degrees(z)) ** -1.6364)
        assert verdict.airmass == pytest.approx(expected, rel=0.01)
    else:
        assert verdict.airmass is None


def test_night_two_target_below_limit_says_when_it_rises(bta):
    when = utc("2014-11-14T19:27:27")
    verdict = bta.verdict(271.7165, -24.585389, when)
    assert not verdict.observable and verdict.night and not verdict.tonight
    rise = verdict.rises_at
    assert rise.date().isoformat() == "2014-11-15"
    # the independent calculation agrees it crosses 90 - 79 = 11 deg then, rising, in daylight
    assert own_altaz(BTA, 271.7165, -24.585389, rise)[0] == pytest.approx(11.0, abs=0.1)
    assert own_altaz(BTA, 271.7165, -24.585389, rise - timedelta(minutes=10))[0] < 11.0
    assert own_sun_alt(BTA, rise) > 0
    assert verdict.line.startswith(
        f"NOT TONIGHT: below the zenith limit 79°, rises above it at {rise:%H:%M} UT (in daylight): "
        "alt -34.5°"
    )


def test_daytime_target_observable_from_dusk_until_it_sets(bta):
    verdict = bta.verdict(285.759708, 8.531611, utc("2014-11-13T08:12:00"))
    start, end = verdict.observable_from, verdict.observable_until
    assert not verdict.observable and not verdict.night and verdict.tonight
    assert own_sun_alt(BTA, start) == pytest.approx(-12.0, abs=0.1)  # the end of nautical twilight
    assert own_altaz(BTA, 285.759708, 8.531611, end)[0] == pytest.approx(11.0, abs=0.1)  # sets below z 79
    assert verdict.line.startswith(
        f"not now (daytime, Sun +27°), observable tonight {start:%H:%M} UT-{end:%H:%M} UT"
    )


def test_observable_now_until_dawn(bta):
    when = utc("2014-11-14T02:00:00")
    verdict = bta.verdict(83.633, 22.0145, when)  # the Crab, high all night
    assert verdict.observable and verdict.observable_from == when
    assert own_sun_alt(BTA, verdict.observable_until) == pytest.approx(-12.0, abs=0.1)
    assert verdict.line.startswith(f"OBSERVABLE now until {verdict.observable_until:%H:%M} UT: alt")


def test_never_high_enough(bta):
    verdict = bta.verdict(100.0, -60.0, utc("2014-11-14T02:00:00"))
    assert verdict.rises_at is None and not verdict.tonight
    assert verdict.line.startswith("NOT TONIGHT: never above the zenith limit 79° in the next 24 h")


def test_no_night_in_arctic_summer():
    tromso = Visibility(Site("Tromso", 69.65, 18.96, 100.0, 80.0))
    verdict = tromso.verdict(270.0, 60.0, utc("2025-06-21T22:00:00"))
    assert not verdict.night and not verdict.tonight
    assert verdict.line.startswith("NOT TONIGHT: daytime, Sun +")


@pytest.mark.parametrize(
    "when, low, high",
    [("2014-11-06T22:23:00", 0.99, 1.0), ("2014-11-22T12:32:00", 0.0, 0.01),
     ("2014-11-14T15:15:00", 0.45, 0.55)],
)
def test_moon_illumination_at_full_new_and_last_quarter(bta, when, low, high):
    assert low <= bta.verdict(0.0, 0.0, utc(when)).moon_illumination <= high


def test_moon_separation_near_the_moon(bta):
    # 2014-11-06 22:23 UT full Moon: opposite the Sun (RA 14h52m, Dec -15.9) -> about RA 42.9, Dec +15.9
    verdict = bta.verdict(42.9, 15.9, utc("2014-11-06T22:23:00"))
    assert verdict.moon_separation < 3.0


def test_airmass_below_horizon_is_none():
    assert airmass(-1.0) is None and airmass(90.0) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize(
    "section, expected",
    [
        ({"preset": "BTA"}, BTA),
        ({"preset": "zeiss"}, SITE_PRESETS["Zeiss-1000"]),
        ({"preset": "Zeiss-1000"}, SITE_PRESETS["Zeiss-1000"]),
        (
            {"preset": "", "name": "Home", "latitude": 50.5, "longitude": -3.0, "height": 10,
             "zenith_limit": 70},
            Site("Home", 50.5, -3.0, 10.0, 70.0),
        ),
    ],
)
def test_site_from_config(section, expected):
    assert site_from_config(section) == expected


@pytest.mark.parametrize(
    "section, message",
    [
        ({"preset": "Keck"}, "[site]: preset 'Keck' is not one of BTA, Zeiss-1000"),
        ({"preset": "", "latitude": 10}, "[site]: preset is empty, so longitude must be given"),
        ({"preset": "", "latitude": "north", "longitude": 1},
         "[site]: latitude must be a number, not 'north'"),
        ({"preset": "", "latitude": 95, "longitude": 1},
         "[site]: latitude 95.0, longitude 1.0 or zenith_limit"),
        ({"preset": "BTA", "altitude": 1}, "[site]: unknown key(s) altitude"),
    ],
)
def test_site_config_errors(section, message):
    with pytest.raises(ConfigError) as info:
        site_from_config(section)
    assert str(info.value).startswith(message)


def test_visibility_from_config_reads_night_definition():
    vis = visibility_from_config({"site": {"preset": "BTA", "night_sun_altitude": -18}})
    assert vis.site == BTA and vis.night_sun_altitude == -18.0
