"""The one alert dialog: what happened, where, whether we can see it, and what to do about it.

The widget only holds state and emits ``chosen(action)``; the controller (``gcnmon.ui.controller``)
reports the observer's choices to the arbiter and drives the TCS. It is non-modal and stays on top; it
is never ``exec()``-ed. It never takes the keyboard: it opens without activating, no button is a default,
and Space, Enter and Escape do nothing until the observer has clicked into it or ``ARM_SECONDS`` have
passed since it opened or changed (someone typing elsewhere when it pops up must not dismiss it).

Sections (a sky region, tonight's curve, the TCS panel) plug in with ``add_section(widget)``; a section
with ``show_info(info)`` gets every ``AlertInfo`` the dialog shows.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QEvent, QObject, Qt, Signal
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
    QWidget,
)

from ..scrub import scrub
from .format import age_text, countdown_text, dec_dms, error_text, kind_text, ra_hms, utc_text
from .night_curve import NightCurve
from .region_panel import RegionPanel
from .theme import COLORS, app_icon, group_color, pt

__all__ = ["AlertDialog", "AlertInfo", "ACTIONS", "ARM_SECONDS", "MOON_WARNING"]

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
    ("altitude", "Altitude now"),
    ("moon", "Moon"),
    ("visibility", "Visibility"),
    ("countdown", "Closes in"),
)
BIG = ("since", "ra", "dec", "altitude", "moon")  # what decides "go or not" at a glance: the largest text
LIVE = ("since", "altitude", "moon", "countdown")  # redrawn every tick, never "changed"
FLASH_SECONDS = 120
ARM_SECONDS = 1.0  # keys that act (Space, Enter, Escape) wait this long after the dialog opened or changed
MOON_WARNING = 15.0  # degrees: a Moon this close is flagged red
GUARDED_KEYS = {Qt.Key_Space, Qt.Key_Return, Qt.Key_Enter, Qt.Key_Select, Qt.Key_Escape}
_KEY_EVENTS = {QEvent.KeyPress, QEvent.KeyRelease, QEvent.ShortcutOverride}


@dataclass(frozen=True)
class AlertInfo:
    """Everything the dialog shows, as the arbiter decided it (plain data, built by the controller)."""

    notice: object  # gcnmon.notice.Notice, with the best position of its event
    group: str = ""
    kind: str = "inform"  # "act", "inform" or "test": the colour of the band
    verdict: str = ""  # the visibility verdict, one line
    observable: bool | None = None
    deadline: float | None = None  # clock() time at which the arbiter closes it, None: never
    not_archived: bool = False  # shown before the archive could take it (full disk): said in band and title
    changed: frozenset[str] = frozenset()  # rows whose values the last refinement changed
    retracted: str | None = None  # why, when the event was retracted
    acted: str | None = None  # "send" or "slew": what the TCS already took for this event
    acted_position: tuple | None = None  # (ra, dec, error) the telescope was sent to
    why: str = ""  # "new", "queue", "again", "retracted", "refined"
    alt: float | None = None  # altitude now (degrees)
    airmass: float | None = None
    moon: float | None = None  # Moon distance (degrees)


class AlertDialog(QDialog):
    """Non-modal, always on top: ``present()``, ``refine()``, ``tick()``, ``show_reply()``..."""

    chosen = Signal(str)

    def __init__(self, parent=None, *, clock: Callable[[], float] = time.time, tcs_name: str = "TCS"):
        super().__init__(parent, Qt.Window | Qt.WindowStaysOnTopHint)
        self.setModal(False)
        self.setAttribute(Qt.WA_ShowWithoutActivating)  # never steal the keyboard from another window
        self.setFocusPolicy(Qt.StrongFocus)  # the dialog itself, not a button, holds focus when it has it
        self.setWindowTitle("gcnmon alert")
        self.setWindowIcon(app_icon("alerting"))
        self.setMinimumWidth(520)
        self.clock = clock
        self.tcs_name = tcs_name
        self.info: AlertInfo | None = None
        self.access = "none"
        self.changed: set[str] = set()
        self.presented_at = 0.0
        self.armed_at = 0.0  # when it last opened or changed
        self.clicked = False  # the observer clicked into it since then
        self.flash = False
        self._sections: list[QWidget] = []
        self._build()
        self._guard(self)

    @property
    def retracted(self) -> bool:
        return bool(self.info and self.info.retracted)

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 12)
        # The dialog takes the size its content needs, re-computed when a refinement or a TCS reply
        # changes it: nothing is ever clipped or hidden behind a scroll bar.
        outer.setSizeConstraint(QLayout.SetFixedSize)
        self.band = QLabel(objectName="band", textFormat=Qt.RichText)
        self.band.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        outer.addWidget(self.band)
        self.status = QLabel(objectName="status", wordWrap=True)
        self.status.hide()
        outer.addWidget(self.status)
        outer.addLayout(self._fields())
        self.sections = QVBoxLayout()  # add_section(): night curve, region, TCS panel, in that order
        self.sections.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self.sections)
        # tonight's altitude curve, a map's reach and fields (their site: set by the app)
        self.curve = self.add_section(NightCurve(clock=self.clock))
        self.region = self.add_section(RegionPanel(clock=self.clock))
        self.region.stepped.connect(lambda _line: self._follow_target())  # "Next field": its night
        self.reply = QLabel(objectName="reply", wordWrap=True)
        self.reply.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.reply.hide()
        outer.addWidget(self.reply)
        outer.addWidget(self._line())
        outer.addLayout(self._buttons())
        self._label_buttons()

    def _fields(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setContentsMargins(18, 8, 18, 4)
        grid.setHorizontalSpacing(18)
        self.names: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for row, (key, label) in enumerate(FIELDS):
            name = QLabel(label)
            value = QLabel(objectName=key)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            if key == "visibility":
                # The verdict is a status and a line of numbers: wrap it rather than widen the dialog.
                value.setWordWrap(True)
                value.setTextFormat(Qt.RichText)
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1, Qt.AlignLeft)
            self.names[key], self.values[key] = name, value
        grid.setColumnStretch(1, 1)
        return grid

    def _buttons(self) -> QHBoxLayout:
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.setContentsMargins(18, 6, 18, 0)
        row.addStretch(1)
        for action in ("slew", "send", "ack", "ignore"):
            button = QPushButton(objectName=action)
            button.setAutoDefault(False)  # Enter must never send, slew or dismiss by accident
            button.setDefault(False)
            button.clicked.connect(lambda _=False, a=action: self.chosen.emit(a))
            row.addWidget(button)
            self.buttons[action] = button
        return row

    @staticmethod
    def _line() -> QFrame:
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        line.setStyleSheet("color: #2a2f37;")
        return line

    def add_section(self, widget: QWidget) -> QWidget:
        """Plug a section in above the TCS reply; it gets ``show_info(info)`` calls if it has that method."""
        self.sections.addWidget(widget)
        self._sections.append(widget)
        self._guard(widget)
        if self.info is not None and hasattr(widget, "show_info"):
            widget.show_info(self.info)
        return widget

    # -- keyboard safety ----------------------------------------------------------------------
    def _guard(self, root: QWidget) -> None:
        for widget in (root, *root.findChildren(QWidget)):
            widget.installEventFilter(self)

    def _arm(self) -> None:
        """Opened or changed: keys wait again until a click or ``ARM_SECONDS``."""
        self.armed_at, self.clicked = self.clock(), False

    def keyboard_ready(self) -> bool:
        return self.clicked or self.clock() - self.armed_at >= ARM_SECONDS

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind == QEvent.MouseButtonPress:
            self.clicked = True
        elif kind in _KEY_EVENTS and event.key() in GUARDED_KEYS and not self.keyboard_ready():
            event.accept()
            return True  # swallowed: the dialog appeared under someone's fingers
        return False

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # Escape would reject() the dialog behind the controller's back: make it an explicit Ignore.
        if event.key() == Qt.Key_Escape:
            if self.keyboard_ready():
                self.chosen.emit("ignore")
            return
        if event.key() in (Qt.Key_Return, Qt.Key_Enter):
            return  # no default button: Enter on the dialog itself does nothing
        super().keyPressEvent(event)

    # -- state --------------------------------------------------------------------------------
    def present(self, info: AlertInfo, access: str = "none") -> None:
        """Show an alert (resets reply and highlights) and bring the window up, without the keyboard."""
        self.changed = set(info.changed) if info.why == "refined" else set()
        self.info = info
        self.presented_at = self.clock()
        self._arm()
        self.reply.hide()
        self.set_access(access)
        self._render()
        self.bring_up()

    def bring_up(self) -> None:
        self.show()
        self.raise_()
        QApplication.alert(self)  # the task bar / window manager flags it; the keyboard stays where it is

    def refine(self, info: AlertInfo) -> set[str]:
        """Update in place; only the rows the arbiter says changed are highlighted."""
        self.info = info
        self.changed = set(info.changed)
        self._arm()
        self._render()
        return self.changed

    def mark_archived(self) -> None:
        """The archive took the notice shown as NOT ARCHIVED: drop the mark, keep everything else."""
        if self.info is not None and self.info.not_archived:
            self.info = replace(self.info, not_archived=False)
            self._render()

    def set_access(self, level: str) -> None:
        """``none``, ``send`` or ``slew``: the TCS access granted decides which buttons exist."""
        self.access = level if level in ("none", "send", "slew") else "none"
        self._label_buttons()

    def show_reply(self, text: str, severity="ok") -> None:
        """The TCS's own reply text: green accepted, amber accepted with a warning, red failed."""
        if isinstance(severity, bool):
            severity = "ok" if severity else "error"
        color = {"ok": COLORS["ok"], "warning": COLORS["changed"]}.get(severity, COLORS["stale"])
        self.reply.setText(scrub(f"{self.tcs_name}: {text}"))  # a TCS error may quote its URL
        self.reply.setStyleSheet(f"color: {color}; padding: 4px 18px; font-family: monospace;"
                                 f" font-size: {pt(11):.2f}pt;")
        self.reply.show()

    def _follow_target(self) -> None:
        """Tonight's curve is of where the TCS buttons point: the selected field, else the position."""
        n = self.info.notice
        self.curve.show_target(*(self.target() or (n.ra, n.dec)))

    def target(self) -> tuple[float, float] | None:
        """Where the TCS buttons point: the region section's selected field.

        None: the notice's position.
        """
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

    def tick(self, info: AlertInfo | None = None) -> None:
        """Redraw the live rows (age, altitude, Moon, countdown); ``info``: the arbiter's latest numbers."""
        if info is not None and self.info is not None:
            self.info = replace(info, changed=self.info.changed, why=self.info.why)
        if self.info is None:
            return
        texts = self._texts()
        for key in (*LIVE, "visibility"):  # the verdict's numbers move with the sky, never highlighted
            if self.values[key].text() != texts[key]:
                self.values[key].setText(texts[key])
            _restyle(self.values[key], self._value_style(key))
        self._blink()

    def rescale(self) -> None:
        """The font scale changed (``[ui] scale``, Ctrl+plus/minus): every inline size is redone."""
        if self.info is not None:
            self._render()
        if self.reply.isVisible():
            style = self.reply.styleSheet().rsplit(" font-size:", 1)[0]
            self.reply.setStyleSheet(f"{style} font-size: {pt(11):.2f}pt;")

    def _blink(self) -> None:
        """An act alert's band pulses for its first ``FLASH_SECONDS``: seen from across the dome."""
        if self.info.kind != "act" or self.retracted or self.info.notice.is_test:
            return
        self.flash = not self.flash and self.clock() - self.presented_at < FLASH_SECONDS
        color = group_color("act").lighter(135 if self.flash else 100).name()
        _restyle(self.band, f"background: {color}; color: white; padding: 12px 18px;")

    # -- rendering ----------------------------------------------------------------------------
    def _label_buttons(self) -> None:
        # A retracted event offers nothing to do but read it and close it.
        sets = {"none": ("ack",), "send": ("send",), "slew": ("slew", "send")}
        shown = () if self.retracted else sets[self.access]
        self.buttons["slew"].setText("Send and Slew")
        self.buttons["send"].setText(f"Send new position to {self.tcs_name}" if self._moved()
                                     else f"Send to {self.tcs_name}")
        self.buttons["ack"].setText("Acknowledge")
        done = self.retracted or bool(self.info and self.info.acted)
        self.buttons["ignore"].setText("Close" if done else "Ignore")
        for action, button in self.buttons.items():
            button.setVisible(action in shown or action == "ignore")
            button.setEnabled(action == "ignore" or not self.retracted)
            role = "danger" if action == "slew" else "primary" if action in shown else ""
            if button.property("role") != role:  # re-polishing is costly: only when the role changes
                button.setProperty("role", role)
                button.style().unpolish(button)
                button.style().polish(button)

    def _moved(self) -> bool:
        """The event's best position is no longer where the telescope was sent."""
        info = self.info
        if info is None or not info.acted_position or info.notice.ra is None:
            return False
        ra, dec, err = info.acted_position
        return (ra, dec, err) != (info.notice.ra, info.notice.dec, info.notice.error_radius)

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
            "altitude": _altitude_text(info),
            "moon": "—" if info.moon is None else f"{info.moon:.0f}° away",
            "visibility": _verdict_html(info.verdict),
            "countdown": self._countdown(now),
        }

    def _countdown(self, now: float) -> str:
        if self.info.deadline is None:
            return "stopped (retracted)" if self.retracted else "no timeout"
        return countdown_text(self.info.deadline - now)

    def _status_text(self) -> str:
        info = self.info
        if info.retracted:
            did = {"slew": "you slewed to this", "send": "you sent this to the TCS"}.get(info.acted or "")
            head = f"RETRACTED: {did}" if did else "RETRACTED by its issuer"
            head += " — do not observe."
            return f"{head}\n{info.retracted}"
        if self._moved():
            ra, dec, err = info.acted_position
            verb = "slewed" if info.acted == "slew" else "sent"
            where = f"{ra_hms(ra)} {dec_dms(dec)}" + (f", ± {error_text(err)}" if err else "")
            return f"NEW POSITION. The telescope was {verb} to the previous one ({where}): send the new one?"
        return ""

    def _render(self) -> None:
        info = self.info
        n = info.notice
        kind = "retracted" if self.retracted else ("test" if n.is_test else info.kind)
        color = COLORS["retracted"] if self.retracted else group_color(kind).name()
        tag = "RETRACTED" if self.retracted else ("TEST" if n.is_test else (info.group or kind).upper())
        if info.not_archived:
            tag += " · NOT ARCHIVED"
        self.band.setText(
            f"<div style='font-size:{pt(11):.2f}pt; letter-spacing:2px'>{tag}</div>"
            f"<div style='font-size:{pt(18):.2f}pt; font-weight:bold'>{html.escape(kind_text(n))}</div>"
        )
        _restyle(self.band, f"background: {color}; color: white; padding: 12px 18px;")
        status = self._status_text()
        self.status.setText(status)
        self.status.setVisible(bool(status))
        back = COLORS["stale"] if self.retracted else "#2a2f37"
        fore = "white" if self.retracted else COLORS["changed"]
        _restyle(self.status, f"background: {back}; color: {fore}; padding: 6px 18px; font-weight: bold;"
                              f" font-size: {pt(13):.2f}pt;")
        self.setWindowTitle(f"gcnmon — {tag}: {kind_text(n)}")
        for key, text in self._texts().items():
            label = self.values[key]
            label.setText(text)
            _restyle(label, self._value_style(key))
            size = pt(12 if key in BIG else 11)
            _restyle(self.names[key], f"color: {COLORS['dim']}; font-size: {size:.2f}pt;")
        self.values["visibility"].setFixedWidth(int(400 * pt(1)))
        self._label_buttons()
        for section in self._sections:
            if hasattr(section, "show_info"):
                section.show_info(info)
        self.region.show_notice(n)
        self._follow_target()

    def _value_style(self, key: str) -> str:
        info = self.info
        style = f"font-size: {pt(15 if key in BIG else 12):.2f}pt;"
        if key in BIG:
            style += " font-weight: bold;"
        if key in ("ra", "dec"):
            style += " font-family: monospace;"
        if key == "visibility" and info.observable is not None:
            style += f" color: {COLORS['ok'] if info.observable else COLORS['dim']};"
        if key == "moon" and info.moon is not None and info.moon < MOON_WARNING:
            style += f" color: {COLORS['stale']};"
        if key == "altitude" and info.alt is not None and info.alt < 0:
            style += f" color: {COLORS['dim']};"
        if key in self.changed:
            style += f" background: {COLORS['changed']}; color: #111; padding: 0 4px; border-radius: 3px;"
        if self.retracted and key not in LIVE:
            style += " text-decoration: line-through;"
        return style


def _altitude_text(info: AlertInfo) -> str:
    if info.alt is None:
        return "—"
    if info.alt < 0:
        return f"{info.alt:.1f}° (below the horizon)"
    return f"{info.alt:.1f}°" + (f" · air mass {info.airmass:.2f}" if info.airmass else "")


def _verdict_html(line: str) -> str:
    """``"OBSERVABLE now until 02:40 UT: alt 54.1°, ..."`` -> the status, then the numbers smaller."""
    if not line:
        return "—"
    status, _, numbers = line.partition(": ")
    if not numbers:
        return html.escape(status)
    small = f"<span style='font-size:{pt(11):.2f}pt'>{html.escape(numbers)}</span>"
    return f"<b>{html.escape(status)}</b><br>{small}"


def _restyle(widget, style: str) -> None:
    """Set a style sheet only when it changes: parsing style sheets is the dialog's dearest step."""
    if widget.styleSheet() != style:
        widget.setStyleSheet(style)
