"""The WhereWhen of a VOEvent: event time and ICRS position in degrees, with placeholders dropped."""

from __future__ import annotations

import math

from lxml import etree

from .timeparse import parse_time

__all__ = ["where_when", "local_name", "LOCAL_NAMES"]

# Position2D units -> degrees (GCN always writes "deg"; the STC schema allows the others).
_UNITS = {
    "deg": 1.0, "deg-deg": 1.0, "degrees": 1.0, "arcmin": 1 / 60, "arcsec": 1 / 3600, "rad": 180 / math.pi
}
_COORDS = frozenset({"C1", "C2", "Error2Radius"})

# Tag -> local name. The same few dozen tags come packet after packet: a dict hit is cheaper than a
# split per element. Bounded, since tags come from the network.
LOCAL_NAMES: dict[object, str] = {}


def local_name(tag) -> str:
    """Local name of an element tag; '' for comments, entities and processing instructions."""
    local = LOCAL_NAMES.get(tag)
    if local is None:
        local = tag.rpartition("}")[2] if isinstance(tag, str) else ""
        if len(LOCAL_NAMES) < 2048:
            LOCAL_NAMES[tag] = local
    return local


def where_when(ww, params, warnings):
    """(time, ra, dec, error radius) of the first ObservationLocation; position None where unusable."""
    location = _first(ww, "ObservationLocation")
    if location is None:
        return None, None, None, None
    when = position = None
    system = ""
    for element in location.iter():  # ~12 elements: a plain walk is cheaper than an lxml tag matcher
        local = LOCAL_NAMES.get(element.tag) or local_name(element.tag)
        if local == "ISOTime":
            if when is None:
                when = parse_time(element.text, "ISOTime", warnings)
        elif local == "Position2D":
            if position is None:
                position = element
        elif local == "AstroCoordSystem":
            system = element.get("id") or ""
    if position is None:
        return when, None, None, None
    return (when, *_position(position, system, params, warnings))


def _first(parent: etree._Element | None, local: str) -> etree._Element | None:
    """The first element named ``local`` (any namespace) in document order from ``parent``.

    ``parent`` itself included.
    """
    if parent is not None:
        for element in parent.iter():
            if (LOCAL_NAMES.get(element.tag) or local_name(element.tag)) == local:
                return element
    return None


def _position(position, system: str, params, warnings) -> tuple[float | None, float | None, float | None]:
    values = {}
    for element in position.iter():  # ~6 elements: cheaper than a tag matcher; the last one of a name wins
        local = LOCAL_NAMES.get(element.tag) or local_name(element.tag)
        if local in _COORDS:
            values[local] = (element.text or "").strip()
    unit = (position.get("unit") or "deg").strip().lower()
    scale = _UNITS.get(unit)
    try:
        ra, dec = float(values["C1"]), float(values["C2"])
        error = float(values["Error2Radius"]) if values.get("Error2Radius") else None
    except (KeyError, ValueError):
        warnings.append("unreadable Position2D")
        return None, None, None
    if scale is None or "GAL" in system.upper() or "ECL" in system.upper():
        warnings.append(f"position in unsupported unit/system {unit!r}/{system!r} ignored")
        return None, None, None
    return _checked(ra * scale, dec * scale, None if error is None else error * scale, params, warnings)


def _checked(ra: float, dec: float, error: float | None, params, warnings):
    """Drop placeholders (GCN writes 0,0 when there is no position) and impossible values."""
    if params.get("Coords_String") == "unavailable/inappropriate":
        return None, None, None
    if ra == 0 and dec == 0 and not error:
        return None, None, None
    if not (math.isfinite(ra) and math.isfinite(dec) and -90 <= dec <= 90):
        warnings.append(f"impossible position RA {ra} Dec {dec} ignored")
        return None, None, None
    if error is not None and (not math.isfinite(error) or error < 0):
        warnings.append(f"impossible error radius {error} ignored")
        error = None
    if error is not None and error >= 180:  # the whole sky (SNEWS writes 360): no position at all
        return None, None, None
    return ra % 360.0, dec, error or None  # GCN writes 0 for "no error given"
