"""Size limits every path agrees on: a notice of up to 4 MiB is taken end to end, anything larger refused.

GCN's Kafka brokers carry messages of up to about 4 MiB; an LVK alert with an external coincidence
holds two base64 sky maps (the user guide's sample, MS181101ab-ext-update.json, is 2,074,854 bytes).
The parser, the Kafka consumer and the archive take ``MAX_NOTICE`` bytes. Over VTP such a JSON notice
travels base64-encoded inside a VOEvent envelope (4/3 of its size plus the XML around it), so the
VTP frame limit of the relay and the workstations is the envelope of the largest notice, rounded
up to whole MiB. This module imports nothing, so the configuration schema can use it cheaply.
"""

from __future__ import annotations

__all__ = ["MAX_NOTICE", "MAX_FRAME", "envelope_cap"]

#: The largest notice accepted, bytes (JSON or VOEvent). Larger ones are rejected, kept as rejects.
MAX_NOTICE = 4 << 20


def envelope_cap(max_size: int) -> int:
    """The largest envelope of a JSON notice of up to ``max_size`` bytes (base64 is 4/3, plus the XML)."""
    return max_size * 4 // 3 + 65536


#: The default VTP frame limit, bytes: the envelope of a ``MAX_NOTICE`` notice (5.4 MiB) fits.
MAX_FRAME = -(-envelope_cap(MAX_NOTICE) // (1 << 20)) << 20
