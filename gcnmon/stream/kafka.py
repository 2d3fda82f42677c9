"""GCN Kafka source: a gcn-kafka consumer on its own thread, committing only what the archive holds.

The blocking consumer polls on a dedicated thread and hands each message to the reactor thread with
``blockingCallFromThread``; the offset is committed (synchronously, per message) only once the
archive holds the notice: at once when ``on_packet`` returned, or, when the archive could not take
it yet (the notice is shown, the packet waits in memory), when the Deferred it returned fires: the
consumer goes on reading meanwhile and commits from its own thread. A restart therefore re-reads what
was not written, and the archive's IVORN check keeps that from alerting twice.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from twisted.internet import defer, threads

from ..config import with_defaults
from ..notice.model import NoticeError
from .kafka_config import consumer_config
from .kafka_loop import SupervisedLoop
from .link import LinkState

__all__ = ["KafkaSource", "HEARTBEAT_TOPIC", "consumer_config"]

log = logging.getLogger(__name__)

HEARTBEAT_TOPIC = "gcn.heartbeat"

# librdkafka error names that mean "cannot reach the cluster" (link down), not "bad message".
_LINK_ERRORS = {"_TRANSPORT", "_ALL_BROKERS_DOWN", "_RESOLVE", "_AUTHENTICATION", "_SSL",
                "_TIMED_OUT", "SASL_AUTHENTICATION_FAILED"}
# Errors a consumer does not recover from by itself: librdkafka's fatal ones, and authentication
# (gcn-kafka issue #49: an OIDC token that was not renewed fails every reconnect for good). A new
# consumer fetches a new token.
_REBUILD_ERRORS = {"_AUTHENTICATION", "SASL_AUTHENTICATION_FAILED"}


class KafkaSource(SupervisedLoop):
    """Read GCN Kafka topics and feed ``on_packet(data, source)`` on the reactor thread.

    Parameters
    ----------
    config_section : mapping
        The ``[kafka]`` config table (topics, bootstrap or credentials, group_id, ...).
    on_packet : callable
        ``Intake.receive``: returns normally once the packet is archived (then we commit), returns a
        Deferred when it is held for the archive (commit when it fires), raises ``NoticeError`` for an
        unreadable packet (archived as a reject: commit and go on) or anything else when it could not
        be kept at all (no commit: seek back and retry after ``retry_delay``).
    link : LinkState
        Updated on the reactor thread: up/down, heartbeats, notices.
    """

    def __init__(self, config_section: Mapping[str, Any], on_packet: Callable[[bytes, str], Any], *,
                 link: LinkState | None = None, reactor=None, station: str = "gcnmon",
                 consumer_factory: Callable[..., Any] | None = None):
        if reactor is None:
            from twisted.internet import reactor
        self.section = with_defaults("kafka", config_section)  # the schema's defaults under a partial table
        self.on_packet = on_packet
        self.link = link or LinkState("kafka")
        self.reactor = reactor
        self.station = station
        self.topics = list(self.section.get("topics") or [HEARTBEAT_TOPIC])
        self.poll_interval = float(self.section["poll_interval"])
        self.retry_delay = float(self.section["retry_delay"])
        self.probe_interval = float(self.section["probe_interval"])
        self._factory = consumer_factory
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._done: defer.Deferred | None = None
        self._up: bool | None = None  # None: not known yet
        self._last_probe = float("-inf")
        self._missing: set[str] = set()
        self._written: queue.SimpleQueue = queue.SimpleQueue()  # held messages now archived: commit them
        # Why the consumer must be made anew (a fatal or authentication error, a failed seek), or None.
        self._rebuild: str | None = None
        self._failures = 0  # unexpected errors of _step in a row
        self._down_since: float | None = None  # monotonic time the link went down
        self.rebuild_after = float(self.section["rebuild_after"])
        self.rebuilds = 0  # consumers made after the first (tests and the status line read it)
        self._retrying: tuple | None = None  # the message being retried (the link shows trouble meanwhile)
        self._retry_told: collections.deque = collections.deque(maxlen=100)  # said "will retry": once each

    @property
    def where(self) -> str:
        return self.section.get("bootstrap") or f"kafka.{self.section['domain']}"

    def start(self) -> None:
        """Start the consumer thread (creating the consumer happens there: it may block on DNS)."""
        self._stopping.clear()
        self._done = defer.Deferred()
        self._thread = threading.Thread(target=self._run, name="gcnmon-kafka", daemon=True)
        self._thread.start()
        log.info("Kafka: reading %d topics from %s", len(self.topics), self.where)

    def stop(self, timeout: float = 10.0) -> defer.Deferred:
        """Ask the thread to finish; fires once the consumer is closed (return it from a shutdown trigger).

        The thread may be waiting for the reactor to archive a message, so never block the reactor
        on it: the Deferred lets the reactor keep running until the consumer has closed cleanly.
        """
        self._stopping.set()
        if self._done is None:
            return defer.succeed(None)
        done = self._done

        def give_up() -> None:
            # A synchronous commit can block while the cluster is unreachable: do not hang shutdown on
            # it. Nothing is lost: an uncommitted message is read again and the archive drops it.
            if not done.called:
                log.warning("Kafka: consumer still busy after %.0f s; leaving it behind", timeout)
                done.callback(None)

        self.reactor.callLater(timeout, give_up)
        return done

    def _make_consumer(self):
        config, kwargs = consumer_config(self.section, self.station)
        config["error_cb"] = self._on_error
        if self._factory is not None:
            return self._factory(config, **kwargs)
        import gcn_kafka

        return gcn_kafka.Consumer(config, **kwargs)

    def _close(self, consumer) -> None:
        if consumer is not None:
            try:
                self._commit_written(consumer)
                consumer.close()  # leaves the group; committed offsets stay with it
            except Exception as exc:
                log.warning("Kafka consumer did not close cleanly: %s", exc)
        self._up = None
        log.info("Kafka: consumer closed")

    def _finish(self) -> None:
        done = self._done
        self.reactor.callFromThread(lambda: done.called or done.callback(None))  # unless stop gave up

    def _step(self, consumer) -> None:
        self._commit_written(consumer)
        if self._up is not True:
            self._probe(consumer)
        msg = consumer.poll(self.poll_interval)
        if msg is None:
            return
        if msg.error() is not None:
            self._on_message_error(msg)
            return
        self._set_up()
        if msg.topic() == HEARTBEAT_TOPIC:
            self._call(self.link.alive)
            try:
                consumer.commit(message=msg, asynchronous=True)  # a lost heartbeat commit is harmless
            except Exception as exc:
                log.debug("Kafka: heartbeat commit failed: %s", exc)
            return
        self._deliver(consumer, msg)

    def _deliver(self, consumer, msg) -> None:
        source = f"kafka:{msg.topic()}"
        held = False
        try:
            held = threads.blockingCallFromThread(self.reactor, self._take, msg, source)
        except NoticeError:
            pass  # archived as a reject by on_packet: nothing lost, move on
        except Exception as exc:
            where = (msg.topic(), msg.partition(), msg.offset())
            if where not in self._retry_told:  # the intake said why; one line per message, not per retry
                self._retry_told.append(where)  # (a rebalance in between re-reads others: still once)
                log.error("Kafka: %s offset %d not kept, will retry: %s", msg.topic(), msg.offset(), exc)
            if where != self._retrying:
                self._retrying = where
                self._call(self.link.trouble, f"{msg.topic()} #{msg.offset()} not kept, retrying: {exc}")
            self._rewind(consumer, msg)
            return
        if self._retrying is not None:
            self._call(self.link.trouble, None)
        self._retrying = None
        self._call(self.link.notice)
        if not held:
            self._commit(consumer, msg)

    def _take(self, msg, source: str) -> bool:
        """On the reactor: ``on_packet``; True if the packet waits for the archive (committed later)."""
        result = self.on_packet(msg.value(), source)
        if not isinstance(result, defer.Deferred):
            return False
        result.addErrback(lambda failure: failure.trap(NoticeError))  # a reject written late: commit it too
        result.addCallback(lambda _: self._written.put(msg))
        return True

    def _commit_written(self, consumer) -> None:
        while True:
            try:
                msg = self._written.get_nowait()
            except queue.Empty:
                return
            self._commit(consumer, msg)

    def _commit(self, consumer, msg) -> None:
        try:
            consumer.commit(message=msg, asynchronous=False)
        except Exception as exc:  # archived already: a restart re-reads it, the archive drops the repeat
            log.warning("Kafka: commit of %s offset %d failed: %s", msg.topic(), msg.offset(), exc)

    def _rewind(self, consumer, msg) -> None:
        from confluent_kafka import TopicPartition

        try:
            consumer.seek(TopicPartition(msg.topic(), msg.partition(), msg.offset()))
        except Exception as exc:  # the next poll would skip the message: a new consumer resumes before it
            self._rebuild = f"seek back to {msg.topic()} offset {msg.offset()} failed: {exc}"
            return
        self._stopping.wait(self.retry_delay)

    def _probe(self, consumer) -> None:
        """While the link is down, ask for metadata now and then: an answer means the cluster is back."""
        now = time.monotonic()
        if now - self._last_probe < self.probe_interval:
            return
        self._last_probe = now
        try:
            consumer.list_topics(timeout=min(self.probe_interval, 2.0))
        except Exception as exc:
            log.debug("Kafka probe failed: %s", exc)
            return
        self._set_up()

    def _set_up(self) -> None:
        if self._up is not True:
            self._up = True
            log.info("Kafka: connected to %s", self.where)
            self._call(self.link.up, self.where)

    def _on_error(self, err) -> None:
        """librdkafka's error callback (runs inside ``poll`` on our thread)."""
        if err.name() in _LINK_ERRORS or err.fatal():
            if self._up is not False:  # one line per outage: librdkafka repeats this every retry
                log.error("Kafka: link to %s down: %s", self.where, err.str())
                self._up = False
                self._call(self.link.down, err.str())
            if err.fatal() or err.name() in _REBUILD_ERRORS:
                kind = "fatal error" if err.fatal() else "authentication failed"
                self._rebuild = self._rebuild or f"{kind}: {err.str()}"
        else:
            log.warning("Kafka: %s", err.str())

    def _on_message_error(self, msg) -> None:
        err = msg.error()
        if err.name() == "UNKNOWN_TOPIC_OR_PART":
            if msg.topic() not in self._missing:
                self._missing.add(msg.topic())
                log.warning("Kafka: topic %s does not exist (yet) on %s", msg.topic(), self.where)
            return
        log.error("Kafka: %s", err.str())

    def _call(self, fn, *args) -> None:
        self.reactor.callFromThread(fn, *args)
