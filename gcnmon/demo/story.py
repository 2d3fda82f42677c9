"""The demo's story: real packets shipped in ``gcnmon/data/demo`` (see its MANIFEST.tsv), in order,
with the act event's position moved to a point that is up at the site now."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from ..logbook import sexagesimal_dec, sexagesimal_ra
from ..sky import Site, altaz, hour_angle

__all__ = ["Step", "Move", "STORY", "EVENT_IDS", "load_story", "up_position", "move_position", "rename",
           "prepare_round"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    """One packet of the story: its file, what it shows the observer, whether it carries the act position."""

    file: str
    caption: str
    moves: bool = False


STORY = (
    Step("01_svom_eclairs_wakeup_sb26021102.xml",
         "SVOM/ECLAIRs wakeup, group act: alarm and dialog. Try \"Send and Slew\"", moves=True),
    Step("02_fermi_gbm_alert_538809001.xml",
         "Fermi GBM alert, group inform (lower priority): listed, no dialog"),
    Step("03_fermi_gbm_flt_pos_538809001.xml", "Fermi GBM flight position: listed"),
    Step("04_svom_eclairs_not_slewing_sb26021102.xml",
         "SVOM/ECLAIRs refinement (smaller error circle): the open dialog updates in place", moves=True),
    Step("05_fermi_gbm_gnd_pos_538809001.xml", "Fermi GBM ground position: listed"),
    Step("06_fermi_gbm_fin_pos_538809001.xml", "Fermi GBM final position: listed"),
    Step("07_svom_retraction_sb26021102.xml",
         "SVOM retraction of the same event: the dialog says RETRACTED, its TCS buttons are withdrawn"),
)

#: The trigger ids of the story's events; ``--loop`` rounds after the first append the round number,
#: so that the archive (which drops duplicate IVORNs) and the arbiter take them as new events.
EVENT_IDS = (b"sb26021102", b"538809001")

# The position is the only thing rewritten, and only its two numbers: every other byte is as issued.
_COORD = {name: re.compile(rb"(<%s>)\s*([-+0-9.eE]+)\s*(</%s>)" % (name, name)) for name in (b"C1", b"C2")}


@dataclass(frozen=True)
class Move:
    """Where the act event's first position was, and where the demo put it (and its altitude then)."""

    ra: float
    dec: float
    new_ra: float
    new_dec: float
    altitude: float
    site: str
    event: str = "the event"

    @property
    def offset(self) -> tuple[float, float]:
        return self.new_ra - self.ra, self.new_dec - self.dec

    @property
    def short(self) -> str:
        where = f"{sexagesimal_ra(self.new_ra)} {sexagesimal_dec(self.new_dec)}"
        return f"{self.event} moved to {where} so it is up now"

    @property
    def line(self) -> str:
        return (f"position of {self.event} moved from RA {sexagesimal_ra(self.ra)} "
                f"Dec {sexagesimal_dec(self.dec)} "
                f"to RA {sexagesimal_ra(self.new_ra)} Dec {sexagesimal_dec(self.new_dec)} so it is up at "
                f"{self.site} now (altitude {self.altitude:.0f} deg); every other field as issued")


def load_story() -> list[tuple[Step, bytes]]:
    """The story's steps with their packets' bytes, read from the installed package."""
    folder = resources.files("gcnmon") / "data" / "demo"
    return [(step, (folder / step.file).read_bytes()) for step in STORY]


def up_position(site: Site, ra: float, dec: float, when: datetime) -> tuple[float, float, float]:
    """A point on the site's meridian 20 degrees south of the zenith at ``when``: ``(ra, dec, altitude)``.

    The hour angle of ``ra, dec`` gives the local sidereal time without a second astropy transform.
    """
    alt, az = altaz(site, ra, dec, when)
    lst = ra + hour_angle(site, alt, az) * 15.0
    new_ra, new_dec = lst % 360.0, max(-89.0, min(89.0, site.latitude - 20.0))
    return new_ra, new_dec, altaz(site, new_ra, new_dec, when)[0]


def _replace(payload: bytes, name: bytes, shift) -> bytes:
    def sub(match):
        return match.group(1) + b"%.4f" % shift(float(match.group(2))) + match.group(3)

    return _COORD[name].sub(sub, payload)


def move_position(payload: bytes, dra: float, ddec: float) -> bytes:
    """``payload`` with its WhereWhen position (``C1``/``C2``) shifted by ``dra, ddec`` degrees."""
    payload = _replace(payload, b"C1", lambda ra: (ra + dra) % 360.0)
    return _replace(payload, b"C2", lambda dec: max(-90.0, min(90.0, dec + ddec)))


def rename(payload: bytes, round_no: int) -> bytes:
    """Round ``round_no`` > 1 of ``--loop``: the story's trigger ids (and so IVORNs) get the round number."""
    if round_no <= 1:
        return payload
    for event_id in EVENT_IDS:
        payload = payload.replace(event_id, event_id + b"%d" % round_no)
    return payload


def prepare_round(story, site: Site, when: datetime, round_no: int = 1) -> tuple[list, Move]:
    """The story's packets for one round: renamed for the round, the act event moved to be up ``when``."""
    from ..notice import parse

    first = parse(rename(next(payload for step, payload in story if step.moves), round_no))
    new_ra, new_dec, altitude = up_position(site, first.ra, first.dec, when)
    event = f"{first.mission} {first.trigger_id}"
    move = Move(first.ra, first.dec, new_ra, new_dec, altitude, site.name, event)
    dra, ddec = move.offset
    steps = [(step, rename(move_position(p, dra, ddec) if step.moves else p, round_no)) for step, p in story]
    return steps, move
