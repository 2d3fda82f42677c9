"""Screenshots of the real windows for README: ``xvfb-run -a .venv/bin/python docs/make_screenshots.py``.

Real packets from tests/data go through the whole app (intake, archive, arbiter, dialog) under a fake
clock, with the BTA TCS simulator on loopback; each window is captured from the X server
(``QScreen.grabWindow``), so what you see is what the observer sees (Xvfb has no window manager: no
title bars). ``--only tcs`` makes one scenario's pictures.
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


LOOP = None  # the asyncio (qasync) loop, set by main()


def wait(d, timeout: float = 10.0):
    """Run the loop until the Deferred ``d`` fires (a TCS exchange over loopback)."""
    import asyncio

    return LOOP.run_until_complete(asyncio.wait_for(d.asFuture(LOOP), timeout))


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


def build(workdir: Path, clock: Clock, level: int = 4, groups: list | None = None):
    """The whole app, logged in to a BTA simulator at ``level`` (``app.tcs_sim``); ``groups`` replaces
    the shipped ``[[groups]]``."""
    from gcnmon.app import build_app
    from gcnmon.config import load_config
    from gcnmon.sky import SITE_PRESETS
    from gcnmon.sound import Alarm
    from tcs_drivers.bta import BtaDriver
    from tcs_drivers.sim import start_simulator

    cfg = load_config(overrides={"archive.path": str(workdir / "archive.sqlite"), "logbook.dir": str(workdir),
                                 "tcs.name": "BTA"})
    if groups is not None:
        cfg.set("groups", groups)
    site = SITE_PRESETS["BTA"]
    sim = start_simulator("bta", site=site, now=clock)
    driver = BtaDriver(sim.base_url, password=f"level{level}", site=site, now=clock, poll_interval=0.05)
    app = build_app(cfg, clock=clock, driver=driver, alarm=Alarm(None, muted=True), sources=False)
    app._tcs_connected(wait(driver.connect()))
    app.tcs_sim = sim
    return app


def click_tcs(qapp, app, button: str) -> None:
    """Click a TCS button of the dialog and wait for the TCS's answer."""
    app.dialog.buttons[button].click()
    end = time.monotonic() + 10
    while app.dialog.buttons["ignore"].text() != "Close" and not app.dialog.reply.isVisible():
        if time.monotonic() > end:
            raise RuntimeError(f"no TCS reply to {button}")
        qapp.processEvents()
        time.sleep(0.01)
    settle(qapp, 0.2)


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
            if i % 3 == 0 and app.dialog.buttons["send"].isVisible():
                click_tcs(qapp, app, "send")
            else:
                app.dialog.buttons["ack" if app.dialog.buttons["ack"].isVisible() else "ignore"].click()
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
    """Issue 13's set: an act alert; its better position after the telescope was slewed (the dialog
    reopens and says where the telescope is); an inform alert; a retraction of an event slewed to (it
    reopens, RETRACTED, countdown stopped); a send the TCS warns about; no TCS at all; scale 1.5."""
    clock = Clock(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))
    app = build(workdir / "dialogs", clock)
    app.dialog.move(40, 40)
    receive(app, clock, "gcn-notice-parser/mxt_41.xml", timedelta(minutes=1, seconds=47))
    grab(qapp, app.dialog, "alert-act.png")
    click_tcs(qapp, app, "slew")
    app.dialog.buttons["ignore"].click()  # "Close" after the slew
    clock.now += timedelta(minutes=2, seconds=5)
    receive(app, clock, "gcn-notice-parser/mxt_42.xml", after=timedelta(0))  # MXT's better position
    app.dialog.tick()
    grab(qapp, app.dialog, "alert-refined.png")
    app.dialog.buttons["ignore"].click()
    receive(app, clock, "gcn-notice-parser/fermi_gbm_fin_pos_1027.xml", timedelta(minutes=6, seconds=12))
    grab(qapp, app.dialog, "alert-inform.png")
    app.dialog.buttons["ack"].click()
    receive(app, clock, "gcn-notice-parser/eclairs_303.xml", timedelta(minutes=3, seconds=20))
    click_tcs(qapp, app, "slew")
    app.dialog.tcs_panel.stop_button.click()  # the slew is stopped; the observer closes the dialog
    settle(qapp, 0.3)
    app.dialog.buttons["ignore"].click()
    clock.now += timedelta(minutes=4)
    receive(app, clock, "gcn-notice-parser/eclairs_304.xml", after=timedelta(0))  # the retraction
    app.dialog.tick()
    grab(qapp, app.dialog, "alert-retracted.png")
    app.dialog.buttons["ignore"].click()
    low = _low_packet(clock)  # a real BAT packet placed where the BTA never looks: the TCS warns
    app.intake.receive(low, "vtp:relay.sao.ru:8099")
    click_tcs(qapp, app, "send")
    grab(qapp, app.dialog, "alert-tcs-warning.png")
    app.dialog.buttons["ignore"].click()
    app.dialog.hide()
    _no_tcs(qapp, workdir, clock)
    _scaled(qapp, workdir, clock)


