"""Circulars from the streams: ``gcn.circulars`` messages go to the circulars table, not the notice parser.

``route(notices, circulars)`` is the ``on_packet`` a source is given: it sends a packet from Kafka's
``gcn.circulars`` topic to ``CircularIntake.receive`` and every other packet to ``Intake.receive``.
The same contract as the notices' intake: return once archived, ``NoticeError`` (a ``CircularError``)
for a message kept as a reject, ``ArchiveError`` when the archive cannot take it (not committed).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ..archive.circulars import CircularStore
from .circulars import TOPIC, Circular, CircularError, parse_circular

__all__ = ["CircularIntake", "route", "with_circulars", "SOURCE"]

log = logging.getLogger(__name__)

SOURCE = f"kafka:{TOPIC}"


class CircularIntake:
    """Archive each circular once (by its number); ``on_circular(circular)`` for each new one."""

    def __init__(self, archive, *, on_circular: Callable[[Circular], None] | None = None, logbook=None,
                 clock: Callable[[], float] = time.time):
        self.archive, self.store = archive, CircularStore(archive)
        self.on_circular, self.logbook, self.clock = on_circular, logbook, clock

    def receive(self, data: bytes, source: str = SOURCE) -> Circular | None:
        received = self.clock()
        try:
            circular = parse_circular(data)
        except CircularError as exc:
            row = self.archive.store_reject(data, source, received, str(exc))
            log.warning("rejected circular from %s (kept as reject #%d): %s", source, row, exc)
            raise
        if not self.store.store(circular, source, received):
            log.info("duplicate circular %d from %s", circular.circular_id, source)
            return None
        log.info("circular %d: %s", circular.circular_id, circular.subject)
        if self.logbook is not None:
            self.logbook.write(f"CIRCULAR {circular.circular_id}: {circular.subject}", received)
        if self.on_circular is not None:
            try:
                self.on_circular(circular)
            except Exception:  # archived: a consumer's bug must not turn into a retry
                log.exception("circular consumer failed on %d", circular.circular_id)
        return circular


def route(notices: Callable[[bytes, str], object], circulars: Callable[[bytes, str], object]):
    """``on_packet(data, source)`` that hands ``gcn.circulars`` to ``circulars``, the rest to ``notices``."""

    def on_packet(data: bytes, source: str):
        return circulars(data, source) if source == SOURCE else notices(data, source)

    return on_packet




def with_circulars(on_packet: Callable[[bytes, str], object], archive, **options):
    """``on_packet`` for the sources, with circulars archived beside it (``CircularIntake`` options)."""
    return route(on_packet, CircularIntake(archive, **options).receive)
