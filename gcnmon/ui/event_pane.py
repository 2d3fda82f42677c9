"""The event pane: one event's whole story (notices, decisions, actions, TCS replies, circulars) and links.

A circular shows its subject in the list and its body below when clicked; the links (GraceDB, GCN
Circulars, the mission's trigger page) open in the browser. The pane only shows a ``Story``
(``gcnmon.story.timeline``); the app builds it from the archive.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .theme import COLORS

__all__ = ["EventPane", "KIND_LABELS"]

KIND_LABELS = {"notice": "notice", "decision": "decision", "action": "observer", "tcs": "TCS",
               "circular": "circular"}
KIND_COLORS = {"notice": COLORS["text"], "decision": COLORS["dim"], "action": COLORS["accent"],
               "tcs": COLORS["ok"], "circular": COLORS["changed"]}


class EventPane(QWidget):
    """``show_story(story)``; ``selected_entry`` is the entry whose detail is shown below the list."""

    notice_chosen = Signal(str)  # an IVORN: the observer double-clicked a notice of the story

    def __init__(self, parent=None):
        super().__init__(parent)
        self.story = None
        self.selected_entry = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel("Select a notice to see its event's story.")
        self.title.setTextFormat(Qt.RichText)
        self.links = QLabel(openExternalLinks=True, wordWrap=True)  # opened by the desktop's browser
        self.links.setTextFormat(Qt.RichText)
        self.links.setTextInteractionFlags(Qt.TextBrowserInteraction)
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Time (UTC)", "", "What"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.header().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.list.header().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        self.list.header().setStretchLastSection(True)
        self.list.currentItemChanged.connect(self._chosen)
        self.list.itemDoubleClicked.connect(self._open)
        self.detail = QPlainTextEdit(readOnly=True)
        self.detail.setPlaceholderText("Click a circular or a TCS reply to read it.")
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.list)
        split.addWidget(self.detail)
        split.setSizes([260, 140])
        layout.addWidget(self.title)
        layout.addWidget(self.links)
        layout.addWidget(split, 1)

    def show_story(self, story) -> None:
        keep = self.selected_entry if self.story is not None and story.key == self.story.key else None
        self.story, self.selected_entry = story, None
        count = sum(e.kind == "circular" for e in story.entries)
        notices = sum(e.kind == "notice" for e in story.entries)
        self.title.setText(f"<b>{html.escape(story.title)}</b> <span style='color:{COLORS['dim']}'>"
                           f"· {notices} notice(s) · {count} circular(s)</span>")
        self.links.setText(" · ".join(_anchor(link) for link in story.links))
        self.list.clear()
        for entry in story.entries:
            stamp = _stamp(entry.when)
            item = QTreeWidgetItem([stamp, KIND_LABELS.get(entry.kind, entry.kind), entry.text])
            item.setData(0, Qt.UserRole, entry)
            item.setForeground(1, QColor(KIND_COLORS.get(entry.kind, COLORS["text"])))
            item.setToolTip(2, entry.text)
            self.list.addTopLevelItem(item)
            if keep is not None and entry == keep:
                self.list.setCurrentItem(item)
        if self.selected_entry is None:
            self.detail.clear()

    def clear_story(self) -> None:
        self.story = self.selected_entry = None
        self.list.clear()
        self.detail.clear()
        self.links.clear()
        self.title.setText("Select a notice to see its event's story.")

    def entries(self) -> list:
        return [self.list.topLevelItem(i).data(0, Qt.UserRole) for i in range(self.list.topLevelItemCount())]

    def select(self, row: int) -> None:
        self.list.setCurrentItem(self.list.topLevelItem(row))

    def _chosen(self, item, _previous=None) -> None:
        entry = item.data(0, Qt.UserRole) if item is not None else None
        self.selected_entry = entry
        if entry is None:
            self.detail.clear()
        elif entry.kind == "circular":
            # Circulars that passed through e-mail gateways (gcn-schema's example too) carry a literal
            # backslash-n for each line break
            self.detail.setPlainText(f"{entry.text}\n\n{entry.detail.replace(chr(92) + 'n', chr(10))}")
        else:
            self.detail.setPlainText(entry.detail or entry.text)

    def _open(self, item, _column=0) -> None:
        entry = item.data(0, Qt.UserRole)
        if entry is not None and entry.kind == "notice":
            self.notice_chosen.emit(entry.ref)


def _stamp(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%M:%S") if when else "?"


def _anchor(link) -> str:
    url = html.escape(link.url, quote=True)
    return f"<a href='{url}' style='color:{COLORS['accent']}'>{html.escape(link.label)}</a>"
