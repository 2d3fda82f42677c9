"""VOEvent 1.1 and 2.0 packets (``voe:`` prefix, default namespace or none) into one ``Notice``.

Our own cost per packet is kept well under lxml's tree building (see bench/parse.py): one walk
over the root's children, one C-level ``iter`` over the What params that reads only the names the
``Notice`` fields need (the full params map is built from the raw bytes if anyone asks for it, see
``params.LazyParams``), no XPath (libxml2's XPath is slower here than lxml's ``iter``).
"""

from __future__ import annotations

import logging
import math
import re
from datetime import date
from functools import partial

from lxml import etree

from . import classify, missions
from .classify import first_param, flags_of, is_retraction_of, is_test_of
from .missions import mission_of, notice_type_of, trigger_id_of
from .model import Citation, Notice, NoticeError
from .params import LazyParams, all_params, param_value
from .timeparse import parse_time
from .wherewhen import LOCAL_NAMES
from .wherewhen import local_name as _local
from .wherewhen import where_when as _where_when
from .xmlsafe import MAX_SIZE, parse_xml

__all__ = ["parse_voevent", "notice_from_root", "VOEVENT_NAMESPACES"]

log = logging.getLogger(__name__)

VOEVENT_NAMESPACES = {
    "http://www.ivoa.net/xml/VOEvent/v2.0": "voevent-2.0",
    "http://www.ivoa.net/xml/VOEvent/v1.1": "voevent-1.1",
}
# Hand-edited packets write the namespace with https: the same schema, read with a warning.
_HTTPS_NAMESPACES = {"https" + ns[4:]: fmt for ns, fmt in VOEVENT_NAMESPACES.items()}
_ROLES = frozenset({"observation", "test", "utility"})
_CITE_TYPES = frozenset({"followup", "supersedes", "retraction"})
_SIGNIFICANCE = ("SNR", "Sigma", "significance", "Image_Signif", "Trig_Signif", "Det_Signif", "Burst_Signif",
                 "Data_Signif", "Rate_Signif", "Inten_Sigma")  # fmt: skip
# Streams that always carry a Packet_Type: its absence is worth a warning there.
_TYPED_AUTHORITIES = ("ivo://nasa.gsfc.gcn/", "ivo://gwnet/", "ivo://org.svom/")
_IVORN_DATE = re.compile(r"(?<!\d)(\d{4}-[-\d]+)T\d")  # a year that starts a number, not its tail
_XSI_HTTPS = "https://www.w3.org/2001/XMLSchema-instance"
_SECTIONS = frozenset({"Who", "What", "WhereWhen", "Citations"})
# The params the Notice fields are computed from, read eagerly; any other name loads the full map.
EAGER_PARAMS = frozenset(
    {"Packet_Type", "Pkt_Ser_Num", "Coords_String", *_SIGNIFICANCE}
    | classify.PARAM_NAMES
    | missions.PARAM_NAMES
)


def parse_voevent(data: bytes, *, max_size: int = MAX_SIZE) -> Notice:
    """Parse VOEvent bytes into a ``Notice``; raises only ``NoticeError``."""
    data = bytes(data)
    return notice_from_root(parse_xml(data, max_size), data)


def notice_from_root(root: etree._Element, raw: bytes) -> Notice:
    """Build the ``Notice`` of a VOEvent root element parsed (safely, see ``xmlsafe``) from ``raw``.

    ``raw`` must be the bytes ``root`` was parsed from: ``Notice.params`` re-reads them on demand.
    """
    namespace, _, name = root.tag.rpartition("}") if isinstance(root.tag, str) else ("", "", "")
    if name != "VOEvent":
        raise NoticeError(f"not a VOEvent: root element is <{name or '?'}>")
    warnings: list[str] = []
    fmt = _format(root, namespace[1:], warnings)
    ivorn, role = _identity(root, warnings)
    sections = _sections(root)
    params, description = _what(sections.get("What"))
    when, ra, dec, error = _where_when(sections.get("WhereWhen"), params, warnings)
    cites = _citations(sections.get("Citations"), warnings)
    return _assemble(
        raw, fmt, ivorn, role, sections, params, description, (when, ra, dec, error), cites, warnings
    )


def _assemble(raw, fmt, ivorn, role, sections, params, description, where, cites, warnings) -> Notice:
    # ``params`` holds only EAGER_PARAMS (a plain dict: the classifiers ask it ~35 times per packet).
    packet_type = _int_param(params, "Packet_Type", warnings)
    if packet_type is None and ivorn.startswith(_TYPED_AUTHORITIES):
        warnings.append("no Packet_Type param")
    mission, instrument = mission_of(ivorn, packet_type, params)
    trigger_id = trigger_id_of(params)
    if trigger_id and trigger_id.startswith("-"):
        warnings.append(f"negative trigger number {trigger_id}")
    when, ra, dec, error = where
    return Notice(
        ivorn=ivorn,
        role=role,
        raw=raw,
        format=fmt,
        author=_author(sections.get("Who")),
        created=_created(sections.get("Who"), warnings),
        mission=mission,
        instrument=instrument,
        notice_type=notice_type_of(ivorn, mission, packet_type, params),
        packet_type=packet_type,
        trigger_id=trigger_id,
        serial=_int_param(params, "Pkt_Ser_Num", warnings),
        time=when,
        ra=ra,
        dec=dec,
        error_radius=error,
        significance=_significance(params),
        is_test=is_test_of(role, packet_type, params),
        is_retraction=is_retraction_of(packet_type, params, cites),
        cites=cites,
        flags=flags_of(packet_type, role, params, description),
        description=description,
        params=LazyParams(params, EAGER_PARAMS, partial(_params_of, raw)),
        warnings=tuple(warnings),
    )


