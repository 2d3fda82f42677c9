"""The alert controller: arbiter events -> the one dialog and the alarm; button clicks -> the TCS.

Widgets only hold state and emit signals; this object does the work. TCS calls are Deferreds whose
callbacks update the dialog, the log book and the archive: nothing here blocks or nests an event loop,
and nothing moves the telescope without a human click (the driver then checks the altitude itself).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer

from ..policy import Close, Ignored, Listed, Retract, Show, Update
from .alert_dialog import AlertDialog, AlertInfo
from .history import HistoryRow

__all__ = ["AlertController", "access_of"]

log = logging.getLogger(__name__)


def access_of(driver) -> str:
    """The dialog's button set from the level the TCS granted: ``none``, ``send`` or ``slew``."""
    if driver is None or driver.level is None:
        return "none"
    return "slew" if driver.can_slew else "send" if driver.can_send else "none"


def info_of(alert, unarchived=frozenset()) -> AlertInfo:
    """What the dialog shows for an arbiter ``Alert``: the best position with the latest details.

    ``unarchived``: IVORNs handed on before the archive could take them (the dialog says so)."""
    best = alert.best
    notice = dataclasses.replace(alert.notice, ra=best.ra, dec=best.dec, error_radius=best.error_radius)
    verdict = alert.verdict
    return AlertInfo(
        notice=notice,
        group=alert.group.name,
        kind=alert.group.action,
        verdict=verdict.line if verdict else ("no position" if not best.has_position else ""),
        observable=verdict.observable if verdict else None,
        deadline=alert.deadline.timestamp(),
        not_archived=any(n.ivorn in unarchived for n in alert.history),
    )


