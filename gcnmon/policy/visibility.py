"""Can the telescope observe a position now, and if not, from when tonight: a verdict in one line."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .. import sky
from ..notice.model import Notice
from ..sky import crossings, site_from_config, site_number

__all__ = ["Verdict", "Visibility", "site_from_config", "visibility_from_config"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    """Where a target stands at ``when`` and when the telescope can observe it tonight."""

    when: datetime
    alt: float
    az: float
    zenith_distance: float
    hour_angle: float  # hours, west positive
    airmass: float | None  # None below the horizon
    sun_alt: float
    night: bool  # the Sun is below the site's night_sun_altitude
    moon_separation: float  # degrees
    moon_illumination: float  # 0..1
    observable: bool  # now: night and within the zenith limit
    observable_from: datetime | None  # tonight (== when if observable now)
    observable_until: datetime | None
    rises_at: datetime | None  # next rise above the zenith limit (None if above it, or not in 24 h)
    line: str

    @property
    def tonight(self) -> bool:
        return self.observable_from is not None


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(round(ts), tz=UTC)


def _hm(ts: float | None) -> str:
    return _utc(ts).strftime("%H:%M UT") if ts is not None else "?"


class Visibility:
    """Verdicts for one site; the Sun/Moon/rotation grid is computed once per site and day, then cached."""

    def __init__(self, site: sky.Site, *, night_sun_altitude: float = -12.0):
        self.site = site
        self.night_sun_altitude = night_sun_altitude

    def prepare(self, when: datetime) -> None:
        """Compute (and cache) the sky grid for the night of ``when`` ahead of the first alert (~0.3 s)."""
        sky.grid(self.site, when)

    def for_notice(self, notice: Notice, when: datetime) -> Verdict | None:
        """The verdict for a notice's position, or None when it has none."""
        if not notice.has_position:
            return None
        return self.verdict(notice.ra, notice.dec, when)

    def verdict(self, ra: float, dec: float, when: datetime) -> Verdict:
        """Altitude, azimuth, hour angle, airmass, Sun, Moon and tonight's window for ``ra, dec``."""
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        ts = when.timestamp()
        g = sky.grid(self.site, ts)
        times, sun_alt = g.times, g.sun_alt
        target = sky.unit_vectors(ra, dec)
        alt_curve = g.altitudes(target)
        alt, az = (float(x) for x in g.altaz(target, ts))
        sun_now = g.sun_altitude(ts)
        moon, sun = g.moon_vector(ts), g.sun_vector(ts)
        later = times > ts
        t = np.concatenate([[ts], times[later]])
        height = np.concatenate([[alt], alt_curve[later]]) - self.site.min_altitude
        dark = self.night_sun_altitude - np.concatenate([[sun_now], sun_alt[later]])
        window = self._window(t, height, dark)
        rises = next((c for c, up in crossings(t, height) if up and c < ts + sky.DAY), None)
        return self._build(
            when, alt, az, sun_now, moon, sun, target, window, rises if alt < self.site.min_altitude else None
        )

    def _window(self, t, height, dark) -> tuple[float | None, float | None]:
        """Start and end of the first stretch of tonight when the target is high enough and it is dark."""
        dark_edges = crossings(t, dark)
        if dark[0] >= 0:
            night_end = next((c for c, up in dark_edges if not up), t[-1])
        else:
            starts = [c for c, up in dark_edges if up]
            night_end = next((c for c, up in dark_edges if not up and starts and c > starts[0]), None)
            if night_end is None:
                return None, None
        good = np.minimum(height, dark)
        if good[0] >= 0:
            start = float(t[0])
        else:
            start = next((c for c, up in crossings(t, good) if up), None)
            if start is None or start >= night_end:
                return None, None
        end = next((c for c, up in crossings(t, good) if not up and c > start), night_end)
        return start, min(end, night_end)

    def _status(self, observable, night, alt, sun_now, start, end, rises) -> str:
        """The verdict's first words: observable now, from when tonight, or not tonight and why."""
        limit = f"the zenith limit {self.site.zenith_limit:g}°"
        if observable:
            return f"OBSERVABLE now until {_hm(end)}"
        why = [] if night else [f"daytime, Sun {sun_now:+.0f}°"]
        why += [f"below {limit}"] if alt < self.site.min_altitude else []
        if start is not None:
            return f"not now ({'; '.join(why)}), observable tonight {_hm(start)}-{_hm(end)}"
        if rises is not None:
            return f"NOT TONIGHT: {'; '.join(why)}, rises above it at {_hm(rises)} (in daylight)"
        if alt < self.site.min_altitude:
            return f"NOT TONIGHT: never above {limit} in the next 24 h"
        return f"NOT TONIGHT: {'; '.join(why)}, set or in twilight all night"

    def _build(self, when, alt, az, sun_now, moon, sun, target, window, rises) -> Verdict:
        zd = 90.0 - alt
        ha = sky.hour_angle(self.site, alt, az)
        mass = sky.airmass(alt)
        sep = float(np.degrees(np.arccos(np.clip(moon @ target, -1, 1))))
        illum = float((1.0 - np.clip(moon @ sun, -1, 1)) / 2.0)
        night = sun_now < self.night_sun_altitude
        start, end = window
        observable = night and alt >= self.site.min_altitude
        status = self._status(observable, night, alt, sun_now, start, end, rises)
        sign = "-" if ha < 0 else "+"
        hours, minutes = divmod(round(abs(ha) * 60), 60)
        line = (
            f"{status}: alt {alt:.1f}° (z {zd:.1f}°), az {az:.1f}°, HA {sign}{hours}h{minutes:02d}m, "
            f"airmass {f'{mass:.2f}' if mass else '-'}; "
            f"Sun {sun_now:+.0f}°, Moon {sep:.0f}° away {illum:.0%} lit"
        )
        return Verdict(
            when, alt, az, zd, ha, mass, sun_now, night, sep, illum, observable,
            _utc(start) if start is not None else None, _utc(end) if end is not None else None,
            _utc(rises) if rises is not None else None, line,
        )  # fmt: skip


def visibility_from_config(cfg: Any) -> Visibility:
    """The ``Visibility`` of the configured ``[site]``."""
    section = cfg.section("site") if hasattr(cfg, "section") else cfg.get("site", {})
    from ..config import with_defaults

    sun = site_number("night_sun_altitude", with_defaults("site", section)["night_sun_altitude"])
    return Visibility(site_from_config(section), night_sun_altitude=sun)
