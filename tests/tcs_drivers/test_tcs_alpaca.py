"""The Alpaca driver as the ASCOM Telescope interface wants it, against the simulator's kinds of mount.

Coordinates are checked against astropy computed here (not the driver's conversion): the apparent place
of date (TETE) at the BTA at the driver's clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

import astropy.units as u
import pytest
from astropy.coordinates import ICRS, TETE, EarthLocation
from astropy.time import Time
from twisted.internet import task

from gcnmon.sky import SITE_PRESETS
from tcs_drivers.alpaca import AlpacaDriver
from tcs_drivers.coords import separation
from tcs_drivers.result import Outcome

WHEN = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
BTA = SITE_PRESETS["BTA"]
# GRB 221009A's position: at WHEN it stands at the BTA at altitude 49.4 deg (zenith distance 40.6 < 79).
GRB = dict(ra=288.2645, dec=19.7735, name="GRB 221009A")


def _apparent(ra, dec):
    place = EarthLocation.from_geodetic(BTA.longitude * u.deg, BTA.latitude * u.deg, BTA.height * u.m)
    tete = ICRS(ra=ra * u.deg, dec=dec * u.deg).transform_to(TETE(obstime=Time(WHEN), location=place))
    return tete.ra.deg, tete.dec.deg


@pytest.fixture
def mount(sims):
    def make(kind, **kwargs):
        clock = task.Clock()
        sim = sims("alpaca", mount=kind, clock=clock, now=lambda: WHEN, **kwargs)
        driver = AlpacaDriver(sim.base_url, site=BTA, now=lambda: WHEN, timeout=5.0, poll_interval=0.01)
        return driver, sim, clock

    return make


def test_jnow_parked_mount_unparked_and_sent_the_apparent_place(mount, wait_for, wait_until):
    driver, sim, clock = mount("jnow-parked")
    tel = sim.telescope
    login = wait_for(driver.connect())
    # Platform 7 (InterfaceVersion 4): Connect() and Connecting, not Connected=True.
    assert "Connect()" in login.reply and "EquatorialSystem 1 (topocentric)" in login.reply
    result = wait_for(driver.send_and_slew(**GRB))
    assert result.outcome is Outcome.ACCEPTED, result.text()
    assert "unparked" in result.reply and "Tracking left to the mount (CanSetTracking false)" in result.reply
    assert "apparent place of date" in result.reply
    assert [c.kind for c in tel.commands if c.accepted][0] == "unpark"
    received = tel.commands[-1].target  # what the mount was told, in its own system
    ra, dec = _apparent(GRB["ra"], GRB["dec"])
    assert separation(received.ra, received.dec, ra, dec) * 3600 < 0.05  # arcsec
    # ... and it is not the J2000 position: 26.9 years of precession (and nutation, aberration) put the
    # two 0.28 deg apart here (up to ~0.38 deg elsewhere on the sky).
    assert 0.25 < separation(received.ra, received.dec, GRB["ra"], GRB["dec"]) < 0.4
    assert driver.slewing and tel.state() == "slewing"
    clock.advance(3600)
    wait_until(lambda: driver.motion.state == "tracking", 5)


def test_j2000_mount_gets_j2000_as_is(mount, wait_for):
    driver, sim, _ = mount("j2000")
    login = wait_for(driver.connect())
    assert "Connected=True" in login.reply and "EquatorialSystem 2 (J2000)" in login.reply
    result = wait_for(driver.send_and_slew(**GRB))
    assert result.ok and "J2000 as the mount works in J2000" in result.reply
    received = sim.telescope.commands[-1].target
    assert (received.ra, received.dec) == pytest.approx((GRB["ra"], GRB["dec"]), abs=1e-9)
    assert "Tracking switched on" in result.reply  # CanSetTracking: the driver sets it, once


def test_send_only_is_converted_too(mount, wait_for):
    driver, sim, _ = mount("jnow-parked")
    result = wait_for(driver.send_coordinates(**GRB))
    assert result.ok
    target = [c for c in sim.telescope.commands if c.kind == "target"][-1].target
    assert target is not None
    assert separation(target.ra, target.dec, *_apparent(GRB["ra"], GRB["dec"])) * 3600 < 0.05


def test_parked_mount_that_cannot_unpark_is_refused_before_anything_is_sent(mount, wait_for):
    driver, sim, _ = mount("parked-locked")
    result = wait_for(driver.send_and_slew(**GRB))
    assert result.outcome is Outcome.REFUSED_BY_GCNMON and result.rule == "mount state"
    assert "parked" in result.error and "CanUnpark false" in result.error and not result.sent
    assert sim.telescope.commands == []


def test_unknown_equatorial_system_refused_politely(mount, wait_for):
    driver, sim, _ = mount("b1950")
    for call in (driver.send_coordinates, driver.send_and_slew):
        result = wait_for(call(**GRB))
        assert result.outcome is Outcome.REFUSED_BY_GCNMON and result.rule == "coordinate system"
        assert "EquatorialSystem 4 (B1950)" in result.error and "nothing sent" in result.error
    assert sim.telescope.commands == []


def test_stop_is_abortslew(mount, wait_for):
    driver, sim, _ = mount("jnow-parked")
    assert wait_for(driver.send_and_slew(**GRB)).ok
    result = wait_for(driver.stop())
    assert result.ok and result.reply == "AbortSlew: motion stopped"
    assert sim.telescope.commands[-1].kind == "stop" and sim.telescope.state() != "slewing"


def test_slewing_polled_until_false_and_no_longer_than_the_timeout(mount, wait_for, wait_until, caplog):
    driver, sim, clock = mount("j2000")
    driver.motion.slew_timeout = 0.2  # the simulator's clock never moves: the mount slews for ever
    assert wait_for(driver.send_and_slew(**GRB)).ok and driver.motion.state == "slewing"
    before = sim.telescope.requests
    wait_until(lambda: driver.motion.state == "unknown", 5)
    assert sim.telescope.requests > before + 1  # GET slewing, more than once
    assert "still slewing to GRB 221009A" in caplog.text and "no longer watching" in caplog.text
    assert sim.telescope.state() == "slewing"  # we only stopped watching; nothing was sent to the mount
