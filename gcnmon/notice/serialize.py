"""A ``Notice`` as the plain dict of ``gcnmon parse --json`` and as one human-readable line."""

from __future__ import annotations

from .model import Notice
from .region import region_dict
from .timeparse import iso_z

__all__ = ["notice_as_dict", "notice_line", "JSON_KEYS"]

#: The keys of ``notice_as_dict``, in order (``gcnmon parse --json`` puts ``file`` first).
JSON_KEYS = (
    "ivorn", "role", "mission", "instrument", "notice_type", "packet_type", "trigger_id", "time", "created",
    "ra", "dec", "error_radius", "significance", "is_test", "is_retraction", "cites", "region", "event_key",
    "params",
)  # fmt: skip


def notice_as_dict(notice: Notice) -> dict:
    """JSON-ready dict: time ISO 8601 UTC ending in Z, angles in degrees, None where absent; the params."""
    return {
        "ivorn": notice.ivorn,
        "role": notice.role,
        "mission": notice.mission,
        "instrument": notice.instrument,
        "notice_type": notice.notice_type,
        "packet_type": notice.packet_type,
        "trigger_id": notice.trigger_id,
        "time": iso_z(notice.time),
        "created": iso_z(notice.created),
        "ra": notice.ra,
        "dec": notice.dec,
        "error_radius": notice.error_radius,
        "significance": notice.significance,
        "is_test": notice.is_test,
        "is_retraction": notice.is_retraction,
        "cites": [{"ivorn": cite.ivorn, "type": cite.type} for cite in notice.cites],
        "region": region_dict(notice.region),
        "event_key": list(notice.event_key) if notice.event_key else None,
        # What rules can test (`where`), by name: JSON fields dotted, VOEvent What params as they are.
        "params": dict(notice.params),
    }


def notice_line(notice: Notice) -> str:
    """One line for people: mission/instrument type trigger time position, then markers."""
    source = "/".join(part for part in (notice.mission, notice.instrument) if part) or "?"
    parts = [source, notice.notice_type or "?"]
    if notice.trigger_id:
        parts.append(f"trigger {notice.trigger_id}")
    if notice.time:
        parts.append(iso_z(notice.time))
    if notice.has_position:
        error = f" ±{notice.error_radius:.4g}°" if notice.error_radius is not None else ""
        parts.append(f"RA {notice.ra:.4f} Dec {notice.dec:+.4f}{error}")
    else:
        parts.append("no position")
    markers = [name for name, on in (("TEST", notice.is_test), ("RETRACTION", notice.is_retraction)) if on]
    markers += sorted(notice.flags)
    if markers:
        parts.append("[" + ",".join(markers) + "]")
    return " ".join(parts)
