"""Tonight's curve: a target's altitude over the night, drawn with QPainter.

Twilight bands behind (the Sun's altitude: day, civil, nautical, astronomical, night), the telescope's
zenith-limit line, the Moon's altitude, a "now" mark; hovering tells the time, altitude and air mass.
Every number comes from ``gcnmon.sky.tonight`` (the verdict's own altitudes): nothing is computed here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from .. import sky
from .theme import COLORS

__all__ = ["NightCurve", "TWILIGHT"]

#: Sun altitude bands, darkest last: (below this altitude, colour).
TWILIGHT = ((0.0, "#3b4656"), (-6.0, "#2b3444"), (-12.0, "#1f2633"), (-18.0, "#151a23"))
DAY_COLOR = "#56657a"
MARGIN = (34, 8, 10, 20)  # left, top, right, bottom: room for the axis labels


class NightCurve(QWidget):
    """``show_target(ra, dec)`` draws the target's night at ``site``; ``clear()`` for no position.

    ``clock() -> unix seconds`` says where "now" is (the dialog's clock); the mark moves every minute.
    """

    def __init__(self, site: sky.Site | None = None, *, sun_altitude: float = -12.0,
                 clock: Callable[[], float] = time.time, autohide: bool = True, parent=None):
        super().__init__(parent)
        self.site, self.sun_altitude, self.clock = site, sun_altitude, clock
        self.autohide = autohide  # hidden without a position (the dialog); else says so (a tab)
        self.night: sky.Tonight | None = None
        self.target: tuple[float, float] | None = None
        self.hover_text = ""
        self.setMouseTracking(True)
        self.setMinimumSize(360, 150)
        self._minute = QTimer(self, interval=60_000)
        self._minute.timeout.connect(self.update)
        self._minute.start()
        self.setVisible(not autohide)

    def configure(self, site: sky.Site, sun_altitude: float = -12.0,
                  clock: Callable[[], float] | None = None) -> None:
        """The site (and its night's Sun altitude, and the clock) the curves are drawn for."""
        self.site, self.sun_altitude = site, sun_altitude
        self.clock = clock or self.clock
        self.night = self.target = None

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(480, 170)

    def show_target(self, ra: float | None, dec: float | None, when: float | None = None) -> None:
        """The night of ``ra, dec`` around ``when`` (default: now); hidden when there is no position."""
        if self.site is None or ra is None or dec is None:
            self.clear()
            return
        when = self.clock() if when is None else when
        if self.target != (ra, dec) or self.night is None or not self._covers(when):
            self.night = sky.tonight(self.site, ra, dec, when, self.sun_altitude)
            self.target = (ra, dec)
        if self.autohide:
            self.show()
        self.update()

    def show_notice(self, notice, when: float | None = None) -> None:
        self.show_target(notice.ra, notice.dec, when)

    def clear(self) -> None:
        self.night, self.target = None, None
        if self.autohide:
            self.hide()
        self.update()

    def _covers(self, when: float) -> bool:
        return self.night.times[0] <= when <= self.night.times[-1]

    # -- geometry -------------------------------------------------------------------------------
    def _plot(self) -> QRectF:
        left, top, right, bottom = MARGIN
        return QRectF(left, top, max(1, self.width() - left - right), max(1, self.height() - top - bottom))

    def _x(self, ts: float) -> float:
        plot, t = self._plot(), self.night.times
        return plot.left() + (ts - t[0]) / (t[-1] - t[0]) * plot.width()

    def _y(self, alt: float) -> float:
        plot = self._plot()
        return plot.bottom() - max(0.0, min(90.0, alt)) / 90.0 * plot.height()

    def time_at(self, x: float) -> float:
        plot, t = self._plot(), self.night.times
        frac = min(1.0, max(0.0, (x - plot.left()) / plot.width()))
        return float(t[0] + frac * (t[-1] - t[0]))

    # -- painting -------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        if self.night is None:
            p.setPen(QColor(COLORS["dim"]))
            p.drawText(self.rect(), Qt.AlignCenter, "No position: no altitude curve.")
            p.end()
            return
        p.setRenderHint(QPainter.Antialiasing)
        self._twilight(p)
        self._axes(p)
        self._limit(p)
        self._curve(p, self.night.moon_alt, QPen(QColor(COLORS["moon"]), 1.2, Qt.DashLine))
        self._label_peak(p, self.night.moon_alt, "Moon", COLORS["moon"])
        self._curve(p, self.night.alt, QPen(QColor(COLORS["ok"]), 2.4))
        self._now(p)
        p.end()

    def _twilight(self, p: QPainter) -> None:
        plot, n = self._plot(), self.night
        p.fillRect(plot, QColor(DAY_COLOR))
        for i in range(len(n.times) - 1):
            sun = max(n.sun_alt[i], n.sun_alt[i + 1])
            color = next((c for limit, c in reversed(TWILIGHT) if sun < limit), None)
            if color:
                x0, x1 = self._x(n.times[i]), self._x(n.times[i + 1])
                p.fillRect(QRectF(x0, plot.top(), x1 - x0 + 0.6, plot.height()), QColor(color))

    def _axes(self, p: QPainter) -> None:
        plot, n = self._plot(), self.night
        p.setPen(QPen(QColor("#4a5361"), 1, Qt.DotLine))
        font = p.font()
        font.setPointSizeF(7.5)
        p.setFont(font)
        for alt in (30, 60):
            p.drawLine(QPointF(plot.left(), self._y(alt)), QPointF(plot.right(), self._y(alt)))
        p.setPen(QColor(COLORS["dim"]))
        for alt in (0, 30, 60, 90):
            box = QRectF(0, self._y(alt) - 7, MARGIN[0] - 4, 14)
            p.drawText(box, Qt.AlignRight | Qt.AlignVCenter, f"{alt}°")
        hour = 3600.0
        first = (n.times[0] // hour + 1) * hour
        for ts in range(int(first), int(n.times[-1]), int(hour)):
            x = self._x(ts)
            p.setPen(QPen(QColor("#4a5361"), 1, Qt.DotLine))
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            p.setPen(QColor(COLORS["dim"]))
            label = datetime.fromtimestamp(ts, UTC).strftime("%H")
            p.drawText(QRectF(x - 12, plot.bottom() + 2, 24, 14), Qt.AlignCenter, label)
        p.drawText(QRectF(plot.right() - 30, plot.bottom() + 2, 30, 14), Qt.AlignRight, "UT")

    def _limit(self, p: QPainter) -> None:
        plot = self._plot()
        y = self._y(self.site.min_altitude)
        p.setPen(QPen(QColor(COLORS["stale"]), 1.4, Qt.DashLine))
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        p.drawText(QRectF(plot.left() + 4, y - 14, 200, 13), Qt.AlignLeft,
                   f"zenith limit {self.site.zenith_limit:g}°")

    def _curve(self, p: QPainter, alts, pen: QPen) -> None:
        path, drawing = QPainterPath(), False
        for ts, alt in zip(self.night.times, alts, strict=True):
            if alt < 0:  # below the horizon: not drawn
                drawing = False
                continue
            point = QPointF(self._x(ts), self._y(alt))
            path.lineTo(point) if drawing else path.moveTo(point)
            drawing = True
        p.setPen(pen)
        p.drawPath(path)

    def _label_peak(self, p: QPainter, alts, text: str, color: str) -> None:
        top = int(np.argmax(alts))
        if alts[top] > 0:
            p.setPen(QColor(color))
            p.drawText(QPointF(self._x(self.night.times[top]) - 12, self._y(alts[top]) - 4), text)

    def _now(self, p: QPainter) -> None:
        now = self.clock()
        if not self._covers(now):
            return
        x, plot = self._x(now), self._plot()
        p.setRenderHint(QPainter.Antialiasing, False)  # a crisp line, whole pixels wide
        p.setPen(QPen(QColor(COLORS["changed"]), 2))
        p.drawLine(QPointF(round(x), plot.top()), QPointF(round(x), plot.bottom()))
        p.setRenderHint(QPainter.Antialiasing)
        alt, _ = self.night.at(now)
        if alt >= 0:
            p.setBrush(QColor(COLORS["changed"]))
            p.drawEllipse(QPointF(x, self._y(alt)), 3.5, 3.5)
        p.drawText(QRectF(x + 3, plot.top(), 40, 12), Qt.AlignLeft, "now")

    # -- hover ----------------------------------------------------------------------------------
    def describe(self, ts: float) -> str:
        """``21:34 UT  alt 54.3°  air mass 1.23`` for the target at ``ts``."""
        alt, mass = self.night.at(ts)
        stamp = datetime.fromtimestamp(ts, UTC).strftime("%H:%M UT")
        mass_text = f"air mass {mass:.2f}" if mass is not None else "below the horizon"
        return f"{stamp}  alt {alt:.1f}°  {mass_text}"

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.night is None:
            return
        pos = event.position()
        self.hover_text = self.describe(self.time_at(pos.x()))
        QToolTip.showText(event.globalPosition().toPoint(), self.hover_text, self)