def _low_packet(clock: Clock) -> bytes:
    """A real Swift BAT packet with only its IVORN, trigger, time and position changed (RA 19h03m, Dec
    -60°: never above the BTA's 11° limit)."""
    import re

    sys.path.insert(0, str(ROOT / "tests" / "policy"))
    from policy_packets import build as build_packet

    when = clock.now - timedelta(minutes=3)
    raw = build_packet("mwa_trigger/SWIFT_BAT_GRB_Pos_1093742-465.xml",
                       ivorn="ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1165990-100",
                       params={"TrigID": 1165990}, time=when.strftime("%Y-%m-%dT%H:%M:%S.00"),
                       position=(285.76, -60.0, 0.05))
    written = (when + timedelta(seconds=20)).strftime("%Y-%m-%dT%H:%M:%S")  # Who/Date: a fresh message
    return re.sub(rb"<Date>[^<]*</Date>", f"<Date>{written}</Date>".encode(), raw, count=1)


def _no_tcs(qapp, workdir: Path, clock: Clock) -> None:
    """No [tcs] at all: Acknowledge only, the panel says so."""
    from gcnmon.app import build_app
    from gcnmon.config import load_config
    from gcnmon.sound import Alarm

    cfg = load_config(overrides={"archive.path": str(workdir / "no-tcs.sqlite"), "logbook.dir": str(workdir)})
    app = build_app(cfg, clock=clock, driver=None, alarm=Alarm(None, muted=True), sources=False)
    app.dialog.move(40, 40)
    receive(app, clock, "gcn-notice-parser/eclairs_296.xml", timedelta(minutes=2, seconds=40))
    grab(qapp, app.dialog, "alert-no-tcs.png")
    app.dialog.buttons["ack"].click()


def _scaled(qapp, workdir: Path, clock: Clock) -> None:
    """``[ui] scale = 1.5``: every font half as large again."""
    from gcnmon.ui.theme import set_scale

    app = build(workdir / "scaled", clock)
    set_scale(qapp, 1.5)
    app.dialog.rescale()
    app.window.rescale()
    app.dialog.move(40, 40)
    receive(app, clock, "gcn-notice-parser/mxt_41.xml", timedelta(minutes=4, seconds=2))
    grab(qapp, app.dialog, "alert-scale-1.5.png")
    app.dialog.buttons["ignore"].click()
    set_scale(qapp, 1.0)


