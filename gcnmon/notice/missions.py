"""Which mission and instrument sent a packet, its GCN notice type name and its trigger id."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .classify import first_param
from .packet_types import packet_type_name

__all__ = [
    "mission_of", "notice_type_of", "trigger_id_of", "by_packet_type", "canonical_instrument", "PARAM_NAMES",
]  # fmt: skip


def _table() -> dict[int, tuple[str, str | None]]:
    """Packet type -> (mission, instrument), from the GCN Classic catalogue."""
    spans = [
        # (first, last, mission, instrument)
        (1, 4, "GCN", None),
        (31, 32, "IPN", None),
        (39, 39, "IPN", None),
        (45, 45, "GCN", None),  # GRB_CNTRPART: counterpart positions relayed by GCN
        (46, 47, "Swift", None),
        (51, 51, "INTEGRAL", None),
        (52, 52, "INTEGRAL", "SPI-ACS"),
        (53, 56, "INTEGRAL", "IBAS"),
        (58, 58, "Milagro", None),
        (59, 59, "Konus-Wind", None),
        (60, 64, "Swift", "BAT"),
        (65, 66, "Swift", None),
        (67, 71, "Swift", "XRT"),
        (72, 73, "Swift", "UVOT"),
        (76, 76, "Swift", "BAT"),
        (77, 78, "Swift", "XRT"),
        (79, 81, "Swift", "UVOT"),
        (82, 82, "Swift", "BAT"),
        (83, 83, "Swift", None),
        (84, 84, "Swift", "BAT"),
        (85, 88, "Swift", "XRT"),
        (89, 89, "Swift", "UVOT"),
        (90, 91, "Swift", "BAT"),
        (92, 92, "Swift", "UVOT"),
        (93, 93, "Swift", "XRT"),
        (94, 96, "Swift", None),
        (97, 99, "Swift", "BAT"),
        (100, 102, "AGILE", None),
        (103, 103, "Swift", None),
        (105, 105, "AGILE", "MCAL"),
        (107, 109, "AGILE", None),
        (110, 119, "Fermi", "GBM"),
        (120, 125, "Fermi", "LAT"),
        (126, 126, "Fermi", None),
        (127, 128, "Fermi", "LAT"),
        (129, 129, "Fermi", None),
        (131, 131, "Fermi", "GBM"),
        (133, 133, "Swift", "BAT"),
        (134, 136, "MAXI", None),
        (140, 141, "Swift", "BAT"),
        (142, 143, "GCN", None),
        (144, 144, "Fermi", None),
        (146, 146, "Fermi", "GBM"),
        (148, 148, "Suzaku", None),
        (149, 149, "SNEWS", None),
        (150, 154, "LVK", None),
        (157, 158, "AMON", None),
        (160, 161, "CALET", "GBM"),
        (163, 164, "LVK", None),
        (168, 169, "AMON", None),
        (171, 171, "HAWC", None),
        (172, 172, "AMON", None),
        (173, 174, "IceCube", None),
        (175, 175, "Super-Kamiokande", None),
        (176, 176, "IceCube", None),
        (188, 189, "GECAM", None),
        (201, 201, "SVOM", "GRM"),
        (202, 205, "SVOM", "ECLAIRs"),
        (209, 210, "SVOM", "MXT"),
        (211, 211, "SVOM", "VT"),
        (219, 219, "SVOM", None),
    ]
    return {pt: (mission, instr) for first, last, mission, instr in spans for pt in range(first, last + 1)}


by_packet_type = _table()

# IVORN prefixes of streams without a Packet_Type (or to refine it), most specific first.
_IVORN_MISSIONS = (
    ("ivo://nasa.gsfc.gcn/swift#", "Swift"),
    ("ivo://nasa.gsfc.gcn/fermi#", "Fermi"),
    ("ivo://nasa.gsfc.gcn/integral#", "INTEGRAL"),
    ("ivo://nasa.gsfc.gcn/maxi#", "MAXI"),
    ("ivo://nasa.gsfc.gcn/konus#", "Konus-Wind"),
    ("ivo://nasa.gsfc.gcn/agile#", "AGILE"),
    ("ivo://nasa.gsfc.gcn/amon#icecube", "IceCube"),
    ("ivo://nasa.gsfc.gcn/amon#", "AMON"),
    ("ivo://nasa.gsfc.gcn/snews#", "SNEWS"),
    ("ivo://nasa.gsfc.gcn/antares", "ANTARES"),
    ("ivo://nasa.gsfc.gcn/ipn", "IPN"),
    ("ivo://nasa.gsfc.gcn/hawc", "HAWC"),
    ("ivo://nasa.gsfc.gcn/gecam", "GECAM"),
    ("ivo://nasa.gsfc.gcn/", "GCN"),
    ("ivo://gwnet/", "LVK"),
    ("ivo://org.svom/", "SVOM"),
    ("ivo://hess", "HESS"),
    ("ivo://gaia.cam.uk", "Gaia"),
    ("ivo://voevent.4pisky.org/asassn", "ASAS-SN"),
)

# Instrument names as packets spell them (SVOM's Instrument param, EP JSON) -> canonical spelling.
_INSTRUMENTS = {
    name.lower(): name
    for name in ("BAT", "XRT", "UVOT", "GBM", "LAT", "ECLAIRs", "GRM", "MXT", "VT", "WXT", "FXT", "IBAS")
}

def canonical_instrument(name: str | None) -> str | None:
    """``"eclairs"`` -> ``"ECLAIRs"``; unknown names are kept as written, blanks are None."""
    name = (name or "").strip()
    return _INSTRUMENTS.get(name.lower(), name) or None


# Fermi and Swift IVORN fragments name the instrument: "#GBM_Flt_Pos_...", "#XRT_Pos_...".
_FRAGMENT_INSTRUMENT = re.compile(r"#(BAT|XRT|UVOT|GBM|LAT)_")


def mission_of(
    ivorn: str, packet_type: int | None, params: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """(mission, instrument) from the packet type, refined by the IVORN and the Instrument param."""
    mission, instrument = (
        by_packet_type.get(packet_type, (None, None)) if packet_type is not None else (None, None)
    )
    if mission is None or mission in ("GCN", "AMON"):
        low = ivorn.lower()
        for prefix, name in _IVORN_MISSIONS:
            if low.startswith(prefix):
                if mission is None or name != "GCN":
                    mission = name
                break
    named = canonical_instrument(params.get("Instrument"))
    if named:
        instrument = named
    elif instrument is None:
        found = _FRAGMENT_INSTRUMENT.search(ivorn)
        instrument = found.group(1) if found else None
    return mission, instrument


# The leading run of letters and underscores of a GCN IVORN fragment: "BAT_GRB_Pos_1123129-022",
# "GBM_Fin_Pos2022-08-30T...", "ICECUBE_Cascade_Event2020-...".
_TYPE_PREFIX = re.compile(r"[A-Za-z][A-Za-z_]*")


def notice_type_of(
    ivorn: str, mission: str | None, packet_type: int | None, params: Mapping[str, str]
) -> str | None:
    """The notice type name as GCN uses it: ``BAT_GRB_Pos``, ``eclairs-wakeup``, ``Preliminary``."""
    path, _, fragment = ivorn.partition("#")
    if mission == "LVK":
        # "S230518h-1-Preliminary", "MS181101abc-4-Preliminary-Retraction"
        parts = fragment.split("-", 2)
        if len(parts) == 3 and parts[2]:
            return parts[2]
        return params.get("AlertType") or None
    if mission == "SVOM" and "_" in fragment:
        return fragment.partition("_")[2]  # "sb26021102_eclairs-wakeup"
    if fragment:
        found = _TYPE_PREFIX.match(fragment)
        if found:
            return found.group(0).rstrip("_")
    tail = path.rstrip("/").rpartition("/")[2]  # "ivo://nasa.gsfc.gcn/Antares_Alert#1438351269"
    if tail and "." not in tail and packet_type is None:
        return tail
    return packet_type_name(packet_type) or (tail or None)


# Where each stream keeps its trigger number, most specific first.
# Trans_Num: Fermi GBM sub-threshold notices have no TrigID.
_TRIGGER_PARAMS = ("Burst_Id", "GraceID", "TrigID", "Trigger_Number", "TrigNum", "Trans_Num")
# After IceCube's run_event (the id gcn-schema JSON notices use for the same event).
_LAST_RESORT = ("AMON_ID", "Event_ID")
#: Every param name this module reads (the VOEvent parser reads these eagerly).
PARAM_NAMES = frozenset({"Instrument", "AlertType", "run_id", "event_id", *_TRIGGER_PARAMS, *_LAST_RESORT})


def trigger_id_of(params: Mapping[str, str]) -> str | None:
    """The trigger id as a string: TrigID, SVOM Burst_Id, LVK GraceID, IceCube run_event, ..."""
    found = first_param(params, _TRIGGER_PARAMS)
    if found is not None:
        return found
    run, event = first_param(params, ("run_id",)), first_param(params, ("event_id",))
    if run and event:
        return f"{run}_{event}"
    return first_param(params, _LAST_RESORT)
