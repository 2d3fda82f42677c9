"""Options and output helpers shared by the archive commands (``listen``, ``history``)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

__all__ = ["add_config_options", "load", "iso_utc", "notice_json"]


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", metavar="PATH", help="archive file (default: [archive] path, else the "
                        "user data directory)")
    parser.add_argument("--config", metavar="FILE", help="config file (default: the user config file)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        help="override a config key, e.g. --set kafka.group_id=test (repeatable)")


def load(args: argparse.Namespace):
    """The merged config with ``--archive`` applied."""
    from ..config import load_config

    cfg = load_config(args.config, args.set)
    if args.archive:
        cfg.set("archive.path", args.archive)
    return cfg


def iso_utc(when: float) -> str:
    """Unix seconds -> ``2014-11-13T08:11:55.812Z``."""
    stamp = datetime.fromtimestamp(when, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def notice_json(notice, **extra: Any) -> str:
    """The ``gcnmon parse --json`` object plus ``extra`` keys, on one line."""
    from ..notice.serialize import notice_as_dict

    return json.dumps({**notice_as_dict(notice), **extra}, ensure_ascii=False, default=str)
