"""All-sky map (Hammer-Aitoff, equatorial): recent error circles, the horizon now, the Sun and the Moon.

Everything expensive happens off the paint path: astropy runs in a worker thread every few minutes, the
altitude shading becomes a cached QImage and the circles cached QPainterPaths; ``paintEvent`` only scales
and draws them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QSizePolicy, QWidget

from . import skydata
from .theme import COLORS

__all__ = ["SkyMap", "Marker"]

log = logging.getLogger(__name__)

SHADE_W, SHADE_H = 360, 180  # resolution of the cached altitude shading (scaled smoothly on paint)


@dataclass(frozen=True)
class Marker:
    """One notice on the map: where, how uncertain, and whether it is the one selected or alerting."""

    ra: float
    dec: float
    radius: float | None
    label: str = ""
    color: str = COLORS["accent"]
    current: bool = False


def _path_of(ra, dec) -> QPainterPath:
    """A polyline in map units, broken where it wraps around the map's edge."""
    x, y = skydata.project(ra, dec)
    path = QPainterPath()
    for i, (px, py) in enumerate(zip(x, -y)):
        if i == 0 or abs(px - x[i - 1]) > skydata.WIDTH / 2:
            path.moveTo(px, py)
        else:
            path.lineTo(px, py)
    return path


