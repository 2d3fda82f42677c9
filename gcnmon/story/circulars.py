"""GCN Circulars (Kafka topic ``gcn.circulars``, JSON): read one, and the identifiers it names.

A circular is tied to an event when its subject or body names one of the event's ``event_terms``
(trigger id, SVOM burst id, LVK superevent, event name). The terms a circular names are extracted once,
when it is archived (``terms_in``), so finding an event's circulars is an index lookup.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from ..notice.model import NoticeError

__all__ = ["TOPIC", "Circular", "CircularError", "parse_circular", "terms_in", "circular_url", "normal_term"]

TOPIC = "gcn.circulars"
MAX_SIZE = 1 << 20  # circulars are text: the largest in GCN's archive are ~50 kB

#: What an event is called in circulars: names (GRB 230410A, EP240315a, IceCube-231004A, FRB 20240101A,
#: S230518h, MS181101ab), SVOM burst ids (sb26021102) and trigger numbers (Swift 1156572, Fermi 702818765).
_NAME = re.compile(
    r"\b(?:(?:GRB|XRF|SGR|FRB|AT|SN)\s?\d{6,8}[A-Za-z]{0,3}|EP\d{6}[a-z]{0,3}|IceCube-\d{6}[A-Z]"
    r"|M?S\d{6}[a-z]{1,3}|sb\d{8})\b")
_NUMBER = re.compile(r"(?<![\w.])\d{6,12}(?=\b)")


class CircularError(NoticeError):
    """A ``gcn.circulars`` message that is not a circular (kept as a reject, one line why)."""


@dataclass(frozen=True)
class Circular:
    """One GCN Circular as published; ``created`` is Unix seconds (the schema's ``createdOn``)."""

    circular_id: int
    subject: str
    body: str
    event_id: str | None = None
    submitter: str | None = None
    created: float | None = None
    format: str = "text/plain"
    raw: bytes = b""

    @property
    def url(self) -> str:
        return circular_url(self.circular_id)

    @property
    def created_text(self) -> str:
        if self.created is None:
            return "?"
        return datetime.fromtimestamp(self.created, UTC).strftime("%Y-%m-%d %H:%M UTC")


def circular_url(circular_id: int) -> str:
    return f"https://gcn.nasa.gov/circulars/{circular_id}"


def parse_circular(data: bytes) -> Circular:
    """A circular from its JSON (gcn-schema ``gcn/circulars.schema.json``); ``CircularError`` if not."""
    if len(data) > MAX_SIZE:
        raise CircularError(f"circular of {len(data)} bytes exceeds {MAX_SIZE}")
    try:
        obj = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CircularError(f"circular is not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise CircularError("circular is not a JSON object")
    missing = [k for k in ("circularId", "subject", "body") if k not in obj]
    if missing:
        raise CircularError(f"circular lacks {', '.join(missing)}")
    number, subject, body = obj["circularId"], obj["subject"], obj["body"]
    if isinstance(number, bool) or not isinstance(number, int | float) or number != int(number) or number < 0:
        raise CircularError(f"circularId {number!r} is not a whole number")
    if not isinstance(subject, str) or not isinstance(body, str):
        raise CircularError("circular subject and body must be text")
    created = obj.get("createdOn")
    number_like = isinstance(created, int | float) and not isinstance(created, bool)
    created = float(created) / 1000.0 if number_like else None
    kind = _text(obj.get("format")) or "text/plain"
    return Circular(int(number), subject.strip(), body, _text(obj.get("eventId")),
                    _text(obj.get("submitter")), created, kind, bytes(data))


def _text(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def normal_term(term: str) -> str:
    """How terms are compared: case and the space in "GRB 230410A" do not matter."""
    return re.sub(r"\s+", "", term).lower()


def terms_in(circular: Circular) -> set[str]:
    """Every identifier the circular names (normalised), from its eventId, subject and body."""
    text = f"{circular.event_id or ''}\n{circular.subject}\n{circular.body}"
    found = {normal_term(m) for m in _NAME.findall(text)}
    found |= set(_NUMBER.findall(text))
    if circular.event_id:
        found.add(normal_term(circular.event_id))
    return found
