"""One event as one story: its notices in time order, the decisions, the observer's actions and the TCS
replies, the circulars about it, and where to read more. Shared by the event pane and ``gcnmon history``.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field

from ..journal import DECISIONS
from ..logbook import describe
from .links import EventLink, event_links, event_terms

__all__ = ["Entry", "Story", "DecisionLog", "event_story", "event_records", "key_text", "parse_key"]

#: Actions the controller records that are the TCS's answer ("slew accepted", "send refused by ...":
#: the command, then its outcome; the detail is the TCS's reply text).
TCS_ACTIONS = ("send", "slew", "stop")


@dataclass(frozen=True)
class Entry:
    """One line of the story: ``kind`` is notice, decision, action, tcs or circular."""

    when: float  # Unix seconds
    kind: str
    text: str
    detail: str = ""  # the circular's body, the TCS's full reply
    ref: str = ""  # the notice's IVORN or the circular's number


@dataclass(frozen=True)
class Story:
    key: tuple[str, str] | None
    title: str
    entries: tuple[Entry, ...]
    links: tuple[EventLink, ...]
    terms: frozenset[str] = field(default_factory=frozenset)


def key_text(key: tuple[str, str] | None) -> str:
    return f"{key[0]}:{key[1]}" if key else "?"


def parse_key(text: str) -> tuple[str, str] | None:
    """``"Swift:1156572"`` (or ``"Swift 1156572"``) -> ``("Swift", "1156572")``."""
    mission, sep, trigger = text.strip().replace(" ", ":", 1).partition(":")
    return (mission, trigger) if sep and mission and trigger else None


def _key_of(notice):
    key = notice.event_key
    if isinstance(key, str):  # an event key that is one string already
        return parse_key(key) or (notice.mission or "?", key)
    return key


def event_records(archive, key: tuple[str, str]) -> list:
    """Every archived notice of the event ``(mission, trigger id)``, in order of arrival."""
    from ..archive.store import _RECORD_SQL

    rows = archive._query(_RECORD_SQL + " WHERE mission = ? AND trigger_id = ? ORDER BY received, id", key)
    return [archive._record(row) for row in rows]


class DecisionLog:
    """The arbiter's decisions of this session per event (fed ``on_event``), the last ``limit`` events."""

    def __init__(self, limit: int = 500):
        self.limit = limit
        self.by_key: collections.OrderedDict[tuple, list[tuple[float, str]]] = collections.OrderedDict()

    def on_event(self, event) -> None:
        alert = getattr(event, "alert", None)
        notice = getattr(event, "notice", None) or (alert.history[-1] if alert is not None else None)
        key = _key_of(alert.history[0]) if alert is not None else _key_of(notice) if notice else None
        if key is None:
            return
        self.by_key.setdefault(key, []).append((event.when.timestamp(), event.log_line))
        self.by_key.move_to_end(key)
        while len(self.by_key) > self.limit:
            self.by_key.popitem(last=False)

    def of(self, key) -> list[tuple[float, str]]:
        return list(self.by_key.get(key, ()))


def _rank(entry: Entry) -> int:
    """Order within one second: the notice, the dialog opening, what the observer and the TCS did, the
    dialog closing, then circulars."""
    if entry.kind == "notice":
        return 0
    if entry.kind == "decision":
        return 1 if entry.text.split(" ", 1)[0] in ("SHOW", "UPDATE", "RETRACT", "REOPEN") else 3
    return 2 if entry.kind in ("tcs", "action") else 4


def event_story(archive, key: tuple[str, str], decisions: DecisionLog | None = None) -> Story:
    """The story of event ``key`` from the archive (notices, actions, circulars) and ``decisions``."""
    from ..archive.circulars import CircularStore

    records = event_records(archive, key)
    notices = [r.notice() for r in records]
    entries = []
    for record, notice in zip(records, notices, strict=True):
        entries.append(Entry(record.received, "notice", describe(notice), ref=record.ivorn))
        for action in archive.actions(record.ivorn):
            kind = ("tcs" if action.action.split(" ", 1)[0] in TCS_ACTIONS
                    else "decision" if action.action in DECISIONS else "action")
            lines = (action.detail or "").splitlines()
            # the TCS's own words are its reply's last line ("TCS: Start Slewing to new object - Ok")
            said = (lines[-1] if kind == "tcs" else lines[0]) if lines else ""
            # a decision's detail is its log-book line ("SHOW    Swift BAT ... [act]: ...")
            text = said if kind == "decision" else f"{action.action}: {said}".rstrip(": ")
            entries.append(Entry(action.time, kind, text, action.detail or "", record.ivorn))
    # The journal keeps every decision in the archive; this session's log only stands in for an archive
    # written before it did.
    recorded = any(e.kind == "decision" for e in entries)
    for when, line in (decisions.of(key) if decisions and not recorded else ()):
        entries.append(Entry(when, "decision", line))
    terms = event_terms(notices) if notices else [key[1]]
    for circular in CircularStore(archive).circulars_for(terms):
        when = circular.created if circular.created is not None else 0.0
        text = f"GCN {circular.circular_id}: {circular.subject}"
        entries.append(Entry(when, "circular", text, circular.body, str(circular.circular_id)))
    entries.sort(key=lambda e: (e.when, _rank(e)))
    title = f"{key[0]} {key[1]}"
    return Story(key, title, tuple(entries), tuple(event_links(notices)), frozenset(t.lower() for t in terms))
