"""Every driver against its own simulator over loopback: levels, send, slew, refusals and faults."""

from __future__ import annotations

import pytest
from tcs_support import HIGH, LOW, SENDER, SLEWER
from twisted.internet import task

from tcs_drivers.result import Outcome

KINDS = ["zeiss", "bta", "alpaca"]
SEND_LEVEL = {"zeiss": 2, "bta": 2, "alpaca": 1}
SLEW_LEVEL = {"zeiss": 4, "bta": 4, "alpaca": 2}


def _sender(sims, kind):
    """A simulator and the account that may send but not slew (Alpaca: a mount without async slews)."""
    return sims(kind, can_slew_async=False) if kind == "alpaca" else sims(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_levels(kind, sims, driver_for, wait_for):
    sim = _sender(sims, kind)
    low = driver_for(sim, SENDER[kind])
    result = wait_for(low.connect())
    assert result.ok and result.level == low.level == SEND_LEVEL[kind]
    assert low.can_send and not low.can_slew
    sim2 = sims(kind)
    high = driver_for(sim2, SLEWER[kind])
    assert wait_for(high.connect()).level == SLEW_LEVEL[kind]
    assert high.can_send and high.can_slew
    assert sim.telescope.commands == [] and sim2.telescope.commands == []


@pytest.mark.parametrize("kind", KINDS)
def test_send(kind, sims, driver_for, wait_for):
    sim = _sender(sims, kind)
    driver = driver_for(sim, SENDER[kind])
    result = wait_for(driver.send_coordinates(**HIGH))
    assert result.outcome is Outcome.ACCEPTED and result.exit_code == 0 and result.sent
    assert result.warning is None
    assert result.reply
    (command,) = sim.telescope.commands if kind != "alpaca" else sim.telescope.commands[-1:]
    assert command.kind == "target" and command.accepted
    assert command.target.ra == pytest.approx(HIGH["ra"], abs=1e-4)
    assert command.target.dec == pytest.approx(HIGH["dec"], abs=1e-4)
    assert sim.telescope.state() == "idle"


@pytest.mark.parametrize("kind", KINDS)
def test_send_and_slew_then_tracking(kind, sims, driver_for, wait_for):
    clock = task.Clock()
    sim = sims(kind, clock=clock)
    driver = driver_for(sim)
    result = wait_for(driver.send_and_slew(**HIGH))
    assert result.ok and result.action == "slew", result.text()
    assert [c.kind for c in sim.telescope.commands if c.accepted][-1] == "slew"
    assert sim.telescope.state() == "slewing"
    clock.advance(3600)
    assert sim.telescope.state() == "tracking"
    assert (sim.telescope.ra, sim.telescope.dec) == pytest.approx((HIGH["ra"], HIGH["dec"]), abs=1e-4)


@pytest.mark.parametrize("kind", KINDS)
def test_slew_below_limit_refused_before_anything_is_sent(kind, sims, driver_for, wait_for):
    sim = sims(kind)
    result = wait_for(driver_for(sim).send_and_slew(**LOW))
    assert result.refused and not result.ok and not result.sent and result.exit_code == 2
    assert result.outcome is Outcome.REFUSED_BY_GCNMON and result.rule == "altitude limit"
    assert "zenith distance" in result.error and "nothing sent" in result.error
    assert sim.telescope.commands == [] and sim.telescope.requests == 0


@pytest.mark.parametrize("kind", KINDS)
def test_send_below_limit_allowed_with_warning(kind, sims, driver_for, wait_for):
    sim = sims(kind)
    result = wait_for(driver_for(sim).send_coordinates(**LOW))
    assert result.outcome is Outcome.WARNED and result.exit_code == 3 and "do not slew" in result.warning
    assert sim.telescope.commands[-1].kind == "target"


@pytest.mark.parametrize("kind", ["zeiss", "bta"])
def test_level_too_low_to_slew(kind, sims, driver_for, wait_for):
    sim = sims(kind)
    result = wait_for(driver_for(sim, SENDER[kind]).send_and_slew(**HIGH))
    assert result.refused and "access level 2" in result.error
    assert sim.telescope.commands == []


@pytest.mark.parametrize("kind", ["zeiss", "bta"])
def test_wrong_password(kind, sims, driver_for, wait_for):
    sim = sims(kind)
    user = SENDER[kind][0]
    driver = driver_for(sim, (user, "not-the-password"))
    result = wait_for(driver.connect())
    assert result.outcome is Outcome.REFUSED_BY_TCS and result.exit_code == 2 and "Wrong" in result.reply
    assert driver.level == 0 and not driver.can_send
    assert wait_for(driver.send_coordinates(**HIGH)).refused
    assert sim.telescope.commands == []


@pytest.mark.parametrize("kind", KINDS)
def test_tcs_refuses_in_local_mode(kind, sims, driver_for, wait_for):
    sim = sims(kind, fault="refuse")
    result = wait_for(driver_for(sim).send_coordinates(**HIGH))
    assert result.outcome is Outcome.REFUSED_BY_TCS and result.sent and "local" in result.reply
    assert result.label == "send refused by the TCS" and "local" in result.summary


@pytest.mark.parametrize("kind", KINDS)
def test_connection_refused(kind, sims, driver_for, wait_for):
    sim = sims(kind)
    driver = driver_for(sim)
    wait_for(sim.stop())
    result = wait_for(driver.send_coordinates(**HIGH))
    assert result.outcome is Outcome.UNREACHABLE and result.exit_code == 1 and "cannot reach" in result.error
    assert result.summary.startswith("send failed: TCS unreachable: cannot reach")


@pytest.mark.parametrize("kind", KINDS)
def test_tcs_down(kind, sims, driver_for, wait_for):
    result = wait_for(driver_for(sims(kind, fault="down")).connect())
    assert result.unreachable and "503" in result.error


@pytest.mark.parametrize("kind", KINDS)
def test_slow_tcs_times_out(kind, sims, driver_for, wait_for):
    # The simulator's clock never advances, so the reply never comes; the driver gives up after 0.2 s.
    sim = sims(kind, fault="slow", clock=task.Clock())
    result = wait_for(driver_for(sim, timeout=0.2).connect())
    assert result.unreachable and result.error == "no reply within 0.2 s"


@pytest.mark.parametrize("kind", KINDS)
def test_garbage_reply(kind, sims, driver_for, wait_for):
    result = wait_for(driver_for(sims(kind, fault="garbage")).connect())
    assert result.outcome is Outcome.UNREADABLE and result.exit_code == 1
    assert "unreadable reply" in result.error
