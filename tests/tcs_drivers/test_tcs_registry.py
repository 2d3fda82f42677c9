"""Entry-point discovery: every installed driver conforms; a broken plugin is isolated; config builds one."""

from __future__ import annotations

import inspect
import logging
from importlib.metadata import EntryPoint

import pytest

from gcnmon.config import load_config
from gcnmon.sky import SITE_PRESETS, site_from_config
from tcs_drivers import registry
from tcs_drivers.base import TcsDriver
from tcs_drivers.credentials import Secret
from tcs_drivers.dummy import DummyDriver
from tcs_drivers.zeiss import ZeissDriver

INSTALLED = sorted(registry.available())


def test_our_four_drivers_are_installed():
    assert {"zeiss", "bta", "alpaca", "dummy"} <= set(INSTALLED)


@pytest.mark.parametrize("name", INSTALLED)
def test_entry_point_conforms(name):
    cls = registry.load_driver(name)
    assert issubclass(cls, TcsDriver) and not inspect.isabstract(cls)
    assert cls.name == name and cls.title
    assert isinstance(cls.send_level, int) and isinstance(cls.slew_level, int)
    assert 0 <= cls.send_level <= cls.slew_level
    driver = cls("http://127.0.0.1:9", user="u", password="p")
    assert driver.level is None and not driver.can_send and not driver.can_slew
    assert set(driver.options) == set(cls.DEFAULTS)


def test_default_config_names_only_known_options():
    # The driver's DEFAULTS are the schema of its [tcs.<name>] table; the shipped file shows them all.
    from gcnmon.config_schema import shipped_defaults

    tcs = shipped_defaults()["tcs"]
    for name in ("zeiss", "bta", "alpaca", "dummy"):
        assert set(tcs.get(name, {})) == set(registry.load_driver(name).DEFAULTS), name
        assert tcs.get(name, {}) == dict(registry.load_driver(name).DEFAULTS), name


def test_broken_plugin_is_isolated(monkeypatch, caplog):
    eps = dict(registry.available())
    eps["broken"] = EntryPoint("broken", "tcs_drivers.no_such_module:Driver", registry.GROUP)
    eps["notadriver"] = EntryPoint("notadriver", "tcs_drivers.coords:format_ra", registry.GROUP)
    monkeypatch.setattr(registry, "available", lambda: eps)
    infos = {info.name: info for info in registry.discover()}
    assert infos["zeiss"].ok and infos["dummy"].ok
    assert not infos["broken"].ok and "ModuleNotFoundError" in infos["broken"].error
    assert not infos["notadriver"].ok and "not a tcs_drivers.base.TcsDriver" in infos["notadriver"].error
    assert sum(r.levelno == logging.ERROR for r in caplog.records) == 2
    with pytest.raises(ImportError):
        registry.load_driver("broken")
    with pytest.raises(KeyError, match="installed: alpaca, broken, bta"):
        registry.load_driver("nope")


def test_create_driver_from_config(monkeypatch):
    monkeypatch.setenv("TEST_TCS_PW", "s3cret")
    cfg = load_config("/dev/null", ["site.preset=Zeiss-1000"])
    tcs = dict(cfg.section("tcs"), driver="zeiss", url="http://tcs.example:8080", user="observer",
               password_env="TEST_TCS_PW", keyring_service="", timeout=3, zeiss={"slew_method": "tcs_slew"},
               poll_interval=0.5, slew_timeout=30)
    driver = registry.create_driver(tcs, site=site_from_config(cfg.section("site")))
    assert isinstance(driver, ZeissDriver) and driver.user == "observer" and driver.timeout == 3.0
    assert (driver.motion.poll_interval, driver.motion.slew_timeout) == (0.5, 30.0)
    assert driver._reveal_password() == "s3cret" and driver.site == SITE_PRESETS["Zeiss-1000"]
    assert driver.options["slew_method"] == "tcs_slew" and driver.options["login_method"] == "login"


def test_default_config_is_the_dummy_at_the_configured_site():
    cfg = load_config("/dev/null")
    driver = registry.create_driver(cfg.section("tcs"), site=site_from_config(cfg.section("site")),
                                    password=Secret(""))
    assert isinstance(driver, DummyDriver) and driver.site.name == "BTA" and driver.site.zenith_limit == 79.0


def test_the_tcs_limit_is_the_dialogs_limit():
    """One [site] for both: the verdict the observer reads and the check that refuses a slew."""
    from gcnmon.policy import visibility_from_config

    cfg = load_config("/dev/null", ["site.preset=", "site.latitude=43.6", "site.longitude=41.4",
                                    "site.zenith_limit=60"])
    driver = registry.create_driver(cfg.section("tcs"), site=site_from_config(cfg.section("site")),
                                    password=Secret(""))
    assert driver.site == visibility_from_config(cfg).site and driver.site.zenith_limit == 60.0



def test_gcnmon_drivers_lists_them(capsys):
    from gcnmon.cli import main

    assert main(["drivers"]) == 0
    out = capsys.readouterr().out
    assert "zeiss      ok      tcs_drivers.zeiss:ZeissDriver" in out
    assert "(send >= 2, slew >= 4)" in out
