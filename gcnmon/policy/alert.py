"""One event's alert (its notices, its state) and the events the arbiter publishes about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..notice.model import Notice
from ..notice.region import position_size
from .classify import describe
from .groups import Group
from .visibility import Verdict

__all__ = ["Alert", "Fact", "Event", "Show", "Update", "Retract", "Close", "Listed", "Ignored", "Acted",
           "series_keys", "event_key_of", "key_text", "DIALOG_FIELDS"]

#: Fields of the dialog an update can change (position fields come from the best-located notice).
POSITION_FIELDS = ("ra", "dec", "error_radius")
DETAIL_FIELDS = ("instrument", "notice_type", "serial", "time", "significance", "trigger_id")
#: Notice fields -> the dialog's rows that show them (only these are ever highlighted as changed).
DIALOG_FIELDS = {"ra": "ra", "dec": "dec", "error_radius": "error", "time": "time",
                 "significance": "significance", "trigger_id": "trigger", "visibility": "visibility"}


def event_key_of(notice: Notice):
    """THE key that groups notices of one event (detection, updates, retraction)."""
    return notice.event_key


def series_keys(notice: Notice) -> set:
    """Keys tying notices of one event together: the event key and an SVOM ``Burst_Id``."""
    key = event_key_of(notice)
    keys = {key} if key else set()
    burst = notice.params.get("Burst_Id")
    if burst and notice.mission:
        keys.add((notice.mission, burst))
    return keys


def key_text(key) -> str:
    """An event key as the observer types it after ``--event``: ``Swift/1165948``."""
    if key is None:
        return ""
    return "/".join(str(part) for part in key) if isinstance(key, tuple) else str(key)


@dataclass(frozen=True)
class Fact:
    """What the observer did or the TCS answered, reported down by the UI: the arbiter keeps it.

    ``action``: ``ack``, ``ignore``, ``close`` (the observer), ``send``, ``slew``, ``stop`` (the TCS).
    ``ok``: the TCS took the command (a warning is still ok). ``label``: the short record ("slew
    accepted", "slew refused by the TCS", "slew failed", never a bare "slew"); ``detail``: the
    TCS's words. ``position``: (ra, dec, error) sent, for send/slew.
    """

    action: str
    ok: bool = True
    label: str = ""
    detail: str = ""
    position: tuple[float, float, float | None] | None = None
    severity: str = "ok"  # "ok", "warning", "error": how the UI colours a TCS reply
    result: object = None  # the UI's own result object (a TcsResult), handed back unchanged

    @property
    def record(self) -> str:
        return self.label or self.action


@dataclass(eq=False)
class Alert:
    """One event's dialog: its notices so far, its group, its timeout and what happened to it."""

    id: int
    notice: Notice  # the latest notice of the series
    group: Group  # after a visibility downgrade, the group it was moved to
    reason: str  # why it is in that group
    received: datetime  # arrival of the first notice
    deadline: datetime | None  # the dialog closes (a waiting alert expires) then; None: no timeout
    verdict: Verdict | None = None
    downgraded: bool = False
    opened: datetime | None = None  # when it was last shown; None while waiting
    changed: frozenset[str] = frozenset()  # dialog rows the last change touched (``DIALOG_FIELDS`` values)
    retracted: bool = False
    retraction: str | None = None  # why
    history: list[Notice] = field(default_factory=list)  # every notice of the series, oldest first
    replaced: Alert | None = None  # the alert this one preempted
    closed: str | None = None  # why it left the screen (timeout, observer, replaced); None while shown
    keys: set = field(default_factory=set)
    acted: str | None = None  # "send" or "slew": the last command the TCS took
    acted_position: tuple[float, float, float | None] | None = None  # where the telescope was sent
    facts: list[tuple[datetime, Fact]] = field(default_factory=list)  # everything reported, in order
    since: datetime | None = None  # when its latest offer began (arrival, or a reopening): queue order
    verdict_now: Verdict | None = None  # the verdict recomputed while on screen (the dialog's "now")

    def __post_init__(self):
        if not self.history:
            self.history.append(self.notice)
        self.keys |= series_keys(self.notice)
        self.since = self.since or self.received

    @property
    def sky(self) -> Verdict | None:
        """The latest verdict: what the dialog shows as "now"."""
        now, decided = self.verdict_now, self.verdict
        return now if now is not None and (decided is None or now.when > decided.when) else decided

    @property
    def event_key(self):
        return event_key_of(self.history[0])

    @property
    def action(self) -> str:
        return self.group.action

    @property
    def is_test(self) -> bool:
        return bool(self.notice.is_test)

    @property
    def best(self) -> Notice:
        """The notice with the smallest error circle (the latest among equals): its position is shown."""
        located = [n for n in self.history if n.has_position and not n.is_retraction]
        if not located:
            return self.notice
        return min(reversed(located), key=position_size)  # a map's or ellipse's 90 % area, else the circle

    @property
    def actionable(self) -> bool:
        """Send/slew buttons make sense: an ``act`` alert with a position, not retracted."""
        return self.action == "act" and not self.retracted and self.best.has_position

    @property
    def title(self) -> str:
        return describe(self.notice)

    def rank(self) -> tuple[int, int, int]:
        """Who wins the one dialog: anything beats a retracted alert, a real one any test, then priority."""
        return (0 if self.retracted else 1, 0 if self.is_test else 1, self.group.priority)

    def related(self, notice: Notice) -> str | None:
        """Why ``notice`` belongs to this event (same trigger, burst id, or a citation), or None."""
        for key in sorted(series_keys(notice) & self.keys, key=str):
            return f"same {key_text(key).replace('/', ' trigger ', 1)}"
        ivorns = {n.ivorn for n in self.history}
        for cite in notice.cites:
            if cite.ivorn in ivorns:
                return f"cites {cite.ivorn} ({cite.type})"
        return None

    def remaining(self, now: datetime) -> float | None:
        """Seconds until the timeout (the GUI's countdown); None: no timeout."""
        if self.deadline is None:
            return None
        return max(0.0, (self.deadline - now).total_seconds())

    def expired(self, now: datetime) -> bool:
        return self.deadline is not None and now >= self.deadline

    def shown_fields(self) -> dict[str, object]:
        best, latest = self.best, self.notice
        values = {k: getattr(best, k) for k in POSITION_FIELDS}
        values.update({k: getattr(latest, k) for k in DETAIL_FIELDS})
        return values


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something the arbiter decided, in one ``log_line``.

    ``notice`` and ``received`` are set on the one event that decides about a newly arrived notice
    (every arrival gets exactly one): subscribers list it, the archive records the decision.
    """

    when: datetime
    log_line: str
    notice: Notice | None = None
    received: float | None = None
    archived: bool = True  # False: handed on before the archive could take it (a full disk)
    decision = ""  # what the history's Action column says for that notice

    @property
    def kind(self) -> str:
        return type(self).__name__

    @property
    def reason_text(self) -> str:
        """The log line without its verb: what was decided about whom, and why."""
        return self.log_line[8:] if len(self.log_line) > 8 else self.log_line


@dataclass(frozen=True, kw_only=True)
class Show(Event):
    """Open the dialog for ``alert`` (replacing ``alert.replaced`` if that was on screen).

    ``why``: ``new``, ``preempt``, ``queue``, ``again`` (the observer asked), ``retracted`` (an event
    acted on was retracted), ``refined`` (a better position of an event already shown).
    ``ring``: play the group's sound.
    """

    alert: Alert
    why: str = "new"
    ring: bool = True

    @property
    def decision(self) -> str:
        return "retraction" if self.why == "retracted" else "shown"


@dataclass(frozen=True, kw_only=True)
class Update(Event):
    """A refinement of the shown event: update the dialog in place, highlight ``changed``."""

    alert: Alert
    changed: frozenset[str]
    decision = "update"


@dataclass(frozen=True, kw_only=True)
class Retract(Event):
    """The shown event was retracted or declared not a GRB: say so, stop the countdown, no actions.

    ``ring``: the observer had acted on it, so the alarm sounds again.
    """

    alert: Alert
    reason: str
    ring: bool = False
    decision = "retraction"


@dataclass(frozen=True, kw_only=True)
class Close(Event):
    """Close the dialog: timeout, replaced, or the observer acknowledged/ignored/acted."""

    alert: Alert
    reason: str


@dataclass(frozen=True, kw_only=True)
class Listed(Event):
    """A notice worth a line in the list but not the dialog now.

    ``queued``: it will be offered when the dialog closes, if its timeout has not run out.
    ``alert``: the waiting alert (queued ones); ``attention``: an act alert the observer has not seen.
    """

    group: Group
    reason: str
    queued: bool = False
    alert: Alert | None = None
    attention: bool = False
    decision = "listed"


@dataclass(frozen=True, kw_only=True)
class Ignored(Event):
    """A notice nobody needs to see: logged and recorded only."""

    reason: str
    decision = "ignored"


@dataclass(frozen=True, kw_only=True)
class Acted(Event):
    """The observer did something or the TCS answered: ``fact`` says what (the archive records it)."""

    alert: Alert
    fact: Fact
