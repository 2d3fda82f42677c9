"""Night palette: dark and calm when idle, so the alert's colours are impossible to miss."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap

__all__ = ["COLORS", "apply_theme", "app_icon", "group_color", "pt", "scale", "set_scale", "SCALES",
           "ICON_STATES"]

SCALES = (0.75, 2.5)  # the range [ui] scale and Ctrl+plus/minus allow
BASE_POINTS = 10.0  # the application font at scale 1
_scale = [1.0]  # one application, one scale: every inline size asks pt()


def scale() -> float:
    return _scale[0]


def pt(points: float) -> float:
    """A font size in points at the current scale (style sheets with a size use this, never a literal)."""
    return points * _scale[0]

COLORS = {
    "window": "#14171c",
    "panel": "#1c2027",
    "base": "#111418",
    "text": "#d5d9e0",
    "dim": "#8a93a3",
    "accent": "#5aa9e6",
    "ok": "#3fb76b",
    "stale": "#e04848",
    "act": "#d7332f",  # the alarm colour: groups that want the telescope
    "inform": "#2f7fd7",  # groups the observer should know about
    "test": "#7d5bd6",
    "changed": "#f0b429",  # a refinement changed this field
    "retracted": "#6b7280",
    "sun": "#ffcc33",
    "moon": "#dfe6ee",
}

STYLE = """
QWidget {{ color: {text}; }}
QMainWindow, QDialog {{ background: {window}; }}
QToolTip {{ color: {text}; background: {panel}; border: 1px solid {dim}; }}
QTableView {{ background: {base}; alternate-background-color: {panel}; gridline-color: {panel};
             selection-background-color: #2b4a6b; border: 1px solid #262b33; }}
QHeaderView::section {{ background: {panel}; color: {dim}; border: none; padding: 4px 6px; }}
QLineEdit, QComboBox, QPlainTextEdit {{ background: {base}; border: 1px solid #2c323c; border-radius: 3px;
             padding: 3px 6px; selection-background-color: #2b4a6b; }}
QPushButton {{ background: #262c35; border: 1px solid #39414d; border-radius: 4px; padding: 6px 14px; }}
QPushButton:hover {{ background: #2f3743; }}
QPushButton:disabled {{ color: #5b6270; background: #1d2128; border-color: #2a2f37; }}
QPushButton[role="primary"] {{ background: #1f5f99; border-color: #3b83c4; font-weight: bold; }}
QPushButton[role="primary"]:hover {{ background: #2670b4; }}
QPushButton[role="danger"] {{ background: #8f2220; border-color: #c94340; font-weight: bold; }}
QPushButton[role="danger"]:hover {{ background: #a72b28; }}
QPushButton[role="primary"]:disabled, QPushButton[role="danger"]:disabled {{ color: #5b6270;
             background: #1d2128; border-color: #2a2f37; }}
QTabWidget::pane {{ border: 1px solid #262b33; }}
QTabBar::tab {{ background: {panel}; color: {dim}; padding: 5px 12px; }}
QTabBar::tab:selected {{ color: {text}; background: #262c35; }}
QSplitter::handle {{ background: #20252d; }}
QStatusBar {{ color: {dim}; }}
QBalloonTip, QBalloonTip QLabel {{ background: {panel}; color: {text}; }}
"""


def set_scale(app, value: float) -> float:
    """Scale every font (``[ui] scale``, Ctrl+plus/minus): the application font, then what asks ``pt()``."""
    value = min(max(float(value), SCALES[0]), SCALES[1])
    _scale[0] = value
    font = QFont(app.font())
    font.setPointSizeF(BASE_POINTS * value)
    app.setFont(font)
    return value


def apply_theme(app, scale: float | None = None) -> None:
    """Dark palette and style sheet for the whole application (readable at night, no white glare).

    Tooltips and the tray's balloons get the same dark colours (Qt's default is pale yellow, which the
    light text of the style sheet made unreadable): readable whatever the desktop's own theme.
    """
    from PySide6.QtWidgets import QToolTip

    pal = QPalette()
    roles = {
        QPalette.Window: "window",
        QPalette.Base: "base",
        QPalette.AlternateBase: "panel",
        QPalette.Button: "panel",
        QPalette.Text: "text",
        QPalette.WindowText: "text",
        QPalette.ButtonText: "text",
        QPalette.ToolTipBase: "panel",
        QPalette.ToolTipText: "text",
        QPalette.Highlight: "accent",
        QPalette.PlaceholderText: "dim",
    }
    for role, name in roles.items():
        pal.setColor(role, QColor(COLORS[name]))
    pal.setColor(QPalette.Disabled, QPalette.Text, QColor("#5b6270"))
    pal.setColor(QPalette.Disabled, QPalette.ButtonText, QColor("#5b6270"))
    app.setPalette(pal)
    QToolTip.setPalette(pal)
    app.setStyle("Fusion")
    set_scale(app, _scale[0] if scale is None else scale)
    app.setStyleSheet(STYLE.format(**COLORS))


def group_color(kind: str | None) -> QColor:
    """The band colour of a dialog: red for ``act``, blue for ``inform``, violet for tests."""
    return QColor(COLORS.get(kind or "inform", COLORS["inform"]))


#: The tray icon's states: its ring colour and its mark (none, a cross for a dead link, a bar for muted).
ICON_STATES = {
    "ok": (COLORS["ok"], ""),
    "alerting": (COLORS["act"], ""),
    "link dead": ("#9aa3b2", "cross"),
    "muted": (COLORS["changed"], "bar"),
}


def app_icon(state: str = "ok") -> QIcon:
    """The window and tray icon, drawn here (no image files): a target ring in the state's colour.

    Each state differs in colour AND shape (a cross: no link; a bar: muted), and the ring sits on a
    dark disc with a white rim, so it reads on a light panel as on a dark one.
    """
    color, mark = ICON_STATES[state]
    icon = QIcon()
    for size in (16, 22, 32, 48, 64):
        icon.addPixmap(_icon_pixmap(size, QColor(color), mark))
    return icon


def _icon_pixmap(size: int, color: QColor, mark: str) -> QPixmap:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPen

    pix = QPixmap(size, size)
    pix.fill(Qt.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing)
    c, r = size / 2, size * 0.46
    p.setPen(QPen(QColor("#f4f6f8"), max(size / 16, 1.0)))  # the rim: visible on a dark panel
    p.setBrush(QColor("#111418"))  # the disc: visible on a light panel
    p.drawEllipse(QPointF(c, c), r, r)
    p.setPen(QPen(color, max(size / 9, 1.5)))
    p.setBrush(Qt.NoBrush)
    p.drawEllipse(QPointF(c, c), r * 0.68, r * 0.68)
    p.setPen(Qt.NoPen)
    p.setBrush(color)
    p.drawEllipse(QPointF(c, c), r * 0.25, r * 0.25)
    if mark:
        pen = QPen(QColor(COLORS["stale"]) if mark == "cross" else color, max(size / 7, 2.0))
        pen.setCapStyle(Qt.RoundCap)
        p.setPen(pen)
        a = r * 0.75
        p.drawLine(QPointF(c - a, c + a), QPointF(c + a, c - a))
        if mark == "cross":
            p.drawLine(QPointF(c - a, c - a), QPointF(c + a, c + a))
    p.end()
    return pix
