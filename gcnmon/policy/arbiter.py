"""One dialog at a time: which notice is shown, updated, retracted, listed, queued or closed, and why."""

from __future__ import annotations

import collections
import itertools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from ..notice.model import Notice
from .alert import Alert, Close, Event, Ignored, Listed, Retract, Show, Update, series_keys
from .classify import Classification, classify, describe
from .groups import MODES, VISIBILITY_MODES, Policy
from .visibility import Visibility

__all__ = ["Arbiter"]

log = logging.getLogger(__name__)

HISTORY = 200  # closed alerts remembered so a late notice of the same event is recognised (days of alerts;
# the archive keeps everything). Each holds its raw packets: 1,000 cost ~9 MB of RSS for nothing.


def _improves(alert: Alert, notice: Notice) -> bool:
    """Is ``notice`` a better position than the best one ``alert`` showed (worth a new dialog)?"""
    if _is_withdrawal(notice) or not notice.has_position:
        return False
    best = alert.best
    if not best.has_position:
        return True
    return (notice.error_radius or float("inf")) < (best.error_radius or float("inf"))


def _is_withdrawal(notice: Notice) -> str | None:
    if notice.is_retraction:
        return "retraction"
    if "not_grb" in notice.flags:
        return "not a GRB"
    return None


class Arbiter:
    """Decide, notice by notice and second by second, what the single alert dialog shows.

    Parameters
    ----------
    policy
        Groups and switches (``policy_from_config``).
    clock
        ``clock() -> datetime`` (timezone-aware UTC); tests pass a fake one.
    visibility
        A ``Visibility`` for the site, or None to skip verdicts.
    mode
        "log" (another event of equal/lower priority is listed) or "queue" (also offered when the
        dialog closes, if its own timeout has not run out); default ``policy.mode``.
    visibility_mode
        "mark" (show the verdict) or "downgrade" (an ``act`` notice not observable tonight is
        treated as the highest ``inform`` group); default ``policy.visibility``.
    on_event
        Called with every ``Event`` (``Show``, ``Update``, ``Retract``, ``Close``, ``Listed``,
        ``Ignored``); each is also logged at INFO as its ``log_line``.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        clock: Callable[[], datetime],
        visibility: Visibility | None = None,
        mode: str | None = None,
        visibility_mode: str | None = None,
        on_event: Callable[[Event], None] | None = None,
    ):
        self.policy = policy
        self.clock = clock
        self.visibility = visibility
        self.mode = mode or policy.mode
        self.visibility_mode = visibility_mode or policy.visibility
        if self.mode not in MODES or self.visibility_mode not in VISIBILITY_MODES:
            raise ValueError(f"mode {self.mode!r} / visibility_mode {self.visibility_mode!r} unknown")
        self.on_event = on_event
        self.current: Alert | None = None
        self.queue: list[Alert] = []  # waiting alerts ("queue" mode), best first
        self.history: collections.deque[Alert] = collections.deque(maxlen=HISTORY)
        self._ids = itertools.count(1)

    # -- the three calls the GUI makes ---------------------------------------------------------

    def offer(self, notice: Notice) -> Event:
        """Decide what one new notice does; returns the event (also passed to ``on_event``)."""
        self.tick()
        now = self.clock()
        current = self.current
        why = current.related(notice) if current else None
        if current and why:
            return self._refine(current, notice, why, now)
        waiting = next(((a, r) for a in self.queue if (r := a.related(notice))), None)
        if waiting:
            return self._refine_waiting(waiting[0], notice, waiting[1], now)
        closed = next(((a, r) for a in reversed(self.history) if a.closed and (r := a.related(notice))), None)
        if closed and not _improves(closed[0], notice):
            return self._after_close(closed[0], notice, closed[1], now)
        cls = classify(notice, self.policy, reach=self.reach)
        if cls.action == "ignore":
            return self._emit(Ignored(now, f"IGNORE  {describe(notice)}: {cls.reason}", notice, cls.reason))
        alert = self._new_alert(notice, cls, now)
        if current is None:
            return self._show(alert, now, alert.reason)
        if alert.group.priority > current.group.priority:
            return self._preempt(alert, current, now)
        return self._list(alert, current, now)

    def tick(self) -> list[Event]:
        """Close the dialog whose timeout has passed (then, in "queue" mode, offer the next one)."""
        now = self.clock()
        events: list[Event] = []
        while self.current and now >= self.current.deadline:
            shown = (now - self.current.opened).total_seconds()
            events += self._close(f"timeout after {shown:.0f} s on screen", now)
        return events

    def close(self, reason: str) -> list[Event]:
        """The observer acknowledged, ignored or acted on the dialog (``reason`` says which)."""
        if self.current is None:
            return []
        return self._close(reason, self.clock())

    # -- decisions ------------------------------------------------------------------------------

    def _new_alert(self, notice: Notice, cls: Classification, now: datetime) -> Alert:
        group, reason = cls.group, cls.reason
        verdict = self._verdict(notice, now)
        downgraded = False
        inform = self.policy.inform_group
        if (
            self.visibility_mode == "downgrade"
            and group.action == "act"
            and verdict is not None
            and not verdict.tonight
            and inform is not None
        ):
            group, downgraded = inform, True
            reason = f"{reason}; downgraded to {inform.name}: not observable tonight"
        deadline = now + timedelta(seconds=group.timeout)
        return Alert(next(self._ids), notice, group, reason, now, deadline, verdict, downgraded)

    def reach(self, notice: Notice) -> float | None:
        """Probability of ``notice``'s localisation above the zenith limit now (rules' ``min_prob_up``)."""
        if self.visibility is None or notice.region is None:
            return None
        from ..coverage import prob_above

        try:
            return prob_above(notice.region, self.visibility.site, self.clock())
        except Exception as exc:  # a rule's number, not the alert: logged, the rule does not match
            log.warning("no probability above the limit for %s: %s", describe(notice), exc)
            return None

    def _verdict(self, notice: Notice, now: datetime):
        """The visibility verdict, or None (no site, no position, or a failure: logged, not raised)."""
        if self.visibility is None:
            return None
        try:
            return self.visibility.for_notice(notice, now)
        except Exception as exc:  # a bad coordinate must not cost the observer the alert itself
            log.warning("no visibility verdict for %s: %s", describe(notice), exc)
            return None

    def _show(self, alert: Alert, now: datetime, why: str) -> Event:
        alert.opened = alert.opened or now
        self.current = alert
        self.history.append(alert)
        verdict = f"; {alert.verdict.line}" if alert.verdict else ""
        line = f"SHOW    {alert.title} [{alert.group.name}]: {why}{verdict}"
        return self._emit(Show(now, line, alert))

    def _preempt(self, alert: Alert, current: Alert, now: datetime) -> Event:
        alert.replaced = current
        if self.mode == "queue" and not current.retracted:
            self._enqueue(current)
        else:
            current.closed = f"replaced by {alert.title}"
        why = (
            f"{alert.reason} (priority {alert.group.priority} > {current.group.priority}), "
            f"replaces {current.title} [{current.group.name}]"
        )
        return self._show(alert, now, why)

    def _list(self, alert: Alert, current: Alert, now: datetime) -> Event:
        queued = self.mode == "queue"
        if queued:
            self._enqueue(alert)
        why = (
            f"not shown, {current.title} [{current.group.name}] is on screen "
            f"(priority {alert.group.priority} <= {current.group.priority})" + ("; queued" if queued else "")
        )
        line = f"LIST    {alert.title} [{alert.group.name}]: {why}"
        return self._emit(Listed(now, line, alert.notice, alert.group, why, queued))

    def _refine(self, alert: Alert, notice: Notice, why: str, now: datetime) -> Event:
        withdrawal = _is_withdrawal(notice)
        if withdrawal:
            alert.history.append(notice)
            alert.retracted = True
            alert.retraction = f"{withdrawal}: {describe(notice)} ({why})"
            line = f"RETRACT {alert.title} [{alert.group.name}]: {alert.retraction}; actions withdrawn"
            return self._emit(Retract(now, line, alert, alert.retraction))
        cls = classify(notice, self.policy, reach=self.reach)
        if cls.action == "ignore":
            reason = f"{cls.reason} ({why}, dialog unchanged)"
            return self._emit(Ignored(now, f"IGNORE  {describe(notice)}: {reason}", notice, reason))
        before = alert.shown_fields()
        alert.history.append(notice)
        alert.notice = notice
        alert.keys |= series_keys(notice)
        if cls.group.priority > alert.group.priority and not alert.downgraded:
            alert.group, alert.reason = cls.group, cls.reason
        if self.policy.refine_extends:
            alert.deadline = max(alert.deadline, now + timedelta(seconds=alert.group.timeout))
        after = alert.shown_fields()
        alert.changed = frozenset(k for k in after if after[k] != before[k])
        if self.visibility and {"ra", "dec"} & alert.changed:
            alert.verdict = self._verdict(alert.best, now)
        changed = ", ".join(sorted(alert.changed)) or "nothing"
        line = f"UPDATE  {alert.title} [{alert.group.name}]: {why}; changed {changed}"
        return self._emit(Update(now, line, alert, alert.changed))

    def _refine_waiting(self, alert: Alert, notice: Notice, why: str, now: datetime) -> Event:
        """A notice about a queued event: keep the queue entry current (or drop it if withdrawn)."""
        alert.history.append(notice)
        withdrawal = _is_withdrawal(notice)
        if withdrawal:
            self.queue.remove(alert)
            reason = f"{withdrawal} of queued {alert.title} ({why}); removed from the queue"
            return self._emit(Ignored(now, f"IGNORE  {describe(notice)}: {reason}", notice, reason))
        reason = f"refines queued {alert.title} ({why})"
        alert.notice = notice
        alert.keys |= series_keys(notice)
        if self.policy.refine_extends:
            alert.deadline = max(alert.deadline, now + timedelta(seconds=alert.group.timeout))
        line = f"LIST    {describe(notice)} [{alert.group.name}]: {reason}"
        return self._emit(Listed(now, line, notice, alert.group, reason, True))

    def _after_close(self, alert: Alert, notice: Notice, why: str, now: datetime) -> Event:
        """A notice about an event already shown and closed that brings no better position."""
        alert.history.append(notice)
        withdrawal = _is_withdrawal(notice)
        if withdrawal:
            # the observer may have acted on it: this belongs in the list, not only the log
            reason = f"{withdrawal} of closed {alert.title} ({why}; it was {alert.closed})"
            line = f"LIST    {describe(notice)} [{alert.group.name}]: {reason}"
            return self._emit(Listed(now, line, notice, alert.group, reason))
        reason = f"already shown as {alert.title} ({why}; {alert.closed}), no better position"
        return self._emit(Ignored(now, f"IGNORE  {describe(notice)}: {reason}", notice, reason))

    def _enqueue(self, alert: Alert) -> None:
        self.queue.append(alert)
        # highest priority first, then first come
        self.queue.sort(key=lambda a: (-a.group.priority, a.received))

    def _close(self, reason: str, now: datetime) -> list[Event]:
        alert, self.current = self.current, None
        alert.closed = reason
        line = f"CLOSE   {alert.title} [{alert.group.name}]: {reason}"
        events = [self._emit(Close(now, line, alert, reason))]
        while self.queue:
            waiting = self.queue.pop(0)
            if waiting.deadline > now:
                left = waiting.remaining(now)
                events.append(self._show(waiting, now, f"from the queue, {left:.0f} s of its timeout left"))
                break
            log.info("EXPIRE  %s [%s]: timed out while queued", waiting.title, waiting.group.name)
        return events

    def _emit(self, event: Event) -> Event:
        log.info("%s", event.log_line)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # a broken GUI slot must not stop the arbiter deciding
                log.exception("on_event failed for %s", event.kind)
        return event