def tcs(qapp, workdir: Path) -> None:
    """The TCS panel: Stop while the simulated BTA slews; then the TCS down and a slew that failed, in
    the dialog and in the main window (history's Action column, the status bar)."""
    clock = Clock(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))
    app = build(workdir / "tcs", clock)
    app.dialog.move(40, 40)
    receive(app, clock, "gcn-notice-parser/eclairs_303.xml", timedelta(minutes=1, seconds=12))  # altitude 48
    click_tcs(qapp, app, "slew")
    end = time.monotonic() + 5
    while not app.dialog.tcs_panel.stop_button.isVisible() and time.monotonic() < end:
        qapp.processEvents()
        time.sleep(0.01)
    grab(qapp, app.dialog, "tcs-stop-while-slewing.png")
    app.dialog.tcs_panel.stop_button.click()
    settle(qapp, 0.5)
    wait(app.tcs_sim.stop())  # the TCS goes down
    app.dialog.buttons["ignore"].click()
    # Swift UVOT at Dec +89: altitude 45 deg, so the slew passes the altitude check and meets the dead TCS.
    receive(app, clock, "mwa_trigger/group_02_SWIFT_03_UVOT_Pos.xml", timedelta(minutes=2, seconds=3))
    click_tcs(qapp, app, "slew")
    grab(qapp, app.dialog, "tcs-slew-failed.png")
    app.dialog.hide()
    app.window.resize(1270, 800)  # within Xvfb's 1280x1024 screen
    app.window.show()
    grab(qapp, app.window, "tcs-main-window-failed.png")
    app.window.hide()


#: Issue 16's scenario: a real SVOM burst (sb26022802: MXT's initial position, then its update) as one story.
STORY = ["gcn-notice-parser/mxt_41.xml", "gcn-notice-parser/mxt_42.xml"]
#: An example circular for the story (NOT a real GCN Circular: its number is out of GCN's range).
EXAMPLE_CIRCULAR = (
    '{"circularId": 990001, "createdOn": %d, "submitter": "gcnmon docs",'
    ' "subject": "SVOM sb26022802: MXT refined position (example, not a real GCN Circular)",'
    ' "body": "The SVOM/MXT refined position of burst sb26022802 is ...'
    '\\n\\n(An example written for the gcnmon README: read the real circulars on gcn.nasa.gov.)"}'
)


