"""One dialog at a time: which notice is shown, updated, retracted, listed, queued, reopened or closed, why.

The arbiter is the only place where that is decided. Notices come in from the intake (``arrive``), the
clock ticks (``tick``), and the UI reports what the observer did and what the TCS answered as facts
(``report``, ``offer_again``); every decision goes out as one ``Event`` to every subscriber (the
controller and its dialog, the journal that writes the log book and the archive). Nothing flows back up.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from ..notice.model import Notice
from ..notice.region import better_position as smaller_region
from .alert import (
    Acted,
    Alert,
    Close,
    Event,
    Fact,
    Ignored,
    Listed,
    Retract,
    Show,
    Update,
    series_keys,
)
from .classify import Classification, classify, describe
from .groups import MODES, VISIBILITY_MODES, Policy
from .visibility import Visibility

__all__ = ["Arbiter", "better_position"]

log = logging.getLogger(__name__)

HISTORY = 200  # alerts remembered so a late notice of the same event is recognised (days of alerts;
# the archive keeps everything). Each holds its raw packets: 1,000 cost ~9 MB of RSS for nothing.
VERDICT_AGE = timedelta(seconds=30)  # the dialog's altitude and Moon distance are recomputed this often
OBSERVER_CLOSES = {"ack": "acknowledged", "ignore": "ignored", "close": "closed after the TCS command"}


def better_position(best: Notice, notice: Notice) -> bool:
    """Is ``notice`` a better position than ``best`` (worth reopening a closed event)? A smaller error
    circle, or a 90 % area at least 10 % smaller where a map or ellipse is involved."""
    if notice.is_retraction or not notice.has_position:
        return False
    if not best.has_position:
        return True
    return smaller_region(notice, best)  # a smaller circle, or a map/ellipse whose 90 % area shrank


def _is_withdrawal(notice: Notice) -> str | None:
    if notice.is_retraction:
        return "retraction"
    if "not_grb" in notice.flags:
        return "not a GRB"
    return None


def _age(seconds: float) -> str:
    return f"{seconds / 86400:.0f} d" if seconds >= 2 * 86400 else f"{seconds / 3600:.1f} h"


class Arbiter:
    """Decide, notice by notice and second by second, what the single alert dialog shows.

    Parameters
    ----------
    policy
        Groups and switches (``policy_from_config``), including the age limits.
    clock
        ``clock() -> datetime`` (timezone-aware UTC); tests pass a fake one.
    visibility
        A ``Visibility`` for the site, or None to skip verdicts.
    mode
        "log" (another event of equal/lower rank is listed; an ``act`` one is also queued) or "queue"
        (every listed event is offered when the dialog closes, if its own timeout has not run out).
    visibility_mode
        "mark" (show the verdict) or "downgrade" (an ``act`` notice not observable tonight is
        treated as the highest ``inform`` group); default ``policy.visibility``.
    on_event
        A first subscriber (see ``subscribe``).
    better
        ``better(best, notice) -> bool``: is ``notice`` a better localisation than ``best``.
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
        better: Callable[[Notice, Notice], bool] = better_position,
    ):
        self.policy = policy
        self.clock = clock
        self.visibility = visibility
        self.mode = mode or policy.mode
        self.visibility_mode = visibility_mode or policy.visibility
        if self.mode not in MODES or self.visibility_mode not in VISIBILITY_MODES:
            raise ValueError(f"mode {self.mode!r} / visibility_mode {self.visibility_mode!r} unknown")
        self.better = better
        self.listeners: list[Callable[[Event], None]] = [on_event] if on_event else []
        self.current: Alert | None = None
        self.queue: list[Alert] = []  # alerts waiting for the dialog, best first
        self.history: collections.deque[Alert] = collections.deque(maxlen=HISTORY)
        self._ids = itertools.count(1)
        self._arriving: tuple[Notice, float, bool] | None = None

    def subscribe(self, callback: Callable[[Event], None]) -> None:
        """``callback(event)`` for every event, in the order subscribed; a failing one is logged."""
        self.listeners.append(callback)

    # -- what comes in ---------------------------------------------------------------------------

    def arrive(self, arrival) -> Event:
        """The intake's ``on_arrival``: a newly archived notice (``Arrival``) to decide about."""
        archived = getattr(arrival, "archived", True)
        return self.offer(arrival.notice, received=arrival.received, archived=archived)

    def offer(self, notice: Notice, received: float | None = None, archived: bool = True) -> Event:
        """Decide what one new notice does; returns the event (also published)."""
        self.tick()
        now = self.clock()
        self._arriving = (notice, now.timestamp() if received is None else received, archived)
        try:
            return self._decide(notice, now)
        finally:
            self._arriving = None

    def tick(self) -> list[Event]:
        """Close the dialog whose timeout has passed (then offer the next waiting alert)."""
        now = self.clock()
        events: list[Event] = []
        while self.current and self.current.expired(now):
            shown = (now - self.current.opened).total_seconds()
            events += self._close(f"timeout after {shown:.0f} s on screen", now)
        current = self.current
        shown = current.sky if current is not None else None
        if shown is not None and now - shown.when >= VERDICT_AGE:
            # "altitude now" must stay true while the dialog is up: a fresh verdict (~0.5 ms), no event;
            # the decision's own verdict (the log line, the downgrade) stays as it was
            current.verdict_now = self._verdict(current.best, now) or shown
        return events

    def close(self, reason: str) -> list[Event]:
        """Close the dialog on screen for ``reason`` (the demo's next round, a shutdown)."""
        if self.current is None:
            return []
        return self._close(reason, self.clock())

    def report(self, alert: Alert, fact: Fact) -> list[Event]:
        """The observer did something or the TCS answered about ``alert``: keep it, publish it.

        ``ack``/``ignore``/``close`` close the dialog if ``alert`` is on screen; a ``send``/``slew``
        the TCS took records where the telescope was sent (a later refinement is compared with it, a
        retraction reopens the dialog).
        """
        now = self.clock()
        alert.facts.append((now, fact))
        if fact.action in ("send", "slew") and fact.ok:
            alert.acted, alert.acted_position = fact.action, fact.position
        detail = fact.detail or OBSERVER_CLOSES.get(fact.action) or fact.record
        line = f"{fact.record.upper():<7} {alert.notice.ivorn}: {detail}"
        events = [self._emit(Acted(when=now, log_line=line, alert=alert, fact=fact))]
        if fact.action in OBSERVER_CLOSES and alert is self.current:
            reason = OBSERVER_CLOSES["close" if alert.acted else fact.action]
            events += self._close(f"observer: {reason}", now)
        return events

    def offer_again(self, notice: Notice, related: Iterable[Notice] = ()) -> Event:
        """The observer asked to see ``notice`` again: its event as the arbiter knows it, on screen now.

        A retracted event comes back retracted (no TCS actions, no countdown). ``related``: other
        notices of the event from the archive, for an event this arbiter has not seen (a restart).
        """
        self.tick()
        now = self.clock()
        alert = self._known(notice)
        if alert is None:
            alert = self._review_alert(notice, related, now)
        alert.closed = None
        alert.deadline = None if alert.retracted else now + timedelta(seconds=alert.group.timeout)
        if alert in self.queue:
            self.queue.remove(alert)
        current = self.current
        why = "offered again by the observer"
        if current is not None and current is not alert:
            return self._preempt(alert, current, now, why, "again")
        return self._show(alert, now, why, "again")

    # -- decisions ------------------------------------------------------------------------------

    def _decide(self, notice: Notice, now: datetime) -> Event:
        current = self.current
        why = current.related(notice) if current else None
        if current and why:
            return self._refine(current, notice, why, now)
        waiting = next(((a, r) for a in self.queue if (r := a.related(notice))), None)
        if waiting:
            return self._refine_waiting(waiting[0], notice, waiting[1], now)
        closed = next(((a, r) for a in reversed(self.history) if a.closed and (r := a.related(notice))), None)
        if closed:
            return self._after_close(closed[0], notice, closed[1], now)
        cls = classify(notice, self.policy, reach=self.reach)
        if cls.action == "ignore":
            return self._ignored(notice, cls.reason, now)
        stale = self._too_old(notice, now)
        if stale:
            return self._listed_only(notice, cls, stale, now)
        return self._present(self._new_alert(notice, cls, now), now, None, "new")

    def _too_old(self, notice: Notice, now: datetime) -> str | None:
        """Why ``notice`` must not ring (a Kafka backlog, an old trigger), or None."""
        limit = self.policy.max_message_age
        created = getattr(notice, "created", None)
        if created is None and self._arriving is not None:
            created = datetime.fromtimestamp(self._arriving[1], UTC)
        if limit and created is not None and (age := (now - created).total_seconds()) > limit:
            return f"old notice, not offered: message {_age(age)} old > max_message_age {_age(limit)}"
        limit = self.policy.max_trigger_age
        if limit and notice.time is not None and (age := (now - notice.time).total_seconds()) > limit:
            return f"old trigger, not offered: {_age(age)} since the trigger > max_trigger_age {_age(limit)}"
        return None

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

    def _review_alert(self, notice: Notice, related: Iterable[Notice], now: datetime) -> Alert:
        """An alert for a notice this arbiter no longer remembers (or never showed)."""
        cls = classify(notice, self.policy, reach=self.reach)
        group = cls.group if cls.action != "ignore" else self.policy.default_group
        alert = Alert(next(self._ids), notice, group, f"offered again ({cls.reason})", now, None,
                      self._verdict(notice, now))
        for other in related:
            if other.ivorn != notice.ivorn and other.ivorn not in {n.ivorn for n in alert.history}:
                alert.history.append(other)
                if _is_withdrawal(other):
                    self._withdraw(alert, other, "same event in the archive")
        self.history.append(alert)
        return alert

    def _known(self, notice: Notice) -> Alert | None:
        for alert in (self.current, *self.queue, *reversed(self.history)):
            if alert is None:
                continue
            if notice.ivorn in {n.ivorn for n in alert.history} or alert.related(notice):
                return alert
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

    def _present(self, alert: Alert, now: datetime, why: str | None, how: str) -> Event:
        """Show ``alert`` if it outranks the dialog on screen, else list (and maybe queue) it."""
        why = why or alert.reason
        current = self.current
        if current is None:
            return self._show(alert, now, why, how)
        if alert.rank() > current.rank():
            return self._preempt(alert, current, now, why, how)
        return self._list(alert, current, now, how)

    def _show(self, alert: Alert, now: datetime, why: str, how: str) -> Event:
        alert.opened = now
        alert.closed = None
        self.current = alert
        if alert not in self.history:
            self.history.append(alert)
        verdict = f"; {alert.verdict.line}" if alert.verdict and how == "new" else ""
        verb = "REOPEN " if how == "again" else "SHOW   "  # the observer's own "Offer again" says so
        line = f"{verb} {alert.title} [{alert.group.name}]: {why}{verdict}"
        # the observer's own "Offer again" needs no alarm; everything else the arbiter shows rings
        return self._emit(Show(when=now, log_line=line, alert=alert, why=how, ring=how != "again"))

    def _preempt(self, alert: Alert, current: Alert, now: datetime, why: str, how: str) -> Event:
        alert.replaced = current
        if self._waits(current):
            self._enqueue(current)
            current.opened = None
        else:
            current.closed = f"replaced by {alert.title}"
        if how == "again":
            return self._show(alert, now, f"{why}, replaces {current.title} [{current.group.name}]", how)
        why = f"{why} ({_compare(alert, '>', current)}), replaces {current.title} [{current.group.name}]"
        return self._show(alert, now, why, how)

    def _waits(self, alert: Alert) -> bool:
        """Does ``alert``, pushed off or kept off the screen, wait to be offered when the dialog closes?

        In "queue" mode every event does; in "log" mode an ``act`` one still does (an act alert must
        never vanish behind another dialog), and so does the retraction of an event acted on.
        """
        if alert.retracted:
            return alert.acted is not None
        if alert.acted:
            return False
        return self.mode == "queue" or alert.action == "act"

    def _list(self, alert: Alert, current: Alert, now: datetime, how: str) -> Event:
        queued = self._waits(alert)
        if queued:
            self._enqueue(alert)
        why = (
            f"not shown, {current.title} [{current.group.name}] is on screen "
            f"({_compare(alert, '<=', current)})" + ("; queued" if queued else "")
        )
        line = f"LIST    {alert.title} [{alert.group.name}]: {why}"
        attention = alert.action == "act" or alert.acted is not None
        return self._emit(Listed(when=now, log_line=line, group=alert.group, reason=why, queued=queued,
                                 alert=alert if queued else None, attention=attention))

    def _listed_only(self, notice: Notice, cls: Classification, why: str, now: datetime) -> Event:
        line = f"LIST    {describe(notice)} [{cls.group.name}]: {why}"
        return self._emit(Listed(when=now, log_line=line, group=cls.group, reason=why))

    def _ignored(self, notice: Notice, reason: str, now: datetime) -> Event:
        return self._emit(Ignored(when=now, log_line=f"IGNORE  {describe(notice)}: {reason}", reason=reason))

    def _withdraw(self, alert: Alert, notice: Notice, why: str) -> str:
        """Mark ``alert`` retracted by ``notice``: no actions, no countdown any more."""
        alert.retracted = True
        alert.retraction = f"{_is_withdrawal(notice)}: {describe(notice)} ({why})"
        alert.deadline = None
        alert.changed = frozenset()
        return alert.retraction

    def _take(self, alert: Alert, notice: Notice, now: datetime) -> frozenset[str]:
        """Add a refining ``notice`` to ``alert``; returns the dialog rows whose values changed."""
        before, verdict = alert.shown_fields(), alert.verdict
        alert.history.append(notice)
        alert.notice = notice
        alert.keys |= series_keys(notice)
        cls = classify(notice, self.policy, reach=self.reach)
        if cls.action != "ignore" and cls.group.priority > alert.group.priority and not alert.downgraded:
            alert.group, alert.reason = cls.group, cls.reason
        if self.policy.refine_extends and alert.deadline is not None:
            alert.deadline = max(alert.deadline, now + timedelta(seconds=alert.group.timeout))
        after = alert.shown_fields()
        changed = {k for k in after if after[k] != before[k]}
        if self.visibility and {"ra", "dec"} & changed:
            alert.verdict = self._verdict(alert.best, now)
            if _status(alert.verdict) != _status(verdict):
                changed.add("visibility")  # only a new verdict, never the time that passed
        alert.changed = frozenset(changed)
        return alert.changed

    def _refine(self, alert: Alert, notice: Notice, why: str, now: datetime) -> Event:
        withdrawal = _is_withdrawal(notice)
        if withdrawal:
            alert.history.append(notice)
            reason = self._withdraw(alert, notice, why)
            did = "slewed to" if alert.acted == "slew" else "sent"
            acted = f"; the observer had {did} it" if alert.acted else ""
            line = f"RETRACT {alert.title} [{alert.group.name}]: {reason}; actions withdrawn{acted}"
            ring = bool(alert.acted)  # the observer acted on it: they must hear it
            return self._emit(Retract(when=now, log_line=line, alert=alert, reason=reason, ring=ring))
        cls = classify(notice, self.policy, reach=self.reach)
        if cls.action == "ignore":
            return self._ignored(notice, f"{cls.reason} ({why}, dialog unchanged)", now)
        changed = self._take(alert, notice, now)
        text = ", ".join(sorted(changed)) or "nothing"
        line = f"UPDATE  {alert.title} [{alert.group.name}]: {why}; changed {text}"
        return self._emit(Update(when=now, log_line=line, alert=alert, changed=changed))

    def _refine_waiting(self, alert: Alert, notice: Notice, why: str, now: datetime) -> Event:
        """A notice about a queued event: keep the queue entry current (or drop it if withdrawn)."""
        withdrawal = _is_withdrawal(notice)
        if withdrawal:
            alert.history.append(notice)
            self.queue.remove(alert)
            self._withdraw(alert, notice, why)
            alert.closed = "retracted while waiting"
            reason = f"{withdrawal} of queued {alert.title} ({why}); removed from the queue"
            return self._ignored(notice, reason, now)
        reason = f"refines queued {alert.title} ({why})"
        self._take(alert, notice, now)
        line = f"LIST    {describe(notice)} [{alert.group.name}]: {reason}"
        return self._emit(Listed(when=now, log_line=line, group=alert.group, reason=reason, queued=True,
                                 alert=alert, attention=alert.action == "act"))

    def _after_close(self, alert: Alert, notice: Notice, why: str, now: datetime) -> Event:
        """A notice about an event shown and closed: a retraction of what was acted on, a better position
        or nothing new."""
        withdrawal = _is_withdrawal(notice)
        if withdrawal:
            alert.history.append(notice)
            was = alert.closed
            reason = self._withdraw(alert, notice, why)
            if alert.acted:
                did = "slewed to" if alert.acted == "slew" else "sent"
                alert.since = now
                return self._present(alert, now, f"{reason}; the observer had {did} it", "retracted")
            # not acted on: the list says so, nobody is woken
            reason = f"{withdrawal} of closed {alert.title} ({why}; it was {was})"
            line = f"LIST    {describe(notice)} [{alert.group.name}]: {reason}"
            return self._emit(Listed(when=now, log_line=line, group=alert.group, reason=reason))
        if alert.retracted or not self.better(alert.best, notice):
            alert.history.append(notice)
            state = "it was retracted" if alert.retracted else "no better position"
            reason = f"already shown as {alert.title} ({why}; {alert.closed}), {state}"
            return self._ignored(notice, reason, now)
        cls = classify(notice, self.policy, reach=self.reach)
        if cls.action == "ignore":
            alert.history.append(notice)
            return self._ignored(notice, f"{cls.reason} ({why}, closed {alert.title} unchanged)", now)
        stale = self._too_old(notice, now)
        if stale:
            alert.history.append(notice)
            return self._listed_only(notice, cls, stale, now)
        self._take(alert, notice, now)
        alert.deadline, alert.since = now + timedelta(seconds=alert.group.timeout), now
        sent = f"; the telescope is on the previous position ({alert.acted})" if alert.acted else ""
        return self._present(alert, now, f"better position ({why}){sent}", "refined")

    def _enqueue(self, alert: Alert) -> None:
        if alert not in self.queue:
            self.queue.append(alert)
        # best rank first, then first come
        self.queue.sort(key=lambda a: (tuple(-r for r in a.rank()), a.since))

    def _close(self, reason: str, now: datetime) -> list[Event]:
        alert, self.current = self.current, None
        alert.closed = reason
        line = f"CLOSE   {alert.title} [{alert.group.name}]: {reason}"
        events = [self._emit(Close(when=now, log_line=line, alert=alert, reason=reason))]
        while self.queue:
            waiting = self.queue.pop(0)
            if not waiting.expired(now):
                left = waiting.remaining(now)
                why = "from the queue" + (f", {left:.0f} s of its timeout left" if left is not None else "")
                events.append(self._show(waiting, now, why, "queue"))
                break
            waiting.closed = "timed out while waiting"
            log.info("EXPIRE  %s [%s]: timed out while queued", waiting.title, waiting.group.name)
        return events

    def _emit(self, event: Event) -> Event:
        if self._arriving is not None and event.decision:
            # the one decision about the notice now arriving carries it (subscribers list and record it)
            notice, received, archived = self._arriving
            event = dataclasses.replace(event, notice=notice, received=received, archived=archived)
            self._arriving = None
        log.info("%s", event.log_line)
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:  # a broken GUI slot must not stop the arbiter deciding
                log.exception("on_event failed for %s", event.kind)
        return event


def _compare(a: Alert, op: str, b: Alert) -> str:
    """``priority 30 > 20``; with a test or retracted alert in the comparison, what made the difference."""
    if a.is_test == b.is_test and not (a.retracted or b.retracted):
        return f"priority {a.group.priority} {op} {b.group.priority}"

    def what(alert: Alert) -> str:
        if alert.retracted:
            return "retracted"
        return f"{'test' if alert.is_test else 'real'}, priority {alert.group.priority}"

    return f"{what(a)} {op} {what(b)}"


def _status(verdict) -> tuple | None:
    return None if verdict is None else (verdict.observable, verdict.tonight)
