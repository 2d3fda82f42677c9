"""When to reach people off the console: pure timing logic, driven by the arbiter's events and the links.

No Qt and no network here: ``Escalation`` is fed the arbiter's events (``on_event``), the observer's
clicks (``answered``), problems (``archive_failed``, ``subscribers``) and ``tick()`` once in a while
(a second is plenty); it decides, by its injected clock, which ``Message`` to hand to ``send``
(``Notifier.send``, which delivers off the thread). Tests drive it with a fake clock.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..policy.alert import Close, Listed, Retract, Show, Update, series_keys
from .messages import Message, alert_message, link_message, problem_message

__all__ = ["Escalation"]

log = logging.getLogger(__name__)

ACTED_KEPT = 50  # events the observer sent or slewed to, remembered for their retraction


@dataclass
class _Watched:
    link: object
    kind: str  # "link" (a workstation's source) or "relay" (the relay's upstream)
    limit: float  # seconds of silence that make the link stale (its watchdog)
    stale_since: datetime | None = None
    reported: bool = False


class Escalation:
    """Decide what to tell whom, and when.

    Parameters
    ----------
    send
        ``send(Message)``; must return at once (``Notifier.send`` queues the delivery on a thread).
    clock
        ``clock() -> datetime`` (aware UTC), the arbiter's clock.
    station
        Names the workstation or relay in every message.
    unanswered_after, stale_after
        Seconds: an act alert nobody answered; a link stale that long.
    """

    def __init__(self, send: Callable[[Message], object], *, clock: Callable[[], datetime], station: str,
                 unanswered_after: float = 300.0, stale_after: float = 600.0):
        self.send, self.clock, self.station = send, clock, station
        self.unanswered_after, self.stale_after = unanswered_after, stale_after
        self.pending: dict[int, tuple[object, datetime]] = {}  # alert id -> (alert, when to escalate)
        self.acted: collections.deque = collections.deque(maxlen=ACTED_KEPT)
        self.current = None
        self.links: list[_Watched] = []
        self._archive_told: datetime | None = None
        self._subscribers: int | None = None

    # -- from the arbiter and the dialog ---------------------------------------------------------
    def on_event(self, event) -> None:
        """Every arbiter event: act alerts start their clock, answers and retractions end it."""
        if isinstance(event, Show):
            self.current = event.alert
            alert = event.alert
            if alert.action == "act" and not alert.retracted and alert.id not in self.pending:
                self.pending[alert.id] = (alert, event.when + _seconds(self.unanswered_after))
            if event.why == "retracted":  # the arbiter reopened an event acted on, now retracted
                self._retraction(alert, alert.retraction or "")
        elif isinstance(event, Update):
            self.current = event.alert
        elif isinstance(event, Retract):
            self.pending.pop(event.alert.id, None)
            if self._was_acted(event.alert):
                self._retraction(event.alert, event.reason)
        elif isinstance(event, Close):
            if event.reason.startswith("observer"):
                self.answered("close")
            if self.current is event.alert:
                self.current = None
        elif isinstance(event, Listed) and _withdraws(event.notice):
            acted = next((a for a in self.acted if series_keys(event.notice) & a.keys
                          or any(c.ivorn in {n.ivorn for n in a.history} for c in event.notice.cites)), None)
            if acted is not None:
                self._retraction(acted, event.reason)

    def answered(self, action: str) -> None:
        """The observer clicked a button: someone is at the console, nothing pending needs escalating."""
        if self.pending:
            log.info("notify: observer answered (%s): %d pending escalation(s) cancelled", action,
                     len(self.pending))
        self.pending.clear()
        if action in ("send", "slew") and self.current is not None and not self._was_acted(self.current):
            self.acted.append(self.current)

    def _was_acted(self, alert) -> bool:
        return any(a is alert or (a.keys & alert.keys) for a in self.acted)

    def _retraction(self, alert, reason: str) -> None:
        self._send(alert_message("retraction", alert, self.station, self.clock(),
                                 f"RETRACTED after the telescope was sent ({reason})"))

    # -- links, archive, relay -----------------------------------------------------------------
    def watch(self, link, limit: float, kind: str = "link") -> None:
        """Escalate when ``link`` (a ``LinkState``) stays stale for ``stale_after`` seconds, and recovers."""
        self.links.append(_Watched(link, kind, limit))

    def archive_failed(self, detail: str) -> None:
        """The archive refused a write: tell at once, then at most once per ``stale_after``."""
        now = self.clock()
        if self._archive_told is not None and (now - self._archive_told).total_seconds() < self.stale_after:
            return
        self._archive_told = now
        self._send(problem_message("archive", self.station, now, "ARCHIVE FAILURE", detail))

    def subscribers(self, count: int) -> None:
        """The relay's subscriber count changed: falling to 0 means no workstation hears anything."""
        before, self._subscribers = self._subscribers, count
        if count == 0 and before:
            self._send(problem_message("relay", self.station, self.clock(), "relay has NO subscribers left",
                                       "the last workstation disconnected: nobody receives alerts from it"))

    # -- the clock ------------------------------------------------------------------------------
    def tick(self) -> None:
        """Send what is due: unanswered act alerts, links stale long enough, links recovered."""
        now = self.clock()
        for alert_id, (alert, due) in list(self.pending.items()):
            if now >= due:
                del self.pending[alert_id]
                minutes = self.unanswered_after / 60.0
                self._send(alert_message("unanswered", alert, self.station, now,
                                         f"act alert UNANSWERED for {minutes:g} min"))
        for watched in self.links:
            self._check_link(watched, now)

    def _check_link(self, watched: _Watched, now: datetime) -> None:
        link = watched.link
        if link.is_stale(watched.limit):
            watched.stale_since = watched.stale_since or now
            stale_for = (now - watched.stale_since).total_seconds()
            if stale_for >= self.stale_after and not watched.reported:
                watched.reported = True
                what = f"STALE for {stale_for / 60:.0f} min"
                what += " (relay upstream)" if watched.kind == "relay" else ""
                self._send(link_message(watched.kind, self.station, link, now, what))
            return
        if watched.reported:
            down = (now - watched.stale_since).total_seconds() / 60.0
            self._send(link_message(watched.kind, self.station, link, now, f"recovered after {down:.0f} min"))
        watched.stale_since, watched.reported = None, False

    def _send(self, message: Message) -> None:
        log.warning("notify: %s", message.title)
        try:
            self.send(message)
        except Exception:  # escalation must never take the dialog or the arbiter down with it
            log.exception("notify: could not queue %r", message.title)


def _seconds(value: float):
    from datetime import timedelta

    return timedelta(seconds=value)


def _withdraws(notice) -> bool:
    return bool(notice.is_retraction or "not_grb" in notice.flags)
