"""A JSON notice's fields as flat ``Notice.params``: nested objects dotted, base64 blobs left out.

Observers triage on nested fields (LVK ``event.classification.BNS``, ``event.properties.HasNS``,
``event.significant``, ``event.far``; GUANO ``classification.GRB``), so every object is walked
to any depth and each scalar becomes ``dotted.name -> text``, written as JSON writes it (``true``,
``8.029e-08``, ``null`` omitted); a list of scalars stays one JSON text (``[0.5, 4]``). A list of
objects (KM3NeT ``event_details``) is numbered: ``event_details.0.energy_measured``.

Base64 blobs (LVK ``event.skymap``, ``external_coinc.combined_skymap``: hundreds of kB each) are
kept out wherever they are: the raw bytes keep them for the sky map reader, and a rule or the
dialog has nothing to do with them. A blob is a field named ``*skymap`` or any long string of the
base64 alphabet alone; ``blobs`` lists their dotted names and sizes.
"""

from __future__ import annotations

import json
import re

__all__ = ["flatten", "is_blob"]

BLOB_MIN = 256  # shorter base64-looking strings (a SHA-256 in hex is 64) are ordinary values
_BASE64 = re.compile(r"[A-Za-z0-9+/\r\n]+={0,2}")
_BLOB_NAMES = ("skymap",)  # gcn-schema examples truncate these ("U0lNUExF...") yet they are blobs


def is_blob(name: str, value: object) -> bool:
    """Whether field ``name`` holding ``value`` is a base64 blob to keep out of the params."""
    if not isinstance(value, str):
        return False
    if name.lower().endswith(_BLOB_NAMES):
        return True
    return len(value) >= BLOB_MIN and _BASE64.fullmatch(value) is not None


def flatten(doc: dict) -> tuple[dict[str, str], dict[str, int]]:
    """(params, blobs): every scalar of ``doc`` by dotted name, and the blobs left out (name -> length)."""
    params: dict[str, str] = {}
    blobs: dict[str, int] = {}
    # Depth first in document order, with an explicit stack: a document nested as deep as
    # json.loads allows must not exhaust the Python stack here.
    stack = [("", iter(doc.items()))]
    while stack:
        prefix, items = stack[-1]
        step = next(items, None)
        if step is None:
            stack.pop()
            continue
        name = f"{prefix}{step[0]}"
        value = step[1]
        if is_blob(name, value):
            blobs[name] = len(value)
        elif isinstance(value, dict):
            stack.append((f"{name}.", iter(value.items())))
        elif isinstance(value, list) and _has_containers(value):
            stack.append((f"{name}.", enumerate(value)))
        elif value is not None:
            params.setdefault(name, _text(value))
    return params, blobs


def _has_containers(values: list) -> bool:
    return any(isinstance(v, dict | list) for v in values)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
