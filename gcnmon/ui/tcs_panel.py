"""The TCS in the GUI: what the telescope control system says now, live, and a Stop that never waits.

Two widgets follow one driver through ``driver.subscribe`` (every change of access level, motion and
last result), so nothing shown can go stale:

- `TcsPanel`, a section of the alert dialog (``dialog.add_section(TcsPanel(driver, dialog))``): it keeps
  the dialog's TCS buttons equal to the access the TCS grants now (a login that lands or fails while
  the dialog is open changes them at once), hides them for no TCS or the dummy driver, shows the TCS's
  state line and a Stop button while the TCS reports a slew.
- `TcsStatus`, the main window's status-bar part: the same state line and Stop. After a failed or
  refused command it turns red and says so; it never stays green on a past success.

A Stop click calls ``driver.stop()`` at once (the driver never queues it behind a running command) and
reports the result through ``stopped(result)``: the app makes the dialog's a fact for the arbiter
(shown in the dialog's reply line, kept in the history, the archive and the log book).
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ..scrub import scrub
from .theme import COLORS

__all__ = ["TcsPanel", "TcsStatus", "access_of", "state_line"]

log = logging.getLogger(__name__)

STATUS_CHARS = 110  # the status bar's TCS line, at most
SEVERITY_COLORS = {"ok": COLORS["ok"], "warning": COLORS["changed"], "error": COLORS["stale"],
                   "dim": COLORS["dim"]}


def access_of(driver) -> str:
    """The TCS buttons the access level won allows: ``none``, ``send`` or ``slew``.

    No driver, a driver with no telescope (the dummy) or no login yet: ``none``.
    """
    if driver is None or not getattr(driver, "has_telescope", True) or driver.level is None:
        return "none"
    return "slew" if driver.can_slew else "send" if driver.can_send else "none"


def state_line(driver, with_last: bool = True) -> tuple[str, str]:
    """``(text, severity)``: the TCS's state in one line, for the dialog and the status bar.

    ``with_last``: add the last command's outcome (the dialog shows it in its reply line instead).
    """
    if driver is None or not getattr(driver, "has_telescope", True):
        return "no TCS configured: acknowledge only", "dim"
    name = driver.title or driver.name
    last = driver.last_result
    access = access_of(driver)
    if driver.level is None and last is None:
        return f"{name}: logging in\u2026", "warning"
    if access == "none" and last is not None and last.action == "connect" and not last.ok:
        return f"{name}: {last.summary} (acknowledge only)", "error"
    if driver.level is None:  # a command tried to log in again and failed
        return f"{name}: {last.summary} (acknowledge only)", "error"
    text = f"{name}: access level {driver.level} ({access if access != 'none' else 'no commands'})"
    motion = driver.motion.state
    if motion != "unknown":
        text += f" \u00b7 {motion}"
    severity = "ok" if access != "none" else "warning"
    shown = last is not None and last.action != "connect" and not (last.action == "stop" and last.ok)
    if with_last and shown:
        # The last command's outcome stays on show until the next one: a failure must not look green.
        text += f" \u00b7 {last.summary}"
        severity = {"ok": severity}.get(last.severity, last.severity)
    elif shown and last.unreachable:  # the dialog's reply says why; the line must not look healthy
        text += " \u00b7 not answering"
        severity = "error"
    return text, severity


def _rich(text: str, severity: str) -> str:
    """"TCS" in the severity's colour, and the whole line too when something is wrong."""
    color = SEVERITY_COLORS[severity]
    body = html.escape(scrub(text))  # a TCS error may quote its URL, user:password and all
    if severity in ("warning", "error"):
        body = f"<span style='color:{color}'>{body}</span>"
    return f"<span style='color:{color}'>TCS</span> {body}"


class _Follow(QObject):
    """The driver's listener, turned into a Qt signal (and unsubscribed with its widget)."""

    changed = Signal()

    def __init__(self, driver, parent: QWidget):
        super().__init__(parent)
        self._unsubscribe = (driver.subscribe(lambda _driver: self.changed.emit()) if driver is not None
                             else (lambda: None))
        parent.destroyed.connect(lambda *_: self._unsubscribe())


