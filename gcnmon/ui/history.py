"""The history table: recent notices from the archive and from the streams, with search and filter.

Rows are light (no raw packet): the detail pane fetches the full record from the archive on selection,
so the table's memory stays bounded however long the night (``limit`` rows, oldest dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .format import dec_dms, error_text, ra_hms, short_age
from .theme import COLORS, pt

__all__ = ["HistoryRow", "HistoryModel", "HistoryFilter", "HistoryView", "FILTERS"]

COLUMNS = ("Received", "Mission", "Type", "Trigger", "T0", "Age", "Sig.", "Group", "Action", "RA", "Dec",
           "Error")
TITLES = {
    "Received": "When the notice arrived (UTC)",
    "T0": "The trigger's time (UTC; its date when another day)",
    "Age": "Time since the trigger, now",
    "Sig.": "Significance (sigma)",
}
TYPE_COLUMN, AGE_COLUMN, GROUP_COLUMN, ACTION_COLUMN = 2, 5, 7, 8
ELASTIC = (TYPE_COLUMN, ACTION_COLUMN)  # share what the others leave, elided (their tooltips have them whole)
PADDING = 12  # pixels around a cell's text (Qt's own margins plus air)
# Roles as plain ints: Qt.DisplayRole (PySide6's old-style enum access) costs ~8 us per lookup, and a
# table asks data() thousands of times per repaint.
DISPLAY, FOREGROUND, BACKGROUND, TOOLTIP, USER = (int(r.value) for r in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole))
#: The filter box: label -> predicate on a row.
FILTERS = {
    "All notices": lambda row: True,
    "Act": lambda row: row.action_kind == "act",
    "Act + inform": lambda row: row.action_kind in ("act", "inform"),
    "Not seen yet": lambda row: row.attention,
    "With position": lambda row: row.ra is not None,
    "Acted on": lambda row: row.action.startswith(("send", "slew", "ack")),
    "Retractions": lambda row: row.retraction,
    "Tests": lambda row: row.test,
}


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One notice as the table shows it."""

    ivorn: str
    received: float
    mission: str
    notice_type: str
    trigger: str
    ra: float | None
    dec: float | None
    error: float | None
    group: str = ""
    action_kind: str = ""  # the group's action: "act", "inform" or "ignore"
    action: str = ""  # what happened: "shown", "listed", "slew accepted", "ack", "timeout", ...
    test: bool = False
    retraction: bool = False
    region: object = field(default=None, compare=False, repr=False)  # a map/ellipse/polygon: contours
    event_time: float | None = None  # the trigger's time (Unix seconds)
    significance: float | None = None
    attention: bool = False  # an act alert kept off the screen: highlighted until the observer sees it

    @classmethod
    def of(cls, notice, received: float, group: str = "", action_kind: str = "", action: str = ""):
        return cls(
            notice.ivorn, received, notice.mission or "", notice.notice_type or notice.role or "",
            notice.trigger_id or "", notice.ra, notice.dec, notice.error_radius, group, action_kind,
            action, bool(notice.is_test), bool(notice.is_retraction), notice.localisation,
            notice.time.timestamp() if notice.time else None, notice.significance,
        )

    def flagged(self, attention: bool = True) -> HistoryRow:
        return replace(self, attention=attention)

    def cells(self, now: float) -> tuple[str, ...]:
        received = datetime.fromtimestamp(self.received, UTC)
        trigger = ""
        if self.event_time is not None:
            when = datetime.fromtimestamp(self.event_time, UTC)
            trigger = when.strftime("%H:%M:%S" if when.date() == received.date() else "%Y-%m-%d")
        return (
            received.strftime("%m-%d %H:%M"), self.mission, self.notice_type, self.trigger, trigger,
            self.age(now), "" if self.significance is None else f"{self.significance:.1f}", self.group,
            self.action, _colons(ra_hms(self.ra)) if self.ra is not None else "",
            _colons(dec_dms(self.dec)) if self.dec is not None else "",
            error_text(self.error) if self.error else "",
        )

    def age(self, now: float) -> str:
        return short_age(None if self.event_time is None else now - self.event_time)


def _colons(text: str) -> str:
    """``05h34m31.9s`` / ``+22°00'52"`` -> ``05:34:31.9`` / ``+22:00:52``: narrower, as log books write it."""
    for mark, to in (("h", ":"), ("m", ":"), ("°", ":"), ("'", ":"), ("s", ""), ('"', "")):
        text = text.replace(mark, to)
    return text