class AlertController(QObject):
    """Owns the dialog's life. ``arrival(Arrival)`` is the intake's ``on_arrival``; ``on_event`` the arbiter's."""

    def __init__(self, *, dialog: AlertDialog, alarm, archive=None, logbook=None, driver=None, window=None,
                 clock: Callable[[], datetime] | None = None, tick_ms: int = 1000, parent=None):
        super().__init__(parent)
        self.dialog, self.alarm, self.archive, self.logbook = dialog, alarm, archive, logbook
        self.driver, self.window = driver, window
        self.clock = clock or (lambda: datetime.now(UTC))
        self.arbiter = None  # set by attach(): the arbiter is built with our on_event
        self.alert = None  # the alert on screen (None: calm)
        self.acted = False
        self.reviewing = False  # "offer again" of a notice the arbiter would not show
        self.unarchived: set[str] = set()  # shown while the archive could not take them (intake's hold)
        dialog.chosen.connect(self.choose)
        dialog.region.stepped.connect(self._log)  # "next field": each step in the log book
        self.timer = QTimer(self, interval=tick_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def attach(self, arbiter) -> None:
        self.arbiter = arbiter

    # -- from the streams ---------------------------------------------------------------------
    def arrival(self, arrival) -> None:
        """A new archived notice: list it, then let the arbiter decide whether it reaches the dialog."""
        self._history(HistoryRow.of(arrival.notice, arrival.received))
        if not arrival.archived:
            self.unarchived.add(arrival.notice.ivorn)
        self.arbiter.offer(arrival.notice)

    def archived(self, ivorn: str) -> None:
        """The intake's ``on_archived``: a notice shown before the archive could take it is in it now."""
        self.unarchived.discard(ivorn)
        alert = self.alert
        if alert is not None and not any(n.ivorn in self.unarchived for n in alert.history):
            self.dialog.mark_archived()

    def offer_again(self, ivorn: str) -> None:
        """Reopen the dialog for a past notice: the observer asked, so it is shown whatever its group.

        The arbiter would refuse a notice it has already shown, so the controller shows it itself (the
        dialog on screen is closed first) with its group's buttons and a fresh timeout; any new alert
        the arbiter shows replaces it, as it should.
        """
        record = self.archive.get(ivorn) if self.archive else None
        if record is None:
            log.warning("offer again: %s is not in the archive", ivorn)
            return
        notice = record.notice()
        if self.arbiter.current is not None:
            self.arbiter.close(f"observer reopened {ivorn}")
        now = self.clock()
        alert = _review_alert(self.arbiter, notice, now)
        self._log(f"REOPEN  {alert.title} [{alert.group.name}]: offered again by the observer")
        self._show(Show(now, "", alert))
        self.reviewing = True

    # -- from the arbiter ---------------------------------------------------------------------
    def on_event(self, event) -> None:
        # The log book says what was decided and why for every notice, shown or not (issue: log book).
        self._log(event.log_line, event.when.timestamp())
        handler = {Show: self._show, Update: self._update, Retract: self._retract, Close: self._close,
                   Listed: self._listed, Ignored: self._ignored}.get(type(event))
        if handler is not None:
            handler(event)

    def _show(self, event: Show) -> None:
        alert = event.alert
        if self.alert is not None and alert.replaced is self.alert and not self.acted:
            self._mark(self.alert.notice, "preempted")
        self.alert, self.acted, self.reviewing = alert, False, False
        access = access_of(self.driver) if alert.actionable else "none"
        self.dialog.present(info_of(alert, self.unarchived), access)
        self.alarm.play(alert.group.sound or alert.group.action)
        self._mark(alert.notice, "shown", alert.group)
        if self.window is not None:
            self.window.alerting(alert.title, alert.group.action, alert.notice.ivorn)

    def _update(self, event: Update) -> None:
        self.alert = event.alert
        self.dialog.refine(info_of(event.alert, self.unarchived))
        self._mark(event.alert.notice, "update", event.alert.group)

    def _retract(self, event: Retract) -> None:
        self.dialog.retract(event.reason)
        self.alarm.stop()
        self._mark(event.alert.history[-1], "retraction", event.alert.group)

    def _close(self, event: Close) -> None:
        if self.alert is event.alert:
            if event.reason.startswith("timeout") and not self.acted:
                self._mark(event.alert.notice, "timeout")
            self.alert = None
            self.dialog.dismiss()
            self.alarm.stop()
        if self.window is not None and self.alert is None:
            self.window.idle()

    def _listed(self, event: Listed) -> None:
        self._mark(event.notice, "listed", event.group)

    def _ignored(self, event: Ignored) -> None:
        self._mark(event.notice, "", None, kind="ignore", group_name="ignore")

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
        reason = "closed after the TCS command" if self.acted else {"ack": "acknowledged"}.get(action, "ignored")
        # After a send or slew the history keeps showing that, not the closing click.
        self._record(alert.notice.ivorn, "close" if self.acted else action, reason, mark=not self.acted)
        if self.reviewing:
            self._end_review()
        else:
            self.arbiter.close(f"observer: {reason}")

    def _end_review(self) -> None:
        self.alert, self.reviewing = None, False
        self.dialog.dismiss()
        self.alarm.stop()
        if self.window is not None:
            self.window.idle()

    def _command(self, alert, action: str) -> None:
        if self.driver is None or not alert.actionable:
            return
        best = alert.best
        name = f"{alert.notice.mission or ''} {alert.notice.trigger_id or ''}".strip()
        call = self.driver.send_and_slew if action == "slew" else self.driver.send_coordinates
        self.dialog.set_busy(True)
        self._log(f"ACTION  {alert.title}: observer clicked {action}")
        ra, dec = self.dialog.target() or (best.ra, best.dec)  # a sky map: the field the observer selected
        d = call(ra, dec, 2000.0, name)
        d.addCallback(self._replied, alert, action)
        d.addErrback(self._failed, alert, action)

    def _replied(self, result, alert, action: str) -> None:
        # The record says how it ended ("slew refused by the TCS", "slew failed"), never a bare "slew".
        self._record(alert.notice.ivorn, result.label, result.text())
        if self.alert is not alert:
            return  # the dialog moved on; the reply is in the log book and the archive
        self.dialog.set_busy(False)
        self.dialog.show_reply(result.text(), result.severity)
        if result.ok:
            self.acted = True
            self.dialog.buttons["ignore"].setText("Close")

    def _failed(self, failure, alert, action: str) -> None:
        from tcs_drivers.result import Outcome, TcsResult

        log.error("TCS %s failed: %s", action, failure.getErrorMessage())
        # A driver bug surfaced as an errback (the base class normally turns every failure into a result).
        self._replied(TcsResult(action, Outcome.UNREADABLE, error=failure.getErrorMessage()), alert, action)

    # -- the clock ----------------------------------------------------------------------------
    def tick(self) -> None:
        if self.arbiter is not None:
            self.arbiter.tick()
        if self.reviewing and self.alert is not None and self.clock() >= self.alert.deadline:
            if not self.acted:
                self._mark(self.alert.notice, "timeout")
            self._end_review()
        if self.dialog.isVisible():
            self.dialog.tick()

    # -- records ------------------------------------------------------------------------------
    def _record(self, ivorn: str, action: str, detail: str, mark: bool = True) -> None:
        self._log(f"{action.upper():<7} {ivorn}: {detail}")
        if self.archive is not None:
            try:
                self.archive.record_action(ivorn, action, detail, self.clock().timestamp())
            except Exception as exc:  # the log book still has it; never lose the dialog over this
                log.error("archive: action not recorded: %s", exc)
        if mark:
            self._mark(ivorn, action)

    def _log(self, text: str, when: float | None = None) -> None:
        if self.logbook is not None:
            self.logbook.write(text.replace("\n", " | "), when)

    def problem(self, text: str) -> None:
        """Something the observer must know went wrong (a rejected packet, the archive): log book + window."""
        self._log(f"PROBLEM {text}")
        if self.window is not None:
            self.window.show_problem(text)

    def _history(self, row: HistoryRow) -> None:
        if self.window is not None:
            self.window.add_row(row)

    def _mark(self, notice_or_ivorn, action: str, group=None, kind=None, group_name=None) -> None:
        """Set the history row's action (and group) column."""
        if self.window is None:
            return
        ivorn = getattr(notice_or_ivorn, "ivorn", notice_or_ivorn)
        self.window.history_model.set_action(ivorn, action, group_name or (group.name if group else None),
                                             kind or (group.action if group else None))


def _review_alert(arbiter, notice, now: datetime):
    """An ``Alert`` for a notice offered again: its group now (the default group if it would be ignored)."""
    from datetime import timedelta

    from ..policy import Alert, classify

    cls = classify(notice, arbiter.policy, reach=arbiter.reach)
    group = cls.group if cls.action != "ignore" else arbiter.policy.default_group
    verdict = arbiter.visibility.for_notice(notice, now) if arbiter.visibility else None
    return Alert(0, notice, group, f"offered again ({cls.reason})", now, now + timedelta(seconds=group.timeout),
                 verdict)
