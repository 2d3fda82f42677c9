"""VOEvent Transport Protocol messages: build ack/nak/iamalive/authenticate as Comet does, classify frames."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from gcnmon.notice.model import NoticeError
from gcnmon.notice.xmlsafe import parse_xml

__all__ = [
    "TRANSPORT_NS",
    "Frame",
    "ack",
    "nak",
    "iamalive",
    "iamalive_response",
    "authenticate",
    "authenticate_response",
    "classify",
    "guess_ivorn",
]

#: The namespace Comet writes; peers accept it and the two older spellings pygcn lists.
TRANSPORT_NS = "http://www.telescope-networks.org/xml/Transport/v1.1"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION = (
    "http://telescope-networks.org/schema/Transport/v1.1 "
    "http://www.telescope-networks.org/schema/Transport-v1.1.xsd"
)
_NSMAP = {"trn": TRANSPORT_NS, "xsi": _XSI}
_IVORN_RE = re.compile(rb"""\bivorn\s*=\s*["']([^"'<>]{1,512})["']""")


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _transport(role: str, origin: str, response: str | None = None) -> etree._Element:
    # Element order is fixed by the Transport schema: Origin, Response, TimeStamp, Meta.
    root = etree.Element(f"{{{TRANSPORT_NS}}}Transport", nsmap=_NSMAP)
    root.set("version", "1.0")
    root.set(f"{{{_XSI}}}schemaLocation", _SCHEMA_LOCATION)
    root.set("role", role)
    etree.SubElement(root, "Origin").text = origin
    if response:
        etree.SubElement(root, "Response").text = response
    etree.SubElement(root, "TimeStamp").text = _timestamp()
    return root


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def ack(local_ivorn: str, event_ivorn: str) -> bytes:
    """Receipt of a VOEvent: Origin is the event's IVORN, Response is ours."""
    return _serialise(_transport("ack", event_ivorn, local_ivorn))


def nak(local_ivorn: str, event_ivorn: str, reason: str | None = None) -> bytes:
    """Refusal of a VOEvent, with the one-line reason in ``Meta/Result``."""
    root = _transport("nak", event_ivorn, local_ivorn)
    if reason:
        etree.SubElement(etree.SubElement(root, "Meta"), "Result").text = reason
    return _serialise(root)


def iamalive(local_ivorn: str) -> bytes:
    """A broker's keep-alive: Origin is the broker."""
    return _serialise(_transport("iamalive", local_ivorn))


def iamalive_response(local_ivorn: str, remote_ivorn: str) -> bytes:
    """A subscriber's answer to iamalive: Origin echoes the broker, Response is us."""
    return _serialise(_transport("iamalive", remote_ivorn, local_ivorn))


def authenticate(local_ivorn: str) -> bytes:
    """What a broker sends a new subscriber (Comet does; pygcn only logs it)."""
    return _serialise(_transport("authenticate", local_ivorn))


def authenticate_response(local_ivorn: str, remote_ivorn: str, filters: tuple[str, ...] = ()) -> bytes:
    """A subscriber's answer to authenticate; ``filters`` are XPath expressions the broker applies."""
    root = _transport("authenticate", remote_ivorn, local_ivorn)
    meta = etree.SubElement(root, "Meta")
    for xpath in filters:
        etree.SubElement(meta, "Param", name="xpath-filter", value=xpath)
    return _serialise(root)


@dataclass(frozen=True, slots=True)
class Frame:
    """One received frame: ``kind`` is "voevent", "transport" or "other"; ``role`` its role attribute."""

    kind: str
    role: str | None
    ivorn: str | None  # the VOEvent's ivorn attribute
    origin: str | None  # a transport message's Origin
    root: etree._Element


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def classify(payload: bytes, max_size: int) -> Frame:
    """Parse one frame safely and say what it is; raise ``NoticeError`` (one line) if it is not XML."""
    root = parse_xml(payload, max_size=max_size)
    name = _local(root.tag)
    role = root.get("role")
    if name == "VOEvent":
        ivorn = root.get("ivorn")
        if not ivorn:
            raise NoticeError("VOEvent without an ivorn attribute")
        return Frame("voevent", role, ivorn, None, root)
    if name == "Transport":
        return Frame("transport", role, None, root.findtext("Origin"), root)
    return Frame("other", role, None, None, root)


def guess_ivorn(payload: bytes) -> str:
    """The ivorn of a frame that would not parse (for its nak), read without an XML parser, or ""."""
    found = _IVORN_RE.search(payload[:8192])
    return found.group(1).decode("utf-8", "replace") if found else ""
