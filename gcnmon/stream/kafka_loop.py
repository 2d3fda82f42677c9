"""The consumer thread's loop: it never ends by itself, and makes a new consumer when one is lost.

``SupervisedLoop`` is the part of ``KafkaSource`` that keeps a consumer reading until ``stop``.
An error inside one step is logged (with its traceback the first time) and shown on the link badge;
the loop goes on after ``retry_delay``. A fatal or authentication error, a seek that failed (the
message must be read again), ``STEP_FAILURES`` errors in a row, or a link down longer than
``rebuild_after`` close the consumer and make a new one, waiting ``retry_delay`` doubled at each
failed attempt up to ``BACKOFF_MAX``. The group resumes from its committed offsets, and nothing is
committed before the archive holds it, so nothing is skipped.
"""

from __future__ import annotations

import logging
import time

__all__ = ["SupervisedLoop", "BACKOFF_MAX", "STEP_FAILURES"]

log = logging.getLogger("gcnmon.stream.kafka")

BACKOFF_MAX = 300.0  # seconds: the longest wait between two rebuilds of a failing consumer
STEP_FAILURES = 3  # unexpected errors in a row after which the consumer is rebuilt


class SupervisedLoop:
    """Mixed into ``KafkaSource``, which provides the consumer (``_make_consumer``, ``_step``,
    ``_close``, ``_finish``), the state (``_stopping``, ``_up``, ``_rebuild``, ``_failures``,
    ``_down_since``, ``rebuilds``, ``retry_delay``, ``rebuild_after``, ``topics``, ``link``) and
    ``_call`` (runs a function on the reactor thread)."""

    def _run(self) -> None:
        """Keep a consumer reading until ``stop``: whatever goes wrong, log it, show it, go on."""
        delay = self.retry_delay
        try:
            while not self._stopping.is_set():
                made = self._consume()
                if self._stopping.is_set():
                    break
                reason = self._rebuild or "the consumer ended"
                log.error("Kafka: consumer rebuilt in %.0f s: %s", delay, reason)
                self._call(self.link.down, f"Kafka: {reason}; reconnecting in {delay:.0f} s")
                self._stopping.wait(delay)
                delay = self.retry_delay if made else min(delay * 2, BACKOFF_MAX)
                self.rebuilds += 1
        finally:
            self._finish()

    def _consume(self) -> bool:
        """Make a consumer and step it until stop or a rebuild is due; True if it ever got through."""
        self._rebuild, self._failures, self._down_since = None, 0, None
        consumer, reached = None, False
        try:
            consumer = self._make_consumer()
            consumer.subscribe(self.topics)
            while not self._stopping.is_set() and self._rebuild is None:
                self._guarded_step(consumer)
                reached = reached or self._up is True
                self._check_outage()
        except Exception as exc:  # making or subscribing the consumer failed (bad settings, DNS...)
            log.error("Kafka: cannot make a consumer for %s: %s", self.where, exc)
            self._rebuild = self._rebuild or f"cannot make a consumer: {exc}"
        finally:
            self._close(consumer)
        return reached

    def _guarded_step(self, consumer) -> None:
        try:
            self._step(consumer)
        except Exception as exc:  # a bug or a surprise of librdkafka's: never the end of the thread
            self._failures += 1
            first = self._failures == 1
            log.error("Kafka: consumer error (%d in a row): %r", self._failures, exc, exc_info=first)
            self._call(self.link.trouble, f"consumer error: {exc}")
            if self._failures >= STEP_FAILURES:
                self._rebuild = f"{self._failures} errors in a row, the last: {exc}"
            else:
                self._stopping.wait(self.retry_delay)
        else:
            self._failures = 0

    def _check_outage(self) -> None:
        if self._up is False:
            now = time.monotonic()
            self._down_since = self._down_since if self._down_since is not None else now
            if now - self._down_since > self.rebuild_after:
                self._rebuild = f"no connection for {self.rebuild_after:.0f} s"
        else:
            self._down_since = None
