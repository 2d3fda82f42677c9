"""``gcnmon history``: review the archive the morning after, oldest first, as log-book lines or JSON.

Each notice is followed by what became of it, one line each: the arbiter's decision (shown, listed,
ignored, and why), what the observer did (ack, ignore, close) and what the TCS answered ("slew accepted",
"slew failed: ..."). ``--event KEY`` tells one event's whole story in time order (its notices, those
lines, and the GCN circulars about it: ``gcnmon.story.timeline``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import UTC, datetime

__all__ = ["NAME", "HELP", "configure", "run", "parse_since"]

NAME = "history"
HELP = "print archived notices with their decisions, actions and TCS replies (or --json), or one --event"

_RELATIVE = re.compile(r"^-?(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def configure(parser: argparse.ArgumentParser) -> None:
    from ._archive_cli import add_config_options

    parser.add_argument("--since", metavar="ISO|-2h",
                        help="only notices received since then: ISO time (UTC unless it says) or an age "
                        "such as -90s, -30m, -2h, -7d")
    parser.add_argument("--search", metavar="TEXT", help="only notices whose IVORN, mission, instrument, "
                        "type, trigger, description or source contains TEXT")
    parser.add_argument("--limit", type=int, default=50, metavar="N", help="at most N notices, the newest "
                        "(default 50)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line: the `gcnmon parse "
                        "--json` object plus source, received, duplicates and `record` (its decisions, "
                        "observer actions and TCS replies); with --event, one object per line of the story")
    parser.add_argument("--event", metavar="KEY", help="the whole story of one event in time order: its "
                        "notices, decisions, observer actions, TCS replies and circulars. KEY is "
                        "MISSION:TRIGGER, e.g. Swift:1156572 (the history's Mission and Trigger columns)")
    parser.add_argument("--rejects", action="store_true", help="list the unreadable packets instead")
    add_config_options(parser)
    # Let `--since -2h` through: argparse takes "-2h" for an option unless it looks like a negative
    # number, and this matcher is how it decides (a private attribute, stable since Python 3.2).
    parser._negative_number_matcher = re.compile(r"^-\d+(\.\d+)?[smhdw]?$")


def parse_since(text: str, now: float | None = None) -> float:
    """``-2h``-style ages or ISO 8601 times (naive means UTC) -> Unix seconds."""
    match = _RELATIVE.match(text.strip())
    if match:
        return (time.time() if now is None else now) - float(match[1]) * _UNIT[match[2]]
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--since {text!r}: not an ISO time nor an age like -2h") from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _kind(action: str) -> str:
    """``decision`` (the arbiter's), ``tcs`` (the TCS's answer) or ``action`` (the observer's)."""
    from ..journal import DECISIONS
    from ..story.timeline import TCS_ACTIONS

    if action in DECISIONS:
        return "decision"
    return "tcs" if action.split(" ", 1)[0] in TCS_ACTIONS else "action"


def _one_line(text: str | None) -> str:
    return " | ".join(line.strip() for line in (text or "").splitlines() if line.strip())


def _record_lines(actions) -> list[str]:
    """``    2026-11-22T20:00:05Z decision shown: SHOW    Swift ... [act]: ...``: one line per row."""
    from ._archive_cli import iso_utc

    return [f"    {iso_utc(a.time)} {_kind(a.action):<8} {a.action}: {_one_line(a.detail)}".rstrip(": ")
            for a in actions]


def _record_json(actions) -> list[dict]:
    from ._archive_cli import iso_utc

    return [{"time": iso_utc(a.time), "kind": _kind(a.action), "action": a.action, "detail": a.detail or ""}
            for a in actions]


def _show_notices(archive, args, since) -> int:
    from ..logbook import format_line
    from ._archive_cli import iso_utc, notice_json

    records = archive.recent(args.limit, since=since, search=args.search)
    for record in reversed(records):  # chronological, like a log book
        notice = record.notice()
        actions = archive.actions(record.ivorn)
        if args.json:
            print(notice_json(notice, source=record.source, received=iso_utc(record.received),
                              duplicates=record.duplicates, record=_record_json(actions)))
        else:
            dups = f", +{record.duplicates} duplicate(s)" if record.duplicates else ""
            print(f"{format_line(notice, record.received)}  [{record.source}{dups}]")
            for line in _record_lines(actions):
                print(line)
    return len(records)


def _show_event(archive, args) -> int:
    """One event's story, one line per entry, in time order (``--json``: one object per entry)."""
    import json

    from ..story.timeline import event_story, parse_key
    from ._archive_cli import iso_utc

    key = parse_key(args.event)
    if key is None:
        raise argparse.ArgumentTypeError(f"--event {args.event!r}: not MISSION:TRIGGER, e.g. Swift:1156572")
    story = event_story(archive, key)
    for entry in story.entries:
        if args.json:
            print(json.dumps({"time": iso_utc(entry.when), "kind": entry.kind, "text": entry.text,
                              "detail": entry.detail, "ref": entry.ref}, ensure_ascii=False))
        else:
            print(f"{iso_utc(entry.when)} {entry.kind:<8} {_one_line(entry.text)}")
    if not args.json and story.links:
        print("see also: " + "  ".join(link.url for link in story.links))
    return len(story.entries)


def _show_rejects(archive, args) -> int:
    import json

    from ._archive_cli import iso_utc

    rejects = archive.rejects(args.limit)
    for r in reversed(rejects):
        if args.json:
            print(json.dumps({"id": r.row_id, "source": r.source, "received": iso_utc(r.received),
                              "reason": r.reason, "size": len(r.raw)}))
        else:
            print(f"{iso_utc(r.received)} #{r.row_id} from {r.source} ({len(r.raw)} bytes): {r.reason}")
    return len(rejects)


def run(args: argparse.Namespace) -> int:
    from ..archive import Archive, ArchiveError, archive_path
    from ..config import ConfigError
    from ._archive_cli import load

    try:
        since = parse_since(args.since) if args.since else None
    except argparse.ArgumentTypeError as exc:
        print(f"gcnmon history: {exc}", file=sys.stderr)
        return 2
    try:
        path = archive_path(load(args).section("archive"))
    except ConfigError as exc:
        print(exc.lines("gcnmon history"), file=sys.stderr)
        return 2
    if not path.exists():
        print(f"gcnmon history: no archive at {path}", file=sys.stderr)
        return 1
    archive = Archive(path)
    try:
        if args.rejects:
            count = _show_rejects(archive, args)
        elif args.event:
            count = _show_event(archive, args)
        else:
            count = _show_notices(archive, args, since)
    except argparse.ArgumentTypeError as exc:
        print(f"gcnmon history: {exc}", file=sys.stderr)
        return 2
    except ArchiveError as exc:
        print(f"gcnmon history: {exc}", file=sys.stderr)
        return 1
    finally:
        archive.close()
    if count == 0 and not args.json:
        what = f"nothing archived about {args.event}" if args.event else "no matching notices"
        print(f"gcnmon history: {what}", file=sys.stderr)
    return 0
