"""The one alert dialog: what happened, where, whether we can see it, and what to do about it.

The widget only holds state and emits ``chosen(action)``; the controller (``gcnmon.ui.alerts``) talks to
the arbiter and the TCS. It is non-modal and stays on top; it is never ``exec()``-ed.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
)

from ..scrub import scrub
from .format import age_text, countdown_text, dec_dms, error_text, ra_hms, utc_text
from .night_curve import NightCurve
from .region_panel import RegionPanel
from .theme import COLORS, app_icon, group_color

__all__ = ["AlertDialog", "AlertInfo", "ACTIONS"]

#: What the buttons ask for. ``ack``: the observer saw it (no TCS access); ``ignore``: not now.
ACTIONS = ("ack", "send", "slew", "ignore")

FIELDS = (
    ("trigger", "Trigger"),
    ("time", "Trigger time"),
    ("since", "Since trigger"),
    ("ra", "RA (J2000)"),
    ("dec", "Dec (J2000)"),
    ("error", "Error radius"),
    ("significance", "Significance"),
    ("visibility", "Visibility"),
    ("countdown", "Closes in"),
)
LIVE = ("since", "countdown")  # redrawn every tick, never "changed"
FLASH_SECONDS = 120


@dataclass(frozen=True)
class AlertInfo:
    """Everything the dialog shows, as the arbiter decided it (plain data, built by the controller)."""

    notice: object  # gcnmon.notice.Notice
    group: str = ""
    kind: str = "inform"  # "act", "inform" or "test": the colour of the band
    verdict: str = ""  # the visibility verdict, one line
    observable: bool | None = None
    deadline: float | None = None  # clock() time at which the arbiter closes it, None: never
    not_archived: bool = False  # shown before the archive could take it (full disk): said in band and title


class AlertDialog(QDialog):
    """Non-modal, always on top. ``present()``, ``refine()``, ``retract()``, ``set_access()``, ``show_reply()``."""

    chosen = Signal(str)

    def __init__(self, parent=None, *, clock: Callable[[], float] = time.time, tcs_name: str = "TCS"):
        super().__init__(parent, Qt.Window | Qt.WindowStaysOnTopHint)
        self.setModal(False)
        self.setWindowTitle("gcnmon alert")
        self.setWindowIcon(app_icon(alerting=True))
        self.setMinimumWidth(520)
        self.clock = clock
        self.tcs_name = tcs_name
        self.info: AlertInfo | None = None
        self.access = "none"
        self.retracted = False
        self.changed: set[str] = set()
        self.presented_at = 0.0
        self.flash = False
        self._build()

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 12)
        # The dialog takes the size its content needs, re-computed when a refinement or a TCS reply
        # changes it: nothing is ever clipped or hidden behind a scroll bar.
        outer.setSizeConstraint(QLayout.SetFixedSize)
        self.band = QLabel(objectName="band")
        self.band.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.band.setTextFormat(Qt.RichText)
        outer.addWidget(self.band)
        self.status = QLabel(objectName="status", wordWrap=True)
        self.status.hide()
        outer.addWidget(self.status)
        grid = QGridLayout()
        grid.setContentsMargins(18, 8, 18, 4)
        grid.setHorizontalSpacing(18)
        self.values: dict[str, QLabel] = {}
        for row, (key, label) in enumerate(FIELDS):
            name = QLabel(label)
            name.setStyleSheet(f"color: {COLORS['dim']};")
            value = QLabel(objectName=key)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            if key == "visibility":
                # The verdict is a status and a line of numbers: wrap it rather than widen the dialog.
                value.setWordWrap(True)
                value.setTextFormat(Qt.RichText)
                value.setFixedWidth(400)
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1, Qt.AlignLeft)
            self.values[key] = value
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)
        self.curve = NightCurve(clock=self.clock)  # tonight's altitude curve (its site: set by the app)
        outer.addWidget(self.curve)
        self.region = RegionPanel(clock=self.clock)  # a map's reach and fields (its site: set by the app)
        outer.addWidget(self.region)
        self.reply = QLabel(objectName="reply", wordWrap=True)
        self.reply.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.reply.hide()
        outer.addWidget(self.reply)
        outer.addWidget(self._line())
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.setContentsMargins(18, 6, 18, 0)
        row.addStretch(1)
        for action in ("slew", "send", "ack", "ignore"):
            button = QPushButton(objectName=action)
            button.setAutoDefault(False)  # Enter must never send or slew a telescope by accident
            button.clicked.connect(lambda _=False, a=action: self.chosen.emit(a))
            row.addWidget(button)
            self.buttons[action] = button
        outer.addLayout(row)
        self._label_buttons()

    @staticmethod
    def _line() -> QFrame:
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        line.setStyleSheet("color: #2a2f37;")
        return line

    # -- state --------------------------------------------------------------------------------
    def present(self, info: AlertInfo, access: str = "none") -> None:
        """Show a new alert (resets reply, retraction and highlights) and bring the window up."""
        self.info, self.retracted, self.changed = info, False, set()
        self.presented_at = self.clock()
        self.reply.hide()
        self.status.hide()
        self.set_access(access)
        self._render()
        self.show()
        self.raise_()
        self.activateWindow()
        QApplication.alert(self)

    def refine(self, info: AlertInfo) -> set[str]:
        """Update in place with a refinement; the fields whose text changed are highlighted."""
        before = self._texts()
        self.info = info
        after = self._texts()
        self.changed = {k for k in after if k not in LIVE and after[k] != before.get(k)}
        self._render()
        return self.changed

    def mark_archived(self) -> None:
        """The archive took the notice shown as NOT ARCHIVED: drop the mark, keep everything else."""
        if self.info is not None and self.info.not_archived:
            self.info = replace(self.info, not_archived=False)
            self._render()

    def retract(self, reason: str = "") -> None:
        """The event was retracted: say so and disable every action but closing."""
        self.retracted = True
        text = "RETRACTED by its issuer — do not observe." + (f"\n{reason}" if reason else "")
        self.status.setText(text)
        self.status.show()
        self._render()

    def set_access(self, level: str) -> None:
        """``none``, ``send`` or ``slew``: the TCS access granted at login decides which buttons exist."""
        self.access = level if level in ("none", "send", "slew") else "none"
        self._label_buttons()

    def show_reply(self, text: str, severity: str = "ok") -> None:
        """The TCS's own reply text (or why there is none): green accepted, amber warned, red failed."""
        color = {"ok": COLORS["ok"], "warning": COLORS["changed"]}.get(severity, COLORS["stale"])
        self.reply.setText(scrub(f"{self.tcs_name}: {text}"))  # a TCS error may quote its URL
        self.reply.setStyleSheet(f"color: {color}; padding: 4px 18px; font-family: monospace;")
        self.reply.show()

    def target(self) -> tuple[float, float] | None:
        """Where the TCS buttons point: the region section's selected field, or None (the notice's position)."""
        return self.region.target

    def set_busy(self, busy: bool) -> None:
        """While a command is on its way, the action buttons wait for the TCS's answer."""
        for action in ("send", "slew", "ack"):
            self.buttons[action].setEnabled(not busy and not self.retracted)

    def dismiss(self) -> None:
        """Hide the dialog because the arbiter closed it (no signal: nobody clicked)."""
        self._dismissing = True
        try:
            self.hide()
        finally:
            self._dismissing = False

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # The window manager's close button means "Ignore": the arbiter must hear of it.
        if not getattr(self, "_dismissing", False) and self.isVisible():
            self.chosen.emit("ignore")
        super().closeEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # Escape would reject() the dialog behind the controller's back: make it an explicit Ignore.
        if event.key() == Qt.Key_Escape:
            self.chosen.emit("ignore")
            return
        super().keyPressEvent(event)

    def tick(self) -> None:
        """Redraw the live fields (time since trigger, countdown); called every second."""
        if self.info is None:
            return
        texts = self._texts()
        for key in LIVE:
            self.values[key].setText(texts[key])
        self._blink()

    def _blink(self) -> None:
        """An act alert's band pulses for its first ``FLASH_SECONDS``: seen from across the dome."""
        if self.info.kind != "act" or self.retracted or self.info.notice.is_test:
            return
        self.flash = not self.flash and self.clock() - self.presented_at < FLASH_SECONDS
        color = group_color("act").lighter(135 if self.flash else 100).name()
        _restyle(self.band, f"background: {color}; color: white; padding: 12px 18px;")

    # -- rendering ----------------------------------------------------------------------------
    def _label_buttons(self) -> None:
        shown = {"none": ("ack",), "send": ("send",), "slew": ("slew", "send")}[self.access]
        self.buttons["slew"].setText("Send and Slew")
        self.buttons["send"].setText(f"Send to {self.tcs_name}")
        self.buttons["ack"].setText("Acknowledge")
        self.buttons["ignore"].setText("Ignore")
        for action, button in self.buttons.items():
            button.setVisible(action in shown or action == "ignore")
            button.setEnabled(action == "ignore" or not self.retracted)
            role = "danger" if action == "slew" else "primary" if action in shown else ""
            if button.property("role") != role:  # re-polishing is costly: only when the role changes
                button.setProperty("role", role)
                button.style().unpolish(button)
                button.style().polish(button)

    def _texts(self) -> dict[str, str]:
        info = self.info
        n = info.notice
        now = self.clock()
        since = now - n.time.timestamp() if n.time else None
        sig = "—" if n.significance is None else f"{n.significance:.1f} σ"
        return {
            "trigger": n.trigger_id or "—",
            "time": utc_text(n.time),
            "since": age_text(since),
            "ra": ra_hms(n.ra),
            "dec": dec_dms(n.dec),
            "error": error_text(n.error_radius),
            "significance": sig,
            "visibility": _verdict_html(info.verdict),
            "countdown": countdown_text(None if info.deadline is None else info.deadline - now),
        }

    def _render(self) -> None:
        info = self.info
        n = info.notice
        kind = "retracted" if self.retracted else ("test" if n.is_test else info.kind)
        color = COLORS["retracted"] if self.retracted else group_color(kind).name()
        what = f"{n.mission or '?'} {n.instrument or ''} · {n.notice_type or n.role}"
        tag = "RETRACTED" if self.retracted else ("TEST" if n.is_test else (info.group or kind).upper())
        if info.not_archived:
            tag += " · NOT ARCHIVED"
        self.band.setText(
            f"<div style='font-size:11pt; letter-spacing:2px'>{tag}</div>"
            f"<div style='font-size:18pt; font-weight:bold'>{what}</div>"
        )
        _restyle(self.band, f"background: {color}; color: white; padding: 12px 18px;")
        _restyle(self.status, f"background: #2a2f37; color: {COLORS['changed']}; padding: 6px 18px; font-weight: bold;")
        self.setWindowTitle(f"gcnmon — {tag}: {n.mission or '?'} {n.notice_type or ''}")
        self.curve.show_notice(n)
        self.region.show_notice(n)
        for key, text in self._texts().items():
            label = self.values[key]
            label.setText(text)
            _restyle(label, self._value_style(key))
        self._label_buttons()

    def _value_style(self, key: str) -> str:
        style = "font-size: 12pt;"
        if key in ("ra", "dec"):
            style += " font-family: monospace; font-size: 14pt; font-weight: bold;"
        if key == "visibility" and self.info.observable is not None:
            style += f" color: {COLORS['ok'] if self.info.observable else COLORS['dim']};"
        if key in self.changed:
            style += f" background: {COLORS['changed']}; color: #111; padding: 0 4px; border-radius: 3px;"
        if self.retracted:
            style += " text-decoration: line-through;"
        return style


def _verdict_html(line: str) -> str:
    """``"OBSERVABLE now until 02:40 UT: alt 54.1°, ..."`` -> the status, then the numbers smaller."""
    if not line:
        return "—"
    status, _, numbers = line.partition(": ")
    if not numbers:
        return html.escape(status)
    return f"<b>{html.escape(status)}</b><br><span style='font-size:10pt'>{html.escape(numbers)}</span>"


def _restyle(widget, style: str) -> None:
    """Set a style sheet only when it changes: parsing style sheets is the dialog's dearest step."""
    if widget.styleSheet() != style:
        widget.setStyleSheet(style)