_HORIZONTAL = Qt.Orientation.Horizontal
_ROOT = QModelIndex()  # the invalid index: the default parent (one instance, never mutated)
_DIM = QColor(COLORS["dim"])
_KIND_COLORS = {kind: QColor(COLORS[kind]).lighter(150) for kind in ("act", "inform")}
_ATTENTION = QColor("#6e1f1d")  # an act alert not seen yet: the row glows until the observer sees it
_ATTENTION_TEXT = QColor("#ffffff")


class HistoryModel(QAbstractTableModel):
    """Newest first; ``add()`` a row, ``set_action()`` when the observer did something."""

    def __init__(self, limit: int = 1000, parent=None, clock=None):
        super().__init__(parent)
        import time

        self.limit = limit
        self.clock = clock or time.time
        self.rows: list[HistoryRow] = []
        self._cells: list[tuple[str, ...]] = []  # formatted once: painting never formats

    def rowCount(self, parent=_ROOT):  # noqa: N802 (Qt override)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT):  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802
        if orientation != _HORIZONTAL:
            return None
        if int(role) == DISPLAY:
            return COLUMNS[section]
        if int(role) == TOOLTIP:
            return TITLES.get(COLUMNS[section])
        return None

    def data(self, index, role=DISPLAY):
        role = int(role)
        if role == DISPLAY:
            return self._cells[index.row()][index.column()]
        if role == FOREGROUND:
            row = self.rows[index.row()]
            if row.attention:
                return _ATTENTION_TEXT
            if row.retraction or row.test:
                return _DIM
            if index.column() == GROUP_COLUMN and row.action_kind in _KIND_COLORS:
                return _KIND_COLORS[row.action_kind]
        elif role == BACKGROUND:
            return _ATTENTION if self.rows[index.row()].attention else None
        elif role == TOOLTIP:
            row = self.rows[index.row()]
            if index.column() in ELASTIC:  # elided in its cell: the tooltip has it whole
                return f"{row.ivorn}\n{self._cells[index.row()][index.column()]}"
            return row.ivorn
        elif role == USER:
            return self.rows[index.row()]
        return None

    def reset(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)[: self.limit]
        now = self.clock()
        self._cells = [r.cells(now) for r in self.rows]
        self.endResetModel()

    def add(self, row: HistoryRow) -> None:
        """Insert at the top (or replace the row of the same IVORN), dropping the oldest past ``limit``."""
        found = self.index_of(row.ivorn)
        if found is not None:
            self._replace(found, row)
            return
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.rows.insert(0, row)
        self._cells.insert(0, row.cells(self.clock()))
        self.endInsertRows()
        if len(self.rows) > self.limit:
            self.beginRemoveRows(QModelIndex(), self.limit, len(self.rows) - 1)
            del self.rows[self.limit :], self._cells[self.limit :]
            self.endRemoveRows()

    def set_action(self, ivorn: str, action: str, group: str | None = None, kind: str | None = None) -> None:
        found = self.index_of(ivorn)
        if found is None:
            return
        row = self.rows[found]
        changes = {"action": action}
        if group is not None:
            changes.update(group=group, action_kind=kind or row.action_kind)
        self._replace(found, replace(row, **changes))

    def set_attention(self, ivorn: str, attention: bool) -> None:
        found = self.index_of(ivorn)
        if found is not None and self.rows[found].attention != attention:
            self._replace(found, self.rows[found].flagged(attention))

    def refresh_ages(self) -> None:
        """The Age column moves with the clock: re-format it (only it) for every row."""
        if not self.rows:
            return
        now = self.clock()
        for i, row in enumerate(self.rows):
            cells = self._cells[i]
            self._cells[i] = (*cells[:AGE_COLUMN], row.age(now), *cells[AGE_COLUMN + 1 :])
        last = len(self.rows) - 1
        self.dataChanged.emit(self.index(0, AGE_COLUMN), self.index(last, AGE_COLUMN), [DISPLAY])

    def _replace(self, i: int, row: HistoryRow) -> None:
        self.rows[i], self._cells[i] = row, row.cells(self.clock())
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def index_of(self, ivorn: str) -> int | None:
        # Recent rows are at the top: a linear scan of a bounded list is fast enough and needs no index.
        return next((i for i, r in enumerate(self.rows) if r.ivorn == ivorn), None)


