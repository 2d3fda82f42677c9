"""The short, self-contained texts sent off the console: what, when, where, the verdict, the event's link.

A phone's lock screen shows the title and the first lines: the title says what happened, the body
carries everything needed to act without opening gcnmon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ..logbook import describe
from ..story.links import event_links

__all__ = ["Message", "alert_message", "link_message", "problem_message", "test_message"]


@dataclass(frozen=True)
class Message:
    """One notification: its ``kind`` (see ``targets.KINDS``), a title and a body of a few lines."""

    kind: str
    title: str
    body: str
    when: datetime


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _event_lines(alert) -> list[str]:
    best = alert.best
    lines = [describe(alert.notice)]
    if best is not alert.notice and best.has_position:
        lines.append(f"best position: {describe(best)}")
    if alert.verdict is not None:
        lines.append(f"verdict: {alert.verdict.line}")
    elif not best.has_position:
        lines.append("verdict: no position")
    links = event_links(alert.history)
    if links:
        lines.append(f"event: {links[0].url}")
    return lines


def alert_message(kind: str, alert, station: str, when: datetime, what: str) -> Message:
    """``what`` happened to ``alert`` (an arbiter ``Alert``) at ``station``."""
    title = f"gcnmon {station}: {what}: {alert.title.split(' trigger:')[0]}"
    opened = alert.opened or alert.received
    body = [f"{what} at {station}, {_utc(when)} (alert shown {_utc(opened)}, group {alert.group.name})"]
    return Message(kind, title[:120], "\n".join(body + _event_lines(alert)), when)


def link_message(kind: str, station: str, link, when: datetime, what: str) -> Message:
    """A link (a ``LinkState``) went stale or recovered."""
    where = link.host or "not connected"
    error = f"; last error: {link.last_error}" if link.last_error else ""
    heard = (f"last packet {_utc(datetime.fromtimestamp(link.last_packet, UTC))}"
             if link.last_packet is not None else "nothing heard since start")
    title = f"gcnmon {station}: {link.name} link {what}"
    body = f"{link.name} link {what} at {station}, {_utc(when)}\n{where}: {heard}{error}"
    return Message(kind, title, body, when)


def problem_message(kind: str, station: str, when: datetime, what: str, detail: str) -> Message:
    return Message(kind, f"gcnmon {station}: {what}", f"{what} at {station}, {_utc(when)}\n{detail}", when)


def test_message(station: str, when: datetime, target: str) -> Message:
    body = (f"Test message from gcnmon at {station}, {_utc(when)}, to target {target}.\n"
            "If you read this, escalations (unanswered alerts, stale links, retractions) reach you here.")
    return Message("test", f"gcnmon {station}: test message", body, when)
