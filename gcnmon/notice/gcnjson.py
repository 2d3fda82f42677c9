"""GCN JSON notices (NASA gcn-schema field names: EP WXT, LVK igwn.gwalert, IceCube, SVOM) into a ``Notice``.

JSON notices carry no IVORN: ``identity.json_ivorn`` makes one from the natural key and a digest of
the content, unique per message; ``trigger_id`` (with ``mission``, ``Notice.event_key``) ties a
series together: detection, updates and retraction of one event.
"""

from __future__ import annotations

import json
import logging
import math
from types import MappingProxyType

from .flatten import flatten
from .identity import json_ivorn
from .missions import canonical_instrument
from .model import Citation, Notice, NoticeError
from .region import from_json as region_from_json
from .timeparse import parse_time
from .xmlsafe import MAX_SIZE

__all__ = ["parse_json"]

log = logging.getLogger(__name__)

# gcn-schema folder under gcn/notices/ -> canonical mission name.
_MISSIONS = {
    "einstein_probe": "EP", "ep": "EP", "icecube": "IceCube", "lvk": "LVK", "igwn": "LVK", "svom": "SVOM",
    "fermi": "Fermi", "swift": "Swift", "integral": "INTEGRAL", "maxi": "MAXI", "konus": "Konus-Wind",
    "agile": "AGILE", "amon": "AMON", "snews": "SNEWS", "hawc": "HAWC", "gecam": "GECAM", "chime": "CHIME",
    "dsa110": "DSA-110", "km3net": "KM3NeT", "superk": "Super-Kamiokande", "boom": "BOOM",
    "burstcube": "BurstCube",
}  # fmt: skip
_LVK_TYPES = {"earlywarning": "EarlyWarning", "early_warning": "EarlyWarning", "preliminary": "Preliminary",
              "initial": "Initial", "update": "Update", "retraction": "Retraction"}  # fmt: skip
_SIGNIFICANCE = ("image_snr", "snr", "rate_snr", "significance")
_TEST_TENSES = frozenset({"test", "mock", "injection", "planned", "commanded"})


