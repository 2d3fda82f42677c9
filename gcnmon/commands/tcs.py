"""``gcnmon tcs``: talk to a telescope control system from the shell (send coordinates, slew, access level).

Exit status (`tcs_drivers.result.Outcome`): 0 the TCS accepted, 3 it accepted with a warning (its words
are printed), 2 it refused or gcnmon refused (the altitude limit, the access level, no telescope), 1 it
could not be reached or answered something unreadable.
"""

from __future__ import annotations

import argparse
import re
import sys

__all__ = ["NAME", "HELP", "configure", "run"]

NAME = "tcs"
HELP = "send coordinates to the telescope (and slew), stop it, or show the access level"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tel", required=True, metavar="DRIVER",
                        help="TCS driver: zeiss, bta, alpaca, dummy, or any installed (`gcnmon drivers`)")
    parser.add_argument("--host", required=True, metavar="URL", help="the TCS, e.g. http://127.0.0.1:8080")
    parser.add_argument("--user", help="user name (Zeiss-1000)")
    parser.add_argument("--password-env", metavar="VAR",
                        help="environment variable holding the password (else keyring, then config)")
    parser.add_argument("--site",
                        help="site preset for the altitude limit: BTA, Zeiss-1000 (default: [site])")
    parser.add_argument("--timeout", type=float, help="seconds per exchange (default: [tcs] timeout)")
    parser.add_argument("--config", metavar="FILE", help="config file (default: the user config file)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        help="override a config key, e.g. --set tcs.bta.http_method=GET (repeatable)")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    send = sub.add_parser("send", help="send coordinates (with --slew: and slew)")
    _common(send)
    send.add_argument("--ra", required=True, help="RA: 19:03:02.33 (hours) or 285.76 (degrees)")
    send.add_argument("--dec", required=True, help="Dec: +08:31:53.8 or 8.53 (degrees)")
    send.add_argument("--epoch", type=float, default=2000.0, help="equinox of the coordinates (2000.0)")
    send.add_argument("--name", required=True, help="object name the TCS shows")
    send.add_argument("--slew", action="store_true", help="slew after sending (needs the slew level)")
    stop = sub.add_parser("stop", help="stop the telescope now (abort any slew)")
    _common(stop)
    level = sub.add_parser("level", help="log in and print the access level")
    _common(level)
    # Let `--dec -60:31:53.8` through: argparse takes "-60:31..." for an option unless its negative-number
    # matcher (a private attribute, stable since Python 3.2) says it is a number.
    send._negative_number_matcher = re.compile(r"^-\d+([:.]\d+)*$")


def _driver(args):
    from gcnmon.config import load_config
    from gcnmon.sky import site_from_config
    from tcs_drivers.registry import create_driver

    cfg = load_config(args.config, args.set)
    # The options go through the schema like the file: a wrong --timeout or --site is named as such.
    options = {"driver": args.tel, "url": args.host, "user": args.user, "timeout": args.timeout}
    for key, value in options.items():
        if value is not None:
            cfg.set(f"tcs.{key}", value)
    if args.password_env:
        for key, value in (("password_env", args.password_env), ("keyring_service", ""), ("password", "")):
            cfg.set(f"tcs.{key}", value)
    if args.site:
        cfg.set("site.preset", args.site)
    return create_driver(cfg.section("tcs"), site=site_from_config(cfg.section("site")))


def _act(driver, args):
    if args.action == "level":
        return driver.connect()
    if args.action == "stop":
        return driver.stop()
    from tcs_drivers.coords import parse_dec, parse_ra

    ra, dec = parse_ra(args.ra), parse_dec(args.dec)
    go = driver.send_and_slew if args.slew else driver.send_coordinates
    return go(ra, dec, args.epoch, args.name)


def run(args: argparse.Namespace) -> int:
    from gcnmon.config import ConfigError

    try:
        driver = _driver(args)
    except ConfigError as exc:
        print(exc.lines("gcnmon tcs"), file=sys.stderr)
        return 2
    except (KeyError, ImportError, ValueError) as exc:
        print(f"gcnmon tcs: {exc}", file=sys.stderr)
        return 1
    from twisted.internet import defer, reactor

    outcome = {}

    def failed(failure):
        print(f"gcnmon tcs: {failure.getErrorMessage()}", file=sys.stderr)
        outcome["code"] = 1

    def go():
        d = defer.maybeDeferred(_act, driver, args)  # ValueError here: unreadable --ra/--dec
        d.addCallbacks(lambda result: outcome.update(result=result), failed)
        d.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(go)
    reactor.run()
    if "code" in outcome:
        return outcome["code"]
    result = outcome["result"]
    level = "not logged in" if driver.level is None else f"access level {driver.level}"
    print(f"{driver.title} at {driver.url or '-'}: {level}")
    print(result.text())
    return result.exit_code
