"""Every installed driver (entry points) against its own simulator over loopback: the whole life of a
command, stop included, a slew interrupted by stop, and a second slew while one runs.

The simulators take their wire names from their own files, so a wire mistake on either side fails here.
"""

from __future__ import annotations

import pytest
from tcs_support import HIGH, SLEWER
from twisted.internet import task

from tcs_drivers import registry
from tcs_drivers.result import Outcome

#: Which simulator answers for which installed driver; the dummy has no telescope and needs none.
SIMULATED = {"zeiss": "zeiss", "bta": "bta", "alpaca": "alpaca"}
OTHER = dict(ra=150.0, dec=85.0, name="GRB OTHER")  # Dec +85: always above the BTA's 79 deg limit


def _installed():
    return sorted(registry.available())


def test_every_installed_driver_has_a_simulator_or_no_telescope():
    for name in _installed():
        cls = registry.load_driver(name)
        assert name in SIMULATED or not cls.has_telescope, f"driver {name} has no simulator to conform to"


@pytest.fixture
def rig(sims, wait_for):
    """``rig(name)``: (driver from its entry point, its simulator on a fake slew clock, that clock)."""

    def make(name, **sim_kwargs):
        clock = task.Clock()
        sim = sims(SIMULATED[name], clock=clock, **sim_kwargs)
        user, password = SLEWER[sim.kind]
        cls = registry.load_driver(name)
        driver = cls(sim.base_url, user=user, password=password, timeout=5.0, poll_interval=0.01)
        return driver, sim, clock

    return make


def _kinds(sim):
    return [c.kind for c in sim.telescope.commands if c.accepted]


@pytest.mark.parametrize("name", [n for n in _installed() if n in SIMULATED])
def test_conformance_connect_send_slew_stop_track(name, rig, wait_for, wait_until):
    driver, sim, clock = rig(name)
    tel = sim.telescope
    changes = []
    driver.subscribe(lambda d: changes.append((d.level, d.motion.state)))

    login = wait_for(driver.connect())
    assert login.outcome is Outcome.ACCEPTED and driver.can_slew, login.text()
    assert changes[-1][0] == driver.level  # listeners hear of the login

    sent = wait_for(driver.send_coordinates(**HIGH))
    assert sent.outcome is Outcome.ACCEPTED and sent.label == "send accepted", sent.text()
    assert tel.target.ra == pytest.approx(HIGH["ra"], abs=1e-4) and tel.state() == "idle"

    slew = wait_for(driver.send_and_slew(**HIGH))
    assert slew.outcome is Outcome.ACCEPTED, slew.text()
    assert tel.state() == "slewing" and driver.slewing and ("slewing" in {m for _, m in changes})

    stop = wait_for(driver.stop())
    assert stop.outcome is Outcome.ACCEPTED and stop.action == "stop" and stop.label == "stop accepted"
    assert tel.stops == 1 and tel.commands[-1].kind == "stop" and tel.commands[-1].accepted
    assert tel.state() != "slewing" and not driver.slewing and driver.motion.state == "idle"
    assert (tel.ra, tel.dec) == (0.0, 90.0)  # it never got there

    again = wait_for(driver.send_and_slew(**HIGH))
    assert again.ok and tel.state() == "slewing"
    clock.advance(3600)  # the simulated slew ends; the driver learns it from the TCS itself
    wait_until(lambda: driver.motion.state == "tracking", 5)
    assert (tel.ra, tel.dec) == pytest.approx((HIGH["ra"], HIGH["dec"]), abs=1e-4)
    assert driver.last_result is again


@pytest.mark.parametrize("name", [n for n in _installed() if n in SIMULATED])
def test_a_second_slew_stops_the_first(name, rig, wait_for):
    driver, sim, clock = rig(name)
    tel = sim.telescope
    assert wait_for(driver.send_and_slew(**HIGH)).ok and tel.state() == "slewing"
    second = wait_for(driver.send_and_slew(**OTHER))
    assert second.outcome is Outcome.ACCEPTED, second.text()
    kinds = _kinds(sim)
    # The first slew, then a stop before the second: never two motions at once.
    assert kinds.index("stop") > kinds.index("slew") and kinds[-1] == "slew" and tel.stops == 1
    assert tel.target.ra == pytest.approx(OTHER["ra"], abs=1e-4) and tel.state() == "slewing"
    clock.advance(3600)
    assert (tel.ra, tel.dec) == pytest.approx((OTHER["ra"], OTHER["dec"]), abs=1e-4)


@pytest.mark.parametrize("name", [n for n in _installed() if n in SIMULATED])
def test_stop_does_not_wait_for_a_running_command(name, rig, wait_for):
    # A slow TCS holds the command lock; the stop goes out at once anyway (and times out on its own).
    driver, sim, clock = rig(name)
    driver.timeout = 0.3
    wait_for(driver.connect())
    sim.telescope.fault = "slow"  # replies only when the simulator's clock moves: never, here
    pending = driver.send_coordinates(**HIGH)
    before = sim.telescope.requests
    stop = driver.stop()
    result = wait_for(stop)
    assert sim.telescope.requests >= before + 1  # the stop reached the TCS while the send was pending
    assert result.action == "stop" and result.outcome is Outcome.UNREACHABLE
    assert wait_for(pending).outcome is Outcome.UNREACHABLE


@pytest.mark.parametrize("name", [n for n in _installed() if n in SIMULATED])
def test_stop_refused_by_a_tcs_in_local_mode(name, rig, wait_for):
    driver, sim, _ = rig(name)
    wait_for(driver.connect())
    sim.telescope.fault = "refuse"
    result = wait_for(driver.stop())
    assert result.outcome is Outcome.REFUSED_BY_TCS and result.label == "stop refused by the TCS"
    assert result.reply and sim.telescope.stops == 0


def test_dummy_stop_sends_nothing(wait_for):
    driver = registry.load_driver("dummy")()
    result = wait_for(driver.stop())
    assert result.outcome is Outcome.REFUSED_BY_GCNMON and "no telescope: nothing sent" in result.summary
