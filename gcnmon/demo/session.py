"""One demo session: a TCS simulator, the story's VTP feed and the monitor wired to both, in a folder."""

from __future__ import annotations

import itertools
import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from twisted.internet import defer, task

from ..logbook import sexagesimal_dec, sexagesimal_ra
from .feed import DemoFeed
from .story import STORY, load_story, prepare_round, rename

__all__ = ["Telescope", "TELESCOPES", "DemoSession", "start_demo", "demo_config"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Telescope:
    """A simulated TCS for ``--tel``: simulator kind, site preset and an account that may slew."""

    kind: str
    site: str
    user: str
    password: str  # the simulator's built-in demo account, never a real one
    name: str  # on the dialog's "Send to ..." button

    @property
    def station(self) -> str:
        return self.kind


TELESCOPES = {
    "zeiss": Telescope("zeiss", "Zeiss-1000", "astronomer", "astronomer", "Zeiss-1000 simulator"),  # 4 slews
    "bta": Telescope("bta", "BTA", "", "level4", "BTA simulator"),  # the BTA TCS slews from level 4
    "alpaca": Telescope("alpaca", "Zeiss-1000", "", "", "Alpaca simulator"),  # no login; CanSlewAsync: slew
}


def demo_config(folder: Path, port: int, tel: Telescope, sim_url: str, muted: bool = False):
    """Write ``gcnmon-demo.toml`` in ``folder`` (a real station's file looks the same) and load it."""
    from ..config import load_config

    q = json.dumps  # a JSON string is a valid TOML basic string (paths with backslashes too)
    text = f"""\
# Written by `gcnmon demo`: the same keys a station's gcnmon.toml has (see README).
[station]
name = {q(tel.station)}

[sources]
vtp = [{q(f"127.0.0.1:{port}")}]
kafka = false

[archive]
path = {q(str(folder / "archive.sqlite"))}

[logbook]
dir = {q(str(folder))}

[site]
preset = {q(tel.site)}

[policy]
# The story's packets are real ones, issued months ago (only their position is moved): a station's
# 24 h trigger and 6 h message limits would list them without a dialog.
max_trigger_age = 0
max_message_age = 0

[sound]
muted = {str(muted).lower()}

[tcs]
driver = {q(tel.kind)}
name = {q(tel.name)}
url = {q(sim_url)}
user = {q(tel.user)}
# The simulator's demo password is handed over in memory: a station keeps its password in the
# keyring or in the environment variable named by password_env, not here.
"""
    path = folder / "gcnmon-demo.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def _driver(cfg, tel: Telescope, reactor):
    """The ``[tcs]`` driver through the registry, as ``gcnmon run`` builds it."""
    from tcs_drivers.credentials import Secret
    from tcs_drivers.registry import create_driver

    from ..sky import site_from_config

    password = Secret(tel.password) if tel.password else None
    site = site_from_config(cfg.section("site"))
    try:
        return create_driver(cfg.section("tcs"), site=site, password=password, reactor=reactor)
    except KeyError as exc:
        # Entry points come from the installed metadata: a checkout not re-installed has none yet.
        log.warning("%s; using the built-in %s driver (re-run `pip install -e .` to register drivers)",
                    exc.args[0], tel.kind)
        from tcs_drivers import alpaca, bta, zeiss

        cls = {"zeiss": zeiss.ZeissDriver, "bta": bta.BtaDriver, "alpaca": alpaca.AlpacaDriver}[tel.kind]
        return cls(cfg.get("tcs.url"), user=tel.user, password=password, site=site, reactor=reactor)


@dataclass
class DemoSession:
    """What ``start_demo`` started: ``begin()`` tells the story, ``stop()`` undoes it all (and removes a
    throw-away folder). ``moves`` lists where each round put the act event."""

    app: Any
    sim: Any
    feed: DemoFeed
    folder: Path
    say: Callable[[str], None]
    story: list
    site: Any
    clock: Callable[[], datetime]
    tmp: tempfile.TemporaryDirectory | None = None
    base: int = 0  # rounds a kept archive has already seen
    moves: list = field(default_factory=list)
    status: task.LoopingCall | None = None
    _state: str = ""

    @property
    def logbook_path(self) -> Path:
        return self.app.logbook.path

    def begin(self, reactor, show: bool = True) -> None:
        """Show the monitor, poll the simulator once a second, and start the story."""
        self.feed.prepare, self.feed.on_step = self.prepare, self.on_step
        self.feed.ready = lambda: _wait_for_login(self.app.driver, reactor)
        self.app.start(show=show)
        self.status = task.LoopingCall(self.show_status)
        self.status.clock = reactor
        self.status.start(1.0)
        self.feed.start()

    def prepare(self, round_no: int) -> list:
        """The packets of one round, the act event moved to be up now (and said so)."""
        if round_no > 1 and self.app.arbiter.current is not None:
            self.app.arbiter.close("demo: next round")  # what the observer does with last round's dialog
        steps, move = prepare_round(self.story, self.site, self.clock(), self.base + round_no)
        self.moves.append(move)
        self.app.logbook.write(f"DEMO    {move.line}")
        self.app.window.statusBar().showMessage(f"demo: {move.short}")
        self.say(move.line)
        return steps

    def on_step(self, round_no: int, index: int, step) -> None:
        text = f"round {self.base + round_no}, step {index + 1}/{len(STORY)}: {step.caption}"
        self.app.logbook.write(f"DEMO    {text} ({step.file})")
        self.say(text)

    def show_status(self) -> None:
        """The simulated telescope in the main window's TCS status; each change of state in the log book."""
        tel, driver = self.sim.telescope, self.app.driver
        state = tel.state()
        where = f"RA {sexagesimal_ra(tel.ra)} Dec {sexagesimal_dec(tel.dec)}"
        doing = f"slewing to {tel.target.name or tel.target.label}" if state == "slewing" else state
        # The driver's own view (level, motion, last result) is beside it, in the window's TcsStatus.
        self.app.window.set_tcs(f"sim: {doing}, at {where}", driver.can_slew)
        if state != self._state:
            self._state = state
            line = f"simulated telescope {doing}" + (f", at {where}" if state != "slewing" else "")
            self.app.logbook.write(f"DEMO    {line}")
            self.say(line)

    def stop(self) -> defer.Deferred:
        if self.status is not None and self.status.running:
            self.status.stop()
        d = defer.DeferredList([defer.maybeDeferred(self.feed.stop), self.app.stop(),
                                defer.maybeDeferred(self.sim.stop)], consumeErrors=True)
        d.addCallback(lambda _: self.tmp.cleanup() if self.tmp is not None else None)
        return d


def _first_round(archive, story) -> int:
    """The first ``--loop`` round whose packets a kept archive has not seen (it drops duplicates)."""
    from ..notice import parse

    first = next(payload for step, payload in story if step.moves)
    return next(r for r in itertools.count(1) if archive.get(parse(rename(first, r)).ivorn) is None)


def _wait_for_login(driver, reactor, timeout: float = 10.0) -> defer.Deferred:
    """Fires once the driver knows its access level (so the first dialog has its TCS buttons)."""

    async def wait():
        for _ in range(int(timeout / 0.05)):
            if driver.level is not None:
                return
            await task.deferLater(reactor, 0.05, lambda: None)
        log.warning("demo: the TCS has not answered the login: dialogs offer Acknowledge only")

    return defer.ensureDeferred(wait())


def start_demo(tel: str = "zeiss", *, interval: float = 10.0, loop: bool = False,
               keep: str | Path | None = None, muted: bool = False, pace_clock=None, show: bool = True,
               tray: bool | None = False, say: Callable[[str], None] | None = None,
               clock: Callable[[], datetime] | None = None, reactor=None) -> DemoSession:
    """Start the simulator, the feed and the monitor (the loops must be installed); returns the session.

    ``keep``: the folder for the archive, the log book and the demo's config (default: a temporary one,
    removed by ``stop()``). ``pace_clock`` paces the story (tests pass a ``task.Clock``).
    """
    from tcs_drivers.sim import start_simulator

    from ..app import build_app
    from ..sky import SITE_PRESETS

    if reactor is None:
        from twisted.internet import reactor
    telescope, clock = TELESCOPES[tel], clock or (lambda: datetime.now(UTC))
    tmp = None if keep else tempfile.TemporaryDirectory(prefix="gcnmon-demo-")
    folder = Path(keep or tmp.name).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    site = SITE_PRESETS[telescope.site]
    sim = start_simulator(telescope.kind, site=site, reactor=reactor)
    feed = DemoFeed(lambda r: [], interval=interval, loop=loop, clock=pace_clock, reactor=reactor)
    cfg = demo_config(folder, feed.listen(), telescope, sim.url, muted)
    app = build_app(cfg, driver=_driver(cfg, telescope, reactor), tray=tray, clock=clock)
    app.window.setWindowTitle(f"gcnmon demo — {app.driver.title} simulator — {folder}")
    session = DemoSession(app, sim, feed, folder, say or (lambda text: log.info("demo: %s", text)),
                          load_story(), site, clock, tmp)
    session.base = _first_round(app.archive, session.story) - 1
    session.begin(reactor, show)
    session.say(f"archive, log book and config in {folder}" + (" (removed at exit)" if tmp else ""))
    return session
