"""What every TCS simulator shares: accounts, the telescope (position, slewing then tracking, the site's
limits), the record of received commands, fault modes, and a quiet twisted.web site on loopback."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from twisted.web import resource, server

from gcnmon.sky import SITE_PRESETS, Site, altaz

from ..coords import separation
from ..result import Target

__all__ = ["FAULTS", "Account", "SimCommand", "SimTelescope", "FaultGate", "QuietSite", "parse_accounts"]

log = logging.getLogger(__name__)

#: refuse: the TCS is in local mode and refuses commands; slow: replies come after ``slow_delay``;
#: down: HTTP 503 to everything; garbage: 200 with bytes no client can read.
FAULTS = ("refuse", "slow", "down", "garbage")
GARBAGE = b"\x00\x17\xff<?xm{GARBLED \x80 REPLY\r\n"


@dataclass(frozen=True)
class Account:
    """A user (empty for password-only TCSs) with a password and an access level."""

    user: str
    password: str = field(repr=False)
    level: int


def parse_accounts(text: str, with_user: bool) -> list[Account]:
    """``"observer:observer:2,astronomer:astronomer:4"`` (or ``"level2:2,level4:4"`` without users)."""
    accounts = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        # The user ends at the first colon and the level starts after the last: passwords may hold colons.
        user, _, rest = item.partition(":") if with_user else ("", "", item)
        password, _, level = rest.rpartition(":")
        if not (password and level.isdigit() and (user or not with_user)):
            form = "USER:PASSWORD:LEVEL" if with_user else "PASSWORD:LEVEL"
            raise ValueError(f"account {item.split(':')[0]!r}: expected {form}")
        accounts.append(Account(user, password, int(level)))
    return accounts


@dataclass
class SimCommand:
    """One motion command the simulator received (never the password)."""

    kind: str  # "target", "slew" or "stop"
    user: str
    target: Target | None
    accepted: bool
    reply: str


class SimTelescope:
    """The simulated telescope: accounts, pointing, slewing then tracking, the site's zenith limit.

    ``clock`` (an IReactorTime: the reactor or a ``task.Clock``) times the slews and slow replies;
    ``now`` gives the UTC datetime for the altitude of a target.
    """

    def __init__(self, accounts: list[Account], site: Site = SITE_PRESETS["BTA"], clock=None,
                 now: Callable[[], datetime] | None = None, slew_rate: float = 2.0, slow_delay: float = 60.0):
        if clock is None:
            from twisted.internet import reactor as clock
        self.accounts, self.site, self.clock = list(accounts), site, clock
        self.now = now or (lambda: datetime.now(UTC))
        self.slew_rate, self.slow_delay = slew_rate, slow_delay
        self.ra, self.dec = 0.0, 90.0  # parked at the pole
        self.target: Target | None = None
        self.slewing = self.tracking = False
        self.fault: str | None = None
        self.commands: list[SimCommand] = []
        self.requests = 0
        self.stops = 0
        self._arrival = None

    def level(self, user: str, password: str) -> int | None:
        """The access level of ``user``/``password`` (user ignored when accounts have none), or None."""
        for acc in self.accounts:
            if acc.user == (user if acc.user else "") and hmac.compare_digest(acc.password, password):
                return acc.level
        return None

    def zenith_distance(self, target: Target) -> float:
        return 90.0 - altaz(self.site, target.ra, target.dec, self.now())[0]

    def record(self, kind: str, user: str, target: Target | None, accepted: bool, reply: str) -> None:
        self.commands.append(SimCommand(kind, user, target, accepted, reply))
        log.info("sim %s %s from %s: %s: %s", kind, target.label if target else "-", user or "-",
                 "accepted" if accepted else "refused", reply.replace("\n", " | "))

    def set_target(self, target: Target) -> None:
        self.target = target

    def start_slew(self) -> float:
        """Start slewing to ``target``; returns the seconds the slew will take."""
        assert self.target is not None
        seconds = separation(self.ra, self.dec, self.target.ra, self.target.dec) / self.slew_rate
        if self._arrival is not None and self._arrival.active():
            self._arrival.cancel()
        self.slewing, self.tracking = True, False
        self._arrival = self.clock.callLater(seconds, self._arrive, self.target)
        return seconds

    def _arrive(self, target: Target) -> None:
        self.ra, self.dec = target.ra, target.dec
        self.slewing, self.tracking, self._arrival = False, True, None
        log.info("sim: on %s, tracking", target.label)

    def abort(self) -> None:
        """The motion ends where it is (the simulator is going away, or a stop)."""
        if self._arrival is not None and self._arrival.active():
            self._arrival.cancel()
        self.slewing, self._arrival = False, None

    def stop(self) -> None:
        """A stop command: no slew, no tracking; the position stays where the slew had got to."""
        self.abort()
        self.tracking = False
        self.stops += 1
        log.info("sim: stopped")

    def state(self) -> str:
        return "slewing" if self.slewing else "tracking" if self.tracking else "idle"


class FaultGate(resource.Resource):
    """Wraps a simulator's resource tree: counts requests and applies the generic fault modes."""

    isLeaf = True

    def __init__(self, telescope: SimTelescope, inner: resource.Resource):
        super().__init__()
        self.telescope, self.inner = telescope, inner

    def render(self, request):
        self.telescope.requests += 1
        fault = self.telescope.fault
        if fault == "down":
            request.setResponseCode(503)
            return b"TCS is down\n"
        if fault == "garbage":
            return GARBAGE
        if fault == "slow":
            call = self.telescope.clock.callLater(self.telescope.slow_delay, self._late, request)
            request.notifyFinish().addErrback(lambda _: call.active() and call.cancel())
            return server.NOT_DONE_YET
        return resource.getChildForRequest(self.inner, request).render(request)

    def _late(self, request):
        body = resource.getChildForRequest(self.inner, request).render(request)
        if body is not server.NOT_DONE_YET:
            request.write(body)
            request.finish()


class QuietSite(server.Site):
    """No access log: a GET to a CGI would put its password in it; the simulators log commands instead."""

    def log(self, request):
        pass
