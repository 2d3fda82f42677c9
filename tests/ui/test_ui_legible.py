"""Issue 13 items 8 and 9 on real widgets: legible at 3 a.m. ([ui] scale and Ctrl+plus/minus, the numbers
that decide at RA/Dec size, a close Moon in red, the history's columns in a 1280 px window), the tray's
states and balloons, Ctrl+Q."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

pytestmark = pytest.mark.gui


def points(label) -> float:
    label.ensurePolished()
    return label.font().pointSizeF()


@pytest.fixture
def unscaled():
    yield
    from gcnmon.ui.theme import set_scale

    set_scale(QApplication.instance(), 1.0)


def test_9_ui_scale_scales_every_font(make_app, make_notice, feed, unscaled):
    plain = make_app(4)
    feed(plain, make_notice())
    ra_plain, band_plain = points(plain.dialog.values["ra"]), plain.dialog.band.sizeHint().height()
    age_plain = points(plain.dialog.values["since"])
    big = make_app(4, overrides={"ui.scale": 1.5})
    feed(big, make_notice(trigger="1165950"))
    assert QApplication.instance().font().pointSizeF() == pytest.approx(15.0)
    assert points(big.dialog.values["ra"]) == pytest.approx(1.5 * ra_plain)
    assert points(big.dialog.values["since"]) == pytest.approx(1.5 * age_plain)
    assert points(big.dialog.buttons["slew"]) == pytest.approx(15.0)
    assert big.dialog.band.sizeHint().height() > 1.3 * band_plain
    assert "font-size:22.50pt" in big.window.banner.text()


def test_9_ctrl_plus_and_minus_rescale_while_running(make_app, make_notice, feed, qtbot, unscaled):
    app = make_app(4)
    feed(app, make_notice())
    window = app.window
    window.show()
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window, 2000)
    before = points(app.dialog.values["ra"])
    QTest.keyClick(window, Qt.Key_Plus, Qt.ControlModifier)
    assert points(app.dialog.values["ra"]) == pytest.approx(1.15 * before, abs=0.05)  # style sheets: 0.1 pt
    assert QApplication.instance().font().pointSizeF() == pytest.approx(11.5)
    QTest.keyClick(window, Qt.Key_Minus, Qt.ControlModifier)
    QTest.keyClick(window, Qt.Key_Minus, Qt.ControlModifier)
    assert points(app.dialog.values["ra"]) == pytest.approx(before / 1.15, abs=0.05)
    QTest.keyClick(window, Qt.Key_0, Qt.ControlModifier)
    assert points(app.dialog.values["ra"]) == pytest.approx(before)


def test_8_ctrl_q_quits_from_the_main_window(make_app, qtbot):
    app = make_app(None)
    window = app.window
    window.show()
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window, 2000)
    with qtbot.waitSignal(window.quit_requested, timeout=2000):
        QTest.keyClick(window, Qt.Key_Q, Qt.ControlModifier)


def _moon(when):
    """The Moon's direction from the BTA in ICRS axes, from astropy (independent of gcnmon's sky module;
    a direction, not a barycentric position: the Moon's parallax from the Sun would be degrees)."""
    from astropy.coordinates import GCRS, ICRS, EarthLocation, SkyCoord, get_body
    from astropy.time import Time
    from astropy.utils import iers

    iers.conf.auto_download = False
    where = EarthLocation.from_geodetic(41.4405, 43.6468, 2070.0)
    moon = get_body("moon", Time(when), location=where)
    frame = GCRS(obstime=Time(when), obsgeoloc=moon.frame.obsgeoloc, obsgeovel=moon.frame.obsgeovel)
    direction = SkyCoord(ra=moon.ra, dec=moon.dec, frame=frame).transform_to(ICRS())
    return direction.ra.deg, direction.dec.deg


def test_9_altitude_and_moon_at_radec_size_a_close_moon_in_red(make_app, make_notice, feed, clock):
    from gcnmon.ui.theme import COLORS

    ra, dec = _moon(clock())
    app = make_app(4)
    feed(app, make_notice(ra=ra, dec=dec - 11.0))
    values = app.dialog.values
    assert values["moon"].text() == "11° away"
    assert f"color: {COLORS['stale']}" in values["moon"].styleSheet()
    for key in ("since", "altitude", "moon"):
        assert points(values[key]) == points(values["ra"]), key
    assert points(values["ra"]) > points(values["error"])
    assert values["altitude"].text().endswith("°") or "air mass" in values["altitude"].text()
    far = make_app(4)
    feed(far, make_notice(trigger="1165951"))  # the zenith: the Moon is 28° away
    assert "28° away" == far.dialog.values["moon"].text()
    assert COLORS["stale"] not in far.dialog.values["moon"].styleSheet()


def test_9_history_has_trigger_time_age_and_significance_and_fits_1280_px(make_app, make_notice, feed, clock):
    app = make_app(None)
    window = app.window
    window.resize(1280, 800)
    window.show()
    long_types = ["einstein_probe.wxt.alert", "gcn.notices.icecube.lvk_nu_track_search", "BAT_GRB_Pos"]
    for i, kind in enumerate(long_types):
        feed(app, make_notice(trigger=f"11659{60 + i}", notice_type=kind, significance=7.25 + i))
        clock.advance(30)
    feed(app, make_notice("gbm", trigger="790000099"))
    view = window.history
    QTest.qWait(50)
    header = view.table.horizontalHeader()
    titles = [view.model.headerData(i, Qt.Horizontal) for i in range(view.model.columnCount())]
    assert {"T0", "Age", "Sig."} <= set(titles)
    row = {t: view.model.data(view.model.index(1, i)) for i, t in enumerate(titles)}  # the third BAT
    # its trigger was 90 s before the first notice, which came 90 s ago
    assert row["T0"] == "19:58:30" and row["Sig."] == "9.2" and row["Age"] == "3 min"
    used = sum(header.sectionSize(i) for i in range(header.count()))
    assert used <= view.table.viewport().width()
    assert not view.table.horizontalScrollBar().isVisible()
    clock.advance(3600)
    window.tick()
    assert view.model.data(view.model.index(1, titles.index("Age"))) == f"{(180 + 3600) / 3600:.1f} h"


