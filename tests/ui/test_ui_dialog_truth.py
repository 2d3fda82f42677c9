"""Issue 13, through the whole app on real widgets: the dialog never misleads and never hides an alert.

Each test names the defect it shows gone (numbers as in the issue); each failed on the code before.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

pytestmark = pytest.mark.gui


def slew(app, wait_until):
    app.dialog.buttons["slew"].click()
    wait_until(lambda: app.dialog.reply.isVisible(), 5)


# -- 2. one Space key dismisses an act alert -------------------------------------------------------

@pytest.mark.parametrize("key", [Qt.Key_Space, Qt.Key_Return, Qt.Key_Enter, Qt.Key_Escape])
def test_2_a_key_pressed_as_the_dialog_pops_up_does_nothing(make_app, make_notice, feed, clock, key):
    app = make_app(4)
    feed(app, make_notice())
    dialog = app.dialog
    assert not any(b.isDefault() or b.autoDefault() for b in dialog.buttons.values())
    assert dialog.testAttribute(Qt.WA_ShowWithoutActivating)
    for target in (dialog.buttons["ignore"], dialog.buttons["slew"], dialog):
        QTest.keyClick(target, key)
    assert dialog.isVisible() and app.arbiter.current is not None and app.tcs_sim.telescope.commands == []
    clock.advance(0.9)
    QTest.keyClick(dialog.buttons["ignore"], key)
    assert dialog.isVisible()


def test_2_space_works_a_second_after_the_dialog_opened_or_changed(make_app, make_notice, feed, clock):
    app = make_app(4)
    feed(app, make_notice())
    clock.advance(1.0)
    clock.advance(30)
    feed(app, make_notice(serial=2, error_radius=0.01))  # a refinement: the keys wait again
    QTest.keyClick(app.dialog.buttons["ignore"], Qt.Key_Space)
    assert app.dialog.isVisible()
    clock.advance(1.0)
    QTest.keyClick(app.dialog.buttons["ignore"], Qt.Key_Space)
    assert not app.dialog.isVisible() and app.arbiter.current is None


def test_2_a_click_into_the_dialog_arms_the_keyboard_at_once(make_app, make_notice, feed):
    app = make_app(4)
    feed(app, make_notice())
    QTest.mouseClick(app.dialog.values["ra"], Qt.LeftButton)
    QTest.keyClick(app.dialog.buttons["ignore"], Qt.Key_Space)
    assert not app.dialog.isVisible()


# -- 3. a real act alert can vanish ----------------------------------------------------------------

def test_3_with_test_yes_a_real_alert_replaces_a_test_dialog(make_app, make_notice, feed, clock, backend):
    app = make_app(4, overrides={"policy.test": True})
    feed(app, make_notice(trigger="900001", is_test=True))
    assert "TEST" in app.dialog.band.text()
    clock.advance(20)
    feed(app, make_notice(trigger="1165990"))
    assert app.dialog.values["trigger"].text() == "1165990" and "TEST" not in app.dialog.band.text()
    assert backend.played == ["act.wav", "act.wav"]
    assert "ALERT" in app.window.banner.text() and "1165990" in app.window.banner.text()


def test_3_an_act_alert_listed_behind_another_is_offered_when_it_closes(make_app, make_notice, feed, clock):
    app = make_app(4)
    feed(app, make_notice(trigger="1165991"))
    clock.advance(60)
    xrt = make_notice(trigger="1165992", instrument="XRT", notice_type="XRT_Pos", error_radius=0.001)
    feed(app, xrt)
    model = app.window.history_model
    row = model.rows[model.index_of(xrt.ivorn)]
    assert row.action == "queued" and row.attention  # highlighted in the history until seen
    assert model.data(model.index(model.index_of(xrt.ivorn), 0), Qt.BackgroundRole) is not None
    clock.advance(1)
    app.dialog.buttons["ignore"].click()
    assert app.dialog.isVisible() and app.dialog.values["trigger"].text() == "1165992"
    assert not model.rows[model.index_of(xrt.ivorn)].attention
    assert "ALERT" in app.window.banner.text() and "No alert open" not in app.window.banner.text()


# -- 7. a retraction hides itself from the observer who already slewed -----------------------------

def test_7_retraction_after_a_slew_reopens_the_dialog_with_its_sound(make_app, make_notice, feed, clock,
                                                                     backend, wait_until, shown_buttons):
    app = make_app(4)
    feed(app, make_notice(trigger="1165993"))
    slew(app, wait_until)
    clock.advance(1)
    app.dialog.buttons["ignore"].click()  # "Close" after the slew
    assert not app.dialog.isVisible()
    clock.advance(300)
    feed(app, make_notice(trigger="1165993", serial=2, is_retraction=True))
    dialog = app.dialog
    assert dialog.isVisible() and backend.played == ["act.wav", "act.wav"]
    assert dialog.status.isVisible() and dialog.status.text().startswith("RETRACTED: you slewed to this")
    assert shown_buttons(dialog) == ["ignore"] and not dialog.buttons["slew"].isEnabled()
    assert "RETRACTED" in dialog.band.text() and "RETRACTED" in app.window.banner.text()
    assert dialog.values["countdown"].text() == "stopped (retracted)"
    clock.advance(7200)  # no countdown: it stays until the observer has read it
    QTest.qWait(30)
    assert dialog.isVisible()


def test_7_retraction_of_the_dialog_on_screen_stops_the_countdown(make_app, make_notice, feed, clock,
                                                                  wait_until):
    app = make_app(4)
    feed(app, make_notice(trigger="1165994"))
    clock.advance(60)
    feed(app, make_notice(trigger="1165994", serial=2, is_retraction=True))
    assert app.dialog.status.text().startswith("RETRACTED by its issuer")
    assert "RETRACTED" in app.window.banner.text() and "ALERT" not in app.window.banner.text()
    text = app.dialog.values["countdown"].text()
    clock.advance(30)
    app.controller.tick()
    assert app.dialog.values["countdown"].text() == text == "stopped (retracted)"


def test_7_offer_again_of_a_retracted_event_shows_it_retracted(make_app, make_notice, feed, clock,
                                                               shown_buttons):
    app = make_app(4)
    first = make_notice(trigger="1165995")
    feed(app, first)
    feed(app, make_notice(trigger="1165995", serial=2, is_retraction=True))
    clock.advance(1)
    app.dialog.buttons["ignore"].click()
    clock.advance(600)
    app.window.history.select(first.ivorn)
    app.window.history.offer_button.click()
    dialog = app.dialog
    assert dialog.isVisible() and dialog.retracted and "RETRACTED" in dialog.band.text()
    assert shown_buttons(dialog) == ["ignore"]
    assert not dialog.buttons["slew"].isEnabled() and not dialog.buttons["send"].isEnabled()


# -- refinement of an event already sent ----------------------------------------------------------

def test_refinement_after_a_send_says_where_the_telescope_is(make_app, make_notice, feed, clock, wait_until,
                                                              shown_buttons):
    app = make_app(4)
    first = make_notice(trigger="1165996")
    feed(app, first)
    slew(app, wait_until)
    clock.advance(1)
    app.dialog.buttons["ignore"].click()
    clock.advance(200)
    feed(app, make_notice(trigger="1165996", serial=2, instrument="XRT", notice_type="XRT_Pos",
                          ra=first.ra + 0.02, error_radius=0.001))
    dialog = app.dialog
    assert dialog.isVisible()
    assert dialog.status.text().startswith("NEW POSITION. The telescope was slewed to the previous one")
    assert sorted(shown_buttons(dialog)) == ["ignore", "send", "slew"]
    assert dialog.buttons["send"].text() == "Send new position to BTA" and dialog.buttons["slew"].isEnabled()
    assert {"ra", "error"} <= dialog.changed and "dec" not in dialog.changed


# -- 8. stale and misleading displays -------------------------------------------------------------

def test_8_a_trigger_2512_days_old_does_not_ring(make_app, make_notice, feed, clock, backend):
    app = make_app(4)
    old = make_notice(trigger="2512", time=clock() - timedelta(days=2512))
    feed(app, old)
    assert not app.dialog.isVisible() and backend.played == []
    row = app.window.history_model.rows[0]
    assert (row.ivorn, row.action, row.group) == (old.ivorn, "listed", "act")


def test_8_only_fields_whose_values_changed_are_highlighted(make_app, make_notice, feed, clock):
    app = make_app(4)
    first = make_notice(trigger="1165997")
    feed(app, first)
    clock.advance(900)  # fifteen minutes: the verdict's altitude has moved
    changed = app.dialog.refine  # noqa: F841 (the controller calls it)
    feed(app, make_notice(trigger="1165997", serial=2, significance=14.0))
    assert app.dialog.changed == {"significance"}
    styled = [k for k, label in app.dialog.values.items() if "background" in label.styleSheet()]
    assert styled == ["significance"]


def test_8_svom_slew_status_is_the_satellite_s_not_the_telescope_s(make_app, data_file, clock):
    from gcnmon.notice import parse

    app = make_app(4)
    wake = data_file("gcn-notice-parser/eclairs_296.xml").read_bytes()
    clock.now = parse(wake).time + timedelta(minutes=2)
    app.intake.receive(wake, "test")
    app.intake.receive(data_file("gcn-notice-parser/eclairs_297.xml").read_bytes(), "test")
    band = app.dialog.band.text()
    assert "satellite not slewing to the burst" in band
    assert "· not-slewing" not in band and "not-slewing" not in app.dialog.windowTitle()
