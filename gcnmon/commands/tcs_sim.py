"""``gcnmon tcs-sim``: run a TCS simulator (Zeiss XML-RPC, BTA CGI, ASCOM Alpaca) as a real server."""

from __future__ import annotations

import argparse
import logging
import sys

__all__ = ["NAME", "HELP", "configure", "run"]

NAME = "tcs-sim"
HELP = "run a TCS simulator (zeiss, bta, alpaca) for tests and the demo"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("zeiss", "bta", "alpaca"), help="which TCS to simulate")
    parser.add_argument("--port", type=int, default=0, help="TCP port (0: any free one, printed)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--fault", choices=("refuse", "slow", "down", "garbage"),
                        help="misbehave: refuse commands, reply late, answer 503, or answer garbage")
    parser.add_argument("--users", metavar="SPEC",
                        help="accounts instead of the defaults: zeiss USER:PASSWORD:LEVEL,...; "
                        "bta PASSWORD:LEVEL,...")
    parser.add_argument("--site", default="BTA", help="site preset for the zenith limit (default BTA)")
    parser.add_argument("--slew-rate", type=float, default=2.0, help="degrees per second (default 2)")
    parser.add_argument("--slow-delay", type=float, default=60.0, help="seconds --fault slow waits (60)")
    parser.add_argument("--no-slew-async", action="store_true", help="alpaca: CanSlewAsync false")
    parser.add_argument("--mount", default="j2000",
                        choices=("j2000", "jnow-parked", "parked-locked", "b1950"),
                        help="alpaca: the kind of mount: j2000 (InterfaceVersion 3, default); jnow-parked "
                        "(Platform 7, topocentric, starts parked, cannot set tracking); parked-locked "
                        "(the same, cannot unpark); b1950 (a system gcnmon refuses)")


def _describe(kind: str, accounts) -> str:
    if kind == "alpaca":
        return "accounts: none (Alpaca is open)"
    return "accounts: " + ", ".join(
        f"{a.user + '/' if a.user else 'password '}{a.password} level {a.level}" for a in accounts
    )


def run(args: argparse.Namespace) -> int:
    from gcnmon.sky import SITE_PRESETS
    from tcs_drivers.result import Target
    from tcs_drivers.sim import default_accounts, parse_accounts, start_simulator

    try:
        accounts = default_accounts(args.kind)
        if args.users:
            accounts = parse_accounts(args.users, args.kind == "zeiss")
        site = SITE_PRESETS[args.site]
    except (ValueError, KeyError) as exc:
        print(f"gcnmon tcs-sim: {exc}", file=sys.stderr)
        return 1
    from twisted.internet import reactor

    sim = start_simulator(args.kind, args.port, args.host, accounts=accounts, fault=args.fault, site=site,
                          can_slew_async=not args.no_slew_async, slow_delay=args.slow_delay, mount=args.mount)
    sim.telescope.slew_rate = args.slew_rate
    # The first altitude in a process loads astropy's tables (seconds on a busy machine): done before the
    # port is printed, so a client's first slew is not the one that waits for it.
    sim.telescope.zenith_distance(Target(0.0, 90.0))
    # The simulator's log of received commands is its point: show it on stdout whatever -v says.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    sim_log = logging.getLogger("tcs_drivers.sim")
    sim_log.addHandler(handler)
    sim_log.setLevel(logging.INFO)
    sim_log.propagate = False
    mount = f", mount {args.mount}" if args.kind == "alpaca" else ""
    print(f"{args.kind} TCS simulator on {sim.url} (port {sim.port}), site {site.name}, "
          f"zenith limit {site.zenith_limit:g}, fault {args.fault or 'none'}{mount}")
    print(_describe(args.kind, accounts), flush=True)
    reactor.run()
    return 0
