"""Packets the archive could not take yet: held in memory, in arrival order, written when it recovers.

The observer is alerted before the archive is written, so a full or read-only disk must delay the
archive, never the alert. What the archive refused waits here (bounded in packets and bytes) and is
retried every ``retry`` seconds and before every new packet; once anything waits, every later packet
queues behind it, so the archive receives them in the order they arrived. Each held packet's
``done`` Deferred fires once it is written: that is when a VTP packet is acknowledged and a Kafka
offset committed. While packets wait, one summary line per ``summary_every`` seconds says how many,
instead of a line (or a traceback) per retry.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from twisted.internet import defer

from .archive import ArchiveError

__all__ = ["Backlog", "Held", "ArchiveFull", "Behind", "backlog_from_config"]

log = logging.getLogger(__name__)

#: Defaults (``[archive] hold_packets``, ``hold_mb``): a night of every GCN stream is a few thousand
#: packets, most under 10 kB; sky maps up to 4 MiB.
MAX_PACKETS = 20000
MB = 1 << 20
MAX_BYTES = 256 * MB


class ArchiveFull(ArchiveError):
    """The archive cannot take the packet and the memory hold is full: the packet is not kept.

    ``notice``: the notice, if it was handed on all the same (first sighting), else None.
    """

    notice = None


class Behind(ArchiveError):
    """Packets are waiting for the archive: a new one must queue behind them (arrival order)."""


@dataclass(eq=False)
class Held:
    """One packet waiting for the archive: ``write()`` stores it (raises ``ArchiveError``)."""

    write: Callable[[], object]
    what: str  # for the log: "ivo://... from vtp://host:port"
    size: int
    ivorn: str | None = None
    since: float = 0.0
    done: defer.Deferred = field(default_factory=defer.Deferred)


class Backlog:
    """A bounded FIFO of ``Held`` packets and the timers that retry and summarise it.

    ``scheduler`` provides ``callLater`` (the reactor, or a ``task.Clock`` in tests); ``clock`` gives
    Unix seconds for the "oldest held since" figure.
    """

    def __init__(self, name: str = "archive", *, max_packets: int = MAX_PACKETS, max_bytes: int = MAX_BYTES,
                 retry: float = 5.0, summary_every: float = 60.0, scheduler=None,
                 clock: Callable[[], float] = time.time, on_recovered: Callable[[str], None] | None = None):
        self.name, self.max_packets, self.max_bytes = name, max_packets, max_bytes
        self.retry, self.summary_every, self.clock = retry, summary_every, clock
        self._scheduler = scheduler
        self.on_recovered = on_recovered
        self.pending: deque[Held] = deque()
        self.ivorns: Counter[str] = Counter()
        self.bytes = 0
        self.failures = 0  # failed write attempts since the last summary
        self.last_error = ""
        self.outage_since: float | None = None
        self.written_late = 0
        self._retry_call = self._summary_call = None

    @property
    def scheduler(self):
        if self._scheduler is None:
            from twisted.internet import reactor

            self._scheduler = reactor
        return self._scheduler

    def __len__(self) -> int:
        return len(self.pending)

    def holds(self, ivorn: str | None) -> bool:
        return bool(ivorn) and self.ivorns[ivorn] > 0

    def first(self, ivorn: str | None) -> Held | None:
        """The oldest held packet of ``ivorn``, if one waits."""
        if not self.holds(ivorn):
            return None
        return next((item for item in self.pending if item.ivorn == ivorn), None)

    def room_for(self, size: int) -> bool:
        return len(self.pending) < self.max_packets and self.bytes + size <= self.max_bytes

    def write_now(self, write: Callable[[], object]):
        """``write()`` if nothing waits (after trying to flush what does); else raise ``Behind``."""
        if self.pending and not self.flush():
            raise Behind(f"{len(self.pending)} packet(s) wait for the archive: {self.last_error}")
        try:
            result = write()
        except ArchiveError as exc:
            self.failed(exc)
            raise
        if self.outage_since is not None:
            self._recovered()
        return result

    def failed(self, exc: Exception) -> None:
        self.failures += 1
        self.last_error = str(exc)
        if self.outage_since is None:
            self.outage_since = self.clock()
        self._arm_summary()

    def hold(self, item: Held) -> defer.Deferred:
        """Queue ``item`` (the caller checked ``room_for``); its ``done`` fires once it is written."""
        item.since = item.since or self.clock()
        self.pending.append(item)
        self.bytes += item.size
        if item.ivorn:
            self.ivorns[item.ivorn] += 1
        self._arm_retry()
        self._arm_summary()
        return item.done

    def flush(self) -> bool:
        """Write what waits, oldest first, until the archive refuses; True if nothing waits any more."""
        while self.pending:
            item = self.pending[0]
            try:
                result = item.write()
            except ArchiveError as exc:
                self.failures += 1
                self.last_error = str(exc)
                self._arm_retry()
                return False
            self.pending.popleft()
            self.bytes -= item.size
            if item.ivorn:
                self.ivorns[item.ivorn] -= 1
                if self.ivorns[item.ivorn] <= 0:
                    del self.ivorns[item.ivorn]
            self.written_late += 1
            item.done.callback(result)
        if self.outage_since is not None:
            self._recovered()
        return True

    def _recovered(self) -> None:
        lasted = self.clock() - self.outage_since
        text = (f"{self.name} writable again after {lasted:.0f} s: {self.written_late} held packet(s) "
                f"written in arrival order")
        log.warning("%s", text)
        self.outage_since, self.written_late, self.failures = None, 0, 0
        if self.on_recovered is not None:
            self.on_recovered(text)

    def summary(self) -> str:
        oldest = f", oldest held {self.clock() - self.pending[0].since:.0f} s" if self.pending else ""
        return (f"{self.name} still not writable: {len(self.pending)} packet(s) held in memory "
                f"({self.bytes / MB:.1f} of {self.max_bytes / MB:.0f} MB{oldest}); "
                f"{self.failures} failed write(s) in the last {self.summary_every:.0f} s: {self.last_error}")

    def lost(self) -> list[str]:
        """What still waits (at shutdown: never archived, never acknowledged)."""
        return [item.what for item in self.pending]

    # -- timers -------------------------------------------------------------------------------
    def _arm_retry(self) -> None:
        if self.pending and (self._retry_call is None or not self._retry_call.active()):
            self._retry_call = self.scheduler.callLater(self.retry, self._retry)

    def _retry(self) -> None:
        self._retry_call = None
        self.flush()

    def _arm_summary(self) -> None:
        if self._summary_call is None or not self._summary_call.active():
            self._summary_call = self.scheduler.callLater(self.summary_every, self._summarise)

    def _summarise(self) -> None:
        self._summary_call = None
        if self.outage_since is None:
            return
        log.warning("%s", self.summary())
        self.failures = 0
        self._arm_summary()

    def stop(self) -> None:
        """Cancel the timers (at shutdown, after a last ``flush``)."""
        for call in (self._retry_call, self._summary_call):
            if call is not None and call.active():
                call.cancel()
        self._retry_call = self._summary_call = None


def backlog_from_config(section, name: str = "archive", clock: Callable[[], float] = time.time) -> Backlog:
    """The hold as ``[archive] hold_packets``, ``hold_mb`` and ``retry`` say."""
    from .config import with_defaults

    section = with_defaults("archive", section or {})
    return Backlog(name, max_packets=int(section["hold_packets"]),
                   max_bytes=int(float(section["hold_mb"]) * MB), retry=float(section["retry"]), clock=clock)
