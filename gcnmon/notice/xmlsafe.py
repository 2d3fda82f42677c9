"""Hostile-input-safe XML parsing shared by the notice parser and the VTP transport layer.

Alert packets arrive from the network: no DTDs, no entity expansion, no network or file access, a
size cap. A VOEvent never carries a DOCTYPE, so any packet that has one is refused outright (that
closes XML bombs and external entities whatever the parser would have done with them).
"""

from __future__ import annotations

from lxml import etree

from ..limits import MAX_NOTICE
from .model import NoticeError

__all__ = ["MAX_SIZE", "parse_xml"]

#: Default cap on one packet: 4 MiB, as GCN's brokers (``gcnmon.limits``). VOEvents are a few kB; an
#: LVK JSON alert with two base64 sky maps is 2 MB.
MAX_SIZE = MAX_NOTICE

_PARSER = etree.XMLParser(
    resolve_entities=False,
    load_dtd=False,
    dtd_validation=False,
    no_network=True,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
    # Fewer nodes to build and walk: whitespace between elements is layout, never data in an alert
    # packet (text of leaf elements is kept), and nothing looks elements up by xml:id.
    remove_blank_text=True,
    collect_ids=False,
)


def parse_xml(data: bytes, max_size: int = MAX_SIZE) -> etree._Element:
    """Parse ``data`` into its root element, or raise ``NoticeError`` with a one-line reason."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise NoticeError(f"expected bytes, got {type(data).__name__}")
    if len(data) > max_size:
        raise NoticeError(f"packet of {len(data)} bytes exceeds the {max_size}-byte limit")
    data = bytes(data)
    if not data[:1].strip() and not data.strip():  # copies the packet only when it starts blank
        raise NoticeError("empty packet")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise NoticeError(f"malformed XML: {exc}") from None
    except ValueError as exc:  # e.g. str with an encoding declaration, or NUL bytes
        raise NoticeError(f"unreadable XML: {exc}") from None
    if root is None:
        raise NoticeError("no XML document in packet")
    if root.getroottree().docinfo.doctype:
        raise NoticeError("DOCTYPE not allowed in an alert packet (entity expansion / external entity)")
    return root
