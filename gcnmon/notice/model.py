"""The one immutable ``Notice`` every packet becomes, whatever its format or mission."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

__all__ = ["Notice", "Citation", "NoticeError", "FLAGS"]

#: Vocabulary of ``Notice.flags``: facts the parser reads from the packet that policy filters on.
FLAGS = frozenset(
    {
        "catalogued",  # a known/catalogued source (MAXI_KNOWN, BAT known source, SVOM 203, ...)
        "not_grb",  # the instrument says this is definitely not a GRB (Swift Def_NOT_a_GRB, ...)
        "subthreshold",  # a sub-threshold trigger (Fermi GBM SubThresh, Swift sub-sub-threshold, ...)
        "slew",  # a slew/pointing notice (Swift Point_Dir, Fermi SC_Slew, ...), not a new position
        "utility",  # transport or housekeeping packets (KILL_SOCKET, heartbeats, role=utility)
        "starlock_lost",  # the spacecraft lost its star lock: the position is unreliable
        "lightcurve",  # a light curve or data product, no new position (BAT_Lightcurve, ...)
    }
)


class NoticeError(ValueError):
    """A packet could not be read. ``str(exc)`` is one line that says why."""

    def __init__(self, reason: str):
        super().__init__(" ".join(str(reason).split()))


@dataclass(frozen=True, slots=True)
class Citation:
    """One ``<EventIVORN cite=...>``: the cited IVORN and ``followup``/``supersedes``/``retraction``."""

    ivorn: str
    type: str


@dataclass(frozen=True, slots=True)
class Notice:
    """One alert, read from a VOEvent (1.1 or 2.0) or a GCN JSON notice.

    Angles are degrees (ICRS), ``error_radius`` included; ``time`` is the event (trigger) time as a
    timezone-aware UTC ``datetime``. Anything the packet does not say is ``None``.
    """

    ivorn: str
    role: str
    raw: bytes = field(repr=False)
    format: str = "voevent-2.0"  # "voevent-2.0", "voevent-1.1" or "json"
    author: str | None = None
    mission: str | None = None  # canonical: "Swift", "Fermi", "INTEGRAL", "SVOM", "LVK", "IceCube", ...
    instrument: str | None = None  # "BAT", "XRT", "UVOT", "GBM", "LAT", "ECLAIRs", "GRM", "MXT", "VT", ...
    notice_type: str | None = None  # "BAT_GRB_Pos", "GBM_Alert", "eclairs-wakeup", "igwn.gwalert", ...
    packet_type: int | None = None  # GCN packet type (see ``gcnmon.notice.packet_types.PacketType``)
    trigger_id: str | None = None  # a string: SVOM burst ids (sb26021102) and negative numbers exist
    serial: int | None = None
    time: datetime | None = None
    # When the message was written (LVK time_created, gcn-schema alert_datetime, VOEvent Who/Date):
    # the arbiter's [policy] max_message_age counts from it (a Kafka backlog never rings).
    created: datetime | None = None
    ra: float | None = None
    dec: float | None = None
    error_radius: float | None = None
    significance: float | None = None
    is_test: bool = False
    is_retraction: bool = False
    cites: tuple[Citation, ...] = ()
    flags: frozenset[str] = frozenset()
    description: str | None = None
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    warnings: tuple[str, ...] = ()
    #: a localisation richer than ``ra, dec, error_radius`` (a map, an ellipse, a polygon, a circle with
    #: its containment), set by the parser; see ``region`` and ``gcnmon.notice.region``
    localisation: object | None = field(default=None, repr=False, compare=False)

    @property
    def region(self):
        """The notice's ``Region``: its localisation.

        Else a circle of ``error_radius`` (the mission's containment).
        """
        if self.localisation is not None:
            return self.localisation
        from .region import circle_for

        return circle_for(self.mission, self.instrument, self.ra, self.dec, self.error_radius)

    @property
    def has_position(self) -> bool:
        return self.ra is not None and self.dec is not None

    @property
    def event_key(self) -> tuple[str, str] | None:
        """The event this notice is about, shared by its detection, updates and retraction.

        (mission, trigger id): ("LVK", superevent id), ("SVOM", burst id such as "sb24022203"),
        ("CHIME", FRB id), ("Fermi", TrigID)...; None when the notice names no trigger. ``ivorn`` is
        the identity of this one message; the arbiter groups a series by this key.
        """
        if self.mission and self.trigger_id:
            return (self.mission, self.trigger_id)
        return None