def parse_json(data: bytes, *, max_size: int = MAX_SIZE) -> Notice:
    """Parse a GCN JSON notice into a ``Notice``; raises only ``NoticeError``."""
    if len(data) > max_size:
        raise NoticeError(f"packet of {len(data)} bytes exceeds the {max_size}-byte limit")
    try:
        doc = json.loads(bytes(data))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise NoticeError(f"malformed JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise NoticeError(f"JSON notice is a {type(doc).__name__}, not an object")
    warnings: list[str] = []
    if "superevent_id" in doc:
        return _lvk(doc, bytes(data), warnings)
    return _generic(doc, bytes(data), warnings)


def _topic(doc: dict) -> str:
    """``einstein_probe.wxt.alert`` from the ``$schema`` URL (the GCN Kafka topic without gcn.notices.)."""
    schema = str(doc.get("$schema") or "")
    path = schema.partition("/gcn/notices/")[2]
    return path.removesuffix(".json").removesuffix(".schema").replace("/", ".")


def _lvk(doc: dict, raw: bytes, warnings: list[str]) -> Notice:
    """LVK ``igwn.gwalert``: superevent id, alert type, event time; the skymap stays in ``raw``."""
    superevent = _text(doc.get("superevent_id"))
    kind = _text(doc.get("alert_type")) or ""
    notice_type = _LVK_TYPES.get(kind.lower(), kind or None)
    event = doc.get("event") if isinstance(doc.get("event"), dict) else {}
    # Mock superevents (MS...) are LVK's test alerts.
    is_test = bool(superevent and superevent.startswith("M"))
    region = region_from_json(doc, warnings)  # the sky map: its most probable pixel is the position
    return Notice(
        ivorn=json_ivorn(doc, "igwn.gwalert"),
        role="test" if is_test else "observation",
        raw=raw,
        format="json",
        author="LVK",
        mission="LVK",
        instrument=",".join(str(i) for i in event.get("instruments") or ()) or None,
        notice_type=notice_type,
        trigger_id=superevent,
        time=parse_time(_text(event.get("time")), "event.time", warnings),
        created=parse_time(_text(doc.get("time_created")), "time_created", warnings),
        ra=region.ra if region is not None else None,
        dec=region.dec if region is not None else None,
        localisation=region,
        significance=None,
        is_test=is_test,
        is_retraction=notice_type == "Retraction",
        params=_params(doc),
        warnings=tuple(warnings),
    )


def _generic(doc: dict, raw: bytes, warnings: list[str]) -> Notice:
    """gcn-schema notices: mission/instrument/id/trigger_time/ra/dec/ra_dec_error/alert_type."""
    topic = _topic(doc)
    trigger_id = _first_id(doc)
    tense = (_text(doc.get("alert_tense")) or "").lower()
    kind = (_text(doc.get("alert_type")) or "").lower()
    is_test = tense in _TEST_TENSES or kind == "test"
    ra, dec, error = _position(doc, warnings)
    region = region_from_json(doc, warnings) if ra is not None else None
    if error is None and region is not None and region.kind == "ellipse":
        error = region.a  # for what knows only circles: the semi-major axis, never smaller
    cites = _references(doc)
    return Notice(
        ivorn=json_ivorn(doc, topic),
        role="test" if is_test else "observation",
        raw=raw,
        format="json",
        mission=_mission(doc, topic),
        instrument=canonical_instrument(_text(doc.get("instrument"))),
        notice_type=topic or _text(doc.get("type")),
        trigger_id=trigger_id,
        serial=doc.get("record_number") if isinstance(doc.get("record_number"), int) else None,
        time=parse_time(_text(doc.get("trigger_time")), "trigger_time", warnings),
        created=parse_time(_text(doc.get("alert_datetime")), "alert_datetime", warnings),
        ra=ra,
        dec=dec,
        error_radius=error,
        significance=_number(doc, _SIGNIFICANCE),
        is_test=is_test,
        is_retraction=kind == "retraction",
        cites=cites,
        # SVOM's "slew_status": "accepted" (VOEvent packet type 204) is a refined position, not a pointing
        # notice: no "slew" flag. A known source's stream (MAXI gsc.known) is catalogued.
        flags=frozenset({"catalogued"}) if topic.endswith(".known") else frozenset(),
        description=_text(doc.get("additional_info")),
        localisation=region,
        params=_params(doc),
        warnings=tuple(warnings),
    )


def _text(value) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _first_id(doc: dict) -> str | None:
    ids = doc.get("id")
    if isinstance(ids, list) and ids:
        return _text(ids[0])
    return _text(ids) or _text(doc.get("ref_ID")) or _text(doc.get("trigger_id"))


def _mission(doc: dict, topic: str) -> str | None:
    named = _text(doc.get("mission"))
    folder = topic.partition(".")[0].lower()
    if named:
        return _MISSIONS.get(named.lower().replace(" ", "_"), named)
    return _MISSIONS.get(folder) or (folder or None)


def _number(doc: dict, names) -> float | None:
    for name in names:
        value = doc.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
    return None


def _position(doc: dict, warnings: list[str]) -> tuple[float | None, float | None, float | None]:
    source = doc if "ra" in doc else doc.get("most_probable_direction")
    if not isinstance(source, dict):
        return None, None, None
    ra, dec = _number(source, ("ra",)), _number(source, ("dec",))
    if ra is None or dec is None:
        return None, None, None
    if not -90 <= dec <= 90:
        warnings.append(f"impossible position RA {ra} Dec {dec} ignored")
        return None, None, None
    error = _number(source, ("ra_dec_error",))  # gcn-schema Localization: degrees
    return ra % 360.0, dec, error if error and error > 0 else None


def _references(doc: dict) -> tuple[Citation, ...]:
    """IceCube's ``reference: {"gcn.notices.LVK.alert": "S230914ak-2-Preliminary"}`` as a followup cite."""
    refs = doc.get("reference")
    if not isinstance(refs, dict):
        return ()
    cites = []
    for stream, ident in refs.items():
        if isinstance(ident, str) and ident.strip():
            base = "ivo://gwnet/LVC" if "lvk" in str(stream).lower() else f"ivo://gcn.nasa.gov/{stream}"
            cites.append(Citation(ivorn=f"{base}#{ident.strip()}", type="followup"))
    return tuple(cites)


def _params(doc: dict) -> MappingProxyType:
    """Every field by dotted name (``event.classification.BNS``); the base64 sky maps stay in ``raw``."""
    return MappingProxyType(flatten(doc)[0])
