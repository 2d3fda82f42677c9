"""Alert packets (VOEvent 1.1/2.0, GCN JSON, JSON in its VOEvent envelope) into a ``Notice``: ``parse``."""

from __future__ import annotations

import logging

from .envelope import MARK, parse_envelope, wrap_json
from .gcnjson import parse_json
from .model import FLAGS, Citation, Notice, NoticeError
from .packet_types import PacketType
from .voevent import parse_voevent
from .xmlsafe import MAX_SIZE

__all__ = ["parse", "parse_strict", "wrap_json", "Notice", "Citation", "NoticeError", "FLAGS", "PacketType",
           "MAX_SIZE"]

log = logging.getLogger(__name__)

_BOM = b"\xef\xbb\xbf"


def parse(data: bytes, *, max_size: int = MAX_SIZE) -> Notice:
    """Parse one packet, JSON or XML by its first byte; raises only ``NoticeError`` (one-line reason)."""
    try:
        return parse_strict(data, max_size=max_size)
    except NoticeError:
        raise
    except Exception as exc:  # a parser bug must not take the listener down: log it, refuse the packet
        log.exception("parser failure on a %d-byte packet: %r", len(data), exc)
        raise NoticeError(f"unreadable packet ({type(exc).__name__}: {exc})") from None


def parse_strict(data: bytes, *, max_size: int = MAX_SIZE) -> Notice:
    """``parse`` without the safety net: a parser bug raises as itself (the fuzz tests call this)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise NoticeError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if data.removeprefix(_BOM).lstrip()[:1] in (b"{", b"["):  # XML starts with "<"
        return parse_json(data.removeprefix(_BOM), max_size=max_size)
    if MARK in data:  # a byte search, ~1 us: only possible envelopes pay for the envelope check
        return parse_envelope(data, max_size=max_size)
    return parse_voevent(data, max_size=max_size)
