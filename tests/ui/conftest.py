"""Fixtures for the GUI tests: a fake clock, notices made to measure, and the whole app built offscreen."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, timedelta

import pytest

from gcnmon.notice.model import Notice
from gcnmon.sound import Alarm, SoundUnavailable

#: A clear November night at the BTA (23:00 local time): the Sun is far below the horizon.
NIGHT = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


class FakeClock:
    """``clock()`` -> the fake now (aware UTC); ``advance(seconds)`` moves it."""

    def __init__(self, now: datetime = NIGHT):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordingBackend:
    """A sound backend that records what it was asked to play; ``fail`` behaves like no sound device."""

    def __init__(self, fail: bool = False):
        self.fail = fail
        self.played: list[str] = []
        self.stops = 0

    def load(self, path):
        return path.name

    def play(self, sound) -> None:
        if self.fail:
            raise SoundUnavailable("Error opening PCM device")
        self.played.append(sound)

    def stop(self) -> None:
        self.stops += 1


@pytest.fixture(scope="session")
def zenith():
    """(ra, dec) straight above the BTA at ``NIGHT``: any slew there passes the altitude check."""
    from gcnmon.sky import SITE_PRESETS
    from gcnmon.ui.skydata import sky_now

    sky = sky_now(SITE_PRESETS["BTA"], NIGHT)
    return sky.lst, sky.latitude


@pytest.fixture
def make_notice(zenith):
    """``make_notice(kind, trigger, **changes)``: a Swift BAT (act) or Fermi GBM (inform) notice."""

    def make(kind: str = "bat", trigger: str = "1165948", serial: int = 1, **changes) -> Notice:
        ra, dec = zenith
        base = {
            "bat": dict(mission="Swift", instrument="BAT", notice_type="BAT_GRB_Pos", packet_type=61,
                        error_radius=0.05, significance=12.0),
            "gbm": dict(mission="Fermi", instrument="GBM", notice_type="GBM_Flt_Pos", packet_type=111,
                        error_radius=8.0, significance=None),
        }[kind]
        notice = Notice(
            ivorn=f"ivo://test/{kind}#{trigger}_{serial}", role="observation", raw=b"<VOEvent/>",
            trigger_id=trigger, serial=serial, time=NIGHT - timedelta(seconds=90), ra=ra, dec=dec, **base,
        )
        return dataclasses.replace(notice, **changes)

    return make


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def backend():
    return RecordingBackend()


@pytest.fixture
def make_app(tmp_path, monkeypatch, clock, backend, wait_for):
    """``make_app(level=4, overrides, sources, login, driver)``: the whole monitor offscreen, logged in
    to a real BTA simulator on loopback at access level ``level`` (0: a wrong password; None: no TCS at
    all; ``login=False``: the test logs in itself; ``driver``: this driver instead). The simulator is
    ``app.tcs_sim``; its ``telescope.commands`` is what really reached the TCS."""
    from twisted.internet import reactor

    from gcnmon.app import build_app
    from gcnmon.config import load_config
    from gcnmon.sky import SITE_PRESETS
    from tcs_drivers.bta import BtaDriver
    from tcs_drivers.sim import Account, start_simulator

    monkeypatch.setenv("GCNMON_CONFIG", os.devnull)
    built, sims = [], []

    def make(level: int | None = 4, overrides=None, sources: bool = False, login: bool = True, driver=None):
        cfg = load_config(overrides={"archive.path": str(tmp_path / "archive.sqlite"),
                                     "logbook.dir": str(tmp_path), **(overrides or {})})
        sim = None
        if driver is None and level is not None:
            site = SITE_PRESETS["BTA"]
            sim = start_simulator("bta", accounts=[Account("", "level4", 4), Account("", "level2", 2)],
                                  site=site, now=clock)
            sims.append(sim)
            password = {4: "level4", 2: "level2"}.get(level, "wrong")
            driver = BtaDriver(sim.base_url, password=password, site=site, now=clock, reactor=reactor,
                               timeout=5.0)
            driver.motion.poll_interval = 0.02  # the Stop buttons follow the simulator's slew closely
            if login:  # else the test logs in itself, e.g. while a dialog is open
                wait_for(driver.connect(), 5)
        app = build_app(cfg, clock=clock, driver=driver, alarm=Alarm(backend), tray=True, tick_ms=10,
                        sources=sources)
        app.tcs_sim = sim
        built.append(app)
        return app

    yield make
    for app in built:
        wait_for(app.stop(), 10)
        app.window.quitting = True
        app.window.close()
        app.dialog.deleteLater()
        app.window.deleteLater()
    for sim in sims:
        wait_for(sim.stop(), 5)


def _feed(app, notice, source: str = "test"):
    """What the intake does after parsing: archive the notice, then hand it on (to the arbiter)."""
    from gcnmon.intake import Arrival

    received = app.arbiter.clock().timestamp()
    result = app.archive.store(notice, source, received)
    app.intake.on_arrival(Arrival(notice, source, received, result.row_id))


@pytest.fixture
def feed():
    return _feed


@pytest.fixture
def shown_buttons():
    """The names of the dialog's visible buttons."""
    return lambda dialog: [name for name, button in dialog.buttons.items() if button.isVisible()]
