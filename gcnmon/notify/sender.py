"""Delivery through apprise, off the reactor thread: a rate limit per target, retries with backoff.

``Notifier.send(message)`` returns at once: each target's delivery runs on the reactor's thread pool
(apprise's SMTP and HTTP clients block), so a dead mail server never delays the dialog. A failed
delivery is logged (by target name: the URL is a secret) and tried again after ``backoff``, doubled
each time, ``retries`` times.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Callable, Iterable

from .messages import Message
from .targets import Target

__all__ = ["Notifier", "deliver", "SecretFilter"]

log = logging.getLogger(__name__)

HOUR = 3600.0


class SecretFilter(logging.Filter):
    """Scrubs target URLs (and their user/password/token parts) from apprise's own log records."""

    def __init__(self, urls: Iterable[str]):
        super().__init__()
        self.secrets = sorted(_secret_parts(urls), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        scrubbed = text
        for secret in self.secrets:
            scrubbed = scrubbed.replace(secret, "***")
        if scrubbed != text:
            record.msg, record.args = scrubbed, ()
        return True


def _secret_parts(urls: Iterable[str]) -> set[str]:
    import re
    from urllib.parse import unquote

    parts: set[str] = set()
    for url in urls:
        parts.add(url)
        rest = url.split("://", 1)[-1]
        for piece in re.split(r"[/:@?&=,]", rest):
            # Host names and short words are not secrets; tokens, passwords and chat ids are long.
            if len(piece) >= 6 and not re.fullmatch(r"[\w.-]*\.(org|com|net|edu|ru|eu|io)|[\d.]+", piece):
                parts.update({piece, unquote(piece)})
    return parts


def deliver(target: Target, message: Message) -> bool:
    """Send ``message`` to ``target`` now (blocking); True when apprise says it was delivered."""
    import apprise

    client = apprise.Apprise()
    if not client.add(target.url):
        log.error("notify: target %s: apprise does not understand its URL (%s)", target.name,
                  target.url.split("://", 1)[0] + "://...")
        return False
    return bool(client.notify(title=message.title, body=message.body))


class Notifier:
    """Hand messages to every target that wants their kind; ``send`` never blocks.

    Parameters
    ----------
    targets
        ``Target`` s from ``notify_settings``.
    retries, backoff
        A failed delivery is tried again ``retries`` times, ``backoff`` seconds later, doubling.
    reactor
        Runs deliveries on its thread pool and schedules retries (tests pass a ``task.Clock`` as
        ``clock`` for the delays and keep the real reactor for the threads).
    deliver
        ``deliver(target, message) -> bool``, blocking (default: apprise).
    """

    def __init__(self, targets: Iterable[Target], *, retries: int = 4, backoff: float = 30.0, reactor=None,
                 clock=None, deliver: Callable[[Target, Message], bool] = deliver,
                 now: Callable[[], float] = time.time):
        if reactor is None:
            from twisted.internet import reactor
        self.targets = list(targets)
        self.retries, self.backoff = retries, backoff
        self.reactor, self.clock = reactor, clock or reactor
        self._deliver, self._now = deliver, now
        self._sent: dict[str, collections.deque[float]] = {t.name: collections.deque() for t in self.targets}
        self.suppressed: collections.Counter[str] = collections.Counter()
        self.delivered: list[tuple[str, str]] = []  # (target, title) of every delivery
        self.failed: list[tuple[str, str]] = []  # (target, title) given up on
        import apprise  # noqa: F401 (imported here, once: never for the first time on a pool thread)

        apprise_log = logging.getLogger("apprise")
        apprise_log.addFilter(SecretFilter(t.url for t in self.targets))

    def send(self, message: Message) -> None:
        for target in self.targets:
            if target.wants(message.kind) and self._allowed(target, message):
                self._attempt(target, message, 0)

    def _allowed(self, target: Target, message: Message) -> bool:
        if not target.rate_limit:
            return True
        now, sent = self._now(), self._sent[target.name]
        while sent and now - sent[0] >= HOUR:
            sent.popleft()
        if len(sent) >= target.rate_limit:
            self.suppressed[target.name] += 1
            log.warning("notify: target %s reached its rate limit (%d/h): %r not sent", target.name,
                        target.rate_limit, message.title)
            return False
        sent.append(now)
        return True

    def _attempt(self, target: Target, message: Message, attempt: int) -> None:
        from twisted.internet import threads

        suppressed = self.suppressed.pop(target.name, 0)
        if suppressed:
            note = f"\n({suppressed} earlier message(s) to this target held back by its rate limit)"
            message = Message(message.kind, message.title, message.body + note, message.when)
        pool = self.reactor.getThreadPool()
        d = threads.deferToThreadPool(self.reactor, pool, self._deliver, target, message)
        d.addErrback(lambda failure: (log.error("notify: target %s: %s", target.name,
                                                failure.getErrorMessage()), False)[1])
        d.addCallback(self._done, target, message, attempt)

    def _done(self, ok: bool, target: Target, message: Message, attempt: int) -> None:
        if ok:
            self.delivered.append((target.name, message.title))
            log.info("notify: %s sent to %s", message.kind, target.name)
            return
        if attempt >= self.retries:
            self.failed.append((target.name, message.title))
            log.error("notify: target %s: %r NOT delivered after %d attempts; giving up", target.name,
                      message.title, attempt + 1)
            return
        delay = self.backoff * 2**attempt
        log.warning("notify: target %s: delivery failed (attempt %d of %d); again in %.0f s", target.name,
                    attempt + 1, self.retries + 1, delay)
        self.clock.callLater(delay, self._attempt, target, message, attempt + 1)
