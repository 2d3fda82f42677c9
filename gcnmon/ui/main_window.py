"""The main window: link status, history with search, detail pane, sky map; a tray icon with mute and quit.

Closing the window hides it to the tray (the monitor keeps listening); only "Quit" ends the app.
The window only holds widgets and emits signals: the controller (``gcnmon.ui.controller``) does the rest.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QSystemTrayIcon,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..scrub import scrub
from .detail import DetailPane
from .history import HistoryModel, HistoryView
from .links import LinkBar
from .skymap import Marker, SkyMap
from .theme import COLORS, app_icon, scale

__all__ = ["MainWindow"]

SKY_MARKERS = 30  # error circles on the map: the newest notices with a position
SKY_LABELS = 4  # of which the newest act notices are named


class MainWindow(QMainWindow):
    """Signals: ``quit_requested``, ``mute_toggled(bool)``, ``offer(ivorn)``, ``selected(ivorn)``,
    ``scale_requested(float)`` (Ctrl+plus/minus/0: the app rescales every font)."""

    quit_requested = Signal()
    mute_toggled = Signal(bool)
    offer = Signal(str)
    selected = Signal(str)
    scale_requested = Signal(float)

    def __init__(self, *, station: str = "", site=None, links=(), stale_after: float = 150.0,
                 history_limit: int = 1000, tray: bool | None = None, clock=None):
        super().__init__()
        self.setWindowTitle(f"gcnmon — {station}" if station else "gcnmon")
        self.setWindowIcon(app_icon())
        self.resize(1280, 800)
        self.quitting = False
        self.alert_title: str | None = None  # the alert on screen, None: calm
        self.icon_state = ""
        self.links = LinkBar(links, stale_after)
        self.history_model = HistoryModel(history_limit, self, clock)
        self._ages_at = 0.0
        self.history = HistoryView(self.history_model)
        self.detail = DetailPane()
        self.skymap = SkyMap(site)
        self.history.offer.connect(self.offer)
        self.history.selected.connect(self.selected)
        self.current_ivorn: str | None = None
        self._sky_pending = QTimer(self, singleShot=True, interval=250)
        self._sky_pending.timeout.connect(lambda: self.update_markers(self.current_ivorn))
        self._actions()
        self._layout()
        # tray=None: only where the desktop has a tray; True forces one (tests: the offscreen platform
        # has none).
        if tray is None:
            tray = QSystemTrayIcon.isSystemTrayAvailable()
        self.tray = self._tray() if tray else None
        self.tcs_label = QLabel()
        self.statusBar().addPermanentWidget(self.tcs_label)
        self.idle()

    def _actions(self) -> None:
        self.mute_action = QAction("Mute alarm", self, checkable=True)
        self.mute_action.setShortcut(QKeySequence("Ctrl+M"))
        self.mute_action.toggled.connect(self.mute_toggled)
        self.offer_action = QAction("Offer again", self)
        self.offer_action.triggered.connect(self.history._offer)
        self.quit_action = QAction("Quit gcnmon", self)
        self.quit_action.setShortcuts([QKeySequence.Quit, QKeySequence("Ctrl+Q")])
        # In the window, the dialog or the tray menu alike: the tray menu advertises Ctrl+Q.
        self.quit_action.setShortcutContext(Qt.ApplicationShortcut)
        self.quit_action.triggered.connect(self.request_quit)
        self.addAction(self.quit_action)  # a shortcut works only on an action some visible widget holds
        self.zoom_actions = []
        zooms = (("Larger text", ("Ctrl++", "Ctrl+="), 1.15), ("Smaller text", ("Ctrl+-",), 1 / 1.15),
                 ("Normal text size", ("Ctrl+0",), 0.0))
        for text, keys, factor in zooms:
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ApplicationShortcut)
            action.triggered.connect(lambda _=False, f=factor: self.scale_requested.emit(scale() * f or 1.0))
            self.addAction(action)
            self.zoom_actions.append(action)
        bar = QToolBar("Main", self)
        bar.setMovable(False)
        bar.addAction(self.mute_action)
        bar.addAction(self.offer_action)
        bar.addSeparator()
        bar.addWidget(self.links)
        self.addToolBar(Qt.TopToolBarArea, bar)

    def _layout(self) -> None:
        right = QSplitter(Qt.Vertical)
        right.addWidget(self.skymap)
        right.addWidget(self.detail)
        right.setSizes([380, 420])
        main = QSplitter(Qt.Horizontal)
        main.addWidget(self.history)
        main.addWidget(right)
        main.setSizes([900, 380])  # the history's twelve columns fit a 1280 px window
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        self.banner = QLabel()
        self.banner.setTextFormat(Qt.RichText)
        layout.addWidget(self.banner)
        layout.addWidget(main, 1)
        self.setCentralWidget(central)

    def _tray(self) -> QSystemTrayIcon:
        tray = QSystemTrayIcon(app_icon(), self)
        menu = QMenu(self)
        show = menu.addAction("Show window")
        show.triggered.connect(self.bring_up)
        menu.addAction(self.mute_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        tray.setContextMenu(menu)
        tray.setToolTip(self.windowTitle())
        tray.activated.connect(
            lambda reason: self.bring_up() if reason == QSystemTrayIcon.Trigger else None
        )
        tray.show()
        self._tray_menu = menu
        return tray

    # -- state the controller sets ------------------------------------------------------------
    def set_muted(self, muted: bool) -> None:
        """Follow the alarm's state (the tray, the toolbar and the config all agree)."""
        if self.mute_action.isChecked() != muted:
            self.mute_action.setChecked(muted)
        self.mute_action.setText("Alarm muted" if muted else "Mute alarm")
        self.update_icon()

    def tray_state(self) -> tuple[str, str]:
        """(icon state, tooltip): alerting, else link dead, else muted, else ok; the tooltip says all."""
        dead = [b.link.name for b in self.links.badges if b.stale]
        if not self.links.badges:
            dead = ["no source configured"]
        muted = self.mute_action.isChecked()
        words = [f"ALERT: {self.alert_title}"] if self.alert_title else []
        words += [f"link dead ({', '.join(dead)})"] if dead else ["listening"]
        words += ["alarm muted"] if muted else []
        state = "alerting" if self.alert_title else "link dead" if dead else "muted" if muted else "ok"
        return state, f"{self.windowTitle()}: " + "; ".join(words)

    def update_icon(self) -> None:
        if self.tray is None:
            return
        state, tip = self.tray_state()
        if state != self.icon_state:
            self.icon_state = state
            self.tray.setIcon(app_icon(state))
        if self.tray.toolTip() != tip:
            self.tray.setToolTip(tip)

    def tick(self) -> None:
        """Every second: the tray icon follows the links; once a minute the history's ages move."""
        self.update_icon()
        now = self.history_model.clock()
        if abs(now - self._ages_at) >= 60:
            self._ages_at = now
            self.history_model.refresh_ages()

    def rescale(self) -> None:
        self.history.rescale()
        if self.alert_title is None:
            self.idle()

    def set_tcs(self, text: str, ok: bool = True) -> None:
        color = COLORS["ok"] if ok else COLORS["dim"]
        self.tcs_label.setText(f"<span style='color:{color}'>TCS</span> {scrub(text)}")

    def show_problem(self, text: str) -> None:
        """A problem the observer must see (rejected packet, archive failure).

        In the status bar for 10 min.
        """
        self.statusBar().showMessage(f"\u26a0 {scrub(text)}", 600_000)

    def idle(self, count: int | None = None) -> None:
        """The calm state: no alert open."""
        self.current_ivorn, self.alert_title = None, None
        extra = f" · {count} notices in the history" if count is not None else ""
        self.banner.setText(f"<span style='color:{COLORS['dim']}; font-size:{13 * scale():.2f}pt'>"
                            f"Listening. No alert open{extra}.</span>")
        self.update_icon()

    def alerting(self, title: str, kind: str, ivorn: str | None = None) -> None:
        """An alert is on screen; ``kind`` "retracted" says RETRACTED instead of ALERT."""
        new = (title, ivorn) != (self.alert_title, self.current_ivorn)
        self.current_ivorn, self.alert_title = ivorn, title
        self._sky_pending.start()
        tag = "RETRACTED" if kind == "retracted" else "ALERT"
        color = COLORS.get(kind, COLORS["inform"]) if kind != "retracted" else COLORS["stale"]
        size = 15 * scale()
        self.banner.setText(f"<span style='font-size:{size:.2f}pt'><b style='color:{color}'>{tag}</b> "
                            f"{title}</span>")
        self.update_icon()
        if self.tray and (new or kind == "retracted"):
            self.tray.showMessage(f"gcnmon {tag.lower()}", title, QSystemTrayIcon.Critical, 10_000)

    def add_row(self, row) -> None:
        """A new notice in the history; the sky map follows a moment later (bursts redraw once)."""
        self.history_model.add(row)
        if row.ra is not None and not self._sky_pending.isActive():
            self._sky_pending.start()

    def update_markers(self, current_ivorn: str | None = None) -> None:
        """Error circles of the newest notices with a position (the current alert's highlighted)."""
        rows = [r for r in self.history_model.rows[:400] if r.ra is not None and not r.retraction]
        # Names only for the alert on screen and the newest few act events: a label per circle is clutter.
        named: list[str] = []
        for r in rows:
            name = f"{r.mission} {r.trigger}".strip()
            if (r.action_kind == "act" or r.ivorn == current_ivorn) and name not in named:
                named.append(name)
        named = named[:SKY_LABELS]
        markers = []
        for r in reversed(rows[:SKY_MARKERS]):
            current = r.ivorn == current_ivorn
            color = COLORS[r.action_kind] if r.action_kind in ("act", "inform") else COLORS["dim"]
            name = f"{r.mission} {r.trigger}".strip()
            label = name if current or (name in named and name not in [m.label for m in markers]) else ""
            markers.append(Marker(r.ra, r.dec, r.error, label, color, current, getattr(r, "region", None)))
        self.skymap.set_markers(markers)

    def bring_up(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # -- closing ------------------------------------------------------------------------------
    def request_quit(self) -> None:
        self.quitting = True
        self.quit_requested.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.quitting or self.tray is None:
            # Without a tray there is nowhere to hide: closing the window quits the monitor.
            self.quitting = True
            event.accept()
            self.quit_requested.emit()
            return
        event.ignore()
        self.hide()
        self.tray.showMessage("gcnmon", "Still listening in the tray. Quit from the tray menu.",
                              QSystemTrayIcon.Information, 4000)
