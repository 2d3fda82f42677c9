"""TCS simulators that are real servers (twisted.web on loopback): Zeiss XML-RPC, BTA CGI, ASCOM Alpaca.

``start_simulator("bta", port=0)`` listens and returns a `Simulator` whose ``telescope`` holds the
state tests and the demo inspect (``commands``, ``requests``, ``fault``, ``state()``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from twisted.internet import defer

from gcnmon.sky import SITE_PRESETS, Site

from . import alpaca, bta, zeiss
from .core import FAULTS, Account, FaultGate, QuietSite, SimTelescope, parse_accounts

__all__ = ["FAULTS", "KINDS", "Account", "Simulator", "SimTelescope", "default_accounts", "parse_accounts",
           "start_simulator"]

log = logging.getLogger(__name__)

KINDS = ("zeiss", "bta", "alpaca")
_PATHS = {"zeiss": zeiss.PATH, "bta": bta.PATH, "alpaca": ""}
DEFAULT_SITE = SITE_PRESETS["BTA"]


def default_accounts(kind: str) -> list[Account]:
    return {"zeiss": zeiss.DEFAULT_ACCOUNTS, "bta": bta.DEFAULT_ACCOUNTS}.get(kind, [])


@dataclass
class Simulator:
    """A running simulator: where it listens and the telescope behind it."""

    kind: str
    telescope: SimTelescope
    port_object: object

    @property
    def port(self) -> int:
        return self.port_object.getHost().port

    @property
    def host(self) -> str:
        return self.port_object.getHost().host

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The URL a driver is given (the endpoint itself for Zeiss and BTA)."""
        return self.base_url + _PATHS[self.kind]

    def stop(self) -> defer.Deferred:
        self.telescope.abort()
        return defer.maybeDeferred(self.port_object.stopListening)


def start_simulator(kind: str, port: int = 0, host: str = "127.0.0.1", *,
                    accounts: list[Account] | None = None,
                    fault: str | None = None, site: Site = DEFAULT_SITE, clock=None, now=None,
                    reactor=None, can_slew_async: bool = True, slow_delay: float = 60.0,
                    mount: str = "j2000") -> Simulator:
    """Listen on ``host:port`` (0: any free port) as the ``kind`` TCS.

    ``clock`` times the slews and the slow replies; ``now`` gives the time for target altitudes;
    ``mount`` is the kind of Alpaca mount (`tcs_drivers.sim.alpaca.MOUNTS`).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown simulator {kind!r}; known: {', '.join(KINDS)}")
    if mount not in alpaca.MOUNTS:
        raise ValueError(f"unknown Alpaca mount {mount!r}; known: {', '.join(alpaca.MOUNTS)}")
    if fault not in (None, *FAULTS):
        raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
    if reactor is None:
        from twisted.internet import reactor
    tel = SimTelescope(default_accounts(kind) if accounts is None else accounts, site, clock or reactor, now,
                       slow_delay=slow_delay)
    tel.fault = fault
    if kind == "zeiss":
        root = zeiss.make_root(tel)
    elif kind == "bta":
        root = bta.make_root(tel)
    else:
        root = alpaca.make_root(tel, can_slew_async, mount)
    listening = reactor.listenTCP(port, QuietSite(FaultGate(tel, root)), interface=host)
    log.info("%s TCS simulator listening on %s:%d", kind, host, listening.getHost().port)
    return Simulator(kind, tel, listening)
