"""Tonight's curve: its numbers against astropy's own AltAz, its drawing and hover, in the dialog and pane."""

from __future__ import annotations

from datetime import UTC, datetime

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import AltAz, SkyCoord, get_body
from astropy.time import Time
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent

from gcnmon import sky
from gcnmon.ui.night_curve import TWILIGHT, NightCurve
from gcnmon.ui.theme import COLORS

NIGHT = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # as tests/ui/conftest.py: 23:00 at the BTA

SITE = sky.SITE_PRESETS["BTA"]
TARGET = (83.633, 22.0145)  # the Crab: high over the Caucasus on a November night


def astropy_alt(ts, ra=None, dec=None, body=None):
    t = Time(ts, format="unix", scale="utc")
    frame = AltAz(obstime=t, location=SITE.location)
    coord = get_body(body, t, SITE.location) if body else SkyCoord(ra * u.deg, dec * u.deg)
    return coord.transform_to(frame).alt.deg


@pytest.fixture(scope="module")
def tonight():
    return sky.tonight(SITE, *TARGET, NIGHT)


def test_the_curve_is_astropys_altitude(tonight):
    rows = [0, 40, 111, 200, len(tonight.times) - 1]
    expected = astropy_alt(tonight.times[rows], *TARGET)
    assert np.abs(tonight.alt[rows] - expected).max() < 0.01
    between = tonight.times[111] + 77.0  # off the grid: interpolated
    assert abs(tonight.at(between)[0] - astropy_alt(between, *TARGET)) < 0.02


def test_sun_and_moon_and_the_night_span(tonight):
    rows = [5, 100, 250]
    assert np.abs(tonight.sun_alt[rows] - astropy_alt(tonight.times[rows], body="sun")).max() < 0.05
    assert np.abs(tonight.moon_alt[rows] - astropy_alt(tonight.times[rows], body="moon")).max() < 0.3
    start, end = tonight.night
    assert abs(astropy_alt(start, body="sun") + 12.0) < 0.1  # night = the Sun below -12 deg
    assert abs(astropy_alt(end, body="sun") + 12.0) < 0.1
    assert tonight.times[0] < start < NIGHT.timestamp() < end < tonight.times[-1]
    # an hour either side of the Sun below the horizon
    assert astropy_alt(tonight.times[0] + 3600, body="sun") == pytest.approx(0.0, abs=0.8)


def test_by_day_the_curve_is_of_the_coming_night():
    morning = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)  # 10:45 local mean time
    coming = sky.tonight(SITE, *TARGET, morning)
    assert coming.times[0] > morning.timestamp()
    assert coming.night[0] == pytest.approx(sky.tonight(SITE, *TARGET, NIGHT).night[0], abs=1)


@pytest.fixture
def curve(qtbot):
    widget = NightCurve(SITE, clock=lambda: NIGHT.timestamp(), autohide=False)
    widget.resize(480, 180)
    qtbot.addWidget(widget)
    widget.show_target(*TARGET)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _hover(widget, x: float, y: float = 60.0) -> str:
    local = QPointF(x, y)
    event = QMouseEvent(QMouseEvent.MouseMove, local, widget.mapToGlobal(local), Qt.NoButton, Qt.NoButton,
                        Qt.NoModifier)
    widget.mouseMoveEvent(event)
    return widget.hover_text


def test_hover_gives_time_altitude_and_air_mass(curve):
    ts = NIGHT.timestamp()
    text = _hover(curve, curve._x(ts))
    when = datetime.fromtimestamp(curve.time_at(curve._x(ts)), UTC)
    alt = astropy_alt(when.timestamp(), *TARGET)
    assert text.startswith(f"{when:%H:%M} UT  alt {alt:.1f}°")
    secz = 1.0 / np.cos(np.radians(90.0 - alt))  # plane-parallel: equal to Kasten-Young within 0.005 up here
    assert float(text.split("air mass ")[1]) == pytest.approx(secz, abs=0.01)
    low = curve.night.times[np.argmin(curve.night.alt)]
    assert _hover(curve, curve._x(low)).endswith("below the horizon")


def test_drawing_now_mark_limit_and_twilight(curve):
    image = curve.grab().toImage()

    def color(x, y) -> str:
        return QColor(image.pixel(QPoint(round(x), round(y)))).name()

    x_now = curve._x(NIGHT.timestamp())
    plot = curve._plot()
    assert color(x_now, plot.top() + 30) == QColor(COLORS["changed"]).name()  # the "now" line
    y_limit = curve._y(SITE.min_altitude)
    dashes = {color(x, y_limit) for x in range(int(plot.left()) + 60, int(plot.right()) - 10)}
    assert QColor(COLORS["stale"]).name() in dashes  # the zenith-limit line, dashed
    deep = curve.night.times[np.argmin(curve.night.sun_alt)]
    dusk = curve.night.times[2]  # the Sun still above the horizon
    empty_y = plot.bottom() - 3  # near 0 deg: no curve drawn there at these times
    assert color(curve._x(deep) + 2, empty_y) == TWILIGHT[-1][1]
    assert color(curve._x(dusk), empty_y) == "#56657a"


def test_dialog_shows_tonight_for_a_position_and_hides_without(make_app, feed, make_notice, qtbot):
    app = make_app()
    feed(app, make_notice("bat"))
    curve = app.dialog.curve
    qtbot.waitUntil(lambda: curve.isVisible())
    assert curve.target == (make_notice("bat").ra, make_notice("bat").dec)
    assert curve.night.night[0] < NIGHT.timestamp() < curve.night.night[1]
    app.dialog.buttons["ack"].click()
    feed(app, make_notice("bat", trigger="777", ra=None, dec=None, error_radius=None))
    qtbot.waitUntil(lambda: app.dialog.isVisible())
    assert not curve.isVisible()


def test_details_pane_has_tonight_of_the_selected_notice(make_app, feed, make_notice, qtbot):
    app = make_app()
    notice = make_notice("gbm", trigger="700000001", ra=TARGET[0], dec=TARGET[1])
    feed(app, notice)
    app.window.selected.emit(notice.ivorn)
    assert app.window.detail.tonight.target == TARGET
    assert app.window.detail.tonight.site == SITE


def test_dialog_curve_follows_the_selected_field_of_a_region(make_app, make_notice, feed, zenith):
    import dataclasses

    from gcnmon.notice.region import Ellipse

    app = make_app(4)
    region = Ellipse(zenith[0], zenith[1] - 3.0, 4.0, 2.0, 30.0, 0.9)  # wider than the field of view
    notice = dataclasses.replace(make_notice(), ra=region.ra, dec=region.dec, error_radius=None,
                                 localisation=region)
    feed(app, notice)
    curve, panel = app.dialog.curve, app.dialog.region
    assert curve.target == app.dialog.target() == (panel.plan.fields[0].ra, panel.plan.fields[0].dec)
    panel.next_button.click()
    assert curve.target == (panel.plan.fields[1].ra, panel.plan.fields[1].dec)
    expected = astropy_alt(NIGHT.timestamp(), *curve.target)
    assert curve.night.at(NIGHT.timestamp())[0] == pytest.approx(expected, abs=0.02)
