"""The main window: history with search and filter, detail pane, offer again, link badges, tray, sky map."""

from __future__ import annotations

import pytest

from gcnmon.stream.link import LinkState

pytestmark = pytest.mark.gui


def test_ui_history_search_filter_and_detail(make_app, make_notice, feed, clock):
    app = make_app(4)
    feed(app, make_notice("gbm", trigger="790000010"))
    clock.advance(5)
    feed(app, make_notice("bat", trigger="1165960"))
    view = app.window.history
    assert view.proxy.rowCount() == 2
    view.search.setText("fermi")
    assert view.proxy.rowCount() == 1
    view.search.setText("")
    view.filter.setCurrentText("Act")
    assert view.proxy.rowCount() == 1
    assert view.proxy.data(view.proxy.index(0, 3)) == "1165960"
    view.filter.setCurrentText("All notices")
    assert view.select("ivo://test/gbm#790000010_1")
    detail = app.window.detail
    assert detail.ivorn == "ivo://test/gbm#790000010_1"
    table = detail.fields
    fields = {table.item(i, 0).text(): table.item(i, 1).text() for i in range(table.rowCount())}
    assert fields["mission"] == "Fermi" and fields["source"] == "test"
    assert detail.raw.toPlainText() == "<VOEvent/>"


def test_ui_offer_again_reopens_a_past_notice(make_app, make_notice, feed, clock, wait_until):
    app = make_app(4)
    notice = make_notice()
    feed(app, notice)
    app.dialog.buttons["ignore"].click()
    assert not app.dialog.isVisible()
    clock.advance(120)
    app.window.history.select(notice.ivorn)
    app.window.history.offer_button.click()
    assert app.dialog.isVisible()
    assert app.dialog.values["trigger"].text() == "1165948"
    assert app.dialog.values["countdown"].text() == "60:00"  # a fresh timeout from now
    assert sorted(app.dialog.buttons[b].isVisible() for b in ("slew", "send")) == [True, True]
    clock.advance(3600)
    wait_until(lambda: not app.dialog.isVisible(), 5)  # its own timeout closes it


def test_ui_offer_again_shows_even_an_ignored_notice(make_app, make_notice, feed, shown_buttons):
    app = make_app(4)
    weak = make_notice(trigger="1165970", significance=3.0)  # below policy.min_significance: ignored
    feed(app, weak)
    assert not app.dialog.isVisible()
    assert app.window.history_model.rows[0].group == "ignore"
    app.window.offer.emit(weak.ivorn)
    assert app.dialog.isVisible()
    assert shown_buttons(app.dialog) == ["ack", "ignore"]
    app.dialog.buttons["ack"].click()
    assert not app.dialog.isVisible()


def test_ui_link_badge_turns_red_when_stale(make_app):
    app = make_app(None)
    now = [1000.0]
    link = LinkState("vtp", clock=lambda: now[0])
    badge = app.window.links.add(link)
    assert badge.stale and "connecting" in badge.text()
    link.up("127.0.0.1:8099")
    link.alive()
    assert not badge.stale
    assert "127.0.0.1:8099" in badge.text() and "0 s ago" in badge.text()
    now[0] += 151  # [vtp] watchdog is 150 s
    app.window.links.refresh()
    assert badge.stale and "#e04848" in badge.styleSheet()
    assert "2 min 31 s ago" in badge.text()


def test_ui_closing_the_window_keeps_it_in_the_tray(make_app, qtbot):
    app = make_app(None)
    window = app.window
    window.show()
    quits = []
    window.quit_requested.connect(lambda: quits.append(True))
    window.close()
    assert not window.isVisible() and quits == []
    window.bring_up()
    assert window.isVisible()
    window.quit_action.trigger()
    assert quits == [True]


def test_ui_sky_map_draws_sun_moon_and_circles(make_app, make_notice, feed, clock):
    app = make_app(None)
    feed(app, make_notice())
    skymap = app.window.skymap
    skymap.refresh_sky(clock(), sync=True)
    app.window.update_markers(app.window.current_ivorn)
    sky = skymap.sky
    assert -21 < sky.sun[1] < -19  # late November
    assert sky.altitude(*sky.sun) < -30  # 23:00 local: deep night
    assert len(skymap.markers) == 1 and skymap.markers[0].current
    image = skymap.grab().toImage()
    assert image.width() > 300 and image.height() > 150
    w, h = image.width(), image.height()
    colors = {image.pixelColor(x, y).name() for x in range(0, w, 5) for y in range(0, h, 5)}
    assert "#1e3850" in colors  # the lit region above the telescope's limit is painted
