"""The identity (IVORN) of a GCN JSON notice: its natural key, made unique by a digest of its content.

JSON notices carry no IVORN. The schema's own keys name a message (LVK ``superevent_id`` +
``alert_type`` + ``time_created``; the gcn-schema notices ``id`` + ``alert_type`` + ``record_number``
+ ``alert_datetime`` + ``instrument``), but they are often missing or shared: GCN's own SVOM
examples (wakeup and catalog of burst sb24022203) agree on every one of them, CHIME sends no
``record_number`` nor ``alert_datetime``, Einstein Probe no ``alert_type``. So the IVORN is the
readable natural key followed by a digest of the document's content:

    ivo://gcn.nasa.gov/<topic>#<natural key>~<16 hex digits of SHA-256>

The digest is taken over the parsed document written canonically (sorted keys, no spaces, ASCII),
so two different documents never share an identity, while the same message re-serialised (other
key order or spacing) keeps its identity: the archive then keeps the differing bytes as a variant.
"""

from __future__ import annotations

import hashlib
import json
import re

__all__ = ["json_ivorn", "content_digest", "LVK_KEYS", "GENERIC_KEYS"]

#: The natural key of an LVK ``igwn.gwalert`` and of a gcn-schema notice, in IVORN order.
LVK_KEYS = ("superevent_id", "alert_type", "time_created")
GENERIC_KEYS = ("id", "alert_type", "record_number", "alert_datetime", "instrument")
DIGEST_DIGITS = 16  # 64 bits: two documents with one natural key share a digest with odds ~5e-20
_UNSAFE = re.compile(r"[^A-Za-z0-9._:+\-]+")  # an IVORN fragment stays printable ASCII, XML-safe


def content_digest(doc: object) -> str:
    """SHA-256 (hex) of ``doc`` written canonically: equal for re-serialisations of one document."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def json_ivorn(doc: dict, topic: str) -> str:
    """The IVORN of JSON notice ``doc`` published on ``topic`` (``igwn.gwalert``, ``chime.frb``...)."""
    keys = LVK_KEYS if "superevent_id" in doc else GENERIC_KEYS
    natural = "-".join(part for part in (_part(doc.get(name)) for name in keys) if part)
    digest = content_digest(doc)[:DIGEST_DIGITS]
    return f"ivo://gcn.nasa.gov/{_part(topic) or 'notice'}#{natural}~{digest}"


def _part(value: object) -> str:
    """One key's value as an IVORN fragment: the first of a list (gcn-schema ``id`` is a list)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or isinstance(value, dict | list):
        return ""
    return _UNSAFE.sub("_", str(value).strip()).strip("_")
