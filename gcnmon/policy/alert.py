"""The shown (or waiting) alert: one event's series of notices, and what the arbiter tells the GUI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..notice.model import Notice
from .classify import describe
from .groups import Group
from .visibility import Verdict

__all__ = ["Alert", "Event", "Show", "Update", "Retract", "Close", "Listed", "Ignored", "series_keys"]

#: Fields of the dialog an update can change (position fields come from the best-located notice).
POSITION_FIELDS = ("ra", "dec", "error_radius")
DETAIL_FIELDS = ("instrument", "notice_type", "serial", "time", "significance")


def series_keys(notice: Notice) -> set[tuple[str, str]]:
    """What ties notices of one event together: (mission, trigger id) and an SVOM ``Burst_Id``."""
    keys = {notice.event_key} if notice.event_key else set()
    burst = notice.params.get("Burst_Id")
    if burst and notice.mission:
        keys.add((notice.mission, burst))
    return keys


@dataclass(eq=False)
class Alert:
    """One event's dialog: its notices so far, its group, its timeout and whether it was retracted."""

    id: int
    notice: Notice  # the latest notice of the series
    group: Group  # after a visibility downgrade, the group it was moved to
    reason: str  # why it is in that group
    received: datetime  # arrival of the first notice
    deadline: datetime  # the dialog closes (a waiting alert expires) then
    verdict: Verdict | None = None
    downgraded: bool = False
    opened: datetime | None = None  # when it was first shown; None while waiting
    changed: frozenset[str] = frozenset()  # fields the last update changed
    retracted: bool = False
    retraction: str | None = None  # why
    history: list[Notice] = field(default_factory=list)  # every notice of the series, oldest first
    replaced: Alert | None = None  # the alert this one preempted
    closed: str | None = None  # why it left the screen (timeout, observer, replaced); None while shown
    keys: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self):
        if not self.history:
            self.history.append(self.notice)
        self.keys |= series_keys(self.notice)

    @property
    def event_key(self) -> tuple[str, str] | None:
        return self.history[0].event_key

    @property
    def action(self) -> str:
        return self.group.action

    @property
    def best(self) -> Notice:
        """The notice with the smallest error circle (the latest among equals): its position is shown."""
        located = [n for n in self.history if n.has_position]
        if not located:
            return self.notice
        return min(reversed(located), key=lambda n: n.error_radius if n.error_radius is not None else 1e9)

    @property
    def actionable(self) -> bool:
        """Send/slew buttons make sense: an ``act`` alert with a position, not retracted."""
        return self.action == "act" and not self.retracted and self.best.has_position

    @property
    def title(self) -> str:
        return describe(self.notice)

    def related(self, notice: Notice) -> str | None:
        """Why ``notice`` belongs to this event (same trigger, burst id, or a citation), or None."""
        for key in series_keys(notice) & self.keys:
            return f"same {key[0]} trigger {key[1]}"
        ivorns = {n.ivorn for n in self.history}
        for cite in notice.cites:
            if cite.ivorn in ivorns:
                return f"cites {cite.ivorn} ({cite.type})"
        return None

    def remaining(self, now: datetime) -> float:
        """Seconds until the timeout (the GUI's countdown)."""
        return max(0.0, (self.deadline - now).total_seconds())

    def shown_fields(self) -> dict[str, object]:
        best, latest = self.best, self.notice
        values = {k: getattr(best, k) for k in POSITION_FIELDS}
        values.update({k: getattr(latest, k) for k in DETAIL_FIELDS})
        return values


@dataclass(frozen=True)
class Event:
    """Something the GUI shows or logs; ``log_line`` says what happened and why, in one line."""

    when: datetime
    log_line: str

    @property
    def kind(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class Show(Event):
    """Open the dialog for ``alert`` (replacing ``alert.replaced`` if that was on screen)."""

    alert: Alert


@dataclass(frozen=True)
class Update(Event):
    """A refinement of the shown event: update the dialog in place, highlight ``changed``."""

    alert: Alert
    changed: frozenset[str]


@dataclass(frozen=True)
class Retract(Event):
    """The shown event was retracted or declared not a GRB: say so, disable the actions."""

    alert: Alert
    reason: str


@dataclass(frozen=True)
class Close(Event):
    """Close the dialog: timeout, or the observer acknowledged/ignored/acted."""

    alert: Alert
    reason: str


@dataclass(frozen=True)
class Listed(Event):
    """A notice worth a line in the list but not the dialog (another event is on screen)."""

    notice: Notice
    group: Group
    reason: str
    queued: bool = False


@dataclass(frozen=True)
class Ignored(Event):
    """A notice nobody needs to see: logged only."""

    notice: Notice
    reason: str
