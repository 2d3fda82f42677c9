"""A GCN JSON notice carried over VTP inside a VOEvent 2.0 envelope: ``wrap_json`` and ``parse_envelope``.

VTP carries only VOEvent XML, so the relay wraps each JSON notice (LVK ``igwn.gwalert``, Einstein
Probe, IceCube) in a schema-valid VOEvent 2.0 whose ivorn is the notice's own. The original JSON
bytes travel base64-encoded in the ``gcnmon_json`` Param's ``value`` attribute: base64 has no
whitespace, markup or entities, so whatever a broker (Comet, lxml, pygcn) does when it re-serialises
the XML, the value comes out byte for byte; CDATA or element text would not survive indenting or
re-escaping as surely. A SHA-256 Param proves it. WhereWhen, Who and Citations repeat what the notice
says, so plain VOEvent tools (pygcn, Comet handlers) still see a useful event.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import logging
import re

from lxml import etree

from ..limits import envelope_cap
from .gcnjson import parse_json
from .model import Notice, NoticeError
from .timeparse import iso_z, parse_time
from .voevent import notice_from_root
from .wherewhen import local_name
from .xmlsafe import MAX_SIZE, parse_xml

__all__ = ["wrap_json", "parse_envelope", "envelope_cap", "MARK", "TOPIC_PARAM", "PAYLOAD_PARAM",
           "DIGEST_PARAM"]

log = logging.getLogger(__name__)

VOEVENT_NS = "http://www.ivoa.net/xml/VOEvent/v2.0"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION = f"{VOEVENT_NS} http://www.ivoa.net/xml/VOEvent/VOEvent-v2.0.xsd"

#: What/Param names of the envelope: the stream it came from, the JSON (base64) and its SHA-256 (hex).
TOPIC_PARAM, PAYLOAD_PARAM, DIGEST_PARAM = "gcnmon_json_topic", "gcnmon_json", "gcnmon_json_sha256"
#: A cheap byte test ``parse`` runs before paying for an envelope check: every envelope contains it
#: (in any ASCII-compatible encoding; VTP peers write UTF-8).
MARK = PAYLOAD_PARAM.encode()
_ROLES = frozenset({"observation", "test", "utility"})
_CITE_TYPES = frozenset({"followup", "supersedes", "retraction"})
_CREATED = ("time_created", "alert_datetime")  # LVK, then gcn-schema: when the notice was written
# Characters XML 1.0 cannot hold (lxml refuses them): dropped from the informative copies only.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HOW = ("A GCN JSON notice rebroadcast over VTP by gcnmon relay. The original JSON is Param "
        f"{PAYLOAD_PARAM} (base64, SHA-256 in {DIGEST_PARAM}); gcnmon reads it back unchanged.")


def wrap_json(notice: Notice) -> bytes:
    """The VOEvent 2.0 envelope (UTF-8 bytes) carrying JSON ``notice``'s original bytes.

    Deterministic: the same notice gives the same bytes (no wall-clock time), so relays chained
    behind one another agree. Raises ``ValueError`` if ``notice`` is not a JSON notice or its
    IVORN cannot be written in XML.
    """
    if notice.format != "json":
        raise ValueError(f"{notice.ivorn}: only JSON notices need an envelope, not {notice.format}")
    if _NOT_XML.search(notice.ivorn):
        raise ValueError(f"IVORN {notice.ivorn!r} holds characters XML cannot carry")
    root = etree.Element(f"{{{VOEVENT_NS}}}VOEvent", nsmap={"voe": VOEVENT_NS, "xsi": _XSI})
    root.set(f"{{{_XSI}}}schemaLocation", _SCHEMA_LOCATION)
    root.set("version", "2.0")
    root.set("role", notice.role if notice.role in _ROLES else "observation")
    root.set("ivorn", notice.ivorn)
    _who(root, notice)
    _what(root, notice)
    if notice.time is not None or notice.has_position:
        _where_when(root, notice)
    etree.SubElement(root, "How").append(_text_element("Description", _HOW))
    if notice.cites:
        citations = etree.SubElement(root, "Citations")
        for cite in notice.cites:
            kind = cite.type if cite.type in _CITE_TYPES else "followup"  # the schema knows only these
            etree.SubElement(citations, "EventIVORN", cite=kind).text = _clean(cite.ivorn)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def parse_envelope(data: bytes, *, max_size: int = MAX_SIZE) -> Notice:
    """Parse a VOEvent that may be an envelope: the inner JSON notice if it is, else the VOEvent itself.

    ``max_size`` caps the JSON, as for a bare JSON notice; its envelope may be up to ``envelope_cap``.
    A damaged envelope (bad base64, wrong digest, unreadable or oversized JSON) is read as the plain
    VOEvent it also is, with a warning saying why: the alert still shows, from the envelope's WhereWhen.
    """
    data = bytes(data)
    root = parse_xml(data, envelope_cap(max_size))
    payload, digest = _payload_params(root)
    if payload is None:
        if len(data) > max_size:  # not an envelope after all: the VOEvent cap applies
            raise NoticeError(f"packet of {len(data)} bytes exceeds the {max_size}-byte limit")
        return notice_from_root(root, data)
    try:
        return parse_json(_decode(payload, digest), max_size=max_size)
    except NoticeError as exc:
        notice = notice_from_root(root, data)
        log.warning("%s: JSON envelope not unwrapped, read as a plain VOEvent: %s", notice.ivorn, exc)
        return dataclasses.replace(notice, warnings=(*notice.warnings, f"JSON envelope not unwrapped: {exc}"))


def _payload_params(root: etree._Element) -> tuple[str | None, str | None]:
    """The payload and digest Param values of an envelope's What; (None, None) if it is none."""
    if local_name(root.tag) != "VOEvent":
        return None, None
    values: dict[str, str] = {}
    for what in root.iterchildren("{*}What"):
        for param in what.iterchildren("{*}Param"):
            name = param.get("name")
            if name in (PAYLOAD_PARAM, DIGEST_PARAM) and name not in values:
                value = param.get("value")
                values[name] = value if value is not None else param.findtext("{*}Value", "")
    return values.get(PAYLOAD_PARAM), values.get(DIGEST_PARAM)


