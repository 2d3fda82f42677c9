"""All-sky map (Hammer-Aitoff, equatorial, centred on the local meridian): recent localisations, the
horizon now, the Sun and the Moon.

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

from .. import sky
from . import skydata
from .theme import COLORS

__all__ = ["SkyMap", "Marker"]

log = logging.getLogger(__name__)

SHADE_W, SHADE_H = 360, 180  # resolution of the cached altitude shading (scaled smoothly on paint)
CONTOUR_W, CONTOUR_H = 1080, 540  # resolution of a region's contour raster (20' cells)
CONTOUR_MIN_AREA = 2.0  # deg2: a smaller region is drawn as its circle (a contour would be a dot)


@dataclass(frozen=True)
class Marker:
    """One notice on the map: where, how uncertain, and whether it is the one selected or alerting."""

    ra: float
    dec: float
    radius: float | None
    label: str = ""
    color: str = COLORS["accent"]
    current: bool = False
    region: object = None  # gcnmon.notice.region.Region: its 90 % and 50 % contours instead of a circle


def _path_of(ra, dec, centre: float = 180.0) -> QPainterPath:
    """A polyline in map units, broken where it wraps around the map's edge."""
    x, y = skydata.project(ra, dec, centre)
    path = QPainterPath()
    for i, (px, py) in enumerate(zip(x, -y, strict=True)):
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
        self._contours: list[tuple[Marker, QImage]] = []
        self._contour_cache: dict[tuple[int, float], QImage] = {}
        self.centre = 180.0  # RA in the middle: the local meridian once the sky is known
        self._grid = self._grid_path(self.centre)
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
        self._build_markers()
        self.update()

    def _build_markers(self) -> None:
        self._circles = []
        self._contours = [(m, self._contour_image(m)) for m in self.markers if _has_contours(m)]
        for m in self.markers:
            # arcsecond circles would be invisible: a visible dot
            radius = max(m.radius or 0.0, 1.5 if m.current else 0.8)
            self._circles.append((m, _path_of(*skydata.circle(m.ra, m.dec, radius), self.centre)))

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
        if abs((sky.lst - self.centre + 180) % 360 - 180) > 0.5:  # the meridian moved: re-centre
            self.centre = sky.lst
            self._grid = self._grid_path(self.centre)
            self._build_markers()
        self._shade = self._shade_image(sky, self.centre)
        self._lines = self._horizon_lines(sky, self.centre)
        self.update()

    # -- cached drawings ----------------------------------------------------------------------
    def _cells(self):
        """RA, Dec and unit vectors of the contour raster's cells (NaN-free; outside the map: never near)."""
        if getattr(self, "_cells_for", None) != self.centre:
            xs = (np.arange(CONTOUR_W) + 0.5) / CONTOUR_W * skydata.WIDTH - skydata.WIDTH / 2
            ys = skydata.HEIGHT / 2 - (np.arange(CONTOUR_H) + 0.5) / CONTOUR_H * skydata.HEIGHT
            ra, dec, inside = skydata.unproject(*np.meshgrid(xs, ys), self.centre)
            cells = sky.unit_vectors(ra, dec)
            cells[~inside] = 0.0  # a zero vector: its dot product is never >= any reach
            self._cells_cache, self._cells_for = (ra, dec, cells), self.centre
        return self._cells_cache

    def _contour_image(self, marker: Marker) -> QImage:
        """The 90 % region filled faintly, its edge and the 50 % edge drawn, in the marker's colour.

        A raster of credible levels over the whole map (the region's own ``level()``), so maps,
        ellipses and polygons are drawn by one rule, wherever they wrap; cached per region and centre.
        """
        key = (id(marker.region), round(self.centre, 1), marker.current, marker.color)
        image = self._contour_cache.get(key)
        if image is not None:
            return image
        ra, dec, cells = self._cells()
        level = np.ones(ra.shape)
        try:
            region = marker.region
            # only the cells near the region ask for their level: a 30 deg2 map is 0.1 % of the sky
            reach = np.cos(np.radians(min(region.extent(0.9) + 1.0, 180.0)))
            near = cells @ sky.unit_vectors(region.ra, region.dec) >= reach
            level[near] = region.level(ra[near], dec[near])
        except Exception as exc:  # decoration: a region that cannot be drawn is drawn as its circle
            log.warning("sky map: contours not drawn: %s", exc)
        rgba = np.zeros(ra.shape + (4,), dtype=np.uint8)
        color = QColor(marker.color)
        rgb = (color.red(), color.green(), color.blue())
        in90 = level <= 0.9
        rgba[in90] = (*rgb, 70 if marker.current else 35)
        for p, alpha in ((0.9, 255), (0.5, 200)):
            edge = _edges(level <= p)
            rgba[edge] = (*rgb, alpha if marker.current else alpha // 2)
        image = QImage(rgba.tobytes(), CONTOUR_W, CONTOUR_H, 4 * CONTOUR_W, QImage.Format_RGBA8888).copy()
        if len(self._contour_cache) > 32:
            self._contour_cache.clear()
        self._contour_cache[key] = image
        return image

    @staticmethod
    def _shade_image(sky, centre: float) -> QImage:
        """Per pixel: above the telescope limit (lit), above the horizon (dim), below (dark)."""
        xs = (np.arange(SHADE_W) + 0.5) / SHADE_W * skydata.WIDTH - skydata.WIDTH / 2
        ys = skydata.HEIGHT / 2 - (np.arange(SHADE_H) + 0.5) / SHADE_H * skydata.HEIGHT
        ra, dec, inside = skydata.unproject(*np.meshgrid(xs, ys), centre)
        alt = sky.altitude(ra, dec)  # the one sky module's transform, as the verdict's
        rgba = np.zeros((SHADE_H, SHADE_W, 4), dtype=np.uint8)
        rgba[inside] = (22, 26, 32, 255)
        rgba[inside & (alt > 0)] = (26, 42, 58, 255)
        rgba[inside & (alt > sky.min_altitude)] = (30, 56, 80, 255)
        image = QImage(rgba.tobytes(), SHADE_W, SHADE_H, 4 * SHADE_W, QImage.Format_RGBA8888)
        return image.copy()  # own the pixels: the numpy buffer goes away

    @staticmethod
    def _horizon_lines(sky, centre: float) -> list[tuple[QPainterPath, QPen]]:
        """The horizon and the telescope's altitude limit, as circles around the zenith."""
        lines = []
        for alt, color, style in ((0.0, "#7fa7c9", Qt.SolidLine), (sky.min_altitude, "#4f7aa0", Qt.DashLine)):
            ra, dec = skydata.circle(*sky.zenith, 90.0 - alt, n=241)
            pen = QPen(QColor(color), 1.5, style)
            pen.setCosmetic(True)
            lines.append((_path_of(ra, dec, centre), pen))
        return lines

    @staticmethod
    def _grid_path(centre: float) -> QPainterPath:
        path = QPainterPath()
        seam = (centre + 180.0) % 360.0  # lines of constant Dec start and end at the map's edge
        for dec in range(-60, 61, 30):
            path.addPath(_path_of(seam + np.linspace(0.001, 359.999, 181), np.full(181, float(dec)), centre))
        for ra in range(0, 360, 30):
            ras = np.full(91, ra + (0.001 if abs((ra - seam + 180) % 360 - 180) < 1e-6 else 0.0))
            path.addPath(_path_of(ras, np.linspace(-90, 90, 91), centre))
        return path

    # -- painting -----------------------------------------------------------------------------
    def _transform(self) -> QTransform:
        margin = 18
        scale = min((self.width() - 2 * margin) / skydata.WIDTH,
                    (self.height() - 2 * margin) / skydata.HEIGHT)
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
        frame = QRectF(-skydata.WIDTH / 2, -skydata.HEIGHT / 2, skydata.WIDTH, skydata.HEIGHT)
        for _, image in self._contours:
            p.drawImage(frame, image)
        for marker, path in self._circles:
            if _has_contours(marker):
                continue
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
            x, y = skydata.project(ra, dec, self.centre)
            c = t.map(QPointF(float(x), float(-y)))
            p.setPen(QPen(QColor(color), 1))
            p.setBrush(QColor(color))
            p.drawEllipse(c, r, r)
        x, y = skydata.project(*self.sky.zenith, self.centre)
        z = t.map(QPointF(float(x), float(-y)))
        p.setPen(QPen(QColor("#7fa7c9"), 1.5))
        p.drawLine(z + QPointF(-5, 0), z + QPointF(5, 0))
        p.drawLine(z + QPointF(0, -5), z + QPointF(0, 5))

    def _draw_labels(self, p: QPainter, t: QTransform) -> None:
        font = p.font()
        font.setPointSizeF(8)
        p.setFont(font)
        placed: list[QRectF] = []
        legend_y = self.height() - 6
        if self.sky is not None:
            p.setPen(QColor(COLORS["dim"]))
            when = self.sky.when.astimezone(UTC).strftime("%H:%M UTC")
            legend = f"{self.site.name}  {when}   ● Sun  ● Moon   + zenith   — horizon   - - limit"
            p.drawText(QPointF(8, legend_y), legend)
            placed.append(QRectF(0, legend_y - p.fontMetrics().ascent(), self.width(), 20))
        labels = [(m, m.label) for m, _ in reversed(self._circles) if m.label]  # newest (current) first
        for marker, text in labels:
            x, y = skydata.project(marker.ra, marker.dec, self.centre)
            at = t.map(QPointF(float(x), float(-y)))
            rect = place_label(p.fontMetrics(), at, text, placed, self.rect())
            if rect is not None:
                p.setPen(QColor(marker.color if marker.current else COLORS["dim"]))
                p.drawText(rect, Qt.AlignLeft | Qt.AlignVCenter, text)
        p.setPen(QColor(COLORS["dim"]))
        for ra in range(0, 24, 3):
            if abs((ra * 15 - self.centre) % 360 - 180) < 12:  # at the seam the label would sit on the edge
                continue
            x, _ = skydata.project(ra * 15, 0.0, self.centre)
            rect = place_label(p.fontMetrics(), t.map(QPointF(float(x), 0.0)), f"{ra}h", placed, self.rect())
            if rect is not None:
                p.drawText(rect, Qt.AlignLeft | Qt.AlignVCenter, f"{ra}h")


def _has_contours(marker: Marker) -> bool:
    region = marker.region
    return region is not None and region.kind != "circle" and (region.area90 or 0.0) >= CONTOUR_MIN_AREA


def _edges(mask: np.ndarray) -> np.ndarray:
    """Cells of ``mask`` with a neighbour outside it: the contour, drawn just inside the region."""
    outside = ~mask
    edge = np.zeros_like(mask)
    edge[:, 1:] |= outside[:, :-1]
    edge[:, :-1] |= outside[:, 1:]
    edge[1:, :] |= outside[:-1, :]
    edge[:-1, :] |= outside[1:, :]
    return edge & mask


#: Where a label may sit around its point, in order of preference (dx, dy in label sizes).
_SPOTS = (
    (0.1, -1.1), (0.1, 0.1), (-1.1, -1.1), (-1.1, 0.1), (-0.5, -1.6), (-0.5, 0.6), (0.6, -0.5), (-1.6, -0.5),
)  # fmt: skip


def place_label(metrics, at: QPointF, text: str, placed: list[QRectF], bounds) -> QRectF | None:
    """A rectangle for ``text`` next to ``at`` that overlaps no ``placed`` one and stays in ``bounds``.

    Greedy, first come first served (callers put the most important first); a label with no free
    spot is dropped rather than drawn over another. The chosen rectangle is appended to ``placed``.
    """
    w, h = metrics.horizontalAdvance(text) + 2, metrics.height()
    area = QRectF(bounds)
    for dx, dy in _SPOTS:
        rect = QRectF(at.x() + dx * w + (4 if dx > 0 else -4 if dx < -1 else 0), at.y() + dy * h, w, h)
        if area.contains(rect) and not any(rect.intersects(other) for other in placed):
            placed.append(rect)
            return rect
    return None