class SkyMap(QWidget):
    """The sky map widget. ``set_markers()``, ``set_site()``, ``refresh_sky(when, sync)``."""

    sky_ready = Signal(object)  # from the worker thread; Qt queues it to the GUI thread

    def __init__(self, site=None, parent=None, *, refresh_ms: int = 300_000):
        super().__init__(parent)
        self.setMinimumSize(360, 200)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.site = site
        self.sky: skydata.SkyNow | None = None
        self.markers: list[Marker] = []
        self._shade: QImage | None = None
        self._circles: list[tuple[Marker, QPainterPath]] = []
        self._grid = self._grid_path()
        self._lines: list[tuple[QPainterPath, QPen]] = []
        self._busy = False
        self.sky_ready.connect(self._apply_sky)
        self._timer = QTimer(self, interval=refresh_ms)
        self._timer.timeout.connect(self.refresh_sky)
        if site is not None:
            self._timer.start()

    # -- inputs -------------------------------------------------------------------------------
    def set_site(self, site) -> None:
        self.site = site
        self._timer.start()
        self.refresh_sky()

    def set_markers(self, markers) -> None:
        """Replace the error circles (newest last: it is drawn on top)."""
        self.markers = list(markers)
        self._circles = []
        for m in self.markers:
            radius = max(m.radius or 0.0, 1.5 if m.current else 0.8)  # arcsecond circles would be invisible: a visible dot
            self._circles.append((m, _path_of(*skydata.circle(m.ra, m.dec, radius))))
        self.update()

    def refresh_sky(self, when: datetime | None = None, sync: bool = False) -> None:
        """Recompute the Sun, Moon and horizon for ``when`` (now): in a thread unless ``sync``."""
        if self.site is None or self._busy:
            return
        when = when or datetime.now(UTC)
        if sync:
            self._apply_sky(skydata.sky_now(self.site, when))
            return
        self._busy = True
        threading.Thread(target=self._work, args=(self.site, when), daemon=True, name="skymap").start()

    def _work(self, site, when) -> None:
        try:
            self.sky_ready.emit(skydata.sky_now(site, when))
        except Exception as exc:  # the map is decoration: never let it take the app down
            log.warning("sky map not updated: %s", exc)
            self.sky_ready.emit(None)

    def _apply_sky(self, sky) -> None:
        self._busy = False
        if sky is None:
            return
        self.sky = sky
        self._shade = self._shade_image(sky)
        self._lines = self._horizon_lines(sky)
        self.update()

    # -- cached drawings ----------------------------------------------------------------------
    @staticmethod
    def _shade_image(sky) -> QImage:
        """Per pixel: above the telescope limit (lit), above the horizon (dim), below (dark)."""
        xs = (np.arange(SHADE_W) + 0.5) / SHADE_W * skydata.WIDTH - skydata.WIDTH / 2
        ys = skydata.HEIGHT / 2 - (np.arange(SHADE_H) + 0.5) / SHADE_H * skydata.HEIGHT
        ra, dec, inside = skydata.unproject(*np.meshgrid(xs, ys))
        alt = skydata.altitude(ra, dec, sky.lst, sky.latitude)
        rgba = np.zeros((SHADE_H, SHADE_W, 4), dtype=np.uint8)
        rgba[inside] = (22, 26, 32, 255)
        rgba[inside & (alt > 0)] = (26, 42, 58, 255)
        rgba[inside & (alt > sky.min_altitude)] = (30, 56, 80, 255)
        image = QImage(rgba.tobytes(), SHADE_W, SHADE_H, 4 * SHADE_W, QImage.Format_RGBA8888)
        return image.copy()  # own the pixels: the numpy buffer goes away

    @staticmethod
    def _horizon_lines(sky) -> list[tuple[QPainterPath, QPen]]:
        """The horizon and the telescope's altitude limit, as circles around the zenith."""
        lines = []
        for alt, color, style in ((0.0, "#7fa7c9", Qt.SolidLine), (sky.min_altitude, "#4f7aa0", Qt.DashLine)):
            ra, dec = skydata.circle(sky.lst, sky.latitude, 90.0 - alt, n=241)
            pen = QPen(QColor(color), 1.5, style)
            pen.setCosmetic(True)
            lines.append((_path_of(ra, dec), pen))
        return lines

    @staticmethod
    def _grid_path() -> QPainterPath:
        path = QPainterPath()
        for dec in range(-60, 61, 30):
            path.addPath(_path_of(np.linspace(0.001, 359.999, 181), np.full(181, float(dec))))
        for ra in range(0, 360, 30):
            ras = np.full(91, ra + (0.001 if ra == 0 else 0.0))
            path.addPath(_path_of(ras, np.linspace(-90, 90, 91)))
        return path

    # -- painting -----------------------------------------------------------------------------
    def _transform(self) -> QTransform:
        margin = 18
        scale = min((self.width() - 2 * margin) / skydata.WIDTH, (self.height() - 2 * margin) / skydata.HEIGHT)
        t = QTransform()
        t.translate(self.width() / 2, self.height() / 2)
        t.scale(scale, scale)
        return t

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), QColor(COLORS["window"]))
        t = self._transform()
        p.setTransform(t)
        frame = QRectF(-skydata.WIDTH / 2, -skydata.HEIGHT / 2, skydata.WIDTH, skydata.HEIGHT)
        if self._shade is not None:
            p.setRenderHint(QPainter.SmoothPixmapTransform)
            p.drawImage(frame, self._shade)
        grid_pen = QPen(QColor("#2c3440"), 1)
        grid_pen.setCosmetic(True)
        p.setPen(grid_pen)
        p.setBrush(Qt.NoBrush)
        p.drawPath(self._grid)
        p.drawEllipse(frame)
        for path, pen in self._lines:
            p.setPen(pen)
            p.drawPath(path)
        self._draw_markers(p)
        p.resetTransform()
        self._draw_bodies(p, t)
        self._draw_labels(p, t)
        p.end()

    def _draw_markers(self, p: QPainter) -> None:
        for marker, path in self._circles:
            color = QColor(marker.color)
            pen = QPen(color, 2.5 if marker.current else 1.2)
            pen.setCosmetic(True)
            fill = QColor(color)
            fill.setAlpha(90 if marker.current else 40)
            p.setPen(pen)
            p.setBrush(fill)
            p.drawPath(path)

    def _draw_bodies(self, p: QPainter, t: QTransform) -> None:
        if self.sky is None:
            return
        for (ra, dec), color, r in ((self.sky.sun, COLORS["sun"], 7), (self.sky.moon, COLORS["moon"], 5)):
            x, y = skydata.project(ra, dec)
            c = t.map(QPointF(float(x), float(-y)))
            p.setPen(QPen(QColor(color), 1))
            p.setBrush(QColor(color))
            p.drawEllipse(c, r, r)
        x, y = skydata.project(self.sky.lst, self.sky.latitude)
        z = t.map(QPointF(float(x), float(-y)))
        p.setPen(QPen(QColor("#7fa7c9"), 1.5))
        p.drawLine(z + QPointF(-5, 0), z + QPointF(5, 0))
        p.drawLine(z + QPointF(0, -5), z + QPointF(0, 5))

    def _draw_labels(self, p: QPainter, t: QTransform) -> None:
        p.setPen(QColor(COLORS["dim"]))
        font = p.font()
        font.setPointSizeF(8)
        p.setFont(font)
        for ra in (0, 6, 12, 18):
            x, _ = skydata.project(ra * 15 + (0.01 if ra == 0 else 0), 0.0)
            c = t.map(QPointF(float(x), 0.0))
            p.drawText(c + QPointF(3, -3), f"{ra}h")
        for marker, _ in self._circles:
            if marker.label:
                x, y = skydata.project(marker.ra, marker.dec)
                c = t.map(QPointF(float(x), float(-y)))
                p.setPen(QColor(marker.color if marker.current else COLORS["dim"]))
                p.drawText(c + QPointF(6, -6), marker.label)
        if self.sky is not None:
            p.setPen(QColor(COLORS["dim"]))
            when = self.sky.when.astimezone(UTC).strftime("%H:%M UTC")
            legend = f"{self.site.name}  {when}   ● Sun  ● Moon   + zenith   — horizon   - - limit"
            p.drawText(QPointF(8, self.height() - 6), legend)
