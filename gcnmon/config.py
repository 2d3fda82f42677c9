"""Configuration: defaults shipped in ``config/gcnmon.toml``, then the user's file, then overrides.

The loader only merges layers; each consumer reads and validates its own section
(``cfg.section("kafka")``), so this module knows nothing of Kafka, sites or groups.
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .resources import resource

__all__ = ["Config", "ConfigError", "load_config", "user_config_path", "data_dir", "log_dir"]

APP = "gcnmon"


class ConfigError(ValueError):
    """A configuration file or override is wrong; the message names the file and the key."""


def user_config_path() -> Path:
    """``$GCNMON_CONFIG``, else ``gcnmon.toml`` in the platform's user config directory."""
    if os.environ.get("GCNMON_CONFIG"):
        return Path(os.environ["GCNMON_CONFIG"])
    import platformdirs

    return Path(platformdirs.user_config_dir(APP)) / "gcnmon.toml"


def data_dir() -> Path:
    """``$GCNMON_DATA_DIR``, else the platform's user data directory (the archive lives here)."""
    if os.environ.get("GCNMON_DATA_DIR"):
        return Path(os.environ["GCNMON_DATA_DIR"])
    import platformdirs

    return Path(platformdirs.user_data_dir(APP))


def log_dir() -> Path:
    """``$GCNMON_LOG_DIR``, else the platform's user log directory (the log books live here)."""
    if os.environ.get("GCNMON_LOG_DIR"):
        return Path(os.environ["GCNMON_LOG_DIR"])
    import platformdirs

    return Path(platformdirs.user_log_dir(APP))


def _merge(base: dict, top: Mapping) -> dict:
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _parse_override(item: str) -> tuple[list[str], Any]:
    """``"kafka.bootstrap=127.0.0.1:9092"`` -> (["kafka", "bootstrap"], "127.0.0.1:9092").

    The value is read as TOML when it can be (numbers, booleans, lists), else kept as a string.
    """
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {item!r} is not KEY=VALUE")
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text
    return key.strip().split("."), value


@dataclass
class Config:
    """The merged configuration, as nested dicts, plus where it came from."""

    data: dict
    sources: list[str] = field(default_factory=list)

    def section(self, name: str) -> dict:
        """One top-level table (empty if absent)."""
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table")
        return value

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def set(self, dotted: str, value: Any) -> None:
        parts = dotted.split(".")
        node = self.data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value


def load_config(
    user_file: Path | str | None = None,
    overrides: list[str] | Mapping[str, Any] | None = None,
) -> Config:
    """Defaults, then the user file (``user_config_path()`` unless given; absent is fine), then overrides."""
    default = resource("config", "gcnmon.toml")
    data = tomllib.loads(default.read_text(encoding="utf-8"))
    cfg = Config(data, ["defaults"])
    path = Path(user_file) if user_file else user_config_path()
    if path.exists():
        _merge(cfg.data, _read_toml(path))
        cfg.sources.append(str(path))
    elif user_file:
        raise ConfigError(f"{path}: no such config file")
    items = overrides.items() if isinstance(overrides, Mapping) else map(_parse_override, overrides or ())
    for key, value in items:
        cfg.set(key if isinstance(key, str) else ".".join(key), value)
    if overrides:
        cfg.sources.append("command line")
    return cfg