class HistoryFilter(QSortFilterProxyModel):
    """Free-text search over every column plus one of ``FILTERS``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.predicate = FILTERS["All notices"]

    def set_text(self, text: str) -> None:
        self.text = text.strip().lower()
        self.invalidateRowsFilter()

    def set_filter(self, name: str) -> None:
        self.predicate = FILTERS[name]
        self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row, source_parent):  # noqa: N802
        model = self.sourceModel()
        row = model.rows[source_row]
        if not self.predicate(row):
            return False
        if not self.text:
            return True
        cells = model._cells[source_row]
        return any(self.text in cell.lower() for cell in cells) or self.text in row.ivorn.lower()


class HistoryView(QWidget):
    """Search box, filter, the table and "Offer again". Emits ``selected(ivorn)`` and ``offer(ivorn)``."""

    selected = Signal(str)
    offer = Signal(str)

    def __init__(self, model: HistoryModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.proxy = HistoryFilter(self)
        self.proxy.setSourceModel(model)
        self.search = QLineEdit(placeholderText="Search mission, type, trigger, IVORN…",
                                clearButtonEnabled=True)
        self.search.textChanged.connect(self.proxy.set_text)
        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        self.filter.currentTextChanged.connect(self.proxy.set_filter)
        self.offer_button = QPushButton("Offer again", enabled=False)
        self.offer_button.setToolTip("Open the alert dialog again for the selected notice")
        self.offer_button.clicked.connect(self._offer)
        self.table = self._table()
        self._refit()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.filter)
        top.addWidget(self.offer_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def _table(self) -> QTableView:
        table = QTableView(self)
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(round(24 * pt(1)))
        header = table.horizontalHeader()
        # Columns fit their text, but measured here from the model's formatted cells, new rows only:
        # Qt's ResizeToContents re-reads every row's data through data() on each new notice, which was
        # most of an alert's way to the dialog. The observer may still drag a column wider. The Type
        # column takes what is left and elides (its tooltip has it whole): the table fits the window.
        header.setSectionResizeMode(QHeaderView.Interactive)
        for column in ELASTIC:
            header.setSectionResizeMode(column, QHeaderView.Stretch)
        header.setMinimumSectionSize(24)
        header.setStretchLastSection(False)
        table.setTextElideMode(Qt.ElideRight)
        self.model.rowsInserted.connect(lambda _parent, first, last: self._fit(first, last))
        self.model.dataChanged.connect(self._changed)
        self.model.modelReset.connect(self._refit)
        table.selectionModel().currentRowChanged.connect(self._current)
        table.doubleClicked.connect(lambda _index: self._offer())
        return table

    def _changed(self, top, bottom, _roles=()) -> None:
        only = (top.column(),) if top.column() == bottom.column() else None  # the minute's Age refresh
        self._fit(top.row(), bottom.row(), only)

    def _refit(self) -> None:
        header, metrics = self.table.horizontalHeader(), self.table.horizontalHeader().fontMetrics()
        for column, title in enumerate(COLUMNS):
            if column not in ELASTIC:
                header.resizeSection(column, metrics.horizontalAdvance(title) + PADDING)
        self._fit(0, len(self.model.rows) - 1)

    def rescale(self) -> None:
        """Fonts were scaled: rows and columns follow."""
        self.table.verticalHeader().setDefaultSectionSize(round(24 * pt(1)))
        self._refit()

    def _fit(self, first: int, last: int, columns=None) -> None:
        """Widen (never narrow) columns so the cells of rows ``first..last`` fit."""
        cells, header = self.model._cells[first : last + 1], self.table.horizontalHeader()
        if not cells:
            return
        metrics = self.table.fontMetrics()
        for column in columns or range(len(COLUMNS)):
            if column in ELASTIC:  # stretches into what is left
                continue
            width = max(metrics.horizontalAdvance(row[column]) for row in cells) + PADDING
            if width > header.sectionSize(column):
                header.resizeSection(column, width)

    def current_ivorn(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        return self.proxy.data(index, Qt.UserRole).ivorn if index.isValid() else None

    def select(self, ivorn: str) -> bool:
        found = self.model.index_of(ivorn)
        if found is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(found, 0))
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        return True

    def _current(self, index, _previous) -> None:
        self.offer_button.setEnabled(index.isValid())
        if index.isValid():
            ivorn = self.proxy.data(index, Qt.UserRole).ivorn
            self.model.set_attention(ivorn, False)  # the observer has seen it now
            self.selected.emit(ivorn)

    def _offer(self) -> None:
        ivorn = self.current_ivorn()
        if ivorn:
            self.offer.emit(ivorn)