def test_9_unseen_act_row_stays_highlighted_until_selected(make_app, make_notice, feed):
    app = make_app(4)
    feed(app, make_notice(trigger="1165980"))
    waiting = make_notice(trigger="1165981")
    feed(app, waiting)
    model = app.window.history_model
    assert model.rows[model.index_of(waiting.ivorn)].attention
    app.window.history.select(waiting.ivorn)
    assert not model.rows[model.index_of(waiting.ivorn)].attention


def test_8_tray_icon_follows_the_link_and_the_mute(make_app, make_notice, feed):
    from gcnmon.stream.link import LinkState

    app = make_app(None)
    window = app.window
    assert window.tray is not None and window.icon_state == "link dead"  # no source at all
    now = [1000.0]
    link = LinkState("vtp", clock=lambda: now[0])
    window.links.add(link)
    link.up("127.0.0.1:8099")
    link.alive()
    window.links.refresh()
    window.tick()
    assert window.icon_state == "ok" and "listening" in window.tray.toolTip()
    window.mute_action.trigger()
    assert window.icon_state == "muted" and "alarm muted" in window.tray.toolTip()
    now[0] += 151
    window.links.refresh()
    window.tick()
    assert window.icon_state == "link dead" and "link dead (vtp)" in window.tray.toolTip()
    feed(app, make_notice())
    assert window.icon_state == "alerting"
    images = {state: _pixels(state) for state in ("ok", "alerting", "link dead", "muted")}
    assert len({bytes(img.constBits()) for img in images.values()}) == 4  # four different icons


def _pixels(state: str, size: int = 22) -> QImage:
    from gcnmon.ui.theme import app_icon

    return app_icon(state).pixmap(size, size).toImage().convertToFormat(QImage.Format_ARGB32)


def _luminance(c: QColor) -> float:
    def lin(v):
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.red()) + 0.7152 * lin(c.green()) + 0.0722 * lin(c.blue())


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("panel", ["#f0f0f0", "#202124"])  # a light and a dark desktop panel
@pytest.mark.parametrize("state", ["ok", "alerting", "link dead", "muted"])
def test_8_tray_icons_read_on_light_and_dark_panels(state, panel):
    icon = _pixels(state)
    back = QImage(icon.size(), QImage.Format_ARGB32)
    back.fill(QColor(panel))
    p = QPainter(back)
    p.drawImage(0, 0, icon)
    p.end()
    bg = QColor(panel)
    pixels = [back.pixelColor(x, y) for x in range(back.width()) for y in range(back.height())]
    strong = sum(_contrast(c, bg) >= 3.0 for c in pixels)
    assert strong >= 0.25 * back.width() * back.height()  # a quarter of the square stands out


class QBalloonTip(QWidget):
    """Stands in for Qt's private tray balloon (same class name, so the style sheet's rule applies; same
    palette as Qt's: #ffffe1 window, black text)."""

    def __init__(self):
        super().__init__(None, Qt.ToolTip)
        pal = self.palette()
        pal.setColor(pal.ColorRole.Window, QColor(0xFF, 0xFF, 0xE1))
        pal.setColor(pal.ColorRole.WindowText, Qt.black)
        self.setPalette(pal)
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        self.label = QLabel("Swift BAT BAT_GRB_Pos #1165948")
        layout.addWidget(self.label)


def test_8_tray_balloons_are_readable(make_app):
    make_app(None)  # the application's theme
    balloon = QBalloonTip()
    balloon.label.ensurePolished()
    balloon.ensurePolished()
    text = balloon.label.palette().color(balloon.label.foregroundRole())
    back = balloon.palette().color(balloon.backgroundRole())
    assert _contrast(text, back) >= 7.0  # was pale grey (#d5d9e0) on pale yellow (#ffffe1): 1.3
    balloon.deleteLater()


def test_9_time_since_trigger_is_at_radec_size(make_app, make_notice, feed, clock):
    app = make_app(4)
    feed(app, make_notice(time=clock() - timedelta(minutes=12, seconds=34)))
    assert app.dialog.values["since"].text() == "12 min 34 s"
    assert points(app.dialog.values["since"]) == points(app.dialog.values["ra"])




def test_9_altitude_now_stays_true_while_the_dialog_is_up(make_app, make_notice, feed, clock):
    from gcnmon.sky import SITE_PRESETS, altaz

    app = make_app(4)
    notice = make_notice()  # at the zenith at NIGHT
    feed(app, notice)
    assert app.dialog.values["altitude"].text().startswith("89.9°")
    clock.advance(40 * 60)
    app.controller.tick()
    alt, _ = altaz(SITE_PRESETS["BTA"], notice.ra, notice.dec, clock())
    assert app.dialog.values["altitude"].text().startswith(f"{alt:.1f}°")
    assert 80 < alt < 85 and app.dialog.changed == set()  # it moved, and nothing is highlighted for it
