"""The assembly: config -> archive, log book, intake, sources, arbiter, TCS driver, alarm and window.

``build_app()`` builds it all (tests, ``gcnmon demo`` and ``bench/latency.py`` reuse it); ``run_gui()``
installs the loops first (QApplication -> qasync -> Twisted), then builds, shows and runs.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["App", "build_app", "run_gui", "make_alarm", "make_driver", "release_memory"]

log = logging.getLogger(__name__)

TRIM_MS = 600_000  # how often the running app hands freed heap memory back to the system


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    """Everything the monitor is made of, built and wired; ``start()`` and ``stop()``."""

    cfg: Any
    archive: Any
    logbook: Any
    intake: Any
    arbiter: Any
    controller: Any
    window: Any
    dialog: Any
    alarm: Any
    driver: Any
    sources: list = field(default_factory=list)
    links: list = field(default_factory=list)
    escalation: Any = None  # gcnmon.notify.Escalation when [notify] has targets
    decisions: Any = None  # gcnmon.story.timeline.DecisionLog: this session's decisions per event
    journal: Any = None  # gcnmon.journal.Journal: the arbiter's events into the log book and the archive

    def start(self, show: bool = True) -> None:
        """Connect the sources and the TCS, show the window, start the sky map."""
        for source in self.sources:
            source.start()
        if self.driver is not None:
            self.driver.connect().addCallback(self._tcs_connected)
        if show:
            self.window.show()
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self.warm_up)  # once the window is up: it must not delay the first paint
        # glibc keeps freed arenas: a night of notices would look like a leak without a periodic trim.
        self._trim = QTimer(self.window, interval=TRIM_MS)
        self._trim.timeout.connect(release_memory)
        self._trim.start()
        if self.escalation is not None:
            self._escalate = QTimer(self.window, interval=1000)
            self._escalate.timeout.connect(self.escalation.tick)
            self._escalate.start()

    def warm_up(self) -> None:
        """Compute what the first alert would otherwise wait for (astropy's tables, the night's
        visibility grid, the sky map), then hand the transient memory back to the system."""
        now = self.arbiter.clock()
        visibility = self.arbiter.visibility
        try:
            if visibility is not None:
                visibility.verdict(0.0, visibility.site.latitude, now)
            self.window.skymap.refresh_sky(now, sync=True)
            from .notice.region import warm_up as maps_warm_up

            maps_warm_up()  # the FITS reader and HEALPix: ~0.3 s of imports an LVK alert would wait for
        except Exception as exc:  # only a speed-up: the first alert will compute it instead
            log.warning("warm-up failed: %s", exc)
        release_memory()

    def _tcs_connected(self, result) -> None:
        # The window's TCS status and the dialog's buttons follow the driver themselves (ui.tcs_panel).
        from .ui.tcs_panel import access_of

        name = self.driver.title or self.driver.name
        self.logbook.write(f"TCS     {name}: {result.summary}, buttons: {access_of(self.driver)}")

    def stop(self):
        """Stop the sources and the TCS session, close the archive; returns a Deferred."""
        from twisted.internet import defer

        self.controller.timer.stop()
        self.window.links.timer.stop()
        self.dialog.dismiss()
        stops = [defer.maybeDeferred(s.stop) for s in self.sources]
        if self.driver is not None:
            stops.append(defer.maybeDeferred(self.driver.close))
        d = defer.DeferredList(stops, consumeErrors=True)
        d.addBoth(lambda _: (self.intake.close(), self.archive.close(), self.logbook.close()))
        return d


def release_memory() -> None:
    """Collect garbage and return freed heap pages to the OS (glibc): astropy's first transforms leave
    ~70 MB of freed-but-kept arenas behind, which would count as the idle monitor's memory."""
    import ctypes
    import gc

    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # musl and others: nothing to trim
            pass


def make_alarm(cfg):
    """ALSA through ctypes (``gcnmon.alsa``), else QtMultimedia (see README).

    Muted as ``[sound] muted`` says.
    """
    from .sound import Alarm, default_backend

    backend = default_backend()
    if backend is None:
        try:
            from .ui.qsound import QtSoundBackend

            backend = QtSoundBackend()
        except ImportError as exc:
            log.warning("QtMultimedia unavailable: %s", exc)
    return Alarm(backend, muted=cfg.get("sound.muted"))


def _tcs_widgets(window, dialog, controller, driver, logbook) -> None:
    """The TCS's live state and Stop in the dialog (its TCS panel, which also keeps the dialog's buttons
    equal to the access the TCS grants now) and in the main window's status bar. A stop from the dialog
    is a fact about the alert on screen (the arbiter keeps it: history, archive, log book, its story);
    one from the main window goes to the log book."""
    from .ui.tcs_panel import TcsPanel, TcsStatus

    dialog.tcs_panel = TcsPanel.attach(dialog, driver)
    window.tcs_status = TcsStatus(driver)
    window.statusBar().addPermanentWidget(window.tcs_status)
    dialog.tcs_panel.stopped.connect(controller.stopped)
    window.tcs_status.stopped.connect(
        lambda result: logbook.write(f"STOP    from the main window: {result.summary}"))