def story(qapp, workdir: Path) -> None:
    """Issue 16: the event pane (notices, decisions, the TCS's reply, a circular) and tonight's curve."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    from gcnmon.story.intake import CircularIntake

    clock = Clock(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))
    app = build(workdir / "story", clock)
    app.dialog.move(40, 40)
    first = receive(app, clock, STORY[0], timedelta(minutes=1, seconds=20))
    curve = app.dialog.curve
    settle(qapp)
    QTest.mouseMove(curve, QPoint(int(curve._x(clock.now.timestamp() - 1.5 * 3600)), 60))
    settle(qapp, 0.8)
    grab_with_tooltip(qapp, app.dialog, "night-curve.png")
    click_tcs(qapp, app, "slew")
    app.dialog.buttons["ignore"].click()
    clock.now += timedelta(minutes=2, seconds=5)
    receive(app, clock, STORY[1], after=timedelta(0))
    if app.dialog.isVisible():
        app.dialog.buttons["ack" if app.dialog.buttons["ack"].isVisible() else "ignore"].click()
    clock.now += timedelta(minutes=40)
    raw = (EXAMPLE_CIRCULAR % int(clock.now.timestamp() * 1000)).encode()
    CircularIntake(app.archive, clock=lambda: clock.now.timestamp()).receive(raw, "kafka:gcn.circulars")
    app.window.resize(1270, 800)  # within Xvfb's 1280x1024 screen
    app.window.show()
    app.window.detail.parentWidget().parentWidget().setSizes([380, 890])  # the event pane wide
    app.window.detail.parentWidget().setSizes([300, 430])  # and tall: the sky map above it smaller
    app.window.selected.emit(first.ivorn)
    pane = app.window.detail.event_pane
    pane.select([e.kind for e in pane.entries()].index("circular"))
    app.window.detail.setCurrentWidget(pane)
    settle(qapp)
    pixmap = app.window.detail.grab()
    pixmap.save(str(OUT / "event-pane.png"))
    print(f"docs/screenshots/event-pane.png: {pixmap.width()}x{pixmap.height()}")
    app.window.hide()
    wait(app.tcs_sim.stop())


def grab_with_tooltip(qapp, widget, name: str) -> None:
    """``widget`` as the X server shows it, with the tooltip floating over it painted in place."""
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QApplication

    settle(qapp)
    pixmap = widget.screen().grabWindow(widget.winId())
    if pixmap.isNull() or pixmap.width() < 50:
        pixmap = widget.grab()
    tips = [w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel") and w.isVisible()]
    painter = QPainter(pixmap)
    for tip in tips:
        origin = widget.mapToGlobal(widget.rect().topLeft())
        painter.drawPixmap(tip.mapToGlobal(tip.rect().topLeft()) - origin, tip.grab())
    painter.end()
    pixmap.save(str(OUT / name))
    print(f"docs/screenshots/{name}: {pixmap.width()}x{pixmap.height()}, {len(tips)} tooltip(s)")


def full_disk(qapp, workdir: Path) -> None:
    """An act alert while the archive cannot be written: shown all the same, marked NOT ARCHIVED."""
    clock = Clock(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))
    app = build(workdir / "full-disk", clock)
    blocker = workdir / "full-disk" / "unmounted"
    blocker.write_text("a file where the archive folder should be: every write fails, as on a full disk")
    app.archive.close()
    app.archive.path = blocker / "archive.sqlite"
    app.dialog.move(40, 40)
    receive(app, clock, "gcn-notice-parser/mxt_41.xml", timedelta(minutes=1, seconds=47))
    grab(qapp, app.dialog, "alert-not-archived.png")
    app.window.resize(1360, 820)
    app.window.show()
    grab(qapp, app.window, "main-window-not-archived.png")
    app.window.hide()
    app.dialog.hide()
    app.intake.backlog.stop()


def skymaps(qapp, workdir: Path) -> None:
    """Issue 12: the LVK user guide's alert (its BAYESTAR map, re-dated to tonight and made a real
    superevent) at the BTA at 02:40 UT, with a rule that makes small GW maps up now act; the dialog's
    region section and the main window's sky map with the map's 90 % and 50 % contours."""
    import json

    from gcnmon.config import load_config

    groups = load_config().get("groups")
    act = next(g for g in groups if g["action"] == "act")
    act["match"].insert(0, {"label": "GW, small and up", "mission": "LVK", "max_area90": 100.0,
                            "min_prob_up": 0.3})  # fmt: skip
    clock = Clock(datetime(2026, 12, 2, 2, 40, tzinfo=UTC))
    app = build(workdir / "skymaps", clock, groups=groups)
    doc = json.loads((DATA / "lvk-userguide" / "MS181101ab-preliminary.json").read_bytes())
    doc.update(superevent_id="S261202br", time_created="2026-12-02T02:39:11Z")
    doc["event"]["time"] = "2026-12-02T02:37:52.654Z"
    for name in ("gcn-notice-parser/fermi_gbm_fin_pos_1027.xml", "aware/maxi_known.xml"):
        app.intake.receive((DATA / name).read_bytes(), "vtp:relay.sao.ru:8099")  # earlier notices
        if app.dialog.isVisible():
            app.dialog.buttons["ack" if app.dialog.buttons["ack"].isVisible() else "ignore"].click()
    app.intake.receive(json.dumps(doc).encode(), "kafka:igwn.gwalert")
    app.dialog.move(40, 40)
    grab(qapp, app.dialog, "alert-skymap.png")
    app.window.resize(1270, 780)
    app.window.show()
    app.window.skymap.refresh_sky(clock.now, sync=True)
    app.window.update_markers(app.window.current_ivorn)
    grab(qapp, app.window, "skymap-contours.png")
    app.window.hide()
    app.dialog.buttons["ignore"].click()


def main(argv: list[str] | None = None) -> int:
    global LOOP
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=("main_window", "dialogs", "tcs", "story", "full_disk",
                                           "skymaps"),
                        action="append",
                        help="make only these scenarios (repeatable; default: all)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("GCNMON_CONFIG", os.devnull)  # the defaults alone
    from gcnmon.bootstrap import install_loops

    qapp, loop = install_loops(["gcnmon-screenshots"])
    LOOP = loop
    OUT.mkdir(parents=True, exist_ok=True)
    scenarios = {"main_window": main_window, "dialogs": dialogs, "tcs": tcs, "story": story,
                 "full_disk": full_disk, "skymaps": skymaps}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or scenarios:
            scenarios[name](qapp, Path(tmp))
    loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
