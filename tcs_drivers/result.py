"""What a TCS exchange is about and how it ended: the target, its visibility, the result, the errors."""

from __future__ import annotations

from dataclasses import dataclass

from .coords import format_dec, format_ra

__all__ = ["Target", "TcsProtocolError", "TcsRefused", "TcsResult", "TcsUnreachable", "Visibility"]


class TcsRefused(Exception):
    """The TCS answered and said no; ``reply`` is its own text."""

    def __init__(self, reply: str):
        super().__init__(reply)
        self.reply = reply


class TcsProtocolError(Exception):
    """The TCS answered something we cannot read; ``reply`` is what came (possibly shortened)."""

    def __init__(self, detail: str, reply: str = ""):
        super().__init__(detail)
        self.reply = reply[:200]


class TcsUnreachable(Exception):
    """The TCS could not be reached or is down (connection refused, HTTP 5xx)."""


@dataclass(frozen=True)
class Target:
    """Where to point: ICRS/J2000 degrees, the epoch the TCS is told, and the object's name."""

    ra: float
    dec: float
    epoch: float = 2000.0
    name: str = ""

    def __post_init__(self):
        if not (0.0 <= self.ra < 360.0 and -90.0 <= self.dec <= 90.0):
            raise ValueError(f"coordinates out of range: RA {self.ra} Dec {self.dec}")

    @property
    def label(self) -> str:
        return f"{self.name or 'target'} {format_ra(self.ra)} {format_dec(self.dec)}"


@dataclass(frozen=True)
class Visibility:
    """Where a target stands at the site now, against the telescope's zenith-distance limit."""

    altitude: float
    azimuth: float
    zenith_limit: float

    @property
    def zenith_distance(self) -> float:
        return 90.0 - self.altitude

    @property
    def ok(self) -> bool:
        return self.zenith_distance <= self.zenith_limit


@dataclass(frozen=True)
class TcsResult:
    """What happened, for the dialog and the log book.

    ``ok``: the TCS accepted. ``refused``: the TCS, the access level or the safety rules said no.
    ``unreachable``: no answer (connection refused, timeout, TCS down). ``reply``: the TCS's own text
    ("" if it said nothing). ``warning``: ours or the TCS's (low target). ``sent``: something reached the
    TCS. ``level``: the access level known after the exchange.
    """

    action: str  # "connect", "send" or "slew"
    ok: bool
    refused: bool = False
    unreachable: bool = False
    reply: str = ""
    warning: str | None = None
    error: str | None = None
    level: int | None = None
    sent: bool = False
    target: Target | None = None
    altitude: float | None = None

    @property
    def exit_code(self) -> int:
        """0 accepted, 2 refused (by the TCS or the safety rules), 1 unreachable or unreadable."""
        return 0 if self.ok else 2 if self.refused else 1

    def text(self) -> str:
        """Lines for a dialog or the terminal: the reply first, then our warning or error."""
        status = "accepted" if self.ok else "refused" if self.refused else "failed"
        lines = [f"{self.action}: {status}"]
        lines += [f"TCS: {line}" for line in self.reply.splitlines() if line.strip()]
        lines += [f"warning: {self.warning}"] if self.warning else []
        lines += [f"error: {self.error}"] if self.error else []
        return "\n".join(lines)
