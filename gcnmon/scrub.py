"""Passwords typed into URLs never reach a terminal, a log or the log book.

Observers paste what works: ``--host http://astro:SECRET@tcs``, ``[tcs] url``, a Kafka bootstrap or VTP
source with ``user:password@host``, an apprise URL. ``scrub(text)`` replaces the password of every
``user:password@host`` (with or without a scheme) by ``***``, and every password seen earlier (in the
command line or the config: ``remember``) wherever it appears bare, e.g. inside a library's error.
``install()`` puts that between gcnmon and every place it writes: the root logger's handlers (message,
arguments and traceback) and ``sys.stdout``/``sys.stderr`` (every ``print``). The log book and the
window's problem line call ``scrub`` themselves.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

__all__ = ["scrub", "remember", "remember_values", "ScrubFilter", "install", "MASK"]

MASK = "***"
#: ``scheme://user:password@`` or ``user:password@``: the user is kept (it tells accounts apart).
_USERINFO = re.compile(
    r"(?P<head>(?:[A-Za-z][\w+.-]*://)?[^\s:/@'\"<>()\[\]]+):(?P<password>[^\s@'\"<>]+)@(?=[\w\[.%-])")
#: Shorter remembered passwords are still masked inside URLs, but not replaced everywhere else.
_MIN_BARE = 4
_known: set[str] = set()


def remember(text: str) -> None:
    """Note the passwords of every ``user:password@host`` in ``text`` (and their URL-decoded form)."""
    for found in _USERINFO.finditer(text or ""):
        password = found.group("password")
        if password == MASK:
            continue
        for form in {password, unquote(password)}:
            if len(form) >= _MIN_BARE:
                _known.add(form)


def remember_values(node) -> None:
    """``remember`` every string inside a config tree (dicts, lists)."""
    if isinstance(node, str):
        remember(node)
    elif isinstance(node, Mapping):
        for value in node.values():
            remember_values(value)
    elif isinstance(node, Iterable) and not isinstance(node, bytes | bytearray):
        for value in node:
            remember_values(value)


def scrub(text: str) -> str:
    """``text`` with every URL password, and every remembered one, replaced by ``***``."""
    if not text:
        return text
    if "@" in text:
        text = _USERINFO.sub(lambda m: f"{m.group('head')}:{MASK}@", text)
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class ScrubFilter(logging.Filter):
    """On a handler: the record's message, traceback and stack as they will be written, scrubbed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class _ScrubbingStream:
    """A text stream that scrubs what is written to it, then writes it to ``stream``."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(scrub(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name):  # fileno, isatty, encoding, buffer, ...
        return getattr(self._stream, name)


_FILTER = ScrubFilter()


def install(argv: Iterable[str] = ()) -> None:
    """Scrub stdout, stderr and the root logger's handlers from now on; ``argv``'s passwords too."""
    remember(" ".join(argv))
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _ScrubbingStream):
            setattr(sys, name, _ScrubbingStream(stream))
    add_to_handlers()


def add_to_handlers(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of ``logger`` (the root logger): call it after adding one."""
    for handler in (logger or logging.getLogger()).handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
