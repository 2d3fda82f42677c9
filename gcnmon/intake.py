"""The intake pipeline every source feeds: parse, archive, drop duplicates, log-book line, hand on.

Sources (the VTP subscriber, the Kafka consumer, the relay) call ``Intake.receive(data, source)`` on
the reactor thread. The alert comes before the archive: when the archive cannot take a packet (full
disk, read-only or missing folder) the notice is still handed on, marked ``Arrival.archived=False``,
and log-booked, while the packet waits in memory (``gcnmon.backlog``) to be written, in arrival order,
once the archive takes writes again. ``receive`` then returns a Deferred that fires when the packet
is written; the source acknowledges the packet (VTP) or commits its offset (Kafka) only then.

Neither kind of VTP broker re-sends anything: Comet counts unacknowledged events and, at its next
iamalive (every 60 s), drops a subscriber with 10 or more outstanding; gcnmon's relay drops one that
acknowledged nothing in a whole 60 s tick while events waited. Either way the subscriber reconnects
within seconds and the broker sends only what comes next. So a held VTP packet lives in our memory
only, and a packet the hold has no room for (``ArchiveFull``) is shown but never archived. Kafka does
re-deliver: an uncommitted message is read again after a restart, and a full hold makes the consumer
seek back and retry (``ArchiveFull``) until there is room.

``NoticeError`` (raised, or from the Deferred) means the packet is unreadable but kept in the
archive's rejects: acknowledge it (towards an author: nak it).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from twisted.internet import defer

from .archive import Archive, ArchiveError
from .backlog import MB, ArchiveFull, Backlog, Held
from .logbook import LogBook
from .notice.model import Notice, NoticeError

__all__ = ["Intake", "Arrival", "Taken", "ArchiveFull"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Arrival:
    """A new notice with where and when it arrived (``received``: Unix seconds) and its archive row.

    ``archived`` is False for a notice handed on before the archive could take it (``row_id`` 0):
    the dialog says "NOT ARCHIVED".
    """

    notice: Notice
    source: str
    received: float
    row_id: int
    archived: bool = True


@dataclass(frozen=True, slots=True)
class Taken:
    """What ``Intake.take`` did: the notice handed on (None: a duplicate) and, if the packet is still
    waiting for the archive, the Deferred that fires once it is written (None: written already)."""

    notice: Notice | None
    written: defer.Deferred | None = None


class Intake:
    """``receive(data, source)``: the ``on_packet`` callback every stream source is given.

    Exactly once: a notice is handed on only if its IVORN is new to the archive (and to the packets
    waiting for it), or was archived but never marked handled (the process died in between and the
    sender re-delivered it).

    Parameters
    ----------
    archive : Archive
        Where every packet goes; a packet counts as taken (acked, committed) only once it is archived.
    on_notice : callable, optional
        ``on_notice(notice)`` for each NEW notice (never for duplicates): the app's policy and alerts.
    on_arrival : callable, optional
        ``on_arrival(Arrival)``: the same, with source, arrival time and whether it is archived yet.
    logbook : LogBook, optional
        Gets one line per new notice, archived or not; test notices only with ``log_tests``.
    clock : callable
        Arrival time source (Unix seconds); tests inject their own.
    on_problem : callable, optional
        ``on_problem(text)``: one line for the observer when a packet is rejected as unreadable or the
        archive cannot be written, and when it recovers (the GUI's status bar and log book).
    backlog : Backlog, optional
        The memory hold (its bounds, retry and summary timers); a default one on the reactor if None.
    on_archived : callable, optional
        ``on_archived(ivorn)`` once a notice handed on before the archive could take it is written
        (the dialog drops its "NOT ARCHIVED").
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
        backlog: Backlog | None = None,
        on_archived: Callable[[str], None] | None = None,
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
        self.on_archived = on_archived
        self.backlog = backlog if backlog is not None else Backlog(f"archive {archive.path}", clock=clock)
        if self.backlog.on_recovered is None:
            self.backlog.on_recovered = self._problem
        self._shown_unkept: deque[str] = deque(maxlen=1000)  # shown while the hold was full
        self._told_full: deque[str] = deque(maxlen=1000)  # said NOT KEPT already (Kafka offers it again)

    def receive(self, data: bytes, source: str) -> Notice | None | defer.Deferred:
        """Take one packet; the notice if it is new (handed on), None for a duplicate, or a Deferred
        firing with that once the packet is written (it is handed on already).

        Raises (or the Deferred fails with) ``NoticeError`` for an unreadable packet, after keeping it
        as a reject; raises ``ArchiveFull`` when the packet could not be kept at all.
        """
        taken = self.take(data, source)
        if taken.written is None:
            return taken.notice
        return taken.written.addCallback(lambda _: taken.notice)

    def take(self, data: bytes, source: str) -> Taken:
        """``receive`` for a caller that needs the notice before it is written (the relay sends it on)."""
        received = self.clock()
        try:
            notice = self._parse(data)
        except NoticeError as exc:
            return self._reject(data, source, received, exc)
        try:
            result = self.backlog.write_now(lambda: self.archive.store(notice, source, received))
        except ArchiveError as exc:
            return self._hold_notice(notice, source, received, exc)
        if not result.fresh:
            log.info("duplicate %s from %s (seen %d extra times)", notice.ivorn, source, result.duplicates)
            return Taken(None)
        if notice.ivorn in self._shown_unkept:  # shown while the hold was full; now it is archived
            self._shown_unkept.remove(notice.ivorn)
            log.info("%s from %s archived now (shown earlier, while the archive could not take it)",
                     notice.ivorn, source)
            self._mark_handled(result.row_id)
            return Taken(None)
        self._log_book(notice, received)
        log.info("%s notice %s from %s", "new" if result.new else "unhandled", notice.ivorn, source)
        self._hand_on(notice, Arrival(notice, source, received, result.row_id))
        self._mark_handled(result.row_id)
        return Taken(notice)

    def _reject(self, data: bytes, source: str, received: float, exc: NoticeError) -> Taken:
        def write():
            return self.archive.store_reject(data, source, received, str(exc))

        try:
            row = self.backlog.write_now(write)
        except ArchiveError as err:
            if not self.backlog.room_for(len(data)):
                self._full(f"an unreadable packet from {source}", err)
            done = self.backlog.hold(Held(write, f"unreadable packet from {source}", len(data)))
            log.warning("rejected packet from %s (held for the archive: %s): %s", source, err, exc)
            self._problem(f"ARCHIVE FAILED: unreadable packet from {source} (not archived yet): {exc}")

            def fail(_row):
                raise exc

            return Taken(None, done.addCallback(fail))
        log.warning("rejected packet from %s (kept as reject #%d): %s", source, row, exc)
        self._problem(f"unreadable packet from {source} (kept as reject #{row}): {exc}")
        raise exc

    def _hold_notice(self, notice: Notice, source: str, received: float, err: ArchiveError) -> Taken:
        ivorn = notice.ivorn
        seen = self.backlog.holds(ivorn) or ivorn in self._shown_unkept or self._archived_before(ivorn)
        what = f"{ivorn} from {source}"

        def write():
            result = self.archive.store(notice, source, received)
            if not seen and result.fresh:
                self.archive.mark_handled(result.row_id)
            return result

        if not self.backlog.room_for(len(notice.raw)):
            first = self.backlog.first(ivorn)
            if first is not None:  # a copy waits already: this one is taken (acked, committed) with it
                log.info("duplicate %s from %s (its first copy waits for the archive)", ivorn, source)
                with_first: defer.Deferred = defer.Deferred()
                first.done.addBoth(lambda result: (with_first.callback(None), result)[1])
                return Taken(None, with_first)
            if not seen:
                self._shown_unkept.append(ivorn)
                self._announce(notice, source, received)
            self._full(what, err, None if seen else notice)
        done = self.backlog.hold(Held(write, what, len(notice.raw), ivorn))
        if seen:
            log.info("duplicate %s from %s (held for the archive)", ivorn, source)
            return Taken(None, done)
        log.warning("archive cannot take %s: shown, held in memory until it can (%d waiting): %s",
                    what, len(self.backlog), err)
        self._problem(f"ARCHIVE FAILED: {what} shown but NOT ARCHIVED yet, held in memory "
                      f"({len(self.backlog)} waiting): {err}")
        self._announce(notice, source, received)
        return Taken(notice, done.addCallback(self._written_late, ivorn))

    def _written_late(self, result, ivorn: str):
        if self.on_archived is not None:
            try:
                self.on_archived(ivorn)
            except Exception:
                log.exception("on_archived failed on %s", ivorn)
        return result

    def _announce(self, notice: Notice, source: str, received: float) -> None:
        """Log book and consumers for a notice the archive does not hold yet."""
        self._log_book(notice, received)
        self._hand_on(notice, Arrival(notice, source, received, 0, archived=False))

    def _full(self, what: str, err: ArchiveError, shown: Notice | None = None):
        b = self.backlog
        text = (f"ARCHIVE FAILED: {what} NOT KEPT: the archive cannot take it ({err}) and the memory hold "
                f"is full ({len(b)} packets, {b.bytes / MB:.1f} MB); it will not be acknowledged")
        if what in self._told_full:  # the same packet offered again (a Kafka retry): said once is enough
            log.debug("%s", text)
        else:
            self._told_full.append(what)
            log.error("%s", text)
            self._problem(text)
        exc = ArchiveFull(text)
        exc.notice = shown  # handed on now (the relay sends it on), or None
        raise exc

    def _archived_before(self, ivorn: str) -> bool:
        try:
            return self.archive.get(ivorn) is not None
        except ArchiveError:  # cannot even read: better shown twice than not at all
            return False

    def _log_book(self, notice: Notice, received: float) -> None:
        if self.logbook is not None and (self.log_tests or not notice.is_test):
            self.logbook.write_notice(notice, received)

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
        # A consumer's bug is logged with its traceback and must not turn into a NAK or a lost ack.
        for callback, arg in ((self.on_notice, notice), (self.on_arrival, arrival)):
            if callback is None:
                continue
            try:
                callback(arg)
            except Exception:
                log.exception("notice consumer %r failed on %s", callback, notice.ivorn)

    def close(self) -> list[str]:
        """At shutdown: a last try to write what waits; returns (and logs) what never reached the archive."""
        self.backlog.flush()
        self.backlog.stop()
        lost = self.backlog.lost()
        if lost:
            log.error("%d packet(s) held in memory were never archived (nor acknowledged): %s",
                      len(lost), "; ".join(lost[:20]) + (" ..." if len(lost) > 20 else ""))
        return lost
