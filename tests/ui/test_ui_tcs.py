"""The TCS in the GUI against a real BTA simulator on loopback: buttons that follow the live TCS state,
no TCS buttons without a telescope, replies coloured by outcome, failures recorded as failures, and Stop
in the dialog and the main window while the TCS reports a slew (issue 13 items 1, 4, 5, 6; issue 14)."""

from __future__ import annotations

import pytest

from gcnmon.sky import SITE_PRESETS
from gcnmon.ui.theme import COLORS
from tcs_drivers.dummy import DummyDriver

pytestmark = pytest.mark.gui

LOW = dict(ra=285.76, dec=-60.0)  # never rises at the BTA: a send warns, a slew is refused


def _tcs_buttons(dialog, shown_buttons):
    return sorted(b for b in shown_buttons(dialog) if b in ("send", "slew", "ack"))


def test_ui_login_that_lands_while_the_dialog_is_open_gives_its_buttons(make_app, make_notice, feed,
                                                                       shown_buttons, wait_for):
    # Issue 13 item 1: the alert arrives before the TCS login completes (the BTA simulator answers the
    # login ~23 ms after the dialog opened). The open dialog must get its TCS buttons when it lands.
    app = make_app(4, login=False)
    feed(app, make_notice())
    assert app.dialog.isVisible() and _tcs_buttons(app.dialog, shown_buttons) == ["ack"]
    assert "logging in" in app.dialog.tcs_panel.state.text()
    wait_for(app.driver.connect(), 5)  # nothing else happens: no new notice, no click
    assert _tcs_buttons(app.dialog, shown_buttons) == ["send", "slew"]
    assert "access level 4 (slew)" in app.dialog.tcs_panel.state.text()
    assert "access level 4 (slew)" in app.window.tcs_status.label.text()
    assert app.window.tcs_status.severity == "ok"


def test_ui_login_that_fails_while_the_dialog_is_open_says_why(make_app, make_notice, feed, shown_buttons,
                                                              wait_for):
    app = make_app(0, login=False)  # a wrong password
    feed(app, make_notice())
    wait_for(app.driver.connect(), 5)
    assert _tcs_buttons(app.dialog, shown_buttons) == ["ack"]
    state = app.dialog.tcs_panel.state.text()
    assert "connect refused by the TCS: Wrong password (acknowledge only)" in state
    assert COLORS["stale"] in state and app.window.tcs_status.severity == "error"


@pytest.mark.parametrize("tcs", ["none", "dummy"])
def test_ui_no_tcs_or_the_dummy_means_no_tcs_buttons(tcs, make_app, make_notice, feed, shown_buttons,
                                                    wait_for, clock):
    # Issue 13 item 4: no TCS configured still offered "Send and Slew" and printed a green "accepted".
    driver = DummyDriver(site=SITE_PRESETS["BTA"], now=clock) if tcs == "dummy" else None
    if driver is not None:
        wait_for(driver.connect(), 5)
    app = make_app(None, driver=driver)
    feed(app, make_notice())
    assert app.dialog.isVisible() and sorted(shown_buttons(app.dialog)) == ["ack", "ignore"]
    assert not app.dialog.tcs_panel.isVisible()
    assert "no TCS configured" in app.window.tcs_status.label.text()
    if driver is not None:  # hidden; a programmatic click reaches the dummy, which sends nothing and says so
        app.dialog.buttons["slew"].click()
        decision, action = app.archive.actions(make_notice().ivorn)  # the arbiter's decision, then the TCS's
        assert decision.action == "shown" and action.action == "slew refused by gcnmon (no telescope)"
        assert "no telescope: nothing sent" in action.detail and "accepted" not in action.detail


def test_ui_tcs_warning_is_amber_with_the_tcs_words(make_app, make_notice, feed, wait_until):
    # Issue 13 item 5: "Warning! Object Z > 79degr!" appeared in green under "send: accepted".
    app = make_app(4)
    notice = make_notice(**LOW)
    feed(app, notice)
    app.dialog.buttons["send"].click()
    wait_until(lambda: app.dialog.reply.isVisible(), 5)
    reply = app.dialog.reply
    assert "send: accepted with a warning" in reply.text() and "Warning! Object Z > 79degr!" in reply.text()
    assert f"color: {COLORS['changed']}" in reply.styleSheet()
    assert [a.action for a in app.archive.actions(notice.ivorn)] == ["shown", "send accepted with a warning"]
    assert app.window.tcs_status.severity == "warning"


