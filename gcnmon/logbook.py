"""The observatory log book: one plain-text line per notice or event, in the SAO GCN-client style.

``Thu Nov 13 11:12:00 2014 INTEGRAL(Weak) GRB Position (6.44sigma) trigger: ID=6808 RA=19:03:02.33
Dec=+08:31:53.8, ErrBox=3.666' at 2014-11-13 08:11:55.8``: local arrival time, what it is, which
trigger, where (sexagesimal ICRS), how well (error radius in arcmin, or arcsec when that small) and the
event time in UTC. Observers grep these files; keep the layout stable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .notice.model import Notice
from .scrub import scrub

__all__ = ["format_line", "describe", "stamp", "sexagesimal_ra", "sexagesimal_dec", "error_text",
           "LogBook", "logbook_path"]

log = logging.getLogger(__name__)

#: Classic GCN packet types worth a friendlier name than their notice_type: (qualifier, what).
_KINDS = {
    53: ("Wakeup", "GRB Position"),
    54: ("Refined", "GRB Position"),
    55: ("Offline", "GRB Position"),
    56: ("Weak", "GRB Position"),
    61: ("BAT", "GRB Position"),
    67: ("XRT", "Position"),
    81: ("UVOT", "Position"),
    110: ("GBM", "Alert"),
    111: ("GBM", "Flight Position"),
    112: ("GBM", "Ground Position"),
    115: ("GBM", "Final Position"),
    120: ("LAT", "Initial Position"),
    121: ("LAT", "Updated Position"),
}


def stamp(when: float) -> str:
    """Arrival time as the log books have always shown it: local ``ctime`` style."""
    return time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(when))


def _sexagesimal(value: float, decimals: int) -> tuple[int, int, float]:
    # Round once at the last shown digit so 59.999 never prints as 60.00.
    total = round(abs(value) * 3600, decimals)
    whole, seconds = divmod(total, 60)
    degrees, minutes = divmod(int(whole), 60)
    return degrees, minutes, seconds


def sexagesimal_ra(ra_deg: float) -> str:
    """RA in degrees -> ``HH:MM:SS.ss``."""
    h, m, s = _sexagesimal((ra_deg % 360.0) / 15.0, 2)
    return f"{h % 24:02d}:{m:02d}:{s:05.2f}"


def sexagesimal_dec(dec_deg: float) -> str:
    """Dec in degrees -> ``+DD:MM:SS.s``."""
    d, m, s = _sexagesimal(dec_deg, 1)
    return f"{'-' if dec_deg < 0 else '+'}{d:02d}:{m:02d}:{s:04.1f}"


def error_text(radius_deg: float) -> str:
    """Error radius: arcmin with ``'``, or arcsec with ``"`` below one arcminute."""
    arcmin = radius_deg * 60.0
    return f"{arcmin:.3f}'" if arcmin >= 1.0 else f'{arcmin * 60.0:.2f}"'


def _squash(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


def _what(notice: Notice, head: str, qualifier: str | None) -> str:
    """The notice type in words, without repeating the mission or instrument ("IceCube GOLD Event")."""
    words = (notice.notice_type or "").replace("_", " ").replace("-", " ").split()
    known = {_squash(head), _squash(qualifier or "")}
    while words and _squash(words[0]) in known:
        words.pop(0)
    return " ".join(words) or notice.role or "notice"


def _label(notice: Notice) -> str:
    head = notice.mission or notice.author or "Unknown"
    qualifier, what = _KINDS.get(notice.packet_type, (notice.instrument, None))
    if what is None:
        what = _what(notice, head, qualifier)
    label = f"{head}({qualifier}) {what}" if qualifier and qualifier != head else f"{head} {what}"
    if notice.is_retraction and "retract" not in label.lower():
        label += " RETRACTION"
    return ("TEST " if notice.is_test else "") + label


def describe(notice: Notice) -> str:
    """The log-book line without its arrival stamp."""
    parts = [_label(notice)]
    if notice.significance:  # GBM final positions say 0: no significance given
        parts.append(f"({notice.significance:.2f}sigma)")
    if notice.trigger_id:
        serial = f"/{notice.serial}" if notice.serial is not None else ""
        parts.append(f"trigger: ID={notice.trigger_id}{serial}")
    if notice.has_position:
        where = f"RA={sexagesimal_ra(notice.ra)} Dec={sexagesimal_dec(notice.dec)}"
        if notice.error_radius is not None:
            where += f", ErrBox={error_text(notice.error_radius)}"
        parts.append(where)
    else:
        parts.append("no position")
    if notice.time is not None:
        t = notice.time
        parts.append(f"at {t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 100000}")
    return " ".join(parts)


def format_line(notice: Notice, when: float) -> str:
    """One log-book line for ``notice`` received at ``when`` (Unix seconds)."""
    return f"{stamp(when)} {describe(notice)}"


def logbook_path(section: Mapping[str, Any] | None, station: str) -> Path:
    """``gcn_client_<station>.log`` in ``[logbook] dir``, else in ``gcnmon.config.log_dir()``."""
    from .config import log_dir

    folder = (section or {}).get("dir") or ""
    return (Path(folder).expanduser() if folder else log_dir()) / f"gcn_client_{station}.log"


class LogBook:
    """Appends lines to one log-book file, flushed line by line (a crash loses nothing written).

    A disk problem is logged once per failure and never stops the listener: the archive, not the
    log book, is what makes notices safe.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._fh = None

    def _file(self):
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8", buffering=1)
        return self._fh

    def write(self, text: str, when: float | None = None) -> None:
        """Append ``text`` stamped with ``when`` (default: now): decisions, actions, TCS replies."""
        self._append(f"{stamp(time.time() if when is None else when)} {text}")

    def write_notice(self, notice: Notice, when: float) -> None:
        self._append(format_line(notice, when))

    def _append(self, line: str) -> None:
        try:
            self._file().write(scrub(line).replace("\n", " ") + "\n")
        except OSError as exc:
            log.error("log book %s: cannot write: %s", self.path, exc)
            self.close()

    def close(self) -> None:
        if self._fh is not None:
            try:
                self._fh.close()
            except OSError:
                pass
            self._fh = None
