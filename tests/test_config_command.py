"""Configuration layering and ``gcnmon config``: defaults < user file < --set, secrets masked."""

import json
import os

import pytest

from gcnmon.cli import main
from gcnmon.config import ConfigError, load_config


def test_layers_user_file_then_overrides(tmp_path):
    user = tmp_path / "gcnmon.toml"
    user.write_text('[station]\nname = "Zeiss"\n[vtp]\nwatchdog = 30\n')
    cfg = load_config(user, ["vtp.watchdog=45", "sources.vtp=['relay:8099']"])
    assert cfg.get("station.name") == "Zeiss"
    assert cfg.get("vtp.watchdog") == 45
    assert cfg.get("sources.vtp") == ["relay:8099"]
    assert cfg.get("vtp.max_frame") == 6 << 20  # untouched default (the envelope of a 4 MiB notice fits)
    assert cfg.sources == ["defaults", str(user), "command line"]


def test_broken_user_file_and_override_are_named(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[station\n")
    with pytest.raises(ConfigError, match="bad.toml"):
        load_config(bad)
    with pytest.raises(ConfigError, match="not KEY=VALUE"):
        load_config(None, ["novalue"])
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.toml")


def test_config_command_masks_secrets(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GCNMON_CONFIG", os.devnull)
    assert main(["config", "--set", "kafka.client_secret=hunter2", "--set", "tcs.password=pw"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["kafka"]["client_secret"] == "***" and data["tcs"]["password"] == "***"
    assert "hunter2" not in out and "pw\"" not in out
    assert data["kafka"]["client_id"] == ""  # empty values stay visible: nothing to hide


def test_config_check_reports_errors_with_exit_2(tmp_path, capsys, monkeypatch):
    (tmp_path / "none.toml").write_text("# nothing changed\n", encoding="utf-8")
    monkeypatch.setenv("GCNMON_CONFIG", str(tmp_path / "none.toml"))
    assert main(["config", "--check"]) == 0
    assert "zenith limit 79" in capsys.readouterr().out
    assert main(["config", "--check", "--set", "site.preset=Nowhere"]) == 2
    assert 'site.preset="Nowhere": must be one of BTA, Zeiss-1000' in capsys.readouterr().err
    assert main(["config", "--path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "none.toml")
