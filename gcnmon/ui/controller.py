"""The alert controller: the arbiter's events -> the one dialog, the alarm and the window; clicks -> facts.

It subscribes to the arbiter and only shows what the arbiter decided. What the observer does and what
the TCS answers go back down as facts (``arbiter.report``), never as a decision of its own: the arbiter
owns every reopening, every retraction and every event's state. TCS calls are Deferreds whose callbacks
report the outcome; nothing here blocks or nests an event loop, and nothing moves the telescope
without a human click (the driver then checks the altitude itself).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer

from ..policy import DIALOG_FIELDS, Acted, Close, Fact, Ignored, Listed, Retract, Show, Update
from .alert_dialog import AlertDialog, AlertInfo
from .history import HistoryRow
from .tcs_panel import access_of

__all__ = ["AlertController", "access_of"]

log = logging.getLogger(__name__)

TCS_ACTIONS = ("send", "slew", "stop")


def info_of(alert, why: str = "", unarchived=frozenset()) -> AlertInfo:
    """What the dialog shows for an arbiter ``Alert``: the best position with the latest details.

    ``unarchived``: IVORNs handed on before the archive could take them (the dialog says so)."""
    best, verdict = alert.best, alert.sky
    notice = dataclasses.replace(alert.notice, ra=best.ra, dec=best.dec, error_radius=best.error_radius)
    return AlertInfo(
        notice=notice,
        group=alert.group.name,
        kind=alert.group.action,
        verdict=verdict.line if verdict else ("no position" if not best.has_position else ""),
        observable=verdict.observable if verdict else None,
        deadline=alert.deadline.timestamp() if alert.deadline else None,
        not_archived=any(n.ivorn in unarchived for n in alert.history),
        changed=frozenset(DIALOG_FIELDS[k] for k in alert.changed if k in DIALOG_FIELDS),
        retracted=alert.retraction if alert.retracted else None,
        acted=alert.acted,
        acted_position=alert.acted_position,
        why=why,
        alt=verdict.alt if verdict else None,
        airmass=verdict.airmass if verdict else None,
        moon=verdict.moon_separation if verdict else None,
    )


class AlertController(QObject):
    """Owns the dialog's life; ``on_event`` is the arbiter's subscriber, ``offer_again`` the window's slot."""

    def __init__(self, *, dialog: AlertDialog, alarm, arbiter, archive=None, logbook=None, driver=None,
                 window=None, clock: Callable[[], datetime] | None = None, tick_ms: int = 1000, parent=None):
        super().__init__(parent)
        self.dialog, self.alarm, self.arbiter = dialog, alarm, arbiter
        self.archive, self.logbook, self.driver, self.window = archive, logbook, driver, window
        self.clock = clock or (lambda: datetime.now(UTC))
        self.alert = None  # the alert on screen (None: calm)
        self.unarchived: set[str] = set()  # shown while the archive could not take them (intake's hold)
        arbiter.subscribe(self.on_event)
        dialog.chosen.connect(self.choose)
        dialog.region.stepped.connect(self._log)  # "next field": each step in the log book
        self.timer = QTimer(self, interval=tick_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def archived(self, ivorn: str) -> None:
        """The intake's ``on_archived``: a notice shown before the archive could take it is in it now."""
        self.unarchived.discard(ivorn)
        alert = self.alert
        if alert is not None and not any(n.ivorn in self.unarchived for n in alert.history):
            self.dialog.mark_archived()

    # -- from the observer (the window) ---------------------------------------------------------
    def offer_again(self, ivorn: str) -> None:
        """"Offer again": the arbiter reopens the event as it knows it (retracted stays retracted)."""
        record = self.archive.get(ivorn) if self.archive else None
        if record is None:
            log.warning("offer again: %s is not in the archive", ivorn)
            return
        notice = record.notice()
        self.arbiter.offer_again(notice, self._related(notice))

    def _related(self, notice) -> list:
        """The archive's other notices of the same event (the arbiter may not remember it: a restart)."""
        if self.archive is None or not notice.trigger_id or notice.event_key is None:
            return []
        try:
            records = self.archive.recent(200, search=notice.trigger_id)
            notices = (r._from_fields() for r in reversed(records))  # columns only: no re-parsing
            return [n for n in notices if n.event_key == notice.event_key]
        except Exception as exc:  # only context for the reopened dialog: never lose the dialog over it
            log.warning("offer again: related notices of %s not read: %s", notice.ivorn, exc)
            return []

    # -- from the arbiter ---------------------------------------------------------------------
    def on_event(self, event) -> None:
        if event.notice is not None:
            self._arrived(event)
        handler = {Show: self._show, Update: self._update, Retract: self._retract, Close: self._close,
                   Acted: self._acted, Listed: self._listed}.get(type(event))
        if handler is not None:
            handler(event)

    def _arrived(self, event) -> None:
        """Every new notice gets its history row, with the arbiter's decision about it."""
        if not event.archived:
            self.unarchived.add(event.notice.ivorn)
        if self.window is None:
            return
        group = getattr(event, "group", None) or getattr(getattr(event, "alert", None), "group", None)
        if isinstance(event, Ignored) or group is None:
            name, kind, action = "ignore", "ignore", ""
        else:
            name, kind = group.name, group.action
            action = "queued" if getattr(event, "queued", False) else event.decision
        row = HistoryRow.of(event.notice, event.received, name, kind, action)
        if getattr(event, "attention", False):
            row = row.flagged()
        self.window.add_row(row)

    def _show(self, event: Show) -> None:
        alert = event.alert
        previous = self.alert
        if previous is not None and alert.replaced is previous and not previous.acted:
            self._mark(previous.notice, "preempted")
        self.alert = alert
        self.dialog.present(self._info(alert, event.why), self._access(alert))
        if event.ring:
            self.alarm.play(alert.group.sound or alert.group.action)
        if event.notice is None:  # shown from the queue or reopened: its row says so now
            self._mark(alert.notice, "retraction shown" if alert.retracted else "shown", alert.group)
        if self.window is not None:
            for notice in alert.history:
                self.window.history_model.set_attention(notice.ivorn, False)  # seen now
            self.window.alerting(alert.title, "retracted" if alert.retracted else alert.group.action,
                                 alert.notice.ivorn)

    def _update(self, event: Update) -> None:
        self.dialog.refine(self._info(event.alert))

    def _retract(self, event: Retract) -> None:
        alert = event.alert
        self.dialog.refine(self._info(alert, "retracted"))
        self.dialog.set_access("none")
        if event.ring:  # the observer acted on it: they must hear it, not only see a line
            self.alarm.play(alert.group.sound or alert.group.action)
            self.dialog.bring_up()
        else:
            self.alarm.stop()
        if self.window is not None:
            self.window.alerting(alert.title, "retracted", alert.notice.ivorn)

    def _close(self, event: Close) -> None:
        if event.reason.startswith("timeout") and not event.alert.acted:
            self._mark(event.alert.notice, "timeout")
        if self.alert is event.alert:
            self.alert = None
            self.dialog.dismiss()
            self.alarm.stop()
        if self.window is not None and self.alert is None:
            self.window.idle()

    def _listed(self, event: Listed) -> None:
        if event.notice is None and event.alert is not None:  # a reopening that has to wait
            self._mark(event.alert.notice, "queued", event.group)

    def _acted(self, event: Acted) -> None:
        fact, alert = event.fact, event.alert
        if fact.action != "close":  # after a send or slew the history keeps showing that, not the click
            self._mark(alert.notice, fact.record)
        if fact.action not in TCS_ACTIONS or self.alert is not alert:
            return  # the dialog moved on; the reply is in the log book and the archive
        self.dialog.set_busy(False)
        self.dialog.show_reply(fact.detail, fact.severity)
        if fact.ok:
            self.dialog.buttons["ignore"].setText("Close")

    # -- from the dialog ----------------------------------------------------------------------
    def choose(self, action: str) -> None:
        """A button: ``ack``/``ignore`` close the dialog; ``send``/``slew`` go to the TCS first."""
        alert = self.alert
        if alert is None:
            self.dialog.dismiss()
            return
        if action in ("send", "slew"):
            self._command(alert, action)
            return
        self.arbiter.report(alert, Fact("close" if alert.acted else action))

    def _info(self, alert, why: str = ""):
        return info_of(alert, why, self.unarchived)

    def _access(self, alert) -> str:
        return access_of(self.driver) if alert.actionable else "none"

    def _command(self, alert, action: str) -> None:
        if self.driver is None or not alert.actionable:
            return
        best = alert.best
        name = f"{alert.notice.mission or ''} {alert.notice.trigger_id or ''}".strip()
        call = self.driver.send_and_slew if action == "slew" else self.driver.send_coordinates
        self.dialog.set_busy(True)
        self._log(f"ACTION  {alert.title}: observer clicked {action}")
        target = self.dialog.target()  # a sky map: the field the observer selected
        ra, dec = target or (best.ra, best.dec)
        position = (ra, dec, None if target else best.error_radius)  # where the telescope will be
        d = call(ra, dec, 2000.0, name)
        d.addCallback(self._replied, alert, action, position)
        d.addErrback(self._failed, alert, action, position)

    def _replied(self, result, alert, action: str, position) -> None:
        # The record says how it ended ("slew refused by the TCS", "slew failed"), never a bare "slew".
        fact = Fact(action, result.ok, result.label, result.text(), position, result.severity, result)
        self.arbiter.report(alert, fact)

    def stopped(self, result) -> None:
        """The dialog's Stop went to the TCS (ui.tcs_panel): a fact about the alert on screen."""
        if self.alert is None:
            self._log(f"STOP    {result.summary}")
            return
        self.arbiter.report(self.alert, Fact("stop", result.ok, result.label, result.text(), None,
                                             result.severity, result))

    def _failed(self, failure, alert, action: str, position) -> None:
        from tcs_drivers.result import Outcome, TcsResult

        log.error("TCS %s failed: %s", action, failure.getErrorMessage())
        # A driver bug surfaced as an errback (the base class normally turns every failure into a result).
        self._replied(TcsResult(action, Outcome.UNREADABLE, error=failure.getErrorMessage()), alert, action,
                      position)

    # -- the clock ----------------------------------------------------------------------------
    def tick(self) -> None:
        self.arbiter.tick()
        if self.dialog.isVisible():
            self.dialog.tick(self._info(self.alert) if self.alert is not None else None)
        if self.window is not None:
            self.window.tick()

    # -- records ------------------------------------------------------------------------------
    def _log(self, text: str, when: float | None = None) -> None:
        if self.logbook is not None:
            self.logbook.write(text.replace("\n", " | "), when)

    def problem(self, text: str) -> None:
        """Something the observer must know went wrong (a rejected packet, the archive): log book + window."""
        self._log(f"PROBLEM {text}")
        if self.window is not None:
            self.window.show_problem(text)

    def _mark(self, notice_or_ivorn, action: str, group=None) -> None:
        """Set the history row's action (and group) column."""
        if self.window is None:
            return
        ivorn = getattr(notice_or_ivorn, "ivorn", notice_or_ivorn)
        self.window.history_model.set_action(ivorn, action, group.name if group else None,
                                             group.action if group else None)
