"""``gcnmon topics [--json] [--status S]``: GCN's Kafka streams (the topic catalogue) and which are read."""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["NAME", "HELP", "configure", "run"]

NAME = "topics"
HELP = "list GCN's Kafka topics (format, mission, status, source) and which ones this configuration reads"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="config file (default: the user config file)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        help="override a config key, e.g. --set 'kafka.topics=[\"igwn.gwalert\"]'")
    parser.add_argument("--json", action="store_true", help="print one JSON object per topic")
    parser.add_argument("--status", choices=("operational", "announced", "archival"),
                        help="only the topics of this status")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from ..config import ConfigError, load_config
    from ..stream.topics import catalogue

    try:
        reading = list(load_config(args.config, args.set).get("kafka.topics"))
    except ConfigError as exc:
        print(exc.lines("gcnmon topics"), file=sys.stderr)
        return 2
    known = {topic.name for topic in catalogue()}
    rows = [{**topic.as_dict(), "read_by_default": topic.read, "read": topic.name in reading}
            for topic in catalogue() if args.status in (None, topic.status)]  # fmt: skip
    if args.status is None:  # topics of the configuration the catalogue does not know
        unknown = [name for name in reading if name not in known]
        rows += [{"name": name, "format": None, "mission": None, "instrument": None, "status": "unknown",
                  "read": True, "read_by_default": False, "source": "[kafka] topics, not in the catalogue"}
                 for name in unknown]
    for row in rows:
        if args.json:
            print(json.dumps(row))
        else:
            mark = "*" if row["read"] else " "
            mission = "/".join(filter(None, (row["mission"], row["instrument"]))) or "?"
            print(f"{mark} {row['name']:48s} {row['format'] or '?':8s} {row['status']:12s} {mission}")
    if not args.json:
        print(f"* read: {sum(r['read'] for r in rows)} of {len(rows)} ([kafka] topics; the default is every "
              "operational or announced stream a default rule uses)")
    return 0
