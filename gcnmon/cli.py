"""The ``gcnmon`` command line: one console script, one module per subcommand.

Each subcommand lives in ``gcnmon/commands/<name>.py`` and exposes ``NAME``, ``HELP``,
``configure(parser)`` and ``run(args) -> int``. Command modules import their heavy
dependencies (Qt, astropy, Kafka) inside ``run`` so that ``gcnmon --help`` and headless
commands start fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from . import __version__

__all__ = ["main", "relay_main", "build_parser", "COMMAND_MODULES"]

# Order is the order shown by --help.
COMMAND_MODULES = (
    "run",
    "demo",
    "listen",
    "replay",
    "relay",
    "parse",
    "plan",
    "history",
    "tcs",
    "tcs_sim",
    "drivers",
    "topics",
    "notify",
    "show_config",
)


def _load_commands():
    for name in COMMAND_MODULES:
        try:
            yield importlib.import_module(f"gcnmon.commands.{name}")
        except ModuleNotFoundError as exc:
            # A command not built yet is simply absent; any other missing import is a bug.
            if exc.name != f"gcnmon.commands.{name}":
                raise


RUN_EPILOG = """\
Bare `gcnmon` starts the monitor window (= gcnmon run) and takes the SAO monitor's arguments:
  Tel=BTA|Zeiss  telescope (TCS driver, site, station)   Host=HOST   TCS address
  User=NAME      TCS user                                 Pass=...    TCS password (prefer the keyring
  Proxy=H:P      VTP relay to listen to                               or an environment variable)
  Test=Yes       show test notices too                    Audio=No    start with the alarm muted
Each has a --option form; `gcnmon run --help` explains them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gcnmon",
        description="Alert monitor for telescope observers: GCN Kafka and VOEvent in, "
        "one dialog at a time, send or slew the telescope.",
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"gcnmon {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: debug)")
    # -v also after the subcommand (``gcnmon relay -v``, ``gcnmon-relay -v``); SUPPRESS keeps the
    # subparser from resetting a count given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="more log output (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _load_commands():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP, parents=[common])
        module.configure(command)
        command.set_defaults(_run=module.run)
    return parser


def _setup_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * verbosity
    logging.basicConfig(
        level=max(level, logging.DEBUG),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _default_to_run(argv: list[str]) -> list[str]:
    """Bare ``gcnmon`` and the SAO monitor's ``Key=Value`` arguments start the GUI."""
    if not argv or "=" in argv[0] or (argv[0].startswith("--") and argv[0] not in ("--help", "--version")):
        if "run" in COMMAND_MODULES:
            return ["run", *argv]
    return argv


def main(argv: list[str] | None = None) -> int:
    from .scrub import add_to_handlers, install

    argv = _default_to_run(list(sys.argv[1:] if argv is None else argv))
    install(argv)  # a password typed into a URL is masked in every print and log line from here on
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    _setup_logging(args.verbose)
    add_to_handlers()
    from .config import ConfigError

    try:
        return int(args._run(args) or 0)
    except ConfigError as exc:  # any command, wherever the config is read: one line per problem, exit 2
        print(exc.lines(f"gcnmon {args.command}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except ImportError as exc:
        from .bootstrap import missing_system_library

        line = missing_system_library(exc)
        if line is None:
            raise
        print(f"gcnmon {args.command}: {line}", file=sys.stderr)
        return 1


def relay_main() -> int:
    """``gcnmon-relay``: the same as ``gcnmon relay`` (for service units)."""
    return main(["relay", *sys.argv[1:]])