def test_ui_failed_slew_is_recorded_as_failed_and_the_status_turns_red(make_app, make_notice, feed,
                                                                      wait_until, wait_for):
    # Issue 13 item 6: with the TCS down the history said "slew" and the status bar stayed green.
    app = make_app(4)
    notice = make_notice()
    feed(app, notice)
    assert app.window.tcs_status.severity == "ok"
    wait_for(app.tcs_sim.stop(), 5)  # the TCS goes down after the login
    app.dialog.buttons["slew"].click()
    wait_until(lambda: app.dialog.reply.isVisible(), 10)
    assert "slew: failed (unreachable)" in app.dialog.reply.text()
    assert f"color: {COLORS['stale']}" in app.dialog.reply.styleSheet()
    assert [a.action for a in app.archive.actions(notice.ivorn)] == ["shown", "slew failed"]
    assert app.window.history_model.rows[0].action == "slew failed"
    assert "SLEW FAILED" in app.logbook.path.read_text()
    status = app.window.tcs_status
    assert status.severity == "error" and "slew failed: TCS unreachable" in status.text
    assert COLORS["stale"] in status.label.text() and len(status.label.text()) < 200  # cut, whole in the tip
    assert status.label.toolTip() == status.text
    panel = app.dialog.tcs_panel.state.text()  # the dialog's own line: short, the reply below says why
    assert "not answering" in panel and COLORS["stale"] in panel
    assert app.dialog.buttons["ignore"].text() == "Ignore"  # nothing was done: not "Close"


def test_ui_slew_refused_by_gcnmon_says_which_rule(make_app, make_notice, feed, wait_until):
    app = make_app(4)
    notice = make_notice(**LOW)
    feed(app, notice)
    app.dialog.buttons["slew"].click()
    wait_until(lambda: app.dialog.reply.isVisible(), 5)
    assert "slew: refused by gcnmon (altitude limit)" in app.dialog.reply.text()
    decision, action = app.archive.actions(notice.ivorn)
    assert decision.action == "shown" and action.action == "slew refused by gcnmon (altitude limit)"
    assert app.tcs_sim.telescope.commands == []


def test_ui_stop_while_slewing_from_the_dialog_and_the_main_window(make_app, make_notice, feed, wait_until):
    # (The main window is not shown in these tests: its Stop button counts as shown when not hidden.)
    app = make_app(4)
    tel, panel, status = app.tcs_sim.telescope, app.dialog.tcs_panel, app.window.tcs_status
    notice = make_notice()
    feed(app, notice)
    assert not panel.stop_button.isVisible() and status.stop_button.isHidden()
    app.dialog.buttons["slew"].click()
    # The simulated mount takes ~20 s from its pole to the zenith at 2 deg/s: the TCS reports a slew.
    wait_until(lambda: panel.stop_button.isVisible() and not status.stop_button.isHidden(), 5)
    assert tel.state() == "slewing" and "slewing" in status.label.text()
    panel.stop_button.click()
    wait_until(lambda: tel.stops == 1 and not panel.stop_button.isVisible(), 5)
    assert tel.state() == "idle" and status.stop_button.isHidden()
    assert "stop: accepted" in app.dialog.reply.text() and "Telescope stopped - Ok" in app.dialog.reply.text()
    actions = [a.action for a in app.archive.actions(notice.ivorn)]
    assert actions == ["shown", "slew accepted", "stop accepted"]
    assert app.window.history_model.rows[0].action == "stop accepted"
    line = f"STOP ACCEPTED {notice.ivorn}: stop: accepted | TCS: Telescope stopped - Ok"
    assert line in app.logbook.path.read_text()
    # Again, stopped from the main window this time (no dialog needed).
    app.dialog.buttons["slew"].click()
    wait_until(lambda: not status.stop_button.isHidden(), 5)
    status.stop_button.click()
    wait_until(lambda: tel.stops == 2 and status.stop_button.isHidden(), 5)
    assert "STOP    from the main window: stop accepted" in app.logbook.path.read_text()


def test_ui_stop_stays_offered_after_a_retraction(make_app, make_notice, feed, wait_until, clock):
    # Retracted while slewing: the send/slew buttons go, the Stop button stays.
    app = make_app(4)
    feed(app, make_notice())
    app.dialog.buttons["slew"].click()
    wait_until(lambda: app.dialog.tcs_panel.stop_button.isVisible(), 5)
    clock.advance(60)
    feed(app, make_notice(serial=3, is_retraction=True))
    assert app.dialog.retracted and not app.dialog.buttons["slew"].isEnabled()
    assert app.dialog.tcs_panel.stop_button.isVisible() and app.dialog.tcs_panel.stop_button.isEnabled()
    app.dialog.tcs_panel.stop_button.click()
    wait_until(lambda: app.tcs_sim.telescope.stops == 1, 5)


def test_ui_tcs_lines_never_show_a_password_in_the_url(make_app, wait_for):
    # An observer pasted the TCS's URL with credentials in it; the TCS then goes down and the error names it.
    from gcnmon.ui.tcs_panel import TcsStatus
    from tcs_drivers.bta import BtaDriver

    app = make_app(4)
    url = app.tcs_sim.base_url.replace("http://", "http://astro:s3cr3t-pw@")
    driver = BtaDriver(url, password="level4", site=app.driver.site, now=app.driver.now, timeout=5.0)
    assert wait_for(driver.connect(), 5).ok  # the user info is sent as HTTP Basic, not taken for a host
    wait_for(app.tcs_sim.stop(), 5)
    result = wait_for(driver.send_coordinates(**LOW), 5)
    assert result.unreachable and "cannot reach the TCS at http://astro:***@127.0.0.1:" in result.error
    status = TcsStatus(driver)
    shown = status.label.text() + status.label.toolTip() + repr(driver) + result.text()
    assert "s3cr3t-pw" not in shown and "astro:***@" in status.label.toolTip()
