"""``gcnmon config``: where the configuration comes from, what it says, and whether it is valid."""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["NAME", "HELP", "configure", "run", "masked"]

NAME = "config"
HELP = "show the configuration file's path, the merged settings (secrets masked), or check them"

_SECRET_WORDS = ("password", "secret", "token")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="a config file instead of the user's")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override one key, e.g. --set site.preset=Zeiss-1000 (repeatable)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--path", action="store_true", help="print the user config file's path and exit")
    what.add_argument("--check", action="store_true",
                      help="build the site, groups and TCS settings from the config; exit 2 on an error")


def masked(node, secret_url: bool = False):
    """A copy of the config with every password/secret/token value replaced by ``***`` when set, and
    the apprise URLs of ``[notify]`` (they hold tokens) too."""
    if isinstance(node, dict):
        return {
            key: ("***" if value and not isinstance(value, dict)
                  and (any(w in key.lower() for w in _SECRET_WORDS) or (secret_url and key == "url"))
                  else masked(value, secret_url or key == "notify"))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [masked(item, secret_url) for item in node]
    return node


def _check(cfg) -> list[str]:
    from ..policy import policy_from_config, visibility_from_config

    policy = policy_from_config(cfg)
    site = visibility_from_config(cfg).site
    return [
        f"site: {site.name} {site.latitude:.4f} N {site.longitude:.4f} E {site.height:.0f} m, "
        f"zenith limit {site.zenith_limit:g} deg",
        "groups: " + ", ".join(f"{g.name} ({g.action}, {g.timeout:g} s)" for g in policy.groups),
        f"TCS driver: {cfg.get('tcs.driver') or 'dummy'}",
    ]


def run(args: argparse.Namespace) -> int:
    from ..config import ConfigError, load_config, user_config_path

    if args.path:
        print(user_config_path())
        return 0
    try:
        cfg = load_config(args.config, args.set, unknown="error" if args.check else "warn")
        lines = _check(cfg) if args.check else None
    except ConfigError as exc:
        print(exc.lines("gcnmon config"), file=sys.stderr)
        return 2
    print("# layers: " + " < ".join(cfg.sources), file=sys.stderr)
    if lines is not None:
        print("\n".join(["configuration is valid"] + lines))
    else:
        print(json.dumps(masked(cfg.data), indent=2))
    return 0
