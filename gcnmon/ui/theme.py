"""Night palette: dark and calm when idle, so the alert's colours are impossible to miss."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap

__all__ = ["COLORS", "apply_theme", "app_icon", "group_color"]

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
"""


def apply_theme(app) -> None:
    """Dark palette and style sheet for the whole application (readable at night, no white glare)."""
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
    app.setStyle("Fusion")
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)
    app.setStyleSheet(STYLE.format(**COLORS))


def group_color(kind: str | None) -> QColor:
    """The band colour of a dialog: red for ``act``, blue for ``inform``, violet for tests."""
    return QColor(COLORS.get(kind or "inform", COLORS["inform"]))


def app_icon(alerting: bool = False) -> QIcon:
    """The window and tray icon, drawn here (no image files): a target ring, red while alerting."""
    icon = QIcon()
    for size in (16, 22, 32, 48, 64):
        pix = QPixmap(size, size)
        pix.fill(Qt.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.Antialiasing)
        color = QColor(COLORS["act"] if alerting else COLORS["accent"])
        p.setBrush(QColor(COLORS["window"]))
        p.setPen(color)
        r = size * 0.44
        c = size / 2
        pen = p.pen()
        pen.setWidthF(max(size / 10, 1.5))
        p.setPen(pen)
        p.drawEllipse(int(c - r), int(c - r), int(2 * r), int(2 * r))
        p.setBrush(color)
        p.drawEllipse(int(c - r / 3), int(c - r / 3), int(2 * r / 3), int(2 * r / 3))
        p.end()
        icon.addPixmap(pix)
    return icon
