"""The intake pipeline every source feeds: parse, archive, drop duplicates, log-book line, hand on.

Sources (the VTP subscriber, the Kafka consumer, the relay) call ``Intake.receive(data, source)`` on
the reactor thread and acknowledge the packet only if it returns without raising: ``NoticeError``
means the packet is unreadable but kept in the archive's rejects (NAK it, or skip it: nothing is lost);
``ArchiveError`` means the archive could not take it (do NOT acknowledge: the sender keeps it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from .archive import Archive, ArchiveError
from .logbook import LogBook
from .notice.model import Notice, NoticeError

__all__ = ["Intake", "Arrival"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Arrival:
    """A new notice with where and when it arrived (``received``: Unix seconds) and its archive row."""

    notice: Notice
    source: str
    received: float
    row_id: int


class Intake:
    """``receive(data, source)``: the ``on_packet`` callback every stream source is given.

    Exactly once: a notice is handed on only if its IVORN is new to the archive, or was archived
    but never marked handled (the process died in between and the sender re-delivered it).

    Parameters
    ----------
    archive : Archive
        Where every packet goes first; a notice counts as received only once it is archived.
    on_notice : callable, optional
        ``on_notice(notice)`` for each NEW notice (never for duplicates): the app's policy and alerts.
    on_arrival : callable, optional
        ``on_arrival(Arrival)``: the same, with source and arrival time (``gcnmon listen`` prints these).
    logbook : LogBook, optional
        Gets one line per new notice; test notices only with ``log_tests``.
    clock : callable
        Arrival time source (Unix seconds); tests inject their own.
    on_problem : callable, optional
        ``on_problem(text)``: one line for the observer when a packet is rejected as unreadable or the
        archive cannot be written (the GUI's status bar and log book; the log has it too).
    """

    def __init__(
        self,
        archive: Archive,
        *,
        on_notice: Callable[[Notice], None] | None = None,
        on_arrival: Callable[[Arrival], None] | None = None,
        logbook: LogBook | None = None,
        clock: Callable[[], float] = time.time,
        log_tests: bool = False,
        on_problem: Callable[[str], None] | None = None,
    ):
        from .notice import parse  # the parser pulls in lxml and friends: only when a pipeline is built

        self._parse = parse
        self.archive = archive
        self.on_notice = on_notice
        self.on_arrival = on_arrival
        self.logbook = logbook
        self.clock = clock
        self.log_tests = log_tests
        self.on_problem = on_problem

    def receive(self, data: bytes, source: str) -> Notice | None:
        """Take one packet; return the notice if it is new (handed on), None for a duplicate.

        Raises ``NoticeError`` for an unreadable packet (after archiving it as a reject) and
        ``ArchiveError`` when the archive cannot be written (then nothing was kept: do not acknowledge).
        """
        received = self.clock()
        try:
            notice = self._parse(data)
        except NoticeError as exc:
            row = self._archived(self.archive.store_reject, data, source, received, str(exc))
            log.warning("rejected packet from %s (kept as reject #%d): %s", source, row, exc)
            self._problem(f"unreadable packet from {source} (kept as reject #{row}): {exc}")
            raise
        result = self._archived(self.archive.store, notice, source, received)
        if not result.fresh:
            log.info("duplicate %s from %s (seen %d extra times)", notice.ivorn, source, result.duplicates)
            return None
        if self.logbook is not None and (self.log_tests or not notice.is_test):
            self.logbook.write_notice(notice, received)
        log.info("%s notice %s from %s", "new" if result.new else "unhandled", notice.ivorn, source)
        self._hand_on(notice, Arrival(notice, source, received, result.row_id))
        self._mark_handled(result.row_id)
        return notice

    def _archived(self, store, *args):
        try:
            return store(*args)
        except ArchiveError as exc:
            self._problem(f"ARCHIVE FAILED, packet from {args[1]} not acknowledged: {exc}")
            raise

    def _problem(self, text: str) -> None:
        if self.on_problem is not None:
            try:
                self.on_problem(text)
            except Exception:
                log.exception("on_problem failed")

    def _mark_handled(self, row_id: int) -> None:
        try:
            self.archive.mark_handled(row_id)
        except ArchiveError as exc:  # the notice is archived and handed on; worst case: shown again
            log.error("notice #%d handed on but not marked handled: %s", row_id, exc)

    def _hand_on(self, notice: Notice, arrival: Arrival) -> None:
        # The notice is archived, so the packet is acknowledged whatever a consumer does with it;
        # a consumer's bug is logged with its traceback and must not turn into a NAK or a lost ack.
        for callback, arg in ((self.on_notice, notice), (self.on_arrival, arrival)):
            if callback is None:
                continue
            try:
                callback(arg)
            except Exception:
                log.exception("notice consumer %r failed on %s", callback, notice.ivorn)
