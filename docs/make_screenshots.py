"""Screenshots of the real windows for README: ``xvfb-run -a .venv/bin/python docs/make_screenshots.py``.

Real packets from tests/data go through the whole app (intake, archive, arbiter, dialog) under a fake
clock, with the dummy TCS; each window is captured from the X server (``QScreen.grabWindow``), so what
you see is what the observer sees (Xvfb has no window manager: no title bars).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
OUT = ROOT / "docs" / "screenshots"

#: The night the main window shows: packets arrive every 17 minutes from 17:10 UT.
NIGHT = [
    "mwa_trigger/Fermi_538809001_00.xml", "mwa_trigger/Fermi_538809001_01.xml",
    "mwa_trigger/Fermi_538809001_02.xml", "voeventdb/BAT_GRB_Pos_655721-214.xml",
    "gcn-notice-parser/eclairs_296.xml", "gcn-notice-parser/mxt_41.xml", "gcn-notice-parser/mxt_42.xml",
    "fink-mm/voevent_number=3028.xml", "mwa_trigger/LVC_real_preliminary.xml",
    "fink-mm/voevent_number=18790.xml", "gcn-notice-parser/fermi_lat_pos_ini_0.xml",
    "aware/maxi_known.xml", "mwa_trigger/IceCube_134191_017593623_0.xml",
    "gcn-notice-parser/eclairs_303.xml", "gcn-notice-parser/eclairs_304.xml",
    "skyportal/SWIFT_1125809-092.xml", "skyportal/SWIFT_1125809-104.xml",
]


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def settle(app, seconds: float = 0.4) -> None:
    """Let the X server map and paint the windows."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def grab(qapp, widget, name: str) -> Path:
    settle(qapp)
    pixmap = widget.screen().grabWindow(widget.winId())
    if pixmap.isNull() or pixmap.width() < 50:  # no X server (offscreen): render the widget instead
        pixmap = widget.grab()
    path = OUT / name
    pixmap.save(str(path))
    print(f"{path.relative_to(ROOT)}: {pixmap.width()}x{pixmap.height()}")
    return path


def build(workdir: Path, clock: Clock, level: int = 4):
    from gcnmon.app import build_app
    from gcnmon.config import load_config
    from gcnmon.sky import SITE_PRESETS
    from gcnmon.sound import Alarm
    from tcs_drivers.dummy import DummyDriver

    cfg = load_config(overrides={"archive.path": str(workdir / "archive.sqlite"), "logbook.dir": str(workdir),
                                 "tcs.name": "BTA"})
    driver = DummyDriver(options={"level": level}, site=SITE_PRESETS["BTA"], now=clock)
    driver.connect()  # the dummy answers at once
    app = build_app(cfg, clock=clock, driver=driver, alarm=Alarm(None, muted=True), sources=False)
    app._tcs_connected(driver.connect().result)
    return app


def receive(app, clock: Clock, name: str, after: timedelta = timedelta(minutes=2)):
    """Deliver one real packet; the fake clock stands ``after`` its trigger time (a fresh alert)."""
    from gcnmon.notice import parse

    raw = (DATA / name).read_bytes()
    notice = parse(raw)
    if notice.time is not None and after:
        clock.now = notice.time + after
    app.intake.receive(raw, "vtp:relay.sao.ru:8099")
    return notice


def main_window(qapp, workdir: Path) -> None:
    from gcnmon.stream.link import LinkState

    clock = Clock(datetime(2026, 11, 22, 17, 10, tzinfo=UTC))
    app = build(workdir / "night", clock)
    for i, name in enumerate(NIGHT):
        clock.now += timedelta(minutes=17)
        receive(app, clock, name, after=timedelta(0))
        if app.dialog.isVisible():
            app.dialog.buttons["send" if i % 3 == 0 and app.dialog.buttons["send"].isVisible() else "ack"
                                if app.dialog.buttons["ack"].isVisible() else "ignore"].click()
            app.dialog.buttons["ignore"].click() if app.dialog.isVisible() else None
    now = clock.now.timestamp()
    vtp = LinkState("vtp", clock=lambda: now + 12)
    vtp.up("relay.sao.ru:8099")
    vtp.alive()
    kafka = LinkState("kafka", clock=lambda: now + 400)
    kafka.up("kafka.gcn.nasa.gov:9092")
    kafka.last_packet = now
    for link in (vtp, kafka):
        app.window.links.add(link)
    app.window.idle(len(app.window.history_model.rows))
    app.window.resize(1360, 820)
    app.window.show()
    app.window.skymap.refresh_sky(clock.now, sync=True)
    app.window.update_markers()
    app.window.history.select(app.window.history_model.rows[1].ivorn)
    grab(qapp, app.window, "main-window.png")
    app.window.hide()


def dialogs(qapp, workdir: Path) -> None:
    clock = Clock(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))
    app = build(workdir / "dialogs", clock)
    app.dialog.move(40, 40)
    receive(app, clock, "gcn-notice-parser/mxt_41.xml", timedelta(minutes=1, seconds=47))
    grab(qapp, app.dialog, "alert-act.png")
    clock.now += timedelta(minutes=2, seconds=5)
    receive(app, clock, "gcn-notice-parser/mxt_42.xml", after=timedelta(0))
    app.dialog.buttons["slew"].click()
    app.dialog.tick()
    grab(qapp, app.dialog, "alert-refined.png")
    app.dialog.buttons["ignore"].click()
    receive(app, clock, "gcn-notice-parser/fermi_gbm_fin_pos_1027.xml", timedelta(minutes=6, seconds=12))
    grab(qapp, app.dialog, "alert-inform.png")
    app.dialog.buttons["ack"].click()
    receive(app, clock, "gcn-notice-parser/eclairs_303.xml", timedelta(minutes=3, seconds=20))
    clock.now += timedelta(minutes=4)
    receive(app, clock, "gcn-notice-parser/eclairs_304.xml", after=timedelta(0))
    app.dialog.tick()
    grab(qapp, app.dialog, "alert-retracted.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("GCNMON_CONFIG", str(Path(tempfile.gettempdir()) / "gcnmon-screenshots-none.toml"))
    from gcnmon.bootstrap import install_loops

    qapp, loop = install_loops(["gcnmon-screenshots"])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        main_window(qapp, Path(tmp))
        dialogs(qapp, Path(tmp))
    loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
