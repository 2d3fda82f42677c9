"""Files that ship with gcnmon: ``sounds/`` and ``config/`` from the top of the repository.

``gcnmon/resources/sounds`` and ``gcnmon/resources/config`` are symlinks to those folders, so the
same ``importlib.resources`` call reads them from a checkout and from an installed wheel.
"""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable

__all__ = ["resource_dir", "resource"]

KINDS = ("sounds", "config")


def resource_dir(kind: str) -> Traversable:
    """The folder of shipped files of one kind: ``"sounds"`` or ``"config"``."""
    if kind not in KINDS:
        raise ValueError(f"unknown resource kind {kind!r}")
    return importlib.resources.files(f"gcnmon.resources.{kind}")


def resource(kind: str, name: str) -> Traversable:
    """One shipped file, e.g. ``resource("config", "gcnmon.toml")``."""
    return resource_dir(kind) / name
