"""What a TCS exchange is about and how it ended: the target, its visibility, the six outcomes, the errors.

Every exchange ends in exactly one `Outcome`, and everything downstream (the dialog's colour, the log
book, the archive, the history's Action column, ``gcnmon tcs``'s exit status) reads it from here, so no
two places can tell the story differently. "accepted" is only ever said when a real TCS said yes and
warned of nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .coords import format_dec, format_ra

__all__ = ["RULES", "NotSent", "Outcome", "Target", "TcsProtocolError", "TcsRefused", "TcsResult",
           "TcsUnreachable", "Visibility"]


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


class NotSent(Exception):
    """gcnmon itself decided not to send: ``rule`` names the rule, ``detail`` says why in words."""

    def __init__(self, rule: str, detail: str):
        super().__init__(detail)
        self.rule, self.detail = rule, detail


class Outcome(StrEnum):
    """The six ways a TCS exchange can end (the value is what a human reads)."""

    ACCEPTED = "accepted"
    WARNED = "accepted with a warning"
    REFUSED_BY_TCS = "refused by the TCS"
    REFUSED_BY_GCNMON = "refused by gcnmon"
    UNREACHABLE = "unreachable"
    UNREADABLE = "unreadable"

    @property
    def exit_code(self) -> int:
        """``gcnmon tcs``: 0 accepted, 3 accepted with a warning, 2 refused, 1 unreachable or unreadable."""
        return {"accepted": 0, "accepted with a warning": 3, "refused by the TCS": 2,
                "refused by gcnmon": 2}.get(self.value, 1)

    @property
    def severity(self) -> str:
        """``ok`` (green), ``warning`` (amber) or ``error`` (red): how the UI colours it."""
        return {"accepted": "ok", "accepted with a warning": "warning"}.get(self.value, "error")


#: Names of the rules gcnmon applies before (or instead of) talking to the TCS.
RULES = ("altitude limit", "access level", "no coordinates", "no telescope", "mount state",
         "coordinate system", "superseded")


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
    """What happened, for the dialog, the log book, the archive and the shell.

    ``outcome``: one of the six. ``reply``: the TCS's own text ("" if it said nothing or was not asked).
    ``warning``: the TCS's warning lines first, then ours (e.g. a send below the limit). ``error``: why
    it failed, in words. ``rule``: for a refusal by gcnmon, which rule. ``sent``: something reached the
    TCS. ``level``: the access level known after the exchange.
    """

    action: str  # "connect", "send", "slew" or "stop"
    outcome: Outcome
    reply: str = ""
    warning: str | None = None
    error: str | None = None
    rule: str | None = None
    level: int | None = None
    sent: bool = False
    target: Target | None = None
    altitude: float | None = None

    @property
    def ok(self) -> bool:
        """The TCS took the command (possibly with a warning)."""
        return self.outcome in (Outcome.ACCEPTED, Outcome.WARNED)

    @property
    def refused(self) -> bool:
        return self.outcome in (Outcome.REFUSED_BY_TCS, Outcome.REFUSED_BY_GCNMON)

    @property
    def unreachable(self) -> bool:
        return self.outcome is Outcome.UNREACHABLE

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code

    @property
    def severity(self) -> str:
        return self.outcome.severity

    @property
    def label(self) -> str:
        """The short record: ``slew accepted``, ``slew refused by the TCS``, ``slew failed`` ...

        Never a bare action: the history's Action column and the archive's action use this.
        """
        if self.ok:
            return f"{self.action} {self.outcome.value}"
        if self.outcome is Outcome.REFUSED_BY_GCNMON:
            rule = f" ({self.rule})" if self.rule else ""
            return f"{self.action} refused by gcnmon{rule}"
        if self.refused:
            return f"{self.action} refused by the TCS"
        return f"{self.action} failed"

    @property
    def summary(self) -> str:
        """One line: the label and the words that matter (the TCS's warning or refusal, or our reason)."""
        if self.outcome is Outcome.ACCEPTED:
            detail = _first_line(self.reply)
        elif self.outcome is Outcome.WARNED:
            detail = self.warning or ""
        elif self.outcome is Outcome.REFUSED_BY_TCS:
            detail = self.reply.strip().replace("\n", " | ") or self.error or ""
        elif self.outcome is Outcome.UNREACHABLE:
            detail = f"TCS unreachable: {self.error}" if self.error else "TCS unreachable"
        else:  # refused by gcnmon, unreadable: our own words
            detail = self.error or self.warning or ""
        return f"{self.label}: {detail}" if detail else self.label

    def text(self) -> str:
        """Lines for a dialog or the terminal: the outcome, the TCS's reply, then the warning or error."""
        status = self.outcome.value
        if self.outcome is Outcome.REFUSED_BY_GCNMON and self.rule:
            status += f" ({self.rule})"
        elif not self.ok and not self.refused:
            status = f"failed ({self.outcome.value})"
        lines = [f"{self.action}: {status}"]
        lines += [f"TCS: {line}" for line in self.reply.splitlines() if line.strip()]
        lines += [f"warning: {self.warning}"] if self.warning else []
        lines += [f"error: {self.error}"] if self.error else []
        return "\n".join(lines)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