class _StopMixin:
    """The Stop button both widgets share (each class declares its own ``stopped`` signal: PySide6
    signals belong on QObject classes)."""

    def _stop_button(self) -> QPushButton:
        button = QPushButton("Stop telescope", objectName="tcs_stop")
        button.setAutoDefault(False)
        button.setDefault(False)
        button.setProperty("role", "danger")
        button.setToolTip("Stop the telescope now (abort the slew)")
        button.clicked.connect(self.stop)
        button.hide()
        return button

    def stop(self) -> None:
        if self.driver is None:
            return
        self.stop_button.setEnabled(False)
        log.warning("TCS: Stop clicked")
        d = self.driver.stop()
        d.addCallback(self._stopped)
        d.addErrback(lambda failure: log.error("TCS stop failed: %s", failure.getErrorMessage()))

    def _stopped(self, result) -> None:
        self.stop_button.setEnabled(True)
        self.stopped.emit(result)
        self.refresh()


class TcsPanel(_StopMixin, QFrame):
    """The alert dialog's TCS section: live access for the dialog's buttons, the state line, Stop."""

    stopped = Signal(object)  # the TcsResult of a stop

    def __init__(self, driver, dialog=None, parent=None):
        super().__init__(parent)
        self.driver, self.dialog = driver, dialog
        self.setObjectName("tcs_panel")
        row = QHBoxLayout(self)
        row.setContentsMargins(18, 4, 18, 4)  # the dialog's rows' margins
        self.state = QLabel(objectName="tcs_state", wordWrap=True)
        row.addWidget(self.state, 1)
        self.stop_button = self._stop_button()
        row.addWidget(self.stop_button)
        self._follow = _Follow(driver, self)
        self._follow.changed.connect(self.refresh)
        self.refresh()

    @classmethod
    def attach(cls, dialog, driver) -> TcsPanel:
        """A panel embedded in ``dialog``: its last section, above the TCS's reply."""
        return dialog.add_section(cls(driver, dialog))

    @property
    def offers_tcs(self) -> bool:
        """There is a telescope behind the driver: the dialog may have TCS buttons at all."""
        return self.driver is not None and getattr(self.driver, "has_telescope", True)

    @property
    def access(self) -> str:
        """What the dialog's buttons should be for the alert on screen, now: an act alert with a
        position, not retracted, gets what the TCS grants."""
        info = getattr(self.dialog, "info", None)
        if info is None or getattr(self.dialog, "retracted", False):
            return "none"
        actionable = info.kind == "act" and getattr(info.notice, "ra", None) is not None
        return access_of(self.driver) if actionable else "none"

    def show_info(self, info) -> None:
        """The dialog shows ``info`` (its sections' hook): the buttons are checked against the TCS now."""
        self.refresh()

    def refresh(self) -> None:
        self.setVisible(self.offers_tcs)
        text, severity = state_line(self.driver, with_last=False)
        self.state.setText(_rich(text, severity))
        # Stop stays offered after a retraction: that is when an observer most needs it.
        self.stop_button.setVisible(self.offers_tcs and self.driver.slewing)
        dialog = self.dialog
        if dialog is not None and getattr(dialog, "info", None) is not None and dialog.access != self.access:
            dialog.set_access(self.access)


class TcsStatus(_StopMixin, QWidget):
    """The main window's status-bar part: the TCS state line (red after a failure) and Stop."""

    stopped = Signal(object)  # the TcsResult of a stop

    def __init__(self, driver, parent=None):
        super().__init__(parent)
        self.driver = driver
        self.setObjectName("tcs_status")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(objectName="tcs_label")
        row.addWidget(self.label)
        self.stop_button = self._stop_button()
        row.addWidget(self.stop_button)
        self._follow = _Follow(driver, self)
        self._follow.changed.connect(self.refresh)
        self.refresh()

    @property
    def severity(self) -> str:
        return state_line(self.driver)[1]

    @property
    def text(self) -> str:
        """The whole state line (the status bar may show it cut short)."""
        return state_line(self.driver)[0]

    def refresh(self) -> None:
        text, severity = state_line(self.driver)
        # The status bar must not widen the window past the screen: long replies are cut, whole in the tip.
        short = text if len(text) <= STATUS_CHARS else text[: STATUS_CHARS - 1] + "\u2026"
        self.label.setText(_rich(short, severity))
        self.label.setToolTip(scrub(text))
        self.stop_button.setVisible(self.driver is not None and getattr(self.driver, "has_telescope", True)
                                    and self.driver.slewing)
