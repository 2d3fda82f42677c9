"""The simulators themselves: the TCSs' own refusals and texts, accounts, slewing then tracking."""

from __future__ import annotations

import xmlrpc.client

import pytest
from tcs_support import HIGH, LOW
from twisted.internet import task

from gcnmon.sky import SITE_PRESETS, Site
from tcs_drivers.http import http_request
from tcs_drivers.result import Outcome
from tcs_drivers.sim import Account, parse_accounts, start_simulator
from tcs_drivers.sim.core import SimTelescope

# A driver with no limit at all (zenith distance 180), so only the TCS's own check is left.
LAX = Site("BTA", 43.6468, 41.4405, 2070.0, 180.0)


def test_bta_warns_z_over_79_as_the_real_one(sims, driver_for, wait_for):
    sim = sims("bta")
    send = wait_for(driver_for(sim).send_coordinates(**LOW))
    assert send.ok and send.reply == "Coordinates were sent to BTA TCS\nWarning! Object Z > 79degr!"
    # Confirmed and warned: accepted with a warning, the TCS's words first, never plain "accepted".
    assert send.outcome is Outcome.WARNED and send.exit_code == 3 and send.severity == "warning"
    assert send.warning.startswith("Warning! Object Z > 79degr!") and "do not slew" in send.warning
    assert send.summary.startswith("send accepted with a warning: Warning! Object Z > 79degr!")


@pytest.mark.parametrize("kind", ["zeiss", "bta", "alpaca"])
def test_tcs_refuses_low_slew_itself(kind, sims, driver_for, wait_for):
    sim = sims(kind)
    result = wait_for(driver_for(sim, site=LAX).send_and_slew(**LOW))
    assert result.outcome is Outcome.REFUSED_BY_TCS and result.sent
    expected = {"zeiss": "> 79 degr: slew refused", "bta": "Warning! Object Z > 79degr!",
                "alpaca": "ASCOM error 0x401: Target zenith distance"}[kind]
    assert expected in result.reply
    assert not sim.telescope.slewing and (sim.telescope.ra, sim.telescope.dec) == (0.0, 90.0)
    assert [c.accepted for c in sim.telescope.commands if c.kind == "slew"] == [False]


def test_alpaca_without_async_slew_is_level_1(sims, driver_for, wait_for):
    sim = sims("alpaca", can_slew_async=False)
    driver = driver_for(sim)
    assert "CanSlewAsync=False" in wait_for(driver.connect()).reply
    assert driver.can_send and not driver.can_slew
    result = wait_for(driver.send_and_slew(**HIGH))
    assert result.refused and "access level 1 < 2" in result.error


def test_alpaca_reply_carries_transaction_ids(sims, wait_for):
    import json

    sim = sims("alpaca")
    url = f"{sim.base_url}/api/v1/telescope/0/canslewasync"
    status, text = wait_for(http_request(sim.telescope.clock, "GET", url, {"ClientID": 7,
                                                                          "ClientTransactionID": 42}))
    reply = json.loads(text)
    assert status == 200 and reply["Value"] is True and reply["ClientTransactionID"] == 42
    assert reply["ErrorNumber"] == 0 and reply["ServerTransactionID"] >= 1
    status, text = wait_for(http_request(sim.telescope.clock, "PUT", url.replace("canslewasync", "tracking"),
                                         {"Tracking": "True"}))
    assert json.loads(text)["ErrorNumber"] == 0x407  # not connected yet


def test_zeiss_status_and_unknown_method(sims, wait_for):
    sim = sims("zeiss")
    body = xmlrpc.client.dumps((), "status").encode()
    _, text = wait_for(http_request(sim.telescope.clock, "POST", sim.url, body=body, content_type="text/xml"))
    (status,), _ = xmlrpc.client.loads(text)
    assert status == {"ra_hours": 0.0, "dec": 90.0, "state": "idle", "target": ""}
    body = xmlrpc.client.dumps((), "reboot").encode()
    _, text = wait_for(http_request(sim.telescope.clock, "POST", sim.url, body=body, content_type="text/xml"))
    with pytest.raises(xmlrpc.client.Fault, match="reboot not found"):
        xmlrpc.client.loads(text)


def test_slewing_then_tracking_takes_separation_over_rate():
    clock = task.Clock()
    tel = SimTelescope([], SITE_PRESETS["BTA"], clock, slew_rate=2.0)
    from tcs_drivers.base import Target

    tel.set_target(Target(10.0, 80.0, name="A"))
    assert tel.start_slew() == pytest.approx(5.0)  # 10 deg from the pole at 2 deg/s
    clock.advance(4.9)
    assert tel.state() == "slewing"
    clock.advance(0.2)
    assert tel.state() == "tracking" and (tel.ra, tel.dec) == (10.0, 80.0)


def test_parse_accounts():
    assert parse_accounts("observer:ob:s:2, astronomer:x:4", True) == [
        Account("observer", "ob:s", 2), Account("astronomer", "x", 4)]
    assert parse_accounts("level2:2", False) == [Account("", "level2", 2)]
    with pytest.raises(ValueError, match="'observer'"):
        parse_accounts("observer:secret", True)
    assert "secret" not in repr(Account("observer", "secret", 2))


def test_unknown_kind_or_fault():
    with pytest.raises(ValueError):
        start_simulator("lx200")
    with pytest.raises(ValueError):
        start_simulator("bta", fault="fire")


def test_simulators_take_no_wire_names_from_the_drivers():
    import ast
    from pathlib import Path

    import tcs_drivers.sim as sim_package

    drivers = {"zeiss", "bta", "alpaca", "base", "http", "dummy", "registry"}
    for path in Path(sim_package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            module = node.module or ""
            if node.level == 2:  # from ..x import
                assert module.split(".")[0] not in drivers, f"{path.name} imports ..{module}"
            if node.level == 0:
                assert not module.startswith(tuple(f"tcs_drivers.{d}" for d in drivers)), path.name


@pytest.mark.parametrize(("kind", "options", "expected"), [
    ("bta", {"param_password": "pw"}, "Wrong password"),
    ("bta", {"action_stop": "halt"}, "unknown action"),
    ("zeiss", {"stop_method": "halt"}, "halt not found"),
])
def test_a_driver_wire_mistake_is_caught_by_the_simulator(kind, options, expected, sims, driver_for,
                                                          wait_for):
    # The driver is reconfigured, the simulator is not: the two disagree, and the TCS's words say how.
    sim = sims(kind)
    driver = driver_for(sim, options=options)
    result = wait_for(driver.stop())
    assert result.outcome is Outcome.REFUSED_BY_TCS and expected in result.reply
    assert sim.telescope.stops == 0