def _decode(payload: str, digest: str | None) -> bytes:
    try:
        # Whitespace is never ours, but a re-wrapping tool might add line breaks: they carry nothing.
        raw = base64.b64decode("".join(payload.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NoticeError(f"{PAYLOAD_PARAM} is not base64 ({exc})") from None
    if digest is not None and hashlib.sha256(raw).hexdigest() != digest.strip().lower():
        raise NoticeError(f"{PAYLOAD_PARAM} does not match its SHA-256 {digest.strip()!r}")
    return raw


def _who(root: etree._Element, notice: Notice) -> None:
    who = etree.SubElement(root, "Who")
    # The authority that named the notice (ivo://gcn.nasa.gov): GCN published it, the relay only carries it.
    authority = notice.ivorn.removeprefix("ivo://").partition("#")[0].partition("/")[0]
    if authority:
        etree.SubElement(who, "AuthorIVORN").text = "ivo://" + _clean(authority)
    created = _created(notice)
    if created is not None:
        etree.SubElement(who, "Date").text = iso_z(created)
    name = notice.author or notice.mission
    if name:
        etree.SubElement(who, "Author").append(_text_element("shortName", name))


def _created(notice: Notice):
    """When the notice was written (its own field), else the event time; None if it says neither."""
    for key in _CREATED:
        when = parse_time(notice.params.get(key), key, [])
        if when is not None:
            return when
    return notice.time


def _what(root: etree._Element, notice: Notice) -> None:
    what = etree.SubElement(root, "What")
    raw = bytes(notice.raw)
    for name, value in ((TOPIC_PARAM, _topic(notice)), (PAYLOAD_PARAM, base64.b64encode(raw).decode("ascii")),
                        (DIGEST_PARAM, hashlib.sha256(raw).hexdigest()), ("mission", notice.mission),
                        ("instrument", notice.instrument), ("notice_type", notice.notice_type),
                        ("trigger_id", notice.trigger_id)):  # fmt: skip
        if value:
            etree.SubElement(what, "Param", name=name, value=_clean(value), dataType="string")
    if notice.description:
        what.append(_text_element("Description", notice.description))


def _topic(notice: Notice) -> str:
    """The stream the notice came on: the resource key of its IVORN (``igwn.gwalert``), else its type."""
    resource = notice.ivorn.partition("#")[0].removeprefix("ivo://").partition("/")[2]
    return resource or notice.notice_type or "json"


def _where_when(root: etree._Element, notice: Notice) -> None:
    location = etree.SubElement(etree.SubElement(root, "WhereWhen"), "ObsDataLocation")
    etree.SubElement(location, "ObservatoryLocation", id="GEOLUN")
    observation = etree.SubElement(location, "ObservationLocation")
    etree.SubElement(observation, "AstroCoordSystem", id="UTC-ICRS-GEO")
    coords = etree.SubElement(observation, "AstroCoords", coord_system_id="UTC-ICRS-GEO")
    if notice.time is not None:
        instant = etree.SubElement(etree.SubElement(coords, "Time", unit="s"), "TimeInstant")
        # No zone suffix, as GCN writes it: the coordinate system (UTC-...) says the scale.
        etree.SubElement(instant, "ISOTime").text = iso_z(notice.time).removesuffix("Z")
    if notice.has_position:
        position = etree.SubElement(coords, "Position2D", unit="deg")
        etree.SubElement(position, "Name1").text = "RA"
        etree.SubElement(position, "Name2").text = "Dec"
        value = etree.SubElement(position, "Value2")
        etree.SubElement(value, "C1").text = repr(float(notice.ra))
        etree.SubElement(value, "C2").text = repr(float(notice.dec))
        # Required by the schema; GCN writes 0 for "no error given".
        etree.SubElement(position, "Error2Radius").text = repr(float(notice.error_radius or 0.0))


def _text_element(tag: str, text: str) -> etree._Element:
    element = etree.Element(tag)
    element.text = _clean(text)
    return element


def _clean(text) -> str:
    return _NOT_XML.sub("", str(text))
