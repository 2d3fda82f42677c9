"""The TCS driver base class: access levels, the safety rules, one command at a time, timeouts, honest logs.

A driver subclass only speaks its wire (``_login``, ``_send``, ``_slew``, ``_stop``, ``_status``); everything
that must be the same for every telescope lives here, as in pyobs's ``BaseTelescope``: the altitude limit
(a slew below it is refused before anything is sent, a send is allowed with a warning), the access-level
check, a lock so two clicks never interleave, a timeout on every exchange, log lines that carry the TCS's
own reply, and stopping: ``stop()`` goes out at once (never queued behind a running command) and a new
slew while one runs stops the old one first, as pyobs's ``LockWithAbort`` does.
Every public method returns a Deferred that fires with a `TcsResult` and never errbacks for a TCS problem.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from twisted.internet import defer
from twisted.internet import error as neterror

from gcnmon.scrub import scrub
from gcnmon.sky import SITE_PRESETS, Site, altaz

from .credentials import Secret
from .motion import Motion
from .result import (
    NotSent,
    Outcome,
    Target,
    TcsProtocolError,
    TcsRefused,
    TcsResult,
    TcsUnreachable,
    Visibility,
)

__all__ = [
    "DEFAULT_SITE",
    "NotSent",
    "Outcome",
    "Target",
    "TcsDriver",
    "TcsProtocolError",
    "TcsRefused",
    "TcsResult",
    "TcsUnreachable",
    "Visibility",
]

log = logging.getLogger(__name__)

DEFAULT_SITE = SITE_PRESETS["BTA"]


def _join(*parts: str | None) -> str | None:
    text = "; ".join(p for p in parts if p)
    return text or None


class TcsDriver(ABC):
    """Base of every TCS driver; subclasses set the class attributes and implement the three hooks.

    Parameters
    ----------
    url : base URL of the TCS (each driver appends its configured path when the URL has none)
    user, password : credentials; ``password`` is a `Secret` (or str) and is never logged
    site : where the telescope is; its ``zenith_limit`` is the safety limit
    timeout : seconds allowed for each exchange with the TCS
    options : wire names overriding ``DEFAULTS`` (the ``[tcs.<name>]`` config table)
    reactor : the Twisted reactor (the global one by default)
    now : callable giving the aware UTC datetime used for the altitude check
    poll_interval : seconds between two reads of the motion while a slew runs
    slew_timeout : seconds after which a slew still running is no longer watched (motion "unknown")
    """

    #: entry-point name and the title the GUI shows.
    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: lowest access level that may send coordinates / slew.
    send_level: ClassVar[int] = 2
    slew_level: ClassVar[int] = 3
    #: whether the GUI and CLI must ask for a user name / a password.
    needs_user: ClassVar[bool] = False
    needs_password: ClassVar[bool] = False
    #: False for the dummy: no telescope behind it, so the GUI offers no TCS buttons.
    has_telescope: ClassVar[bool] = True
    #: wire details (paths, method and parameter names) with their documented defaults.
    DEFAULTS: ClassVar[Mapping[str, Any]] = {}

    def __init__(
        self,
        url: str = "",
        *,
        user: str = "",
        password: Secret | str | None = None,
        site: Site = DEFAULT_SITE,
        timeout: float = 10.0,
        options: Mapping[str, Any] | None = None,
        reactor=None,
        now: Callable[[], datetime] | None = None,
        poll_interval: float = 1.0,
        slew_timeout: float = 600.0,
    ):
        unknown = set(options or ()) - set(self.DEFAULTS)
        if unknown:
            raise ValueError(f"{self.name}: unknown option(s) {', '.join(sorted(unknown))}")
        if reactor is None:
            from twisted.internet import reactor
        self.url, self.user, self.site, self.timeout = url.rstrip("/"), user, site, float(timeout)
        self.where = scrub(self.url)  # the URL as messages show it: a user:password in it masked
        self._password = password if isinstance(password, Secret) or password is None else Secret(password)
        self.options = {**self.DEFAULTS, **(options or {})}
        self.reactor = reactor
        self.now = now or (lambda: datetime.now(UTC))
        self.level: int | None = None
        self.target: Target | None = None
        self.last_result: TcsResult | None = None
        self.motion = Motion(self, poll_interval, slew_timeout)
        self._lock = defer.DeferredLock()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.where or '-'} user={self.user or '-'} level={self.level}>"

    def _reveal_password(self) -> str:
        """The password for the wire only: never pass it to a log call."""
        return self._password.reveal() if self._password else ""

    @property
    def can_send(self) -> bool:
        return self.level is not None and self.level >= self.send_level

    @property
    def can_slew(self) -> bool:
        return self.level is not None and self.level >= self.slew_level

    @property
    def slewing(self) -> bool:
        """The TCS reports a slew running (what the Stop buttons follow)."""
        return self.motion.slewing

    def subscribe(self, listener: Callable[[TcsDriver], None]) -> Callable[[], None]:
        """``listener(driver)`` after every change of level, motion or last result; returns unsubscribe."""
        return self.motion.subscribe(listener)

    # ---- the public API (what the GUI and the CLI call) ----

    def visibility(self, ra: float, dec: float, when: datetime | None = None) -> Visibility:
        alt, az = altaz(self.site, ra, dec, when or self.now())
        return Visibility(alt, az, self.site.zenith_limit)

    def connect(self) -> defer.Deferred:
        """Log in and learn the access level (``self.level``); fires with a `TcsResult`."""
        return self._lock.run(self._connect).addCallback(self._finish)

    def send_coordinates(self, ra: float, dec: float, epoch: float = 2000.0, name: str = ""
                         ) -> defer.Deferred:
        """Send the target's coordinates (no motion); allowed below the limit with a warning."""
        return self._lock.run(self._command, Target(ra, dec, epoch, name), False).addCallback(self._finish)

    def send_and_slew(self, ra: float, dec: float, epoch: float = 2000.0, name: str = "") -> defer.Deferred:
        """Send the coordinates and slew; refused before anything is sent if the target is too low."""
        return self._lock.run(self._command, Target(ra, dec, epoch, name), True).addCallback(self._finish)

    def slew(self) -> defer.Deferred:
        """Slew to the target sent last (checked against the limit again, now)."""
        if self.target is None:
            return defer.succeed(self._finish(TcsResult(
                "slew", Outcome.REFUSED_BY_GCNMON, rule="no coordinates",
                error="no coordinates sent yet: nothing sent", level=self.level)))
        return self._lock.run(self._command, self.target, True, False).addCallback(self._finish)

    def stop(self) -> defer.Deferred:
        """Stop the telescope now. Not queued behind a running command: a stop must never wait."""
        self.motion.end_watch()
        return self._stop_exchange().addCallback(self._finish)

    def close(self) -> defer.Deferred:
        """Let go of the TCS (drivers with a session extend this); the motion is no longer watched."""
        self.motion.end_watch()
        return defer.succeed(None)

    # ---- what a driver implements ----

    @abstractmethod
    def _login(self) -> defer.Deferred:
        """Fire with ``(level, reply)``; errback `TcsRefused` for a wrong password."""

    @abstractmethod
    def _send(self, target: Target) -> defer.Deferred:
        """Send coordinates; fire with the TCS's reply text."""

    @abstractmethod
    def _slew(self, target: Target) -> defer.Deferred:
        """Slew to ``target`` (already sent); fire with the TCS's reply text."""

    @abstractmethod
    def _stop(self) -> defer.Deferred:
        """Stop any motion at once; fire with the TCS's reply text."""

    def _status(self) -> defer.Deferred:
        """Fire with the motion the TCS reports (``idle``, ``slewing``, ``tracking``) or None (cannot
        tell: the slew then counts as running until ``slew_timeout``)."""
        return defer.succeed(None)

    @defer.inlineCallbacks
    def _send_and_slew(self, target: Target):
        """Both in one go; drivers whose TCS does it in one request override this."""
        sent = yield self._send(target)
        slewing = yield self._slew(target)
        return "\n".join((sent, slewing))

    def reply_warning(self, reply: str) -> str | None:
        """The TCS's own warning lines in ``reply`` (e.g. BTA's "Warning! Object Z > 79degr!")."""
        return _join(*(line.strip() for line in reply.splitlines() if "warning" in line.lower()))

    # ---- the policy ----

    def _timed(self, d: defer.Deferred) -> defer.Deferred:
        return d.addTimeout(self.timeout, self.reactor)

    def _finish(self, result: TcsResult) -> TcsResult:
        self.last_result = result
        self.motion.changed()
        return result

    @defer.inlineCallbacks
    def _stop_exchange(self, why: str = "observer"):
        if self.level is None:
            login = yield self._connect()
            if not login.ok:
                return TcsResult("stop", login.outcome, login.reply, None, login.error, login.rule,
                                 login.level, login.sent)
        try:
            reply = yield self._timed(self._stop())
        except Exception as exc:
            return self._failed("stop", exc)
        self.motion.set("idle")
        warning = self.reply_warning(reply)
        log.warning("%s: STOP (%s): %s", self.name, why, reply)
        outcome = Outcome.WARNED if warning else Outcome.ACCEPTED
        return TcsResult("stop", outcome, reply=reply, warning=warning, level=self.level, sent=True)

    @defer.inlineCallbacks
    def _connect(self):
        try:
            level, reply = yield self._timed(self._login())
        except Exception as exc:
            result = self._failed("connect", exc)
            if result.outcome is Outcome.REFUSED_BY_TCS:  # a wrong password: the TCS gave us nothing
                self.level = 0
            return result
        self.level = int(level)
        log.info("%s: logged in as %s, access level %d: %s", self.name, self.user or "-", self.level, reply)
        warning = self.reply_warning(reply)
        return TcsResult("connect", Outcome.WARNED if warning else Outcome.ACCEPTED, reply=reply,
                         warning=warning, level=self.level, sent=True)

    def _below_limit(self, target: Target, vis: Visibility) -> str | None:
        """Why ``target`` is too low to slew to, or None when it is within the limit."""
        if vis.ok:
            return None
        return (f"{target.name or 'target'} is at altitude {vis.altitude:.1f} deg, zenith distance "
                f"{vis.zenith_distance:.1f} > {self.site.zenith_limit:g} deg limit at {self.site.name}")

    def _access_refusal(self, action: str, slew: bool) -> str | None:
        need = self.slew_level if slew else self.send_level
        if self.level is not None and self.level >= need:
            return None
        return f"access level {self.level} < {need} needed to {action}: nothing sent"

    def _command(self, target: Target, slew: bool, send: bool = True):
        action = "slew" if slew else "send"
        vis = self.visibility(target.ra, target.dec)
        low = self._below_limit(target, vis)
        common = dict(target=target, altitude=vis.altitude)
        if low and slew:  # the rule that matters most: checked before any contact with the TCS
            log.warning("%s: slew refused, nothing sent: %s", self.name, low)
            return defer.succeed(TcsResult(action, Outcome.REFUSED_BY_GCNMON, rule="altitude limit",
                                           error=f"{low}: slew refused, nothing sent", level=self.level,
                                           **common))
        warning = f"{low}: coordinates sent, do not slew" if low else None
        return self._exchange(action, target, slew, send, warning, common)

    @defer.inlineCallbacks
    def _exchange(self, action, target, slew, send, warning, common):
        if self.level is None:
            login = yield self._connect()
            if not login.ok:
                return TcsResult(action, login.outcome, login.reply, warning, login.error, login.rule,
                                 login.level, login.sent, **common)
        error = self._access_refusal(action, slew)
        if error:
            log.warning("%s: %s %s refused: %s", self.name, action, target.label, error)
            return TcsResult(action, Outcome.REFUSED_BY_GCNMON, rule="access level", warning=warning,
                             error=error, level=self.level, **common)
        if slew and self.slewing:  # one motion at a time: the running slew is stopped first (pyobs)
            self.motion.end_watch()
            stopped = yield self._stop_exchange(f"superseded by the slew to {target.label}")
            if not stopped.ok:
                return TcsResult(action, Outcome.REFUSED_BY_GCNMON, rule="mount state", warning=warning,
                                 error=f"the running slew could not be stopped ({stopped.summary}): "
                                 "new slew not sent", level=self.level, **common)
        hook = (self._send_and_slew if send else self._slew) if slew else self._send
        try:
            reply = yield self._timed(hook(target))
        except Exception as exc:
            return self._failed(action, exc, target, warning, common["altitude"])
        self.target = target
        if slew:
            self.motion.watch(target.label)
        # The TCS's own words come first: they are what the observer must read.
        warning = _join(self.reply_warning(reply), warning)
        outcome = Outcome.WARNED if warning else Outcome.ACCEPTED
        log.info("%s: %s %s %s: %s", self.name, action, target.label, outcome.value, reply)
        return TcsResult(action, outcome, reply=reply, warning=warning, level=self.level, sent=True, **common)

    def _failed(self, action, exc, target=None, warning=None, altitude=None) -> TcsResult:
        """Turn a failure of the wire into a result, with one honest log line."""
        what = f"{self.name}: {action}{' ' + target.label if target else ''}"
        common = dict(warning=warning, level=self.level, target=target, altitude=altitude)
        if isinstance(exc, NotSent):
            # "no telescope" is the dummy's every answer: a station without a TCS, not a problem to warn of.
            level = logging.INFO if exc.rule == "no telescope" else logging.WARNING
            log.log(level, "%s refused by gcnmon (%s): %s", what, exc.rule, exc.detail)
            return TcsResult(action, Outcome.REFUSED_BY_GCNMON, rule=exc.rule, error=exc.detail, **common)
        if isinstance(exc, TcsRefused):
            log.warning("%s refused by the TCS: %s", what, exc.reply)
            return TcsResult(action, Outcome.REFUSED_BY_TCS, reply=exc.reply, sent=True, **common)
        if isinstance(exc, TcsProtocolError):
            log.warning("%s: unreadable reply (%s): %r", what, exc, exc.reply)
            return TcsResult(action, Outcome.UNREADABLE, reply=exc.reply, error=f"unreadable reply: {exc}",
                             sent=True, **common)
        if isinstance(exc, (defer.TimeoutError, defer.CancelledError)):
            error = f"no reply within {self.timeout:g} s"
        elif isinstance(exc, (TcsUnreachable, neterror.ConnectError, neterror.ConnectionClosed)):
            error = f"cannot reach the TCS at {self.where}: {_one_line(exc)}"
        else:
            log.error("%s failed unexpectedly: %s: %s", what, type(exc).__name__, exc)
            return TcsResult(action, Outcome.UNREADABLE, error=f"{type(exc).__name__}: {exc}", **common)
        log.warning("%s: %s", what, error)
        return TcsResult(action, Outcome.UNREACHABLE, error=error, **common)


#: Twisted puts the repr of a Failure into some errors' text ("[Failure instance: Traceback (failure
#: with no frames): <class '...ConnectionLost'>: Connection lost.]"): keep only its message.
_FAILURE_REPR = re.compile(r"\[Failure instance: Traceback[^:]*: <class '[\w.]+'>: (.*?)\s*\]", re.S)


def _one_line(exc: BaseException) -> str:
    """An error as one plain line for the observer (no Failure reprs, no line breaks)."""
    reasons = getattr(exc, "reasons", None)  # twisted.web's ResponseNeverReceived and friends
    if reasons:
        return "; ".join(reason.getErrorMessage() for reason in reasons)
    return " ".join(_FAILURE_REPR.sub(r"\1", str(exc)).split())
