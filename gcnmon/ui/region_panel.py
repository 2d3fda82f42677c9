"""The alert dialog's region section: how much of a sky map (or a large circle) the telescope can reach.

Shows the 90 % area, the probability above the zenith limit now and observable tonight, the best time,
and the best field of view with "Next field" stepping through the ranked fields. The selected field is
the dialog's target: the TCS buttons send it (``target``). Every number comes from
``gcnmon.coverage.coverage`` (the one sky module's altitudes); nothing is computed here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .. import sky
from ..coverage import Coverage, coverage
from .format import dec_dms, ra_hms
from .theme import COLORS

__all__ = ["RegionPanel", "region_worth_planning"]

log = logging.getLogger(__name__)

_SOURCES = {"external_coinc.combined_skymap": "combined GW + external map", "event.skymap": "GW sky map",
            "healpix_file": "sky map"}  # fmt: skip


def share(p: float) -> str:
    """A probability as a percentage with the digits that matter: 27 %, 4.6 %, 0.05 %."""
    return f"{p:.0%}" if p >= 0.1 else f"{p:.1%}" if p >= 0.01 else f"{p:.2%}"


def region_worth_planning(region, fov: float) -> bool:
    """A map, or a circle/ellipse/polygon wider than the field: the field logic applies."""
    return region is not None and (region.kind == "healpix" or region.size > fov / 2.0)


class RegionPanel(QWidget):
    """``configure(site, sun_altitude, fov, clock)``, ``show_notice(notice)``; ``target``, ``next_field()``.

    ``stepped(str)`` carries one line per field change for the log book ("FIELD 2/5 ...").
    """

    stepped = Signal(str)
    field_changed = Signal(object)  # the selected gcnmon.coverage.Field, or None

    def __init__(self, parent=None, *, clock: Callable[[], float] = time.time):
        super().__init__(parent)
        self.site: sky.Site | None = None
        self.sun_altitude, self.fov, self.clock = -12.0, 1.0, clock
        self.plan: Coverage | None = None
        self.region = None
        self.index = 0
        self._key = None
        self._build()
        self.hide()

    def configure(self, site: sky.Site, sun_altitude: float = -12.0, fov: float = 1.0,
                  clock: Callable[[], float] | None = None) -> None:  # fmt: skip
        self.site, self.sun_altitude, self.fov = site, sun_altitude, fov
        if clock is not None:
            self.clock = clock

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 4, 18, 4)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        self.labels: dict[str, QLabel] = {}
        for row, (key, text) in enumerate((("area", "90% area"), ("up", "Reachable"), ("field", "Field"))):
            name = QLabel(text)
            name.setStyleSheet(f"color: {COLORS['dim']};")
            value = QLabel(objectName=f"region_{key}")
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            value.setStyleSheet("font-size: 12pt;")
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1, Qt.AlignLeft)
            self.labels[key] = value
        self.labels["field"].setStyleSheet("font-size: 13pt; font-family: monospace; font-weight: bold;")
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)
        row = QHBoxLayout()
        self.position = QLabel(objectName="region_position")
        self.position.setStyleSheet(f"color: {COLORS['dim']};")
        row.addWidget(self.position, 1)
        self.next_button = QPushButton("Next field ▸", objectName="next_field")
        self.next_button.setAutoDefault(False)
        self.next_button.clicked.connect(self.next_field)
        row.addWidget(self.next_button)
        outer.addLayout(row)

    # -- state --------------------------------------------------------------------------------
    @property
    def field(self):
        """The selected field (best first), or None."""
        if self.plan is None or not self.plan.fields:
            return None
        return self.plan.fields[self.index]

    @property
    def target(self) -> tuple[float, float] | None:
        """(ra, dec) the TCS buttons send: the selected field; None when there is no plan."""
        f = self.field
        return None if f is None else (f.ra, f.dec)

    def show_notice(self, notice, when: float | None = None) -> None:
        """Plan the notice's region (once per notice and minute); hide for a point or a small circle."""
        region = getattr(notice, "region", None)
        if self.site is None or not region_worth_planning(region, self.fov):
            self.plan, self._key = None, None
            self.hide()
            self.field_changed.emit(None)
            return
        ts = self.clock() if when is None else when
        key = (notice.ivorn, id(region), int(ts // 60))
        if key == self._key:
            return
        first = self._key is None or self._key[0] != notice.ivorn
        self._key, self.region = key, region
        try:
            self.plan = coverage(region, self.site, datetime.fromtimestamp(ts, UTC), self.fov,
                                 night_sun_altitude=self.sun_altitude)  # fmt: skip
        except Exception as exc:  # a plan is help, not the alert: say so and keep the dialog
            log.warning("no field plan for %s: %s", notice.ivorn, exc)
            self.plan = None
            self._render(f"no field plan: {exc}")
            return
        if first or self.index >= len(self.plan.fields):
            self.index = 0
        self._render()
        self.field_changed.emit(self.field)

    def next_field(self) -> None:
        """Step to the next ranked field (wrapping); logged."""
        if self.plan is None or not self.plan.fields:
            return
        self.index = (self.index + 1) % len(self.plan.fields)
        self._render()
        f = self.field
        self.stepped.emit(f"FIELD   {self.index + 1}/{len(self.plan.fields)} selected: RA {f.ra:.4f} "
                          f"Dec {f.dec:+.4f} ({share(f.prob)} of the map, alt {f.alt:.0f}°)")  # fmt: skip
        self.field_changed.emit(f)

    # -- rendering ----------------------------------------------------------------------------
    def _render(self, error: str | None = None) -> None:
        plan = self.plan
        self.show()
        if plan is None:
            for label in self.labels.values():
                label.setText("—")
            self.position.setText(error or "")
            self.next_button.setEnabled(False)
            return
        region_text = "unknown (containment not given)" if plan.area90 is None else f"{plan.area90:,.1f} deg²"
        source = getattr(self.region, "source", "")
        self.labels["area"].setText(region_text + (f"  ({_SOURCES.get(source, source)})" if source else ""))
        up = f"{plan.prob_up:.0%} above the limit now · {plan.prob_tonight:.0%} tonight"
        if plan.best_time is not None:
            up += f" · most at {plan.best_time:%H:%M} UT ({plan.best_prob:.0%})"
        self.labels["up"].setText(up)
        color = COLORS["ok"] if plan.prob_up >= 0.01 else COLORS["dim"]
        self.labels["up"].setStyleSheet(f"font-size: 12pt; color: {color};")
        f = self.field
        if f is None:
            self.labels["field"].setText("none: nothing rises above the limit tonight")
            self.position.setText("")
        else:
            self.labels["field"].setText(f"{ra_hms(f.ra)}  {dec_dms(f.dec)}")
            when = "now" if plan.fields_now else f"at {plan.fields_at:%H:%M} UT"
            self.position.setText(f"field {self.index + 1} of {len(plan.fields)} ({plan.fov:g}°): "
                                  f"{share(f.prob)} of the probability, alt {f.alt:.0f}° {when}")  # fmt: skip
        self.next_button.setEnabled(plan is not None and len(plan.fields) > 1)

