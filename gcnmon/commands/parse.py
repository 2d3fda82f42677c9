"""``gcnmon parse FILE... [--json]``: one line per alert packet file, exit 1 if any could not be read."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

__all__ = ["NAME", "HELP", "configure", "run"]

log = logging.getLogger(__name__)

NAME = "parse"
HELP = "parse VOEvent / GCN JSON packet files and print one line (or one JSON object) per file"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="packet files (VOEvent XML or GCN JSON)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per line")
    parser.add_argument("--max-size", type=int, default=None, help="refuse packets larger than this (bytes)")


def _read(path: str, max_size: int) -> bytes:
    from gcnmon.notice import NoticeError

    try:
        with open(path, "rb") as handle:
            return handle.read(max_size + 1)  # one byte over the cap is enough for parse() to refuse it
    except OSError as exc:
        raise NoticeError(f"cannot read file: {exc.strerror or exc}") from None


def _one(path: str, as_json: bool, max_size: int) -> tuple[str, bool]:
    """The output line for ``path`` and whether it parsed."""
    from gcnmon.notice import NoticeError, parse
    from gcnmon.notice.serialize import notice_as_dict, notice_line

    try:
        notice = parse(_read(path, max_size), max_size=max_size)
    except NoticeError as exc:
        if as_json:
            return json.dumps({"file": path, "error": str(exc)}), False
        return f"{path}: error: {exc}", False
    for warning in notice.warnings:
        log.info("%s: %s", path, warning)
    if as_json:
        return json.dumps({"file": path, **notice_as_dict(notice)}), True
    return f"{path}: {notice_line(notice)}", True


def run(args: argparse.Namespace) -> int:
    from gcnmon.notice import MAX_SIZE

    max_size = args.max_size or MAX_SIZE
    ok = True
    try:
        for path in args.files:
            line, parsed = _one(path, args.json, max_size)
            ok = ok and parsed
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `gcnmon parse ... | head`: the reader left, which is not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0 if ok else 1
