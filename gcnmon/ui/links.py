"""Link status, one badge per source: host, age of the last packet or heartbeat, red when stale."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from .format import age_text
from .theme import COLORS

__all__ = ["LinkBadge", "LinkBar"]


class LinkBadge(QLabel):
    """One source. ``stale`` is true when not connected or silent for longer than ``limit`` seconds."""

    def __init__(self, link, limit: float, parent=None):
        super().__init__(parent)
        self.link = link
        self.limit = limit
        self.stale = True
        self.refresh()

    def refresh(self) -> None:
        link = self.link
        self.stale = link.is_stale(self.limit)
        color = COLORS["stale"] if self.stale else COLORS["ok"]
        where = link.host or "not connected"
        age = link.age()
        if not link.connected:
            state = link.last_error or "connecting…"
        elif age is None:
            state = "connected, nothing heard yet"
        else:
            state = f"last packet {age_text(age)} ago"
        if link.connected and getattr(link, "problem", None):
            state += f" · <span style='color:{COLORS['changed']}'>{link.problem}</span>"  # amber: a problem
        self.setText(f"<span style='color:{color}'>●</span> <b>{link.name}</b> {where} · {state}")
        self.setToolTip(
            f"{link.name}: {where}\n{link.notices} notices this session\n"
            f"red when not connected or silent for more than {self.limit:.0f} s"
        )
        border = COLORS["stale"] if self.stale else "#2c323c"
        self.setStyleSheet(f"border: 1px solid {border}; border-radius: 4px; padding: 3px 8px;")


class LinkBar(QWidget):
    """All sources side by side, redrawn every second (ages move even when nothing arrives)."""

    def __init__(self, links=(), limit: float = 150.0, parent=None):
        super().__init__(parent)
        self.limit = limit
        self.badges: list[LinkBadge] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._empty = QLabel("No sources configured: add [sources] vtp or kafka to gcnmon.toml")
        self._empty.setStyleSheet(f"color: {COLORS['stale']};")
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)
        for link in links:
            self.add(link)
        self.timer = QTimer(self, interval=1000)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

    def add(self, link) -> LinkBadge:
        badge = LinkBadge(link, self.limit, self)
        self._layout.insertWidget(len(self.badges), badge)
        self.badges.append(badge)
        self._empty.hide()
        link.subscribe(lambda _link, b=badge: b.refresh())
        return badge

    def refresh(self) -> None:
        for badge in self.badges:
            badge.refresh()
