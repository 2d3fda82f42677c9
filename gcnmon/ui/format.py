"""Text the observer reads: sexagesimal coordinates, error radii, ages and countdowns (no Qt here)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["ra_hms", "dec_dms", "error_text", "age_text", "short_age", "countdown_text", "utc_text",
           "title_of", "kind_text"]

#: Notice types that say what the SATELLITE does (SVOM's slew status), not what a telescope does: the
#: dialog must never read like our telescope's status.
SATELLITE_STATES = {
    "slewing": "satellite slewing to the burst",
    "not-slewing": "satellite not slewing to the burst",
}


def ra_hms(ra: float | None) -> str:
    """``83.633`` -> ``05h34m31.9s`` (J2000/ICRS hours)."""
    if ra is None:
        return "—"
    tenths = round((ra % 360.0) / 15.0 * 36000) % (24 * 36000)
    h, rest = divmod(tenths, 36000)
    m, rest = divmod(rest, 600)
    return f"{h:02d}h{m:02d}m{rest / 10:04.1f}s"


def dec_dms(dec: float | None) -> str:
    """``22.0145`` -> ``+22°00'52"``."""
    if dec is None:
        return "—"
    sign = "-" if dec < 0 else "+"
    seconds = round(abs(dec) * 3600)
    d, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{d:02d}°{m:02d}'{s:02d}\""


def error_text(radius: float | None) -> str:
    """An error radius in the unit an observer thinks in: arcsec, arcmin or degrees."""
    if radius is None:
        return "—"
    if radius < 1 / 60:
        return f"{radius * 3600:.1f}\""
    if radius < 1:
        return f"{radius * 60:.1f}'"
    return f"{radius:.2f}°"


def age_text(seconds: float | None) -> str:
    """``754`` -> ``12 min 34 s``; hours and days for old events."""
    if seconds is None:
        return "—"
    s = int(max(seconds, 0))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    return f"{s // 86400} d {s % 86400 // 3600} h"


def countdown_text(seconds: float | None) -> str:
    """``95.2`` -> ``1:36`` (rounded up, so it reaches 0:00 when the dialog closes)."""
    if seconds is None:
        return "no timeout"
    s = max(int(-(-seconds // 1)), 0)
    return f"{s // 60}:{s % 60:02d}"


def utc_text(when: datetime | None) -> str:
    if when is None:
        return "—"
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def title_of(notice) -> str:
    """``Swift BAT_GRB_Pos #1165948``: what the observer calls the notice."""
    parts = [notice.mission or "?", notice.notice_type or notice.role]
    if notice.trigger_id:
        parts.append(f"#{notice.trigger_id}")
    return " ".join(parts)


def short_age(seconds: float | None) -> str:
    """``754`` -> ``12 min``: a history cell (hours with a decimal, days beyond two)."""
    if seconds is None:
        return ""
    s = max(seconds, 0.0)
    if s < 60:
        return f"{s:.0f} s"
    if s < 3600:
        return f"{s // 60:.0f} min"
    if s < 2 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.0f} d"


def kind_text(notice) -> str:
    """``Swift BAT · BAT_GRB_Pos``; SVOM's slew states in words, as the satellite's, not ours."""
    head = " ".join(p for p in (notice.mission or "?", notice.instrument) if p)
    kind = notice.notice_type or notice.role or ""
    state = SATELLITE_STATES.get(kind.lower())
    if state:
        return f"{head} · position update ({notice.mission or 'the'} {state})"
    return f"{head} · {kind}"
