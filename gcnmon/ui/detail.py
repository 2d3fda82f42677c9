"""The detail pane: one notice's parsed fields, its raw packet and what was done about it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
)

from .event_pane import EventPane
from .format import dec_dms, error_text, ra_hms, utc_text
from .night_curve import NightCurve

__all__ = ["DetailPane", "field_rows"]

SKIP = {"raw", "params", "cites", "flags", "warnings"}


def field_rows(notice) -> list[tuple[str, str]]:
    """(name, text) for every parsed field, then the sexagesimal position, citations, flags and params."""
    rows = []
    for f in dataclasses.fields(notice):
        if f.name in SKIP:
            continue
        value = getattr(notice, f.name)
        text = utc_text(value) if isinstance(value, datetime) else "" if value is None else str(value)
        rows.append((f.name, text))
    if notice.has_position:
        position = f"{ra_hms(notice.ra)}  {dec_dms(notice.dec)}  ± {error_text(notice.error_radius)}"
        rows.append(("position (J2000)", position))
    rows += [("cites", f"{c.type}: {c.ivorn}") for c in notice.cites]
    if notice.flags:
        rows.append(("flags", ", ".join(sorted(notice.flags))))
    rows += [("warning", w) for w in notice.warnings]
    rows += [(f"param {k}", str(v)) for k, v in sorted(notice.params.items())]
    return rows


class DetailPane(QTabWidget):
    """Tabs "Fields", "Raw packet" and "Actions"; ``show_notice(notice, actions, source, received)``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.fields = QTableWidget(0, 2)
        self.fields.setHorizontalHeaderLabels(["Field", "Value"])
        self.fields.verticalHeader().hide()
        self.fields.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.fields.horizontalHeader().setStretchLastSection(True)
        self.fields.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.fields.setShowGrid(False)
        self.fields.setAlternatingRowColors(True)
        mono = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        self.raw = QPlainTextEdit(readOnly=True)
        self.raw.setFont(mono)
        self.raw.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.actions = QPlainTextEdit(readOnly=True)
        self.actions.setFont(QFont(mono))
        self.event_pane = EventPane()  # the selected notice's event: its whole story
        self.addTab(self.event_pane, "Event")
        self.addTab(self.fields, "Fields")
        self.addTab(self.raw, "Raw packet")
        self.addTab(self.actions, "Actions")
        self.tonight = NightCurve(autohide=False)  # the app gives it the site
        self.addTab(self.tonight, "Tonight")
        self.ivorn: str | None = None

    def show_notice(self, notice, actions=(), source: str = "", received: float | None = None) -> None:
        self.ivorn = notice.ivorn
        rows = field_rows(notice)
        if source:
            rows.insert(0, ("source", source))
        if received is not None:
            rows.insert(1 if source else 0, ("received", utc_text(datetime.fromtimestamp(received, UTC))))
        self.fields.setRowCount(len(rows))
        for i, (name, text) in enumerate(rows):
            self.fields.setItem(i, 0, QTableWidgetItem(name))
            item = QTableWidgetItem(text)
            item.setToolTip(text)  # long IVORNs and descriptions are elided in the cell
            self.fields.setItem(i, 1, item)
        self.raw.setPlainText(bytes(notice.raw).decode("utf-8", errors="replace"))
        self.tonight.show_notice(notice)
        lines = [
            f"{datetime.fromtimestamp(a.time, UTC):%Y-%m-%d %H:%M:%S}  {a.action:<8} {a.detail or ''}"
            for a in actions
        ]
        self.actions.setPlainText("\n".join(lines) or "No action recorded.")

    def clear_notice(self) -> None:
        self.ivorn = None
        self.fields.setRowCount(0)
        self.raw.clear()
        self.actions.clear()
        self.tonight.clear()
