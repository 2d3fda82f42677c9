"""The base class's policy through a memory driver (safety limit, access levels, lock, the six outcomes,
coords), and the dummy's honesty."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from tcs_support import HIGH, LOW, MemoryDriver
from twisted.internet import defer

from gcnmon.sky import SITE_PRESETS
from tcs_drivers.base import Outcome, Target, TcsDriver, TcsResult
from tcs_drivers.coords import format_dec, format_ra, parse_dec, parse_ra, separation
from tcs_drivers.credentials import Secret, resolve_password
from tcs_drivers.dummy import DummyDriver


def test_send_and_slew_high_target(wait_for):
    driver = MemoryDriver()
    result = wait_for(driver.send_and_slew(**HIGH))
    assert result.ok and result.level == 4 and result.exit_code == 0
    assert [kind for kind, _ in driver.sent] == ["send", "slew"]
    assert 42.0 < result.altitude < 46.0  # Dec +89 at latitude 43.6 N: always within a degree of 43.6
    assert "TCS: Memory TCS: slew to GRB HIGH" in result.text()
    assert result.outcome is Outcome.ACCEPTED and result.label == "slew accepted"


def test_slew_below_limit_refused_before_login(wait_for):
    driver = MemoryDriver()
    result = wait_for(driver.send_and_slew(**LOW))
    assert result.refused and not result.sent and driver.sent == [] and driver.level is None
    assert result.outcome is Outcome.REFUSED_BY_GCNMON and result.rule == "altitude limit"
    assert result.altitude < 0 and "nothing sent" in result.error
    assert result.label == "slew refused by gcnmon (altitude limit)" and result.exit_code == 2


def test_send_below_limit_warns(wait_for, caplog):
    result = wait_for(MemoryDriver().send_coordinates(**LOW))
    assert result.ok and "do not slew" in result.warning
    assert result.outcome is Outcome.WARNED and result.exit_code == 3 and result.severity == "warning"


def test_limit_is_the_sites_zenith_distance(wait_for):
    # Dec +89 stands at zenith distance ~46 deg: a 40 deg limit refuses it, the BTA's 79 does not.
    site = SITE_PRESETS["BTA"]
    strict = type(site)(site.name, site.latitude, site.longitude, site.height, 40.0)
    assert wait_for(MemoryDriver(site=strict).send_and_slew(**HIGH)).refused
    assert not MemoryDriver(site=strict).visibility(HIGH["ra"], HIGH["dec"]).ok
    assert MemoryDriver().visibility(HIGH["ra"], HIGH["dec"]).ok


def test_injected_clock_decides_the_altitude():
    # Vega (RA 279.23, Dec +38.78) transits the BTA meridian at 21:10 UTC on 2024-07-01, at altitude
    # 90 - (43.65 - 38.78) = 85.1; twelve hours later it is below the northern horizon.
    # The injected clock, not the wall clock, decides.
    when = datetime(2024, 7, 1, 21, 10, tzinfo=UTC)
    driver = MemoryDriver(now=lambda: when)
    up = driver.visibility(279.23, 38.78)
    down = driver.visibility(279.23, 38.78, when.replace(day=2, hour=9))
    assert up.altitude == pytest.approx(85.15, abs=0.05) and up.ok
    assert down.altitude == pytest.approx(-7.55, abs=0.05) and not down.ok


def test_access_level_too_low(wait_for):
    driver = MemoryDriver(options={"level": 2})
    assert wait_for(driver.connect()).level == 2 and driver.can_send and not driver.can_slew
    result = wait_for(driver.send_and_slew(**HIGH))
    assert result.refused and result.error == "access level 2 < 3 needed to slew: nothing sent"
    assert result.rule == "access level" and result.label == "slew refused by gcnmon (access level)"
    assert driver.sent == []


def test_slew_after_send(wait_for):
    driver = MemoryDriver()
    assert wait_for(driver.slew()).refused  # nothing sent yet
    wait_for(driver.send_coordinates(**HIGH))
    assert wait_for(driver.slew()).ok
    assert [kind for kind, _ in driver.sent] == ["send", "slew"]


def test_commands_run_one_at_a_time(wait_for):
    order = []

    class Gated(MemoryDriver):
        gate = defer.Deferred()

        def _send(self, target):
            order.append(("start", target.name))
            d = self.gate if target.name == "first" else defer.succeed(None)
            return d.addCallback(lambda _: order.append(("end", target.name)) or "ok")

    driver = Gated()
    first = driver.send_coordinates(1.0, 89.0, name="first")
    second = driver.send_coordinates(2.0, 89.0, name="second")
    assert order == [("start", "first")]
    Gated.gate.callback(None)
    wait_for(defer.gatherResults([first, second]))
    assert order == [("start", "first"), ("end", "first"), ("start", "second"), ("end", "second")]


def test_unexpected_bug_in_a_driver_is_a_result_not_a_crash(wait_for, caplog):
    class Broken(MemoryDriver):
        def _send(self, target):
            raise RuntimeError("driver bug")

    result = wait_for(Broken().send_coordinates(**HIGH))
    assert not result.ok and result.exit_code == 1 and result.error == "RuntimeError: driver bug"
    assert any(r.levelno == logging.ERROR for r in caplog.records)


def test_unknown_option_rejected():
    with pytest.raises(ValueError, match="unknown option"):
        MemoryDriver(options={"levle": 3})


@pytest.mark.parametrize(("outcome", "code", "severity", "label"), [
    (Outcome.ACCEPTED, 0, "ok", "slew accepted"),
    (Outcome.WARNED, 3, "warning", "slew accepted with a warning"),
    (Outcome.REFUSED_BY_TCS, 2, "error", "slew refused by the TCS"),
    (Outcome.REFUSED_BY_GCNMON, 2, "error", "slew refused by gcnmon"),
    (Outcome.UNREACHABLE, 1, "error", "slew failed"),
    (Outcome.UNREADABLE, 1, "error", "slew failed"),
])
def test_six_outcomes(outcome, code, severity, label):
    result = TcsResult("slew", outcome)
    assert (result.exit_code, result.severity, result.label) == (code, severity, label)
    assert result.ok == (code in (0, 3)) and result.summary.startswith(label)


def test_dummy_sends_nothing_and_says_so(wait_for):
    driver = DummyDriver()
    assert not driver.has_telescope
    login = wait_for(driver.connect())
    assert login.outcome is Outcome.REFUSED_BY_GCNMON and driver.level is None and not driver.can_send
    for call in (driver.send_coordinates, driver.send_and_slew):
        result = wait_for(call(**HIGH))
        assert result.outcome is Outcome.REFUSED_BY_GCNMON and result.rule == "no telescope"
        assert not result.ok and not result.sent and result.exit_code == 2
        assert "no telescope: nothing sent" in result.summary and "accepted" not in result.text()


def test_target_validation():
    with pytest.raises(ValueError):
        Target(360.0, 0.0)
    assert Target(285.75970833, 8.5316).label == "target 19:03:02.33 +08:31:53.8"


@pytest.mark.parametrize("text, degrees", [("19:03:02.33", 285.7597083), ("19 03 02.33", 285.7597083),
                                           ("19h03m02.33s", 285.7597083), ("285.75", 285.75)])
def test_parse_ra(text, degrees):
    assert parse_ra(text) == pytest.approx(degrees)


@pytest.mark.parametrize("text, degrees", [("+08:31:53.8", 8.5316111), ("-00:30:00", -0.5), ("-60.5", -60.5)])
def test_parse_dec(text, degrees):
    assert parse_dec(text) == pytest.approx(degrees)


@pytest.mark.parametrize("bad", ["", "25:00:00", "ab:cd", "+91:00:00", "1:2:3:4"])
def test_bad_angles_rejected(bad):
    with pytest.raises(ValueError):
        parse_ra(bad) if "+" not in bad else parse_dec(bad)


def test_format_round_trip():
    assert format_ra(parse_ra("23:59:59.999")) == "00:00:00.00"
    assert format_dec(parse_dec("-89:59:59.99")) == "-90:00:00.0"
    assert separation(10.0, 20.0, 10.0, 25.0) == pytest.approx(5.0)


def test_secret_never_shows(monkeypatch):
    secret = Secret("hunter2")
    assert "hunter2" not in repr(secret) + str(secret) + f"{secret}" and secret.reveal() == "hunter2"
    driver = MemoryDriver("http://tcs", user="obs", password="hunter2")
    assert "hunter2" not in repr(driver) + repr(vars(driver))


def test_resolve_password_order(monkeypatch, caplog):
    caplog.set_level(logging.INFO, "tcs_drivers.credentials")
    monkeypatch.setenv("TEST_TCS_PW", "from-env")
    assert resolve_password(env="TEST_TCS_PW", config_value="from-config").reveal() == "from-env"
    monkeypatch.delenv("TEST_TCS_PW")
    assert resolve_password(env="TEST_TCS_PW", config_value="from-config").reveal() == "from-config"
    assert resolve_password() is None
    assert "TEST_TCS_PW is not set" in caplog.text


def test_abstract_hooks_are_required():
    with pytest.raises(TypeError):
        TcsDriver()  # type: ignore[abstract]
