"""Lenient ISO 8601 reading for packet times: always a UTC-aware ``datetime``, or None plus a warning."""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["parse_time", "iso_z"]

# Space-weather VOEvents write "2018_05_22T05:30:07": underscores where ISO has hyphens.
_UNDERSCORE_DATE = re.compile(r"^(\d{4})_(\d{2})_(\d{2})(?=[T ])")


def parse_time(text: str | None, what: str, warnings: list[str]) -> datetime | None:
    """Read ``text`` as an ISO 8601 time in UTC; naive times are taken as UTC (VOEvent's TimeScale).

    Odd but readable forms (underscore dates) add a line to ``warnings``; unreadable ones add a
    line and return None. ``what`` names the field in those lines.
    """
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)  # the common case, tried first: no regex on the fast path
    except ValueError:
        when = _odd_time(text, what, warnings)
        if when is None:
            return None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _odd_time(text: str, what: str, warnings: list[str]) -> datetime | None:
    """``text`` that ``fromisoformat`` refused: an underscore date (with a warning), else None (warned)."""
    fixed = _UNDERSCORE_DATE.sub(r"\1-\2-\3", text)
    if fixed != text:
        warnings.append(f"{what} {text!r} uses underscores in its date")
        try:
            return datetime.fromisoformat(fixed)
        except ValueError:
            pass
    warnings.append(f"{what} {text!r} is not an ISO 8601 time")
    return None


def iso_z(when: datetime | None) -> str | None:
    """``when`` as ISO 8601 UTC ending in ``Z`` (microseconds only when non-zero)."""
    if when is None:
        return None
    text = when.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"
