"""``gcnmon run`` / bare ``gcnmon``: the SAO monitor's Key=Value arguments and the password's discretion."""

from __future__ import annotations

import argparse
import logging
import os
import sys

import pytest

from gcnmon.cli import _default_to_run, build_parser
from gcnmon.commands import run as run_cmd
from gcnmon.config import load_config


def parse(argv):
    args = build_parser().parse_args(_default_to_run(argv))
    return run_cmd.legacy_options(args)


def test_ui_legacy_arguments_map_to_options(monkeypatch, tmp_path):
    monkeypatch.setenv("GCNMON_CONFIG", os.devnull)
    args = parse(["Tel=Zeiss", "Host=tcs.example.org:8080", "User=observer", "Proxy=relay.example.org",
                  "test=yes", "AUDIO=No"])
    assert (args.tel, args.host, args.user, args.proxy, args.test, args.audio) == (
        "zeiss", "tcs.example.org:8080", "observer", "relay.example.org", True, False)
    cfg = load_config()
    run_cmd.apply_options(cfg, args)
    assert cfg.get("tcs.driver") == "zeiss" and cfg.get("tcs.site") is None  # one site: [site]
    assert cfg.get("site.preset") == "Zeiss-1000" and cfg.get("station.name") == "Zeiss"
    assert cfg.get("tcs.url") == "http://tcs.example.org:8080"
    assert cfg.get("sources.vtp") == ["relay.example.org:8099"]
    assert cfg.get("policy.test") is True and cfg.get("sound.muted") is True


def test_ui_option_forms_win_over_legacy_words():
    args = parse(["run", "--tel", "BTA", "Tel=Zeiss", "--no-audio", "Audio=Yes"])
    assert args.tel == "bta" and args.audio is False
    assert parse(["--tel", "bta"]).command == "run"  # bare gcnmon with --options starts the GUI too


def test_ui_bad_legacy_words_do_not_echo_their_value(capsys):
    with pytest.raises(SystemExit) as exc:
        parse(["Pasword=hunter2"])
    assert "hunter2" not in str(exc.value) and "Pasword" in str(exc.value)
    with pytest.raises(SystemExit):
        parse(["Audio=maybe"])
    assert "hunter2" not in capsys.readouterr().err


def test_ui_password_never_reaches_argv_config_or_log(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("GCNMON_CONFIG", os.devnull)
    monkeypatch.setattr(sys, "argv", ["gcnmon", "Tel=BTA", "Pass=hunter2", "--password", "s3cret"])
    seen = {}

    def fake_run_gui(cfg, *, password=None, minimized=False):
        seen["password"], seen["cfg"], seen["argv"] = password, repr(cfg.data), list(sys.argv)
        logging.getLogger("gcnmon.app").info("config %s argv %s", cfg.data, sys.argv)
        return 0

    import gcnmon.app

    monkeypatch.setattr(gcnmon.app, "run_gui", fake_run_gui)
    args = build_parser().parse_args(_default_to_run(sys.argv[1:]))
    with caplog.at_level(logging.DEBUG):
        assert run_cmd.run(args) == 0
    assert seen["password"] == "s3cret"  # the explicit option wins over Pass=
    assert "hunter2" not in seen["cfg"] and "s3cret" not in seen["cfg"]
    assert seen["argv"] == ["gcnmon", "Tel=BTA", "Pass=***", "--password", "***"]
    assert "s3cret" not in caplog.text and "hunter2" not in caplog.text
    assert args.password is None


def test_ui_help_explains_each_argument_and_prefers_the_keyring(capsys):
    for argv in (["-h"], ["run", "-h"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(argv)
        out = capsys.readouterr().out
        for word in ("Tel=BTA|Zeiss", "Host=", "User=", "Pass=", "Proxy=", "Test=", "Audio="):
            assert word in out, (argv, word)
        assert "keyring" in out


def test_ui_yes_no_values():
    assert run_cmd._yes("Audio", "On") is True and run_cmd._yes("Test", "no") is False
    with pytest.raises(argparse.ArgumentTypeError):
        run_cmd._yes("Test", "perhaps")


def test_ui_autostart_entry_runs_minimized_with_the_real_parser():
    """packaging/linux/gcnmon.desktop's Exec line is a command our parser accepts."""
    import shlex
    from pathlib import Path

    desktop = Path(__file__).resolve().parents[2] / "packaging" / "linux" / "gcnmon.desktop"
    (exec_line,) = [line for line in desktop.read_text().splitlines() if line.startswith("Exec=")]
    argv = shlex.split(exec_line.removeprefix("Exec="))
    assert argv[0].endswith("/gcnmon")
    args = build_parser().parse_args(_default_to_run(argv[1:]))
    assert args.command == "run" and args.minimized is True


def test_ui_no_display_is_a_message_not_a_core_dump(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    args = build_parser().parse_args(["run"])
    assert run_cmd.run(args) == 2
    assert "no display (DISPLAY is not set)" in capsys.readouterr().err