def _format(root: etree._Element, namespace: str, warnings: list[str]) -> str:
    if not namespace:
        warnings.append("no VOEvent namespace on the root element")
    elif namespace in _HTTPS_NAMESPACES:
        warnings.append(f"VOEvent namespace written with https: {namespace}")
    elif namespace not in VOEVENT_NAMESPACES:
        warnings.append(f"unknown VOEvent namespace {namespace}")
    if _XSI_HTTPS in root.nsmap.values():
        warnings.append("XMLSchema-instance namespace written with https")
    fmt = VOEVENT_NAMESPACES.get(namespace) or _HTTPS_NAMESPACES.get(namespace)
    return fmt or ("voevent-1.1" if (root.get("version") or "").strip() == "1.1" else "voevent-2.0")


def _identity(root: etree._Element, warnings: list[str]) -> tuple[str, str]:
    ivorn = (root.get("ivorn") or "").strip()
    if not ivorn:
        raise NoticeError("VOEvent has no ivorn")
    if not ivorn.startswith("ivo://"):
        warnings.append(f"IVORN {ivorn!r} does not start with ivo://")
    stamp = _IVORN_DATE.search(ivorn)
    if stamp:
        try:
            date.fromisoformat(stamp.group(1))
        except ValueError:
            warnings.append(f"impossible date {stamp.group(1)!r} in IVORN")
    role = (root.get("role") or "").strip()
    if role not in _ROLES:
        warnings.append(f"invalid role {role!r}" if role else "no role; taken as observation")
    return ivorn, role or "observation"


def _sections(root: etree._Element) -> dict[str, etree._Element]:
    """The first Who, What, WhereWhen and Citations child of the root, by local name."""
    sections: dict[str, etree._Element] = {}
    for child in root:  # ~8 children: cheaper than building an lxml tag matcher
        local = LOCAL_NAMES.get(child.tag) or _local(child.tag)
        if local in _SECTIONS and local not in sections:
            sections[local] = child
    return sections


def _what(what: etree._Element | None) -> tuple[dict[str, str], str | None]:
    """The What params named in ``EAGER_PARAMS`` (first occurrence wins) and the What Description."""
    known: dict[str, str] = {}
    description = None
    if what is not None:
        # Same walk and first-occurrence rule as params.all_params (which the lazy map uses), filtered:
        # a Param's value is read only when its name is wanted.
        for param in what.iter("{*}Param"):
            name = param.get(b"name")  # a bytes key spares lxml encoding it, ~50 times a packet
            if name in EAGER_PARAMS and name not in known:
                value = param.get(b"value")  # params.param_value, inlined
                known[name] = value.strip() if value is not None else param_value(param)
        for child in what.iterchildren("{*}Description"):
            if (child.text or "").strip():
                description = child.text.strip()
                break
    return known, description


def _params_of(raw: bytes) -> dict[str, str]:
    """The full What params map, read again from the packet bytes (they parsed once already)."""
    return all_params(_sections(parse_xml(raw, max_size=len(raw))).get("What"))


def _author(who: etree._Element | None) -> str | None:
    """Who/AuthorIVORN, else the Author's shortName or title."""
    if who is None:
        return None
    for element in who:  # ~3 children: a plain loop is cheaper than an lxml tag matcher
        name = LOCAL_NAMES.get(element.tag) or _local(element.tag)
        if name == "AuthorIVORN" and (element.text or "").strip():
            return element.text.strip()
    for element in who.iter("{*}shortName", "{*}title"):
        if (element.text or "").strip():
            return element.text.strip()
    return None


def _created(who: etree._Element | None, warnings: list[str]):
    """Who/Date: when the author wrote the packet (GCN writes it without a zone: UTC)."""
    if who is None:
        return None
    for element in who:
        if (LOCAL_NAMES.get(element.tag) or _local(element.tag)) == "Date":
            return parse_time(element.text, "Who/Date", warnings)
    return None


def _int_param(params: dict[str, str], name: str, warnings: list[str]) -> int | None:
    text = params.get(name)
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        warnings.append(f"{name} {text!r} is not an integer")
        return None


def _significance(params: dict[str, str]) -> float | None:
    text = first_param(params, _SIGNIFICANCE)
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _citations(citations: etree._Element | None, warnings: list[str]) -> tuple[Citation, ...]:
    if citations is None:
        return ()
    found = []
    for element in citations.iter("{*}EventIVORN"):
        ivorn = (element.text or "").strip()
        kind = (element.get("cite") or "").strip().lower()
        if not ivorn:
            warnings.append("empty EventIVORN citation skipped")
            continue
        if kind not in _CITE_TYPES:
            warnings.append(f"unknown citation type {kind!r}")
        found.append(Citation(ivorn=ivorn, type=kind))
    return tuple(found)