def make_driver(cfg, password: str | None = None):
    """The ``[tcs]`` driver (dummy by default); a driver that cannot be built means acknowledge-only."""
    from tcs_drivers.credentials import Secret
    from tcs_drivers.registry import create_driver

    from .sky import site_from_config

    tcs, site = cfg.section("tcs"), site_from_config(cfg.section("site"))
    try:
        return create_driver(tcs, site=site, password=Secret(password) if password else None)
    except KeyError as exc:
        if (tcs.get("driver") or "dummy") != "dummy":
            log.error("TCS driver not available (%s): dialogs offer Acknowledge only", exc)
            return None
        # No entry points registered (a checkout not re-installed): the dummy is part of the package.
        from tcs_drivers.dummy import DummyDriver

        return DummyDriver(site=site)
    except Exception as exc:  # a broken plugin or config: the monitor must still ring
        log.error("TCS driver not available (%s): dialogs offer Acknowledge only", exc)
        return None


def _load_history(window, archive, policy, limit: int) -> None:
    """The last ``limit`` archived notices, grouped as the policy would group them now."""
    from .archive import ArchiveError
    from .policy import classify
    from .ui.history import HistoryRow

    rows = []
    try:
        records = archive.recent(limit)
    except ArchiveError as exc:  # the monitor still starts: new notices are shown and held for it
        log.error("history not loaded: %s", exc)
        window.show_problem(f"archive unreadable, history empty: {exc}")
        records = []
    for record in records:
        try:
            notice = record._from_fields()  # columns only: re-parsing a thousand packets would slow start
            group = classify(notice, policy).group
        except Exception as exc:
            log.warning("history: %s not shown: %s", record.ivorn, exc)
            continue
        # what the history said when it was live: the last decision or action (a closing click after a
        # send or slew is not what the observer wants to read there)
        actions = [a.action for a in archive.actions(record.ivorn) if a.action != "close"]
        done = actions[-1] if actions else ""
        rows.append(HistoryRow.of(notice, record.received, group.name, group.action, done))
    window.history_model.reset(rows)
    window.update_markers()


def build_app(cfg, *, password: str | None = None, clock: Callable[[], datetime] = _utcnow,
              driver: Any = "config", alarm=None, tray: bool | None = None, tick_ms: int = 1000,
              sources: bool = True) -> App:
    """Build the whole monitor from ``cfg``. The loops must already be installed (``install_loops``).

    ``driver="config"`` builds the ``[tcs]`` driver; pass a driver object (or None) to override.
    ``clock`` drives the arbiter, the dialog's countdown and the intake (tests give a fake one).
    """
    from PySide6.QtWidgets import QApplication

    from .archive import Archive, archive_path
    from .backlog import backlog_from_config
    from .coverage import fov_for
    from .intake import Intake
    from .journal import Journal
    from .logbook import LogBook, logbook_path
    from .policy import Arbiter, policy_from_config, visibility_from_config
    from .ui.alert_dialog import AlertDialog
    from .ui.controller import AlertController
    from .ui.main_window import MainWindow
    from .ui.theme import apply_theme

    apply_theme(QApplication.instance(), scale=cfg.get("ui.scale"))
    station = cfg.get("station.name")
    policy = policy_from_config(cfg)
    visibility = visibility_from_config(cfg)
    archive = Archive(archive_path(cfg.section("archive")))
    logbook = LogBook(logbook_path(cfg.section("logbook"), station))
    driver = make_driver(cfg, password) if driver == "config" else driver
    alarm = alarm if alarm is not None else make_alarm(cfg)
    if cfg.get("sound.muted"):
        alarm.set_muted(True)
    window = MainWindow(station=station, site=visibility.site, stale_after=cfg.get("vtp.watchdog"),
                        history_limit=cfg.get("ui.history_rows"), tray=tray,
                        clock=lambda: clock().timestamp())
    tcs_name = (driver.title or driver.name) if driver is not None else "TCS"
    dialog = AlertDialog(clock=lambda: clock().timestamp(),
                         tcs_name=cfg.get("tcs.name") or station or tcs_name)
    for curve in (dialog.curve, window.detail.tonight):  # tonight's curves: the verdict's site and night
        curve.configure(visibility.site, visibility.night_sun_altitude, lambda: clock().timestamp())
    dialog.region.configure(visibility.site, visibility.night_sun_altitude, fov_for(cfg, visibility.site),
                            lambda: clock().timestamp())  # a sky map's fields: [tcs] fov
    # One way through: intake -> arbiter -> events -> subscribers (the dialog's controller, the journal,
    # the escalation); what the observer does goes down to the arbiter as facts.
    arbiter = Arbiter(policy, clock=clock, visibility=visibility)
    controller = AlertController(dialog=dialog, alarm=alarm, arbiter=arbiter, archive=archive,
                                 logbook=logbook, driver=driver, window=window, clock=clock, tick_ms=tick_ms)
    journal = Journal(archive, logbook)
    arbiter.subscribe(journal.on_event)
    from .notify import build_escalation
    from .story.timeline import DecisionLog

    escalation, _ = build_escalation(cfg, clock=clock, station=station)
    decisions = DecisionLog()
    arbiter.subscribe(decisions.on_event)
    if escalation is not None:
        arbiter.subscribe(escalation.on_event)
    on_problem = _problems(controller, escalation)
    intake = Intake(archive, on_arrival=arbiter.arrive, logbook=logbook, log_tests=policy.test,
                    clock=lambda: clock().timestamp(), on_problem=on_problem,
                    on_archived=controller.archived,
                    backlog=backlog_from_config(cfg.section("archive"), f"archive {archive.path}",
                                                lambda: clock().timestamp()))
    if sources:
        from twisted.internet import reactor

        from .story.intake import with_circulars
        from .stream.runners import configured_sources

        on_packet = with_circulars(intake.receive, archive, logbook=logbook,
                                   clock=lambda: clock().timestamp(),
                                   on_circular=lambda c: _circular_arrived(window, archive, decisions, c))
        runners = configured_sources(cfg, on_packet, reactor)
    else:
        runners = []
    links = [runner.link for runner in runners]
    for link in links:
        window.links.add(link)
    app = App(cfg, archive, logbook, intake, arbiter, controller, window, dialog, alarm, driver, runners,
              links, escalation, decisions, journal)
    if escalation is not None:
        dialog.chosen.connect(escalation.answered)  # any click: someone is at the console
        for link in links:
            escalation.watch(link, cfg.get("vtp.watchdog"))
    _wire(app)
    _load_history(window, archive, policy, window.history_model.limit)
    _tcs_widgets(window, dialog, controller, driver, logbook)
    return app


