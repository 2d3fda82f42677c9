"""The alert dialog through the whole app: buttons by access level, countdown, refinement, preemption,
retraction, TCS replies in the dialog and the log book."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("level", "buttons"),
    [(0, ["ack", "ignore"]), (2, ["send", "ignore"]), (4, ["slew", "send", "ignore"]),
     (None, ["ack", "ignore"])],
)
def test_ui_buttons_follow_the_access_level(make_app, make_notice, feed, shown_buttons, level, buttons):
    app = make_app(level)
    feed(app, make_notice())
    dialog = app.dialog
    assert dialog.isVisible()
    assert dialog.windowFlags() & Qt.WindowStaysOnTopHint
    assert not dialog.isModal()
    assert sorted(shown_buttons(dialog)) == sorted(buttons)
    assert dialog.buttons["ignore"].text() == "Ignore"
    if "send" in buttons:
        assert dialog.buttons["send"].text() == "Send to BTA"
    if "slew" in buttons:
        assert dialog.buttons["slew"].text() == "Send and Slew"
    assert not dialog.buttons["slew"].autoDefault()  # Enter never slews


def test_ui_inform_alert_only_acknowledges(make_app, make_notice, feed, shown_buttons):
    app = make_app(4)
    feed(app, make_notice("gbm"))
    assert app.dialog.isVisible()
    assert sorted(shown_buttons(app.dialog)) == ["ack", "ignore"]
    assert app.dialog.band.text().count("INFORM") == 1


def test_ui_dialog_shows_the_fields(make_app, make_notice, feed):
    app = make_app(4)
    feed(app, make_notice(ra=83.633, dec=22.0145, error_radius=3 / 60))
    values = {k: v.text() for k, v in app.dialog.values.items()}
    assert values["trigger"] == "1165948"
    assert values["ra"] == "05h34m31.9s"
    assert values["dec"] == "+22°00'52\""
    assert values["error"] == "3.0'"
    assert values["significance"] == "12.0 σ"
    assert values["since"] == "1 min 30 s"
    assert values["countdown"] == "60:00"  # the act group's 3600 s
    assert "alt" in values["visibility"] and "Moon" in values["visibility"]


def test_ui_countdown_runs_and_the_timeout_closes(make_app, make_notice, feed, clock, wait_until, backend):
    app = make_app(4)
    feed(app, make_notice())
    assert backend.played == ["act.wav"]
    clock.advance(3600 - 75)
    wait_until(lambda: app.dialog.values["countdown"].text() == "1:15", 5)
    assert app.dialog.values["since"].text() == "1 h 00 min"
    clock.advance(75)
    wait_until(lambda: not app.dialog.isVisible(), 5)  # the QTimer tick lets the arbiter time out
    assert app.controller.alert is None
    assert app.window.history_model.rows[0].action == "timeout"
    assert "No alert open" in app.window.banner.text()


def test_ui_refinement_updates_in_place(make_app, make_notice, feed, clock, backend):
    app = make_app(4)
    first = make_notice()
    feed(app, first)
    dialog = app.dialog
    clock.advance(30)
    feed(app, make_notice(serial=2, ra=first.ra + 0.01, error_radius=2 / 3600))
    assert app.dialog is dialog and dialog.isVisible()
    assert {"ra", "error"} <= dialog.changed
    assert "dec" not in dialog.changed
    assert dialog.values["error"].text() == '2.0"'
    assert "background" in dialog.values["ra"].styleSheet()
    assert "background" not in dialog.values["dec"].styleSheet()
    assert backend.played == ["act.wav"]  # a refinement does not ring again
    assert [r.action for r in app.window.history_model.rows] == ["update", "shown"]


def test_ui_higher_priority_preempts(make_app, make_notice, feed, clock):
    app = make_app(4)
    feed(app, make_notice("gbm", trigger="790000001"))
    assert "INFORM" in app.dialog.band.text()
    clock.advance(10)
    feed(app, make_notice("bat", trigger="1165950"))
    assert "ACT" in app.dialog.band.text()
    assert app.dialog.values["trigger"].text() == "1165950"
    actions = {r.trigger: r.action for r in app.window.history_model.rows}
    assert actions == {"790000001": "preempted", "1165950": "shown"}
    clock.advance(10)
    feed(app, make_notice("gbm", trigger="790000002"))  # lower priority: listed, the dialog stays
    assert app.dialog.values["trigger"].text() == "1165950"
    assert app.window.history_model.rows[0].action == "listed"


def test_ui_retraction_disables_the_actions(make_app, make_notice, feed, clock, backend):
    app = make_app(4)
    feed(app, make_notice())
    clock.advance(60)
    feed(app, make_notice(serial=3, is_retraction=True))
    dialog = app.dialog
    assert dialog.isVisible() and dialog.retracted
    assert "RETRACTED" in dialog.status.text() and dialog.status.isVisible()
    assert not dialog.buttons["slew"].isEnabled() and not dialog.buttons["send"].isEnabled()
    assert dialog.buttons["ignore"].isEnabled()
    assert backend.stops >= 1
    dialog.buttons["slew"].click()  # disabled: nothing reaches the TCS
    assert app.tcs_sim.telescope.commands == [] and app.tcs_sim.telescope.requests == 1  # the login


def test_ui_send_and_slew_reply_reaches_dialog_logbook_and_archive(make_app, make_notice, feed, wait_until):
    app = make_app(4)
    notice = make_notice()
    feed(app, notice)
    app.dialog.buttons["slew"].click()
    wait_until(lambda: app.dialog.reply.isVisible(), 5)
    assert [c.kind for c in app.tcs_sim.telescope.commands] == ["target", "slew"]
    assert app.tcs_sim.telescope.state() == "slewing"
    assert "slew: accepted" in app.dialog.reply.text()
    assert "TCS: Start Slewing to new object - Ok" in app.dialog.reply.text()
    assert app.dialog.buttons["ignore"].text() == "Close"
    # the arbiter's decision, then what the TCS answered
    assert [a.action for a in app.archive.actions(notice.ivorn)] == ["shown", "slew accepted"]
    assert "Start Slewing to new object" in app.archive.actions(notice.ivorn)[1].detail
    assert "slew: accepted | TCS: Coordinates were sent to BTA TCS" in app.logbook.path.read_text()
    app.dialog.buttons["ignore"].click()
    assert not app.dialog.isVisible()
    assert [a.action for a in app.archive.actions(notice.ivorn)] == ["shown", "slew accepted", "close"]
    assert app.window.history_model.rows[0].action == "slew accepted"


def test_ui_acknowledge_and_window_close_button(make_app, make_notice, feed, clock):
    app = make_app(0)
    first = make_notice()
    feed(app, first)
    app.dialog.buttons["ack"].click()
    assert not app.dialog.isVisible()
    assert [a.action for a in app.archive.actions(first.ivorn)] == ["shown", "ack"]
    clock.advance(5)
    second = make_notice(trigger="1165951")
    feed(app, second)
    app.dialog.close()  # the title bar's close button means Ignore
    assert app.arbiter.current is None
    assert [a.action for a in app.archive.actions(second.ivorn)] == ["shown", "ignore"]
