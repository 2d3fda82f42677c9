"""``gcnmon run`` (and bare ``gcnmon``): the GUI monitor, with the SAO monitor's ``Key=Value`` arguments."""

from __future__ import annotations

import argparse
import logging
import sys

__all__ = ["NAME", "HELP", "configure", "run", "legacy_options", "apply_options"]

NAME = "run"
HELP = "start the monitor window (the default command; the SAO monitor's Tel=... Host=... arguments work)"

log = logging.getLogger(__name__)

EPILOG = """\
The SAO monitor's arguments keep working, case-insensitive, each the same as its option:
  Tel=BTA|Zeiss   --tel       telescope: TCS driver, site and station name
  Host=HOST       --host      TCS address (http://host[:port], or host)
  User=NAME       --user      TCS user name (the Zeiss-1000 needs one)
  Pass=PASSWORD   --password  TCS password. Avoid it on the command line (other users can see it in
                              `ps`): prefer the environment variable named by [tcs] password_env or the
                              system keyring ([tcs] keyring_service). It is never echoed or logged.
  Proxy=HOST:PORT --proxy     the VTP relay or broker to listen to (replaces [sources] vtp)
  Test=Yes        --test      show test notices too (policy.test)
  Audio=Yes|No    --audio / --no-audio   alarm sound on or muted at start

Example: gcnmon Tel=BTA Host=tcs.bta.sao.ru Test=Yes Audio=No
"""

#: Legacy key -> (option dest, kind).
LEGACY = {
    "tel": "tel",
    "host": "host",
    "user": "user",
    "pass": "password",
    "password": "password",
    "proxy": "proxy",
    "test": "test",
    "audio": "audio",
}
TELESCOPES = {"bta": ("bta", "BTA", "BTA"), "zeiss": ("zeiss", "Zeiss-1000", "Zeiss")}
YES, NO = {"yes", "y", "true", "1", "on"}, {"no", "n", "false", "0", "off"}


def _yes(key: str, value: str) -> bool:
    if value.lower() in YES | NO:
        return value.lower() in YES
    raise argparse.ArgumentTypeError(f"{key}={value!r}: expected Yes or No")


def _telescope(value: str) -> str:
    key = value.lower().split("-")[0]
    if key not in TELESCOPES:
        raise argparse.ArgumentTypeError(f"unknown telescope {value!r}: BTA or Zeiss")
    return key


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("legacy", nargs="*", metavar="Key=Value", help="SAO monitor arguments (below)")
    parser.add_argument("--tel", type=_telescope, help="BTA or Zeiss: TCS driver, site and station name")
    parser.add_argument("--host", help="TCS address")
    parser.add_argument("--user", help="TCS user name")
    parser.add_argument("--password", help="TCS password (prefer the keyring or the environment: see below)")
    parser.add_argument("--proxy", metavar="HOST:PORT", help="VTP relay/broker to listen to")
    parser.add_argument("--test", action="store_true", default=None, help="show test notices too")
    parser.add_argument("--audio", action=argparse.BooleanOptionalAction, default=None,
                        help="alarm sound on (default: [sound] muted in the config)")
    parser.add_argument("--config", metavar="FILE", help="config file (default: the user config file)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        help="override a config key, e.g. --set site.preset=Zeiss-1000 (repeatable)")
    parser.add_argument("--archive", metavar="PATH", help="archive file (default: [archive] path)")
    parser.add_argument("--minimized", action="store_true",
                        help="start in the tray, window hidden (autostart at login); "
                             "shown if there is no tray")
    _accept_words_anywhere(parser)


def _accept_words_anywhere(parser: argparse.ArgumentParser) -> None:
    """Let ``Key=Value`` words come before, between or after the options.

    argparse binds a ``nargs="*"`` positional once, so words after an option would end up as
    "unrecognized arguments" and be echoed, a ``Pass=`` among them. We set the words aside first
    (never a word that is the value of the option before it) and parse the rest.
    """
    takes_value = {
        o for a in parser._actions if a.nargs is None and a.option_strings for o in a.option_strings
    }
    parse_known = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        args = list(sys.argv[1:] if args is None else args)
        words, rest = [], []
        for i, word in enumerate(args):
            after_option = i > 0 and args[i - 1] in takes_value
            is_word = "=" in word and not word.startswith("-") and word.split("=", 1)[0].isalpha()
            (words if is_word and not after_option else rest).append(word)
        namespace, extras = parse_known(rest, namespace)
        namespace.legacy = list(getattr(namespace, "legacy", None) or []) + words
        return namespace, extras

    parser.parse_known_args = parse_known_args


def legacy_options(args: argparse.Namespace) -> argparse.Namespace:
    """Fold ``Key=Value`` words into the options they stand for (an explicit ``--option`` wins)."""
    for word in args.legacy:
        key, sep, value = word.partition("=")
        dest = LEGACY.get(key.strip().lower())
        if not sep or dest is None:
            # Never echo the word itself: it might be a mistyped password.
            raise SystemExit(f"gcnmon: unknown argument {key.strip()!r}= (see gcnmon run --help)")
        try:
            if dest == "tel":
                value = _telescope(value)
            elif dest in ("test", "audio"):
                value = _yes(key, value)
        except argparse.ArgumentTypeError as exc:
            raise SystemExit(f"gcnmon: {exc}") from None
        if getattr(args, dest) is None:
            setattr(args, dest, value)
    args.legacy = []
    return args


def apply_options(cfg, args: argparse.Namespace) -> None:
    """Write the options into the config (all but the password, which never enters the config)."""
    if args.tel:
        driver, site, station = TELESCOPES[args.tel]
        cfg.set("tcs.driver", driver)
        cfg.set("site.preset", site)
        cfg.set("station.name", station)
    if args.host:
        cfg.set("tcs.url", args.host if "://" in args.host else f"http://{args.host}")
    if args.user:
        cfg.set("tcs.user", args.user)
    if args.proxy:
        host, _, port = args.proxy.rpartition(":") if ":" in args.proxy else (args.proxy, "", "8099")
        cfg.set("sources.vtp", [f"{host}:{port}"])
    if args.test:
        cfg.set("policy.test", True)
    if args.audio is not None:
        cfg.set("sound.muted", not args.audio)
    if args.archive:
        cfg.set("archive.path", args.archive)


def _scrubbed_argv() -> list[str]:
    """``sys.argv`` without any password, for Qt (which keeps argv) and anything that prints it."""
    out, skip = [], False
    for word in sys.argv:
        if skip:
            out.append("***")
            skip = False
        elif word == "--password":
            out.append(word)
            skip = True
        elif word.lower().startswith(("pass=", "password=", "--password=")):
            out.append(word.split("=", 1)[0] + "=***")
        else:
            out.append(word)
    return out


def run(args: argparse.Namespace) -> int:
    from ..bootstrap import no_display_reason
    from ..config import ConfigError, load_config

    problem = no_display_reason()
    if problem:
        print(f"gcnmon: {problem}", file=sys.stderr)
        return 2
    legacy_options(args)
    password = args.password
    args.password = None  # from here on only the Secret holds it
    sys.argv[:] = _scrubbed_argv()
    try:
        cfg = load_config(args.config, args.set)
        apply_options(cfg, args)
    except ConfigError as exc:
        print(exc.lines("gcnmon"), file=sys.stderr)
        return 2
    from ..app import run_gui

    return run_gui(cfg, password=password, minimized=args.minimized)
