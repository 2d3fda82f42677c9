"""The facts policy filters on: flags, test and retraction, read from the packet's own fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .model import FLAGS, Citation
from .packet_types import PacketType as P

__all__ = ["flags_of", "is_test_of", "is_retraction_of", "truthy", "first_param", "PARAM_NAMES"]

_TRUE = frozenset({"true", "1", "yes", "y", "t"})

_CATALOGUED_TYPES = frozenset({P.MAXI_KNOWN, P.SWIFT_BAT_KNOWN_SRC, P.SVOM_ECLAIRS_CATALOG})
_SUBTHRESHOLD_TYPES = frozenset({P.SWIFT_BAT_SUB_THRESHOLD, P.SWIFT_BAT_SUBSUB, P.FERMI_GBM_SUBTHRESH})
_SLEW_TYPES = frozenset(
    {
        P.SWIFT_TOO_SC_SLEW,
        P.SWIFT_SC_SLEW,
        P.SWIFT_POINTDIR,
        P.SWIFT_ACTUAL_POINTDIR,
        P.INTEGRAL_POINTDIR,
        P.AGILE_POINTDIR,
        P.FERMI_SC_SLEW,
        P.FERMI_POINTDIR,
        P.FERMI_SC_SLEW_INTERNAL,
        # Not SVOM_ECLAIRS_SLEWING (204): it is the refined ECLAIRs position of a burst SVOM slews to,
        # exactly the bursts worth following, not a pointing notice.
    }
)
_UTILITY_TYPES = frozenset({P.IM_ALIVE, P.KILL_SOCKET, P.VOE_11_IM_ALIVE, P.VOE_20_IM_ALIVE})
# Light curves and other data products: they carry no new position of their own.
_LIGHTCURVE_TYPES = frozenset(
    {
        P.KONUS_LC,
        P.SWIFT_BAT_GRB_LC,
        P.SWIFT_BAT_SCALEDMAP,
        P.SWIFT_XRT_SPECTRUM,
        P.SWIFT_XRT_IMAGE,
        P.SWIFT_XRT_LC,
        P.SWIFT_UVOT_DBURST,
        P.SWIFT_UVOT_FCHART,
        P.SWIFT_BAT_GRB_LC_PROC,
        P.SWIFT_XRT_SPECTRUM_PROC,
        P.SWIFT_XRT_IMAGE_PROC,
        P.SWIFT_UVOT_DBURST_PROC,
        P.SWIFT_UVOT_FCHART_PROC,
        P.SWIFT_XRT_THRESHPIX,
        P.SWIFT_XRT_THRESHPIX_PROC,
        P.SWIFT_XRT_SPER,
        P.SWIFT_XRT_SPER_PROC,
        P.FERMI_GBM_LC,
        P.SUZAKU_LC,
        P.CALET_GBM_FLT_LC,
        P.CALET_GBM_GND_LC,
    }
)
_TEST_TYPES = frozenset(
    {
        P.TEST_COORDS,
        P.HETE_TEST,
        P.SWIFT_BAT_GRB_POS_TEST,
        P.AGILE_GRB_POS_TEST,
        P.FERMI_GBM_POS_TEST,
        P.FERMI_LAT_POS_TEST,
        P.MAXI_TEST,
        P.LVC_TEST,
    }
)
_RETRACTION_TYPES = frozenset({P.LVC_RETRACTION, P.SVOM_RETRACTION})

# Packet type -> the flags it implies (one dict lookup per packet instead of five set tests).
_TYPE_FLAGS = {
    int(packet_type): frozenset(flag for flag, types in kinds if packet_type in types)
    for kinds in [(("catalogued", _CATALOGUED_TYPES), ("subthreshold", _SUBTHRESHOLD_TYPES),
                   ("slew", _SLEW_TYPES),
                   ("utility", _UTILITY_TYPES), ("lightcurve", _LIGHTCURVE_TYPES))]  # fmt: skip
    for packet_type in set().union(*(types for _, types in kinds))
}

# Swift Solution_Status params (and their kin in other GCN streams) that set a flag when true.
_FLAG_PARAMS = (
    ("Target_in_Flt_Catalog", "catalogued"),
    ("Target_in_Gnd_Catalog", "catalogued"),
    ("Def_NOT_a_GRB", "not_grb"),
    ("StarTrack_Lost_Lock", "starlock_lost"),
)
_TEST_PARAMS = ("Test", "Test_Notice", "Test_Submission", "InternalTest")
#: Every param name this module reads (the VOEvent parser reads these eagerly).
PARAM_NAMES = frozenset(
    {name for name, _ in _FLAG_PARAMS} | {*_TEST_PARAMS, "AlertType", "Retraction", "retraction"}
)


def truthy(value: str | None) -> bool:
    """A packet's boolean: ``true``/``1``/``yes`` in any case."""
    return value is not None and value.strip().lower() in _TRUE


def first_param(params: Mapping[str, str], names: Iterable[str]) -> str | None:
    """The first of ``names`` that ``params`` has with a non-blank value, stripped."""
    for name in names:
        value = params.get(name)
        if value is not None and value.strip():
            return value.strip()
    return None


def flags_of(
    packet_type: int | None, role: str, params: Mapping[str, str], description: str | None
) -> frozenset[str]:
    """The ``FLAGS`` this packet carries."""
    found = set(_TYPE_FLAGS.get(packet_type, ()))
    for name, flag in _FLAG_PARAMS:
        if truthy(params.get(name)):
            found.add(flag)
    if description and "sub-threshold" in description.lower():
        # GCN's Swift type 141 packets describe themselves as "sub-sub-threshold" triggers.
        found.add("subthreshold")
    if role == "utility":
        found.add("utility")
    assert found <= FLAGS, found - FLAGS
    return frozenset(found)


def is_test_of(role: str, packet_type: int | None, params: Mapping[str, str]) -> bool:
    """Role ``test``, a test packet type, or a Test/Test_Notice param that says so."""
    if role == "test" or packet_type in _TEST_TYPES:
        return True
    for name in _TEST_PARAMS:  # a loop, not any(genexpr): this runs for every packet
        if truthy(params.get(name)):
            return True
    return False


def is_retraction_of(packet_type: int | None, params: Mapping[str, str], cites: tuple[Citation, ...]) -> bool:
    """LVK/SVOM retraction types, a ``retraction`` citation, AlertType Retraction, Retraction=true."""
    if packet_type in _RETRACTION_TYPES or any(cite.type == "retraction" for cite in cites):
        return True
    if (params.get("AlertType") or "").strip().lower() == "retraction":
        return True
    return truthy(params.get("Retraction")) or truthy(params.get("retraction"))
