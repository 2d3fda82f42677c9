"""``gcnmon notify``: list the ``[notify]`` targets (URLs masked) or send each one a test message."""

from __future__ import annotations

import argparse
import sys

__all__ = ["NAME", "HELP", "configure", "run"]

NAME = "notify"
HELP = "list the [notify] targets (URLs masked), or --test: send one test message to every target"


def configure(parser: argparse.ArgumentParser) -> None:
    from ._archive_cli import add_config_options

    parser.add_argument("--test", action="store_true", help="send a test message to every target and say "
                        "which ones took it (exit 1 if any did not)")
    add_config_options(parser)


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from ..config import ConfigError
    from ..notify import deliver, mask_url, notify_settings
    from ..notify.messages import test_message
    from ._archive_cli import load

    try:
        cfg = load(args)
        settings = notify_settings(cfg.section("notify"))
    except ConfigError as exc:
        print(f"gcnmon notify: {exc}", file=sys.stderr)
        return 2
    for name in settings.missing:
        print(f"{name}: no URL (environment, keyring or url): gets nothing", file=sys.stderr)
    if not settings.targets:
        print("gcnmon notify: no [[notify.targets]] with a URL configured", file=sys.stderr)
        return 1
    station = cfg.get("station.name")
    failed = 0
    for target in settings.targets:
        kinds = ", ".join(sorted(target.kinds - {"test"}))
        if not args.test:
            print(f"{target.name}: {mask_url(target.url)} gets {kinds}; at most {target.rate_limit or '∞'}/h")
            continue
        try:
            ok = deliver(target, test_message(station, datetime.now(UTC), target.name))
        except Exception as exc:  # apprise plugin bugs: one line, never the traceback (it may hold the URL)
            ok = False
            print(f"{target.name}: failed ({type(exc).__name__})", file=sys.stderr)
        failed += not ok
        print(f"{target.name}: {'test message sent' if ok else 'NOT delivered (see the log above)'}")
    return 1 if failed else 0
