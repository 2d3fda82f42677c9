"""The alarm: the group's sound when a dialog opens, mute from the tray, one warning without a device."""

from __future__ import annotations

import logging

import pytest

from gcnmon.alsa import AlsaBackend
from gcnmon.sound import Alarm

pytestmark = pytest.mark.gui


def test_ui_mute_from_the_tray_silences_the_next_alert(make_app, make_notice, feed, clock, backend):
    app = make_app(4)
    assert app.window.tray is not None
    tray_actions = [a.text() for a in app.window.tray.contextMenu().actions()]
    assert "Mute alarm" in tray_actions and "Quit gcnmon" in tray_actions
    app.window.mute_action.trigger()
    assert app.alarm.muted
    assert app.window.mute_action.text() == "Alarm muted"
    feed(app, make_notice())
    assert app.dialog.isVisible()
    assert backend.played == []
    app.dialog.buttons["ignore"].click()
    app.window.mute_action.trigger()
    clock.advance(5)
    feed(app, make_notice("gbm", trigger="790000003"))
    assert not app.alarm.muted
    assert backend.played == ["inform.wav"]


def test_ui_mute_from_the_config(make_app, make_notice, feed, backend):
    app = make_app(4, overrides={"sound.muted": True})
    assert app.alarm.muted and app.window.mute_action.isChecked()
    feed(app, make_notice())
    assert backend.played == []


def test_ui_no_sound_device_warns_once_and_goes_on(caplog):
    class NoDevice:
        def load(self, path):
            return path

        def play(self, sound):
            from gcnmon.sound import SoundUnavailable

            raise SoundUnavailable("Error opening PCM device")

        def stop(self):
            raise AssertionError("a broken device is never touched again")

    alarm = Alarm(NoDevice())
    with caplog.at_level(logging.WARNING, logger="gcnmon.sound"):
        assert alarm.play("act") is False
        assert alarm.play("inform") is False
        alarm.stop()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "no sound device" in warnings[0].getMessage()


def test_ui_alsa_player_without_device_is_one_warning(caplog, monkeypatch, tmp_path):
    """The real ALSA player on a machine with no sound card: one warning, play() returns False."""
    conf = tmp_path / "asound.conf"
    conf.write_text("pcm.!default { type hw card 99 }\n")  # a card that does not exist anywhere
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(conf))
    alarm = Alarm(AlsaBackend())
    with caplog.at_level(logging.WARNING, logger="gcnmon.sound"):
        assert alarm.play("test") is False
        assert alarm.play("test") is False
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_ui_sound_names_and_files(tmp_path, backend):
    alarm = Alarm(backend)
    assert alarm.play("act.wav") and alarm.play("inform") and not alarm.play("")
    assert backend.played == ["act.wav", "inform.wav"]
    assert alarm.play("no-such-sound") is False  # a bad name: logged, the alert goes on
