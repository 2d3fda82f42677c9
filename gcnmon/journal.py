"""The arbiter's events written down: one log-book line each, and in the archive every notice's decision,
every observer action and every TCS reply (what ``gcnmon history`` shows the morning after).

A subscriber of the arbiter (``arbiter.subscribe(journal.on_event)``); no Qt, no decisions of its own.
"""

from __future__ import annotations

import logging

from .archive import ArchiveError
from .policy import Acted, Close, Event

__all__ = ["Journal", "DECISIONS"]

log = logging.getLogger(__name__)

#: The archive's action names for the arbiter's decisions (observer actions and TCS replies are the
#: other rows: ack, ignore, close, send/slew outcomes).
DECISIONS = ("shown", "update", "retraction", "listed", "ignored", "timeout")


class Journal:
    """``on_event(event)``: the log-book line, then the archive row (a failure is logged, never raised)."""

    def __init__(self, archive=None, logbook=None):
        self.archive, self.logbook = archive, logbook

    def on_event(self, event: Event) -> None:
        if self.logbook is not None:
            self.logbook.write(event.log_line.replace("\n", " | "), event.when.timestamp())
        row = self._row(event)
        if row is not None and self.archive is not None:
            try:
                self.archive.record_action(*row, when=event.when.timestamp())
            except ArchiveError as exc:  # the log book has it; the dialog must not suffer for it
                log.error("archive: %s of %s not recorded: %s", row[1], row[0], exc)

    @staticmethod
    def _row(event: Event) -> tuple[str, str, str] | None:
        """(ivorn, action, detail) for the archive, or None."""
        if event.notice is not None:  # the decision about an arriving notice, as its log-book line says it
            return event.notice.ivorn, event.decision, event.log_line
        if isinstance(event, Acted):
            fact = event.fact
            return event.alert.notice.ivorn, fact.record, fact.detail or fact.record
        if isinstance(event, Close) and event.reason.startswith("timeout") and not event.alert.acted:
            return event.alert.notice.ivorn, "timeout", event.reason
        return None