def _problems(controller, escalation):
    """The intake's problems: to the controller (status bar, log book), then to the escalation."""

    def on_problem(text: str) -> None:
        controller.problem(text)
        if escalation is not None and text.startswith("ARCHIVE FAILED"):
            escalation.archive_failed(text)

    return on_problem


def show_story(window, archive, decisions, key) -> None:
    """The event pane shows the story of event ``key`` (``(mission, trigger)``) from the archive."""
    from .story.timeline import event_story

    try:
        window.detail.event_pane.show_story(event_story(archive, key, decisions))
    except Exception as exc:  # a story that cannot be read must not cost the observer the window
        log.error("event story of %s not shown: %s", key, exc)


def _circular_arrived(window, archive, decisions, circular) -> None:
    """A new circular: in the status bar; the event pane re-reads its story if the circular is about it."""
    from .story.circulars import terms_in

    window.statusBar().showMessage(f"GCN Circular {circular.circular_id}: {circular.subject}", 60_000)
    story = window.detail.event_pane.story
    if story is not None and story.terms & terms_in(circular):
        show_story(window, archive, decisions, story.key)


def _wire(app: App) -> None:
    """Window signals to the controller and the alarm; the alarm's mute state back to the window."""
    window, alarm = app.window, app.alarm
    window.mute_toggled.connect(alarm.set_muted)
    alarm.listeners.append(window.set_muted)
    window.set_muted(alarm.muted)
    window.offer.connect(app.controller.offer_again)

    def rescale(value: float) -> None:
        from PySide6.QtWidgets import QApplication

        from .ui.theme import set_scale

        set_scale(QApplication.instance(), value)
        app.dialog.rescale()
        app.window.rescale()

    window.scale_requested.connect(rescale)

    def selected(ivorn: str) -> None:
        record = app.archive.get(ivorn)
        if record is not None:
            notice = record.notice()
            window.detail.show_notice(notice, app.archive.actions(ivorn), record.source, record.received)
            if notice.event_key:
                show_story(window, app.archive, app.decisions, notice.event_key)
            else:
                window.detail.event_pane.clear_story()

    window.selected.connect(selected)


def run_gui(cfg, *, password: str | None = None, minimized: bool = False) -> int:
    """``gcnmon run``: loops, the app, the window; returns when the observer quits from the tray."""
    from .bootstrap import install_loops

    started = time.perf_counter()
    qapp, loop = install_loops(sys.argv)
    from twisted.internet import reactor

    from .config import ConfigError

    qapp.setQuitOnLastWindowClosed(False)  # the tray keeps us alive; Quit stops the reactor
    try:
        app = build_app(cfg, password=password)
    except ConfigError as exc:
        print(exc.lines("gcnmon"), file=sys.stderr)
        return 2
    if cfg.warnings:  # unknown keys: logged at load; the observer sees them too
        more = f" (and {len(cfg.warnings) - 1} more: see the log)" if len(cfg.warnings) > 1 else ""
        app.window.show_problem(f"config: {cfg.warnings[0]}{more}")
    app.window.quit_requested.connect(lambda: app.stop().addBoth(lambda _: reactor.stop()))
    # Minimized (autostart): only the tray icon, unless the desktop has no tray to bring it back from.
    reactor.callWhenRunning(app.start, show=not (minimized and app.window.tray is not None))
    reactor.callWhenRunning(lambda: log.info("window up %.2f s after start", time.perf_counter() - started))
    reactor.run()
    loop.close()
    return 0
